"""The pretraining dialog while it runs (docs/screenshots/21-pretrain.png), for
scripts/take_screenshots.py: the demo's pool, a few epochs in, with the time left."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def pretrain_scene(shooter: Any, window: Any, work: Path) -> None:
    """Open the demo if no project is open, start pretraining, shoot, then cancel."""
    from alstudio.gui.rounds import engine_available

    if not engine_available():
        print("pretrain shot skipped: the round engine (alstudio.workflow) is not installed")
        return
    if window.session is None:
        from alstudio.workflow.demo import build_demo

        demo = work / "pretrain-demo.alstudio"
        if not demo.exists():
            build_demo(demo)[0].close()
        window.open_project(demo)
        shooter.wait(lambda: window.labeling._displayed is not None)
    dialog = window.pretraining.show_dialog()
    dialog.move(window.x() + 420, window.y() + 160)
    window.pretraining.start(dialog.epochs.value(), False)
    shooter.wait(lambda: "left" in dialog.left.text() and "epoch 1," not in dialog.phase.text()
                 and "epoch 2," not in dialog.phase.text(), timeout_s=300)
    shooter.save(dialog, "21-pretrain.png")
    worker = window.pretraining.worker
    dialog.cancel()
    shooter.wait(lambda: worker is None or not worker.is_running, timeout_s=120)
    shooter.wait(lambda: window.pretraining.worker is None, timeout_s=30)
    dialog.close()
