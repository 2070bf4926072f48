"""The encoder probe benchmark runs end to end and prints a row per representation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from alstudio.workflow.demo import demo_archive

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "encoder_probe.py"


@pytest.mark.slow  # about 95 s on 2 cores: it pretrains an encoder for the benchmark script
def test_the_probe_compares_pixels_an_encoder_and_the_classifier() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), str(demo_archive()), "--epochs", "1",
                           "--budgets", "20,40", "--seeds", "2", "--cnn", "--finetune"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = {line.split("|")[1].strip(): line for line in done.stdout.splitlines()
            if line.startswith("| ") and "±" in line}
    assert set(rows) == {"pixels, PCA-50", "pool encoder, 1 epochs", "classifier from scratch",
                         "classifier + probe, mean of probabilities",
                         "classifier + probe, share chosen on the held-back slice",
                         "classifier fine-tuned from the 1-epoch encoder"}
    for line in rows.values():
        scores = [float(v) for v in re.findall(r"(\d\.\d{3}) ±", line)]
        assert len(scores) == 2 and all(0.0 <= v <= 1.0 for v in scores)
    shares = next(line for line in done.stdout.splitlines() if "share chosen, seed" in line)
    for cell in shares.split("|")[2:4]:  # one share per seed, from the grid tried
        assert [float(v) in (0.0, 0.25, 0.5, 0.75, 1.0) for v in cell.split()] == [True] * 2
    assert re.search(r"pretraining: 1 epochs \d+ s \(loss \d", done.stdout)


def test_a_class_missing_from_a_small_labeled_set_gets_probability_zero() -> None:
    """Forty random labels of a five-grade set can miss a grade: the probe's columns must
    still line up with the classes, or balanced accuracy would read the wrong column."""
    import importlib.util

    import numpy as np

    spec = importlib.util.spec_from_file_location("encoder_probe", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = np.random.default_rng(0)
    train = np.concatenate([rng.normal(0, 1, (10, 2)), rng.normal(6, 1, (10, 2))])
    labels = np.repeat([0, 2], 10)  # class 1 never labeled
    probs = module.probe(train, labels, np.array([[0.0, 0.0], [6.0, 6.0]]), 3)
    assert probs.shape == (2, 3) and np.all(probs[:, 1] == 0)
    assert probs[0].argmax() == 0 and probs[1].argmax() == 2
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
