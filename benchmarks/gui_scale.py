"""The window on a large project: the longest event-loop stall per action at 100,000 items.

    python benchmarks/gui_scale.py [--items 100000] [--labels 300] [--quick]

The project is a synthetic pool of 28-pixel images (see ``benchmarks/scale.py``) with no
round yet, so the queue is the whole pool in import order: the largest list the window
shows. A few hundred labels are given through ``LabelingSession.give`` by two readers who
disagree on some items; the reader who opens the window is an adjudicator, so every filter
(disagreements included) is there. Each action runs under the event-loop probe
(``alstudio.gui.stall_probe``: a 10 ms timer's longest wait) and prints that gap; the target
is under 50 ms. Offscreen, so it measures our work, not a compositor.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MS = 50.0
READER, SECOND = "bench", "second"


def peak_mib() -> float:
    """The process's peak resident memory so far, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_project(folder: Path, items: int, labels: int) -> Path:
    """Import ``items`` synthetic images; ``labels`` labels by two readers; no round."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from scale import synthetic_archive

    from alstudio.project import Project
    from alstudio.project.session import LabelingSession
    from alstudio.workflow.importer import import_paths

    archive = folder / "pool.npz"
    synthetic_archive(archive, items)
    path = folder / "gui-scale.alstudio"
    with Project.create(path, ["normal", "abnormal"]) as project:
        import_paths(project, [archive])
        project.ensure_annotator(READER)
        project.set_annotator_role(READER, "adjudicator")
        session = LabelingSession(project, SECOND)
        ids = project.item_ids("pool")
        names = project.class_names()
        for n, item_id in enumerate(ids[1:labels + 1]):  # the first item stays to label
            if n % 3 == 0:  # a third by the reader at the window: its own filters fill
                session.give(item_id, READER, names[n % 2] if n % 9 else "skip", seconds=2.0)
                continue
            session.give(item_id, SECOND, names[n % 2], seconds=2.0)
            if n % 10 == 1:  # a second reader on some: half of those disagree
                session.give(item_id, "third", names[(n // 10) % 2], seconds=2.0)
    return path


class Bench:
    """The window, the probe and the table of figures."""

    def __init__(self) -> None:
        from alstudio.gui.app import configure_application, ensure_application
        from alstudio.gui.stall_probe import EventLoopProbe

        self.app = ensure_application()
        configure_application(self.app)
        self.probe = EventLoopProbe(10)
        self.figures: list[tuple[str, float, float]] = []

    def pump(self, seconds: float = 0.05) -> None:
        """Let the event loop run for a while (paints, queued signals)."""
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.app.processEvents()

    def wait(self, condition: Callable[[], bool], timeout_s: float = 120.0) -> None:
        """Run the event loop until ``condition`` holds."""
        deadline = time.perf_counter() + timeout_s
        while not condition():
            self.app.processEvents()
            if time.perf_counter() > deadline:
                raise TimeoutError("benchmark condition not met")

    def measure(self, label: str, action: Callable[[], Any],
                until: Callable[[], bool] = lambda: True, settle_s: float = 0.1) -> Any:
        """Run ``action`` under the probe, then the loop until ``until``; record the gap.

        The probe ticks once before the action, so a synchronous action counts in full.
        """
        self.probe.start()
        self.pump(0.03)
        t0 = time.perf_counter()
        result = action()
        self.wait(until)
        seconds = time.perf_counter() - t0
        self.pump(settle_s)
        self.probe.stop()
        gap = self.probe.max_gap_ms
        self.figures.append((label, gap, seconds))
        flag = "" if gap < TARGET_MS else "  OVER"
        print(f"{label}: largest gap {gap:.0f} ms, {seconds:.2f} s, peak RSS "
              f"{peak_mib():.0f} MiB{flag}", flush=True)
        return result


def run(path: Path, items: int) -> list[tuple[str, float, float]]:
    """Every action on the window at ``path``; returns (label, gap ms, seconds)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from alstudio.gui.main_window import MainWindow

    bench = Bench()
    window = MainWindow(annotator=READER)
    window.resize(1400, 900)
    window.show()
    bench.pump(0.3)
    shown: list[int] = []
    window.labeling.item_shown.connect(shown.append)
    bench.measure(f"open a {items:,}-item project (first scan shown)",
                  lambda: window.open_project(path, wait=False), lambda: bool(shown))
    guard = window.file_guard
    bench.measure("background full integrity check at open",
                  lambda: None, lambda: guard._thread is None or not guard._thread.is_alive())
    panel = window.queue_panel
    table = panel.table
    print(f"queue: {panel.table.model().rowCount():,} rows; {panel.title.text()}")
    keys = [str(panel.filter_box.itemData(i)) for i in range(panel.filter_box.count())]
    for key in [*keys, "all"]:
        bench.measure(f"filter '{key}'", lambda k=key: panel.set_filter(k))
        print(f"  {panel.table.model().rowCount():,} rows shown")

    bar = table.verticalScrollBar()

    def scroll_through() -> None:
        steps = 60
        for n in range(steps + 1):
            bar.setValue(bar.maximum() * n // steps)
            table.viewport().repaint()
            bench.app.processEvents()
        for n in range(steps, -1, -1):
            bar.setValue(bar.maximum() * n // steps)
            table.viewport().repaint()
            bench.app.processEvents()

    bench.measure("scroll the queue end to end and back", scroll_through)
    bench.measure("jump to the last row (End)", lambda: (table.scrollToBottom(),
                                                         table.viewport().repaint()))
    bench.measure("jump to the first row (Home)", lambda: (table.scrollToTop(),
                                                           table.viewport().repaint()))

    canvas = window.viewer.canvas
    lab = window.labeling

    def label_keys(presses: int = 10) -> None:
        for n in range(presses):
            ahead = lab._ahead_of(lab.current)[:1] if lab.current is not None else []
            if ahead:
                bench.wait(lambda a=ahead[0]: window.prefetcher.get(a) is not None)
            before, painted = lab.current, canvas.paint_count
            QTest.keyClick(window, Qt.Key.Key_1 if n % 2 else Qt.Key.Key_2)
            bench.wait(lambda b=before, p=painted: lab.current != b
                       and lab._displayed == lab.current and canvas.paint_count > p)

    bench.measure("label by key press x10 (next scan painted)", label_keys)
    bench.measure("next item (N) x10", lambda: [QTest.keyClick(window, Qt.Key.Key_N)
                                                or bench.app.processEvents()
                                                for _ in range(10)])
    panel.set_filter("unlabeled")
    bench.pump(0.1)
    bench.measure("label by key press x10 under the 'unlabeled' filter", label_keys)
    panel.set_filter("all")
    bench.pump(0.1)

    progress = window.progress_panel

    def report_done() -> bool:
        return progress._report_worker is None or not progress._report_worker.is_running

    bench.measure("Progress panel (F8) until its report is shown",
                  lambda: window.progress_dock.toggleViewAction().trigger(), report_done)
    window.progress_dock.hide()
    tools = window.reader_tools

    def agreement_done() -> bool:
        dialog = tools.agreement_dialog
        return dialog is not None and (dialog.worker is None or not dialog.worker.is_running)

    bench.measure("agreement dialog until its figures are shown", tools.show_agreement,
                  agreement_done)
    if tools.agreement_dialog is not None:
        tools.agreement_dialog.close()
    bench.measure("close the project", window.close_project)
    window.close()
    bench.pump(0.1)
    return bench.figures


def main() -> None:
    """Build the project, measure every action, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--labels", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="20,000 items")
    args = parser.parse_args()
    if args.quick:
        args.items = 20_000
    from PySide6.QtCore import QSettings

    with tempfile.TemporaryDirectory(prefix="alstudio-gui-scale-") as tmp:
        folder = Path(tmp)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                          str(folder / "settings"))
        t0 = time.perf_counter()
        path = build_project(folder, args.items, args.labels)
        print(f"set-up: {args.items:,} items, {args.labels} labels in "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
        figures = run(path, args.items)
    print()
    for label, gap, seconds in figures:
        print(f"{label:<58} largest gap {gap:6.0f} ms  ({seconds:.2f} s)")
    worst = max(gap for _, gap, _ in figures)
    print(f"worst stall {worst:.0f} ms (target < {TARGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
