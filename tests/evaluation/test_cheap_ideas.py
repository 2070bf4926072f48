"""The cheap-ideas benchmark: its label spreading, its ensemble, and the script end to end."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from alstudio.workflow.demo import demo_archive

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "cheap_ideas.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cheap_ideas", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def two_clusters(rng: np.random.Generator, sizes: tuple[int, int]) -> np.ndarray:
    return np.concatenate([rng.normal(0, 1, (sizes[0], 2)), rng.normal(8, 1, (sizes[1], 2))])


def test_spreading_carries_a_rare_class_s_few_labels_to_its_own_cluster() -> None:
    """Ninety majority points and ten of a rare class, nine labels against one: each cluster
    keeps its own label, and a class never labeled gets probability 0."""
    module = load_script()
    rng = np.random.default_rng(0)
    pool = two_clusters(rng, (90, 10))
    truth = np.repeat([0, 1], [90, 10])
    rows = np.concatenate([np.arange(9), [90]])
    test = np.array([[0.0, 0.0], [8.0, 8.0]])
    probs = module.spread_probabilities(pool, rows, truth[rows], test, 3, neighbours=5)
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert probs[0].argmax() == 0 and probs[1].argmax() == 1
    assert np.all(probs[:, 2] == 0)  # never labeled


def test_the_class_mass_correction_divides_by_each_class_s_labeled_count() -> None:
    """Where the spread mass is split, nine labels of one class against one of the other
    must not win by count alone: the corrected row is the raw one divided by the counts."""
    from sklearn.semi_supervised import LabelSpreading

    module = load_script()
    rng = np.random.default_rng(1)
    pool = rng.normal(0, 1, (60, 2))  # one cloud: every point's mass is split
    labels = np.array([0] * 9 + [1])
    rows = np.arange(10)
    test = rng.normal(0, 1, (5, 2))
    probs = module.spread_probabilities(pool, rows, labels, test, 2, neighbours=7)
    targets = np.full(60, -1)
    targets[rows] = labels
    raw = LabelSpreading(kernel="knn", n_neighbors=7, alpha=0.2, max_iter=200).fit(
        pool, targets).predict_proba(test)
    expected = raw / np.array([9.0, 1.0])
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, expected, rtol=1e-6)
    assert (probs[:, 1] > raw[:, 1]).all()


def test_a_paired_difference_is_the_mean_per_seed_with_its_standard_error() -> None:
    module = load_script()
    assert module.paired([0.6, 0.7, 0.8], [0.5, 0.7, 0.7]) == "+0.067 ± 0.033"
    assert module.paired([], []) == "–"


@pytest.mark.slow  # trains the product's classifier four times
def test_an_ensemble_of_one_is_its_lone_classifier_and_its_rows_are_paired() -> None:
    """Member 0 trains with the lone classifier's seed, so a 'mean of 1' must equal it
    exactly and its paired difference must be zero; a mean of 3 is its own row."""
    from alstudio.evaluation.simulate import load_archive

    module = load_script()
    data = load_archive(demo_archive(), None)
    lines = module.ensemble_rows(data, [20], 1, sizes=(1, 3))
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in lines}
    assert set(rows) == {"one classifier (ensemble member 0)",
                         "mean of 1 classifiers, each its own seed",
                         "mean of 3 classifiers, each its own seed",
                         "(mean of 1, paired)", "(mean of 3, paired)"}
    assert rows["mean of 1 classifiers, each its own seed"] == rows[
        "one classifier (ensemble member 0)"]
    assert rows["(mean of 1, paired)"] == "+0.000 ± 0.000"
    assert re.fullmatch(r"[+-]\d\.\d{3} ± 0\.000", rows["(mean of 3, paired)"])


def test_an_unknown_part_to_skip_is_refused_with_the_choices() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), str(demo_archive()), "--skip",
                           "flip,mirror"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "unknown part mirror" in done.stderr and "flip, spreading, ensemble" in done.stderr


@pytest.mark.slow  # trains the product's classifier four times and pretrains an encoder
def test_the_script_prints_the_comparisons_it_is_not_told_to_skip() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), str(demo_archive()), "--budgets",
                           "20,40", "--seeds", "2", "--epochs", "1", "--skip", "ensemble"],
                          capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr
    rows = {line.split("|")[1].strip(): line for line in done.stdout.splitlines()
            if line.startswith("| ") and "±" in line}
    assert set(rows) == {"classifier from scratch", "+ flip averaging at test time",
                         "(flip averaging, paired)",
                         "feature probe (logistic regression on the labeled scans)",
                         "label spreading over the pool's k-NN graph",
                         "(label spreading, paired)"}
    for name in ("classifier from scratch", "label spreading over the pool's k-NN graph"):
        scores = [float(v) for v in re.findall(r"(\d\.\d{3}) ±", rows[name])]
        assert len(scores) == 2 and all(0.0 <= v <= 1.0 for v in scores)
    assert re.search(r"pretraining: 1 epochs \d+ s", done.stdout)
