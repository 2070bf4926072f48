"""The agreement report of a real project file, and `alstudio agreement`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alstudio.cli import main
from alstudio.evaluation.agreement_report import agreement_report, format_report
from alstudio.project import Project
from tests.workflow.project_factory import make_project


@pytest.fixture
def read_twice(tmp_path: Path) -> Path:
    """Three readers on 10 items; one item adjudicated; skips and unsures in between."""
    path = make_project(tmp_path / "p.alstudio", n_items=10)
    a = ["normal"] * 5 + ["abnormal"] * 5
    b = ["normal"] * 4 + ["abnormal"] * 6  # disagrees with a on item 5
    with Project.open(path) as project:
        for item in range(1, 11):
            project.add_label(item, "dr_a", a[item - 1], seconds_spent=float(item))
            project.add_label(item, "dr_b", b[item - 1], seconds_spent=2.0)
        project.add_label(1, "dr_c", "abnormal", seconds_spent=9.0)
        project.add_label(2, "dr_c", None, decision="skip")
        project.add_label(3, "dr_c", None, decision="unsure")
        project.ensure_annotator("chief", "adjudicator")
        project.add_label(5, "chief", "normal")
        project.ensure_annotator("oracle", "simulator")
        project.add_label(6, "oracle", "normal")
    return path


def test_report_figures(read_twice: Path) -> None:
    with Project.open(read_twice) as project:
        report = agreement_report(project, replicates=200)
    assert report["classes"] == ["normal", "abnormal"]
    assert report["readers_counted"] == 3  # the adjudicator and the simulator are not readers
    pairs = {(p["a"], p["b"]): p for p in report["pairs"]}
    ab = pairs[("dr_a", "dr_b")]
    assert ab["n"] == 10 and ab["percent_agreement"] == 0.9
    assert ab["confusion"] == [[4, 1], [0, 5]]
    assert ab["cohen_kappa"] == pytest.approx(0.8)
    assert pairs[("dr_a", "dr_c")]["n"] == 1  # skip and unsure are not reads of a class
    # Fleiss: 9 items with two reads, 1 with three -> uses the 9
    assert report["fleiss_kappa"]["reads_per_item"] == 2
    assert report["fleiss_kappa"]["n_items"] == 9
    assert report["krippendorff_alpha"]["n_items"] == 10
    for key in ("fleiss_kappa", "krippendorff_alpha", "percent_agreement"):
        e = report[key]
        assert e["ci_low"] <= e["value"] <= e["ci_high"]
    readers = {r["name"]: r for r in report["readers"]}
    assert readers["dr_c"] == {"name": "dr_c", "labels": 1, "skipped": 1, "unsure": 1,
                               "median_seconds": 9.0, "agreement_with_reference": 0.0,
                               "n_reference": 1, "n_adjudicated": 0}
    assert readers["dr_a"]["median_seconds"] == 5.5
    # item 5: adjudicated normal (dr_a right, dr_b wrong); elsewhere the other readers decide
    assert readers["dr_a"]["n_adjudicated"] == 1
    # dr_b: item 1 has no reference (dr_a and dr_c tie), item 5 is wrong, 8 others agree
    assert readers["dr_b"]["n_reference"] == 9
    assert readers["dr_b"]["agreement_with_reference"] == pytest.approx(8 / 9, abs=1e-4)
    assert "Fleiss' kappa" in format_report(report)


def test_empty_project_report(tmp_path: Path) -> None:
    with Project.open(make_project(tmp_path / "e.alstudio")) as project:
        report = agreement_report(project, replicates=10)
    assert report["fleiss_kappa"]["value"] is None and report["pairs"] == []
    assert "0 reader(s)" in format_report(report)


def test_cli_agreement(read_twice: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agreement", str(read_twice), "--json", "--replicates", "50"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert {"fleiss_kappa", "krippendorff_alpha", "percent_agreement", "pairs",
            "readers"} <= set(payload)
    assert set(payload["pairs"][0]) >= {"a", "b", "n", "cohen_kappa", "percent_agreement",
                                        "confusion"}
    assert main(["agreement", str(read_twice)]) == 0
    text = capsys.readouterr().out
    assert "Krippendorff's alpha" in text and "dr_a" in text
    assert main(["agreement", str(read_twice.with_name("missing.alstudio"))]) == 1
