"""CLI progress: a bar with rate and time left on a terminal, plain lines otherwise, and
``--json`` keeping stdout to one JSON object while progress goes to stderr."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
from PIL import Image

from alstudio.cli.progress import StderrProgress
from alstudio.jobs import Progress
from tests.test_cli import alstudio


def test_on_a_terminal_a_bar_shows_count_rate_and_time_left() -> None:
    out = io.StringIO()
    progress = StderrProgress(stream=out, tty=True)
    for done in range(0, 51, 10):
        progress(Progress("scoring", done, 50, "batch"))
    progress(Progress("saving", 0, None))
    progress.close()
    text = out.getvalue()
    assert "\r" in text and "scoring" in text
    assert re.search(r"\d+/50", text)
    assert re.search(r"<\d\d:\d\d", text)  # tqdm's time left
    assert re.search(r"(it/s|s/it)", text)  # and its rate


def test_off_a_terminal_plain_lines_with_rate_and_no_carriage_returns() -> None:
    out = io.StringIO()
    progress = StderrProgress(stream=out, tty=False, interval=0.0, min_rate_seconds=0.0)
    for done in (0, 20, 40):
        progress(Progress("importing", done, 40, f"{done} item(s)"))
    progress(Progress("saving", 1, 1, "round 1 saved"))
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines[0] == "importing: 0/40 0 item(s)"
    assert re.fullmatch(r"importing: 20/40 \([\d.]+/s, \d+:\d\d left\) 20 item\(s\)", lines[1])
    assert lines[2].startswith("importing: 40/40 (") and "left" not in lines[2]
    assert lines[-1].startswith("saving: 1/1") and lines[-1].endswith("round 1 saved")


def test_a_phase_seen_again_keeps_its_start_and_a_blink_gives_no_rate() -> None:
    out = io.StringIO()
    progress = StderrProgress(stream=out, tty=False, interval=0.0)
    progress(Progress("indexing", 50, 100))
    progress(Progress("importing", 30, None))  # the first folder's items, at once
    progress(Progress("indexing", 100, 100))
    lines = out.getvalue().splitlines()
    assert lines == ["indexing: 50/100", "importing: 30", "indexing: 100/100"]


def test_plain_lines_are_throttled_but_every_phase_end_is_shown() -> None:
    out = io.StringIO()
    progress = StderrProgress(stream=out, tty=False, interval=3600)
    for done in range(101):
        progress(Progress("scoring", done, 100))
    assert [line.split(" ")[:2] for line in out.getvalue().splitlines()] == [
        ["scoring:", "0/100"], ["scoring:", "100/100"]]


def test_json_output_stays_parseable_while_progress_goes_to_stderr(tmp_path: Path) -> None:
    project = tmp_path / "p.alstudio"
    alstudio("new", project, "--classes", "a,b")
    folder = tmp_path / "pngs"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for n in range(5):
        Image.fromarray(rng.integers(0, 255, (16, 16), dtype=np.uint8)).save(folder / f"{n}.png")
    result = alstudio("import", project, folder, "--json")
    assert json.loads(result.stdout)["imported"] == 5  # stdout: the one object, nothing else
    assert "importing: 5/5" in result.stderr  # progress: on stderr, plain (not a terminal)
