"""How responsive the window is: start-up, keypress to next scan, and the event loop while
background jobs run.

    python benchmarks/gui_responsiveness.py [--presses 20] [--skip-round]

Figures (targets in brackets):

* window visible after launch, in a fresh process [< 2 s], and that torch was not imported;
* keypress to the next scan painted, with prefetch: labeling the demo (28x28 ultrasound) and
  stepping through real MR / NIfTI volumes from ../shared/data [< 50 ms];
* the largest event-loop gap (a 10 ms timer's longest wait) while an import runs, while the
  model stack loads in the background after a project opens (once per session, in the
  user's first pause: labeling goes on undisturbed before it), and while
  a round trains in the background [< 50 ms]. The round part needs alstudio.workflow.

Runs offscreen, so it measures our work, not a compositor.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
TARGET_MS = 50.0

STARTUP_SCRIPT = r"""
import time
t0 = time.perf_counter()
import sys
from pathlib import Path
from alstudio.gui.app import configure_application, ensure_application
app = ensure_application(); configure_application(app)
from alstudio.gui.main_window import MainWindow
window = MainWindow(annotator="bench")
window.show()
while window.windowHandle() is None or not window.windowHandle().isExposed():
    app.processEvents()
app.processEvents()
t_window = time.perf_counter()
shown = []
window.labeling.item_shown.connect(shown.append)
window.open_project(Path(sys.argv[1]))
while not shown:
    app.processEvents()
app.processEvents()
t_scan = time.perf_counter()
print(f"{(t_window - t0) * 1000:.0f} {(t_scan - t0) * 1000:.0f} "
      f"{'torch' in sys.modules} {'monai' in sys.modules}")
