"""Shared fixtures: hermetic Qt, paths to the real test data, and a scratch project."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# pytest-qt aborts without a display; offscreen renders everything for real, just not on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test may touch the network (pydicom's test-file download, MONAI weight downloads).
os.environ.setdefault("PYDICOM_NO_DOWNLOAD", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real third-party scans beside the checkout; skip when they are not there."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real test data not found at {SHARED_DATA} (clone ../shared beside the repo)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pydicom_test_files() -> Path:
    """pydicom's bundled test files, read from disk (never downloaded)."""
    import pydicom.data

    folder = Path(pydicom.data.__file__).parent / "test_files"
    if not folder.is_dir():
        pytest.skip("pydicom's bundled test files are not installed")
    return folder


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project, built once per session with the real builder."""
    from alstudio.workflow.demo import build_demo

    path = tmp_path_factory.mktemp("demo-master") / "demo.alstudio"
    project, _report = build_demo(path)
    project.close()
    return path


@pytest.fixture
def demo_path(demo_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo project for one test (tests label it)."""
    target = tmp_path / "demo.alstudio"
    shutil.copyfile(demo_master, target)
    return target


@pytest.fixture(scope="session")
def rounds_master(demo_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo after four rounds (a cold start and three trained ones), each queue labeled
    from the reference labels by two readers with known seconds: what the report and the
    Progress panel read. Built once per session with a short training recipe."""
    from alstudio.learning.training import TrainConfig
    from alstudio.project import Project
    from alstudio.workflow import RoundConfig, run_round

    path = tmp_path_factory.mktemp("rounds-master") / "demo.alstudio"
    shutil.copyfile(demo_master, path)
    quick = TrainConfig(max_epochs=3, min_steps=20, patience=2)
    for _ in range(4):
        outcome = run_round(path, RoundConfig(batch_size=16, train=quick))
        with Project.open(path) as project:
            names = project.class_names()
            reference = project.reference_labels("pool")
            for n, entry in enumerate(project.queue(outcome.round.id)):
                reader = "dr_a" if n % 2 else "dr_b"
                project.ensure_annotator(reader)
                project.add_label(entry.item_id, reader, names[reference[entry.item_id]],
                                  seconds_spent=2.0 if reader == "dr_a" else 5.0)
    return path


@pytest.fixture
def rounds_path(rounds_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo with rounds (tests may add a baseline or labels)."""
    target = tmp_path / "rounds.alstudio"
    shutil.copyfile(rounds_master, target)
    return target
