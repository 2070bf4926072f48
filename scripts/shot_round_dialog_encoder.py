"""The Run round dialog of a project with a pool encoder
(docs/screenshots/23-round-dialog-encoder.png): both encoder options with what each was
measured to do, both opt-in (unticked until chosen).

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/shot_round_dialog_encoder.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shooter import REPO, Shooter


def main() -> None:
    from alstudio.gui.dialogs.round_dialog import RoundDialog
    from alstudio.workflow.demo import build_demo
    from alstudio.workflow.pretrain import run_pretrain

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shooter = Shooter(work, REPO / "docs" / "screenshots")
        demo = work / "demo.alstudio"
        build_demo(demo)[0].close()
        run_pretrain(demo, epochs=1, threads=1)
        window = shooter.window()
        window.open_project(demo)
        shooter.wait(lambda: window.labeling._displayed is not None)
        dialog = RoundDialog(window.round_request, window.session.labeled_items(), window,
                             window.pretraining.epochs())
        dialog.show()
        shooter.save(dialog, "23-round-dialog-encoder.png")
        dialog.close()
        window.close()


if __name__ == "__main__":
    main()