window.close()
"""


def fresh_settings(folder: Path) -> None:
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


def startup(demo: Path, runs: int = 3) -> None:
    env = dict(os.environ, HOME=tempfile.mkdtemp(prefix="alstudio-bench-home-"))
    rows = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", STARTUP_SCRIPT, str(demo)], env=env,
                             capture_output=True, text=True, timeout=120, cwd=REPO)
        wall = (time.perf_counter() - t0) * 1000
        if out.returncode != 0:
            raise SystemExit(out.stderr)
        window_ms, scan_ms, torch, monai = out.stdout.split()[-4:]
        rows.append((wall, float(window_ms), float(scan_ms), torch == "True" or monai == "True"))
    best = min(rows)
    print(f"start-up: window visible {best[1]:.0f} ms after the first import, first scan "
          f"{best[2]:.0f} ms; process launch to window closed {best[0]:.0f} ms "
          f"(best of {runs}; target < 2000 ms)")
    print(f"start-up: torch or monai imported: {any(r[3] for r in rows)} (must be False)")


def wait(app, condition, timeout_s: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while not condition():
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("benchmark condition not met")


def open_window(app, project: Path):
    from alstudio.gui.main_window import MainWindow

    window = MainWindow(annotator="bench")
    window.resize(1400, 900)
    window.show()
    window.activateWindow()
    shown: list[int] = []
    window.labeling.item_shown.connect(shown.append)
    window.open_project(project)
    wait(app, lambda: bool(shown))
    return window


def next_scan(app, project: Path, key, presses: int, label: str) -> None:
    """Time keypress -> next scan painted, after the look-ahead has been decoded."""
    from PySide6.QtTest import QTest

    window = open_window(app, project)
    canvas = window.viewer.canvas
    times = []
    for _ in range(presses):
        ahead = window.labeling._ahead_of(window.labeling.current)[:1]
        if not ahead:
            break
        wait(app, lambda a=ahead[0]: window.prefetcher.get(a) is not None)
        app.processEvents()
        painted = canvas.paint_count
        before = window.labeling.current
        t0 = time.perf_counter()
        QTest.keyClick(window, key)
        wait(app, lambda b=before, p=painted: window.labeling.current != b
             and window.labeling._displayed == window.labeling.current
             and canvas.paint_count > p)
        times.append((time.perf_counter() - t0) * 1000)
    window.close()
    if not times:
        print(f"next scan ({label}): nothing to step through")
        return
    print(f"next scan ({label}): median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms over {len(times)} presses (target < {TARGET_MS:.0f} ms)")


def gap_while(app, label: str, start, finished) -> None:
    from alstudio.gui.stall_probe import EventLoopProbe

    probe = EventLoopProbe(10)
    probe.start()
    t0 = time.perf_counter()
    start()
    wait(app, finished, timeout_s=900)
    probe.stop()
    print(f"event loop during {label}: largest gap {probe.max_gap_ms:.1f} ms, "
          f"p99 {probe.percentile(99):.1f} ms over {time.perf_counter() - t0:.1f} s "
          f"(target < {TARGET_MS:.0f} ms)")


def during_import(app, folder: Path, paths: list[Path]) -> None:
    from alstudio.gui.dialogs.import_dialog import ImportDialog
    from alstudio.project import Project

    path = folder / "import-bench.alstudio"
    Project.create(path, ["normal", "abnormal"]).close()
    dialog = ImportDialog(path)
    dialog.add_paths(paths)
    done: list[object] = []
    dialog.imported.connect(done.append)
    gap_while(app, "an import of the shared MR / NIfTI data", dialog.start, lambda: bool(done))
    wait(app, lambda: not dialog.worker.is_running)


def during_round(app, demo: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from alstudio.gui.rounds import engine_available, gui_threads
    from alstudio.gui.stall_probe import EventLoopProbe
    from alstudio.workflow.round import RoundConfig

    if not engine_available():
        print("event loop during a round: skipped (alstudio.workflow is not installed)")
        return
    window = open_window(app, demo)

    def loaded() -> bool:
        return window.status.device.text().startswith("Device: ")

    typing_probe = EventLoopProbe(10)
    typing_probe.start()
    for n in range(10):  # label at a brisk 0.4 s per scan: the model stack must wait
        QTest.keyClick(window, Qt.Key.Key_1 if n % 2 else Qt.Key.Key_2)
        t_next = time.perf_counter() + 0.4
        wait(app, lambda t=t_next: time.perf_counter() > t)
    typing_probe.stop()
    print(f"event loop while labeling right after opening: largest gap "
          f"{typing_probe.max_gap_ms:.1f} ms over 4 s (target < {TARGET_MS:.0f} ms); model "
          f"stack {'already loaded' if loaded() else 'waits for a pause'}")
    gap_while(app, "the background load of the model stack (once, in the first pause)",
              lambda: None, loaded)
    print(f"device: {window.status.device.text()[len('Device: '):]}; a round uses "
          f"{gui_threads()} CPU thread(s), one core stays with the window")
    for n in range(10):
        QTest.keyClick(window, Qt.Key.Key_1 if n % 3 == 0 else Qt.Key.Key_2)
        app.processEvents()
    stopped: list[bool] = []
    window.rounds.stopped.connect(lambda: stopped.append(True))
    gap_while(app, "a round (default settings, 20 labels)",
              lambda: window.start_round(RoundConfig()), lambda: bool(stopped))
    print(f"round: {window.status.round.text()}, {len(window.session.entries)} queued")
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--skip-round", action="store_true")
    parser.add_argument("--quick", action="store_true", help="5 key presses")
    args = parser.parse_args()
    if args.quick:
        args.presses = 5

    from PySide6.QtCore import Qt

    from alstudio.gui.app import configure_application, ensure_application
    from alstudio.workflow.demo import build_demo

    folder = Path(tempfile.mkdtemp(prefix="alstudio-gui-bench-"))
    try:
        fresh_settings(folder / "settings")
        demo = folder / "demo.alstudio"
        project, _ = build_demo(demo)
        project.close()
        startup(demo)

        app = ensure_application()
        configure_application(app)
        labeled = folder / "label-bench.alstudio"
        shutil.copyfile(demo, labeled)
        next_scan(app, labeled, Qt.Key.Key_2, args.presses, "label key on the demo")

        volumes = [p for p in (SHARED / "dicom_mr_series", SHARED / "nifti_mni",
                               SHARED / "dicom_enhanced_multiframe") if p.exists()]
        if volumes:
            from alstudio.project import Project
            from alstudio.workflow.importer import import_paths

            mr = folder / "volumes.alstudio"
            with Project.create(mr, ["normal", "abnormal"]) as project:
                report = import_paths(project, volumes, "pool")
            print(f"volumes project: {report.imported} items from {len(volumes)} folders")
            next_scan(app, mr, Qt.Key.Key_N, args.presses, "N through MR / NIfTI volumes")
            during_import(app, folder, volumes)
        else:
            print(f"volumes: skipped ({SHARED} not found)")
        if not args.skip_round:
            during_round(app, demo)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
