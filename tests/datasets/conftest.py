"""Fixtures for the dataset reader tests: discovery results over the real data, shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from alstudio.datasets import ScanRecord, SkippedFile, discover


@pytest.fixture(scope="session")
def shared_items(shared_data: Path) -> list[ScanRecord | SkippedFile]:
    """Everything discovery finds under ../shared/data (one walk for the whole session)."""
    return list(discover([shared_data]))


@pytest.fixture(scope="session")
def shared_records(shared_items: list[ScanRecord | SkippedFile]) -> list[ScanRecord]:
    return [item for item in shared_items if isinstance(item, ScanRecord)]


@pytest.fixture(scope="session")
def pydicom_items(pydicom_test_files: Path) -> list[ScanRecord | SkippedFile]:
    """Everything discovery finds among pydicom's bundled test files."""
    return list(discover([pydicom_test_files]))


@pytest.fixture(scope="session")
def nibabel_data() -> Path:
    """nibabel's bundled test data folder (NIfTI, Analyze, MGH, PAR/REC, MINC ...)."""
    import nibabel

    folder = Path(nibabel.__file__).parent / "tests" / "data"
    if not folder.is_dir():
        pytest.skip("nibabel's bundled test data is not installed")
    return folder

