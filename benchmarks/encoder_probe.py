"""Is the pool encoder any good? A linear probe of its features against PCA of the pixels.

    python benchmarks/encoder_probe.py ../shared/data/breastmnist/breastmnist.npz
    python benchmarks/encoder_probe.py ARCHIVE.npz --epochs 20,100 --cnn

The simulator measures a representation only through whole active-learning curves, which
take an hour a cell on a CPU. This asks the cheaper question first: with k random labels,
how well does a logistic regression on the frozen features of an encoder pretrained on the
pool (no labels) classify the test split, against one on the first 50 principal components
of the pixels? A representation that loses to pixels here cannot help the cold start or the
core-set distances, and longer pretraining that does not lift the probe will not lift a
fine-tuned classifier either.

``--colour mild,strong`` compares the views' colour jitter on colour archives: whether an
encoder that cannot match two views by colour alone learns more of the image.
``--cnn`` also trains the product's classifier from scratch on the same labels, and scores
the mean of its probabilities and the last encoder's probe: whether the two kinds of model
make different mistakes, and the blend with the probe's share chosen on the classifier's
held-back slice, as ``StepConfig.probe_weighting = "held_back"`` would (the shares chosen are
printed seed by seed). ``--finetune`` adds the classifier started from the last encoder's
weights (what ``alstudio round --encoder`` does). Every figure is balanced accuracy on the
test split, mean ± std over seeds (each seed a different random labeled set of k scans from
the pool).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.decomposition import PCA

from alstudio.evaluation.simulate import load_archive
from alstudio.learning.feature_probe import blend, held_back_share
from alstudio.learning.feature_probe import probe_probabilities as probe  # the rounds' own
from alstudio.learning.inference import predict
from alstudio.learning.metrics import classification_summary
from alstudio.learning.pretrain import (
    Encoder,
    PretrainConfig,
    encoder_features,
    encoder_to_bytes,
    pretrain,
)
from alstudio.learning.training import TrainConfig, TrainResult, train_model


def labeled_sets(pool_size: int, k: int, seeds: int) -> list[np.ndarray]:
    """Seed s's k random pool rows: the same sets for every representation."""
    return [np.sort(np.random.default_rng(s).choice(pool_size, k, replace=False))
            for s in range(seeds)]


def balanced(y_test: np.ndarray, probs: np.ndarray) -> float:
    return float(classification_summary(y_test, probs)["balanced_accuracy"])


def describe(scores: list[float]) -> str:
    return f"{np.mean(scores):.3f} ± {np.std(scores):.3f}"


def probe_row(name: str, features: tuple[np.ndarray, np.ndarray], data: dict[str, np.ndarray],
              budgets: list[int], seeds: int) -> str:
    """One line: the probe at every budget and on the whole pool."""
    pool, test = features
    y_pool, y_test = data["y_pool"], data["y_test"]
    classes = int(y_pool.max()) + 1
    cells = []
    for k in budgets:
        sets = [s for s in labeled_sets(len(y_pool), k, seeds) if np.unique(y_pool[s]).size > 1]
        cells.append(describe([balanced(y_test, probe(pool[s], y_pool[s], test, classes))
                               for s in sets]))
    whole = balanced(y_test, probe(pool, y_pool, test, classes))
    return f"| {name} | " + " | ".join(cells) + f" | {whole:.3f} |"


def classifier_probs(data: dict[str, np.ndarray], rows: np.ndarray, seed: int,
                     weights: Path | None = None) -> np.ndarray:
    """Test-set probabilities of the product's classifier trained on these pool rows, from
    scratch or from the encoder weights in ``weights``."""
    return predict(classifier(data, rows, seed, weights).model, data["x_test"]).probs


def classifier(data: dict[str, np.ndarray], rows: np.ndarray, seed: int,
               weights: Path | None = None) -> TrainResult:
    """The product's classifier trained on these pool rows (its held-back slice included)."""
    y_pool = data["y_pool"]
    config = TrainConfig(seed=seed, num_threads=1,
                         initial_weights=str(weights) if weights else None)
    return train_model(data["x_pool"][rows], y_pool[rows], int(y_pool.max()) + 1, config)


def held_back_blend(trained: TrainResult, features: tuple[np.ndarray, np.ndarray],
                    y_rows: np.ndarray, rows: np.ndarray, cnn: np.ndarray, linear: np.ndarray
                    ) -> tuple[np.ndarray, float]:
    """The blend with the probe's share chosen on the classifier's held-back slice, as the
    rounds choose it (the plain mean without a slice)."""
    weight = held_back_share(features[0], rows, y_rows, trained)
    return blend(cnn, linear, weight), weight


