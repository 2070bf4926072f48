"""A kill at any moment loses at most the label being written; the file stays consistent."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from alstudio.project import Project
from tests.project.conftest import make_item

WRITER = """
import sys
from alstudio.project import Project
project = Project.open(sys.argv[1])
n = 0
while True:
    project.add_label(1 + n % 6, "dr_a", "normal" if n % 2 else "abnormal", seconds_spent=1.0)
    n += 1
    if n == 20:
        print("ready", flush=True)
"""


def test_sigkill_during_labeling_leaves_a_consistent_file(tmp_path: Path) -> None:
    path = tmp_path / "study.alstudio"
    with Project.create(path, ["normal", "abnormal"]) as project:
        project.add_items(project.dataset_root_id(tmp_path), [make_item(n) for n in range(6)])
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)],
                              stdout=subprocess.PIPE, cwd=Path(__file__).parents[2])
    assert writer.stdout.readline().strip() == b"ready"
    time.sleep(0.3)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    with Project.open(path) as project:
        assert project.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        events = project.label_events()
        assert len(events) >= 20
        # every stored event is whole: an item, an annotator, a class, a time
        assert all(e.class_name and e.submitted_at and e.seconds_spent == 1.0 for e in events)
