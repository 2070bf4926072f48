"""Build the demo project from the shipped BreastMNIST archive, so the app always opens on
real scans even on a workstation with nothing imported yet."""

from __future__ import annotations

from pathlib import Path

from alstudio.errors import ProjectError
from alstudio.jobs import CancelToken, ProgressCallback
from alstudio.paths import resources_dir
from alstudio.project import ClassSpec, Project
from alstudio.workflow.importer import ImportReport, import_paths

DEMO_CLASSES = (
    ClassSpec("malignant", "1", "#d9534f"),
    ClassSpec("benign/normal", "2", "#5cb85c"),
)


def demo_archive() -> Path:
    return resources_dir() / "demo" / "breastmnist.npz"


def build_demo(path: Path, *, progress: ProgressCallback | None = None,
               cancel: CancelToken | None = None) -> tuple[Project, ImportReport]:
    """Create ``path`` and import the demo archive; refuses to overwrite an existing file."""
    if path.exists():
        raise ProjectError(f"{path} already exists.",
                           "Open it with `alstudio open`, or give `alstudio demo` a new path.")
    project = Project.create(path, list(DEMO_CLASSES), name="BreastMNIST demo")
    project.set_meta("demo", "breastmnist")
    report = import_paths(project, [demo_archive()], modality="US", progress=progress,
                          cancel=cancel)
    return project, report
