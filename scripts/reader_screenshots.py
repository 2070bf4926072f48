"""Screenshots of the reader tools: the agreement panel and the suspected-label-errors list.

Builds the demo project in a temporary folder, has three readers read it (their reads are the
archive's reference labels with each reader's own error rate, a few items adjudicated), runs
a real label check, and grabs the window. Run under a virtual screen:

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/reader_screenshots.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from shooter import Shooter  # noqa: E402


def read_demo(path: Path) -> None:
    """dr_lee reads 240 items, dr_okafor 180 of them, dr_silva 120; chief settles 6."""
    from alstudio.project import Project

    rng = np.random.default_rng(4)
    with Project.open(path) as project:
        names = project.class_names()
        reference = project.reference_labels("pool")
        ids = sorted(reference)[:240]
        project.ensure_annotator("chief", "adjudicator")
        for reader, count, error in (("dr_lee", 240, 0.06), ("dr_okafor", 180, 0.12),
                                     ("dr_silva", 120, 0.18)):
            for item in ids[:count]:
                truth = reference[item]
                roll = rng.random()
                if roll < 0.03:
                    project.add_label(item, reader, None, decision="skip")
                    continue
                cls = 1 - truth if roll < error + 0.03 else truth
                project.add_label(item, reader, names[cls],
                                  seconds_spent=float(rng.gamma(3.0, 1.6 + 0.4 * error * 10)))
        disagreements = [i for i, s in project.current_labels().items() if s.disagreement]
        for item in disagreements[:6]:
            project.add_label(item, "chief", names[reference[item]], seconds_spent=12.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="alstudio-reader-shots-"))
    os.environ["XDG_DATA_HOME"] = str(work / "data")
    os.environ["XDG_STATE_HOME"] = str(work / "state")
    try:
        shooter = Shooter(work, args.out)
        from alstudio.workflow.demo import build_demo
        from alstudio.workflow.label_errors import check_labels

        demo = work / "breast-us-double-read.alstudio"
        project, _ = build_demo(demo)
        project.close()
        read_demo(demo)
        outcome = check_labels(demo)
        print(f"label check: {len(outcome.suspects)} suspect(s) among {outcome.checked}")
        window = shooter.window("chief")  # the adjudicator sees every suspect
        window.open_project(demo)
        shooter.wait(lambda: window.labeling._displayed is not None)
        dialog = window.reader_tools.show_agreement()
        dialog.resize(820, 700)
        shooter.wait(lambda: dialog.report is not None and not dialog.worker.is_running,
                     timeout_s=120)
        shooter.save(dialog, "11-agreement-panel.png")
        dialog.close()
        window.queue_panel.set_filter("suspects")
        if window.queue_panel.visible_ids():
            window.labeling.show(window.queue_panel.visible_ids()[0])
        shooter.wait(lambda: window.labeling._displayed is not None)
        shooter.save(window, "12-suspected-label-errors.png")
        window.close()
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
