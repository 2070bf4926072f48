"""Cold start: random seeding against core-set on unsupervised (PCA) features.

Before any model exists the first labels can be a random sample or a core-set cover of the
pool in PCA space. This measures which gives the better first model on BreastMNIST: for each
seed, pick the first N labels both ways, train the standard recipe, evaluate on the test split.
The round's cold start (`StepConfig.cold_start_strategy`) follows the result.

    python benchmarks/cold_start.py [--seeds 5] [--sizes 20,40,60] [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np

from alstudio.engine import can_train, cold_start_features
from alstudio.evaluation.simulate import load_archive
from alstudio.learning.inference import predict
from alstudio.learning.metrics import classification_summary
from alstudio.learning.training import TrainConfig, train_model
from alstudio.selection import select
from alstudio.workflow.demo import demo_archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--sizes", default="20,40,60")
    parser.add_argument("--quick", action="store_true", help="2 seeds, size 20")
    args = parser.parse_args()
    seeds = 2 if args.quick else args.seeds
    sizes = [20] if args.quick else [int(s) for s in args.sizes.split(",")]
    data = load_archive(demo_archive(), None)
    x, y = data["x_pool"], data["y_pool"]
    results: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
    for seed in range(seeds):
        features = cold_start_features(x, seed)
        for size in sizes:
            picks = {
                "random": np.random.default_rng(seed).choice(len(y), size, replace=False),
                "coreset(PCA)": select("coreset", size, embeddings=features, seed=seed).indices,
            }
            for name, idx in picks.items():
                minority = float(np.mean(y[idx] == 0))
                if not can_train(y[idx]):
                    results.setdefault((name, size), []).append((0.5, 0.5, minority))
                    continue
                trained = train_model(x[np.sort(idx)], y[np.sort(idx)], 2,
                                      TrainConfig(seed=seed))
                probs = predict(trained.model, data["x_test"]).probs
                m = classification_summary(data["y_test"], probs)
                results.setdefault((name, size), []).append(
                    (m["balanced_accuracy"], m["auc"], minority))
    print(f"BreastMNIST, {seeds} seeds: first labels chosen without a model")
    print(f"{'seeding':<14}{'labels':>7}{'bal.acc':>16}{'AUC':>16}{'malignant share':>17}")
    for (name, size), rows in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        a = np.array(rows)
        print(f"{name:<14}{size:>7}{a[:, 0].mean():>10.3f}±{a[:, 0].std():.3f}"
              f"{a[:, 1].mean():>10.3f}±{a[:, 1].std():.3f}{a[:, 2].mean():>17.2f}")


if __name__ == "__main__":
    main()