def cnn_rows(features: tuple[np.ndarray, np.ndarray], data: dict[str, np.ndarray],
             budgets: list[int], seeds: int) -> list[str]:
    """The classifier from scratch, the mean of its probabilities and the probe's, and the
    blend weighted on the held-back slice."""
    y_pool, y_test = data["y_pool"], data["y_test"]
    classes = int(y_pool.max()) + 1
    alone, mixed, chosen, shares = [], [], [], []
    for k in budgets:
        scratch, mean, weighted, used = [], [], [], []
        for seed, rows in enumerate(labeled_sets(len(y_pool), k, seeds)):
            trained = classifier(data, rows, seed)
            cnn = predict(trained.model, data["x_test"]).probs
            linear = probe(features[0][rows], y_pool[rows], features[1], classes)
            scratch.append(balanced(y_test, cnn))
            mean.append(balanced(y_test, blend(cnn, linear)))
            probs, weight = held_back_blend(trained, features, y_pool[rows], rows, cnn, linear)
            weighted.append(balanced(y_test, probs))
            used.append(weight)
        alone.append(describe(scratch))
        mixed.append(describe(mean))
        chosen.append(describe(weighted))
        shares.append(" ".join(f"{w:g}" for w in used))
    return ["| classifier from scratch | " + " | ".join(alone) + " | |",
            "| classifier + probe, mean of probabilities | " + " | ".join(mixed) + " | |",
            "| classifier + probe, share chosen on the held-back slice | " + " | ".join(chosen)
            + " | |",
            "| (the probe's share chosen, seed by seed) | " + " | ".join(shares) + " | |"]


def finetune_row(encoder: Encoder, epochs: int, data: dict[str, np.ndarray],
                 budgets: list[int], seeds: int) -> str:
    """The classifier started from the encoder's weights, on the same labeled sets."""
    y_pool, y_test = data["y_pool"], data["y_test"]
    cells = []
    with tempfile.TemporaryDirectory(prefix="alstudio-probe-") as folder:
        weights = Path(folder) / "encoder.safetensors"
        weights.write_bytes(encoder_to_bytes(encoder, PretrainConfig(epochs=epochs)))
        for k in budgets:
            scores = []
            for seed, rows in enumerate(labeled_sets(len(y_pool), k, seeds)):
                scores.append(balanced(y_test, classifier_probs(data, rows, seed, weights)))
            cells.append(describe(scores))
    return f"| classifier fine-tuned from the {epochs}-epoch encoder | " + " | ".join(cells) \
        + " | |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, metavar="ARCHIVE.npz")
    parser.add_argument("--epochs", default="20,100", help="pretraining epochs to compare")
    parser.add_argument("--budgets", default="40,80,120,160,300")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--colour", default="mild",
                        help="colour jitter of the views, e.g. mild,strong (grey ignores it)")
    parser.add_argument("--cnn", action="store_true",
                        help="also the classifier from scratch and its mean with the probe")
    parser.add_argument("--finetune", action="store_true",
                        help="also the classifier fine-tuned from the last encoder")
    args = parser.parse_args()
    torch.set_num_threads(1)
    budgets = [int(b) for b in args.budgets.split(",")]
    data = load_archive(args.archive, None)
    flat = {s: data[f"x_{s}"].reshape(len(data[f"x_{s}"]), -1) for s in ("pool", "test")}
    pca = PCA(50, random_state=0).fit(flat["pool"])
    scale = float(pca.transform(flat["pool"]).std(0).mean())
    print(f"{args.archive.name}: {len(data['y_pool'])} pool scans, "
          f"{len(data['y_test'])} test, one thread\n")
    print("| features | " + " | ".join(f"{k} labels" for k in budgets) + " | whole pool |")
    print("|---" * (len(budgets) + 2) + "|")
    print(probe_row("pixels, PCA-50", (pca.transform(flat["pool"]) / scale,
                                       pca.transform(flat["test"]) / scale),
                    data, budgets, args.seeds), flush=True)
    features = (flat["pool"], flat["test"])
    timings = []
    encoder, epochs = None, 0
    settings = [(int(e), c) for c in args.colour.split(",") for e in args.epochs.split(",")]
    for epochs, colour in settings:
        started = time.perf_counter()
        encoder = pretrain(data["x_pool"], PretrainConfig(epochs=epochs, seed=0, num_threads=1,
                                                          colour=colour))
        named = f"{epochs} epochs" + ("" if colour == "mild" else f", {colour} colour")
        timings.append(f"{named} {time.perf_counter() - started:.0f} s "
                       f"(loss {encoder.history[-1]:.3f})")
        features = (encoder_features(encoder, data["x_pool"]),
                    encoder_features(encoder, data["x_test"]))
        print(probe_row(f"pool encoder, {named}", features, data, budgets, args.seeds),
              flush=True)
    if args.cnn:
        print("\n".join(cnn_rows(features, data, budgets, args.seeds)), flush=True)
    if args.finetune and encoder is not None:
        print(finetune_row(encoder, epochs, data, budgets, args.seeds), flush=True)
    print(f"\npretraining: {'; '.join(timings)}")


if __name__ == "__main__":
    main()
