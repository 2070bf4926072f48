"""SIGKILL at random moments while labeling and writing rounds: nothing acknowledged is lost,
no round lacks its queue or checkpoint, the file stays whole, and a round runs afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HARNESS = REPO / "scripts" / "crash_harness.py"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the harness forks and SIGKILLs")


def harness(project: Path, kills: int, seed: int, timeout: int) -> dict:
    run = subprocess.run([sys.executable, str(HARNESS), str(project), "--kills", str(kills),
                          "--seed", str(seed)], capture_output=True, text=True, cwd=REPO,
                         timeout=timeout)
    result = json.loads(run.stdout)
    assert run.returncode == 0 and not result["problems"], (result, run.stderr[-2000:])
    return result


def test_fifty_kills_lose_nothing_acknowledged(demo_path: Path) -> None:
    result = harness(demo_path, kills=50, seed=1, timeout=300)
    assert result["kills"] == 50
    assert result["acknowledged_labels"] > 0
    assert result["final_round"]["queued"] == 5


@pytest.mark.slow
def test_five_hundred_kills_lose_nothing_acknowledged(demo_path: Path) -> None:
    result = harness(demo_path, kills=500, seed=2, timeout=1800)
    assert result["kills"] == 500
    assert result["acknowledged_labels"] > 100 and result["acknowledged_rounds"] > 0
