"""Shared fixtures: hermetic Qt, paths to the real test data, and a scratch project."""

from __future__ import annotations

import os
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
