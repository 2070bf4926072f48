"""The project's report on a real project with rounds: stored predictions, the JSON layout,
the random baseline job, and `alstudio report` with its HTML page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from alstudio.cli import main
from alstudio.errors import Cancelled
from alstudio.evaluation.baseline import BASELINE_META_KEY
from alstudio.evaluation.predictions import TEST_PREDICTIONS_KEY, read_test_predictions
from alstudio.evaluation.project_report import REPORT_KEYS, build_report
from alstudio.evaluation.stopping import DIMINISHING, KEEP_GOING, NO_TEST_SPLIT
from alstudio.jobs import CancelToken, Progress
from alstudio.learning.metrics import balanced_accuracy
from alstudio.project import Project
from alstudio.workflow.baseline import run_random_baseline


def test_rounds_store_their_test_predictions_and_pool_share(rounds_path: Path) -> None:
    with Project.open(rounds_path) as project:
        rounds = project.rounds()
    assert len(rounds) == 4 and TEST_PREDICTIONS_KEY not in rounds[0].metrics  # cold start
    for r in rounds[1:]:
        stored = read_test_predictions(r.metrics)
        assert stored is not None and stored.probs.shape == (155, 2)
        # the stored predictions reproduce the stored metric
        assert balanced_accuracy(stored.labels, stored.probs.argmax(1), 2) == \
            pytest.approx(r.metrics["test"]["balanced_accuracy"], abs=1e-4)
        assert sum(r.metrics["pool_predicted_share"]) == pytest.approx(1.0, abs=1e-3)


def test_report_layout(rounds_path: Path) -> None:
    with Project.open(rounds_path) as project:
        report = build_report(project)
    assert tuple(report) == REPORT_KEYS
    json.dumps(report, allow_nan=False)  # valid JSON: no NaN anywhere
    assert report["classes"] == ["malignant", "benign/normal"]
    assert report["labels"]["labeled_items"] == 64 and report["labels"]["budget"] is None
    assert report["test_split"] == {"items": 155, "labeled": 155}
    points = report["curve"]["points"]
    assert [p["labels"] for p in points] == [16, 32, 48]
    for p in points:
        for metric in ("balanced_accuracy", "auc"):
            s = p[metric]
            assert set(s) == {"value", "std", "low", "high"}
            assert s["low"] <= s["value"] <= s["high"] and s["std"] > 0
    assert report["baseline"] is None
    latest = report["latest_round"]
    assert latest["round"] == 4 and list(latest["per_class"]) == report["classes"]
    assert np.sum(latest["confusion"]) == 155
    cost = report["annotation_cost"]
    assert cost["labels"] == 64 and cost["total_reader_s"] == pytest.approx(32 * 2 + 32 * 5)
    assert cost["per_reader"]["dr_a"]["median_s"] == 2.0
    assert cost["per_reader"]["dr_b"]["median_s"] == 5.0
    assert [b["interval"] for b in cost["over_time"]] == [
        "before round 2", "before round 3", "before round 4", "since round 4"]
    assert cost["labels_per_hour"] == pytest.approx(3600 * 64 / 224, abs=0.1)
    balance = report["class_balance"]
    assert balance["labeled_total"] == 64
    assert all(r["predicted_share"] is not None for r in balance["classes"].values())
    stop = report["stopping"]
    assert stop["status"] in (KEEP_GOING, DIMINISHING)
    assert stop["rounds_used"] == [16, 32, 48] and stop["threshold_points_per_100"] == 0.5


def test_budget_and_threshold_reach_the_advice(rounds_path: Path) -> None:
    with Project.open(rounds_path) as project:
        project.set_meta("label_budget", "100")
        strict = build_report(project, threshold=1e6)
        lax = build_report(project, threshold=-1e6)
    assert strict["stopping"]["status"] == DIMINISHING
    assert lax["stopping"]["status"] == KEEP_GOING
    assert strict["labels"]["remaining_budget"] == 36
    assert "36 label(s) of the budget of 100 remain" in strict["stopping"]["text"]


def test_no_test_split_no_advice(demo_path: Path) -> None:
    with Project.open(demo_path) as project:
        project.db.conn.execute("UPDATE items SET split = 'pool'")
        report = build_report(project)
    assert report["stopping"]["status"] == NO_TEST_SPLIT
    assert "--split test" in report["stopping"]["text"]
    assert report["curve"]["points"] == [] and report["latest_round"] is None


def test_random_baseline_is_stored_and_shown(rounds_path: Path) -> None:
    steps: list[Progress] = []
    result = run_random_baseline(rounds_path, 1, max_epochs=2, progress=steps.append)
    assert result["sizes"] == [16, 32, 48] and result["seeds"] == 1
    assert any(s.phase == "random baseline" and s.total == 3 for s in steps)
    with Project.open(rounds_path) as project:
        assert json.loads(project.meta()[BASELINE_META_KEY])["sizes"] == [16, 32, 48]
        report = build_report(project)
    baseline = report["baseline"]
    assert len(baseline["band"]["balanced_accuracy"]["mean"]) == 3
    assert all(len(row) == 3 for row in baseline["per_seed"]["auc"])
    eff = baseline["efficiency"]
    assert eff["project_labels"] is not None and eff["text"]
    assert eff["efficiency"] is not None or eff["text"].startswith("not reached")


def test_cancelled_baseline_stores_nothing(rounds_path: Path) -> None:
    token = CancelToken()

    def cancel_on_second_training(step: Progress) -> None:
        if step.phase == "random baseline" and step.done == 1:
            token.cancel()

    with pytest.raises(Cancelled):
        run_random_baseline(rounds_path, 2, max_epochs=2, progress=cancel_on_second_training,
                            cancel=token)
    with Project.open(rounds_path) as project:
        assert BASELINE_META_KEY not in project.meta()


def test_cli_report_json_html_and_errors(rounds_path: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(rounds_path), "--json", "--stop-threshold", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["stopping"]["threshold_points_per_100"] == 2.0
    page = tmp_path / "out" / "report.html"
    assert main(["report", str(rounds_path), "--html", str(page)]) == 0
    out = capsys.readouterr().out
    assert "balanced accuracy" in out and "Random baseline: not computed" in out
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "When to stop" in text
    assert_self_contained(text)
    assert len(re.findall(r'src="data:image/png;base64,', text)) == 4
    with Project.open(rounds_path) as project:
        assert TEST_PREDICTIONS_KEY not in json.dumps(_info(project, capsys, rounds_path))
    assert main(["report", str(tmp_path / "missing.alstudio")]) == 1
    assert "No project file" in capsys.readouterr().err


def _info(project: Project, capsys: pytest.CaptureFixture[str], path: Path) -> object:
    assert main(["info", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def assert_self_contained(text: str) -> None:
    """No URL the browser would fetch: no http(s) or protocol-relative reference, no script,
    no link element, every src and url() a data URI."""
    assert not re.search(r"(?i)https?://|(?<![:\w])//[\w.-]+\.\w", text)
    assert "<script" not in text.lower() and "<link" not in text.lower()
    assert "@import" not in text
    for ref in re.findall(r'(?i)(?:src|href)\s*=\s*["\']?([^"\'\s>]+)', text):
        assert ref.startswith("data:"), ref
    for ref in re.findall(r"(?i)url\(([^)]*)\)", text):
        assert ref.strip("'\" ").startswith("data:"), ref
