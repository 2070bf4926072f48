"""The encoder probe benchmark runs end to end and prints a row per representation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from alstudio.workflow.demo import demo_archive

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "encoder_probe.py"


def test_the_probe_compares_pixels_an_encoder_and_the_classifier() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), str(demo_archive()), "--epochs", "1",
                           "--budgets", "20,40", "--seeds", "2", "--cnn", "--finetune"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = {line.split("|")[1].strip(): line for line in done.stdout.splitlines()
            if line.startswith("| ") and "±" in line}
    assert set(rows) == {"pixels, PCA-50", "pool encoder, 1 epochs", "classifier from scratch",
                         "classifier + probe, mean of probabilities",
                         "classifier fine-tuned from the 1-epoch encoder"}
    for line in rows.values():
        scores = [float(v) for v in re.findall(r"(\d\.\d{3}) ±", line)]
        assert len(scores) == 2 and all(0.0 <= v <= 1.0 for v in scores)
    assert re.search(r"pretraining: 1 epochs \d+ s \(loss \d", done.stdout)
