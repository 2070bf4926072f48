"""Screenshots of the real window for docs/screenshots/ (run through scripts/screenshots.sh).

It builds everything it shows in a temporary folder: the demo project (BreastMNIST), a
project with the real MR series from ../shared/data, and, when the round engine is there, a
round in progress. Settings go to the temporary folder too, so the developer's own recent
projects and theme are neither shown nor changed.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/take_screenshots.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from progress_shots import progress
from shooter import REPO, Shooter

SHARED = REPO.parent / "shared" / "data"
MR_SERIES = SHARED / "dicom_mr_series" / "HFS" / "3_t1_fl2d_sag"


# scenes `--only` can take on their own: name -> Scenes method
ONLY_SCENES = {"readers": "readers", "geometry": "geometry", "export": "export_report",
               "pretrain": "pretrain", "opening": "opening"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--only", choices=sorted([*ONLY_SCENES, "progress"]),
                        help="take one scene's shots only (readers: the disagreement view; "
                             "geometry: a series with a slice gap; export: the export dialog; "
                             "pretrain: the pretraining dialog, running; "
                             "opening: the window while a project opens; "
                             "progress: the Progress panel after six rounds, with the random "
                             "baseline)")
    parser.add_argument("--project", type=Path,
                        help="with --only progress: show this project (a copy) instead of "
                             "building one (minutes of training)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="alstudio-shots-"))
    os.environ["XDG_DATA_HOME"] = str(work / "data")
    os.environ["XDG_STATE_HOME"] = str(work / "state")
    try:
        shooter = Scenes(work, args.out)
        if args.only == "progress":
            return progress(shooter, args.project)
        if args.only:
            window = shooter.window()
            getattr(shooter, ONLY_SCENES[args.only])(window)
            window.close()
            return 0
        return shooter.run()
    finally:
        shutil.rmtree(work, ignore_errors=True)


class Scenes(Shooter):
    """The README's shots, each scene building the project it shows."""

    def run(self) -> int:
        from PySide6.QtCore import Qt

        from alstudio.gui.settings import AppSettings
        from alstudio.project import ClassSpec, Project
        from alstudio.workflow.demo import build_demo
        from alstudio.workflow.importer import import_paths

        demo = self.work / "breast-us-demo.alstudio"
        project, _ = build_demo(demo)
        project.close()
        mr = self.work / "head-mr-study.alstudio"
        if MR_SERIES.is_dir():
            with Project.create(mr, [ClassSpec("normal", "1", "#5cb85c"),
                                     ClassSpec("lesion", "2", "#d9534f"),
                                     ClassSpec("artefact", "3", "#c4a000")],
                                name="Head MR study") as project:
                import_paths(project, [MR_SERIES], "pool")
        settings = AppSettings()
        for path in (mr, demo):
            if path.exists():
                settings.add_recent_project(path)

        window = self.window()
        self.save(window, "01-start-page.png")

        window.open_project(demo)
        self.wait(lambda: window.labeling._displayed is not None)
        window.queue_panel.budget_spin.setValue(60)
        self.press(window, Qt.Key.Key_2, Qt.Key.Key_2, Qt.Key.Key_1, Qt.Key.Key_2,
                   Qt.Key.Key_S, Qt.Key.Key_2, Qt.Key.Key_1)
        self.save(window, "02-demo-labeling.png")

        self.shortcut_sheet(window)
        self.round_dialog(window)
        self.import_report(window)
        self.export_report(window)
        self.rounds(window)
        self.pretrain(window)
        window.close_project()
        self.readers(window)

        if mr.exists():
            window.open_project(mr)
            self.wait(lambda: window.labeling._displayed is not None)
            viewer = window.viewer
            viewer.set_slice(viewer.slice_count() // 2 + 2)
            # MR has no absolute scale: the data-driven window, as a reader would pick it
            viewer.apply_preset("auto")
            self.save(window, "03-mr-series-preset.png")
            window.set_theme("light")
            self.save(window, "07-light-theme.png")
            window.set_theme("dark")
            window.close_project()
        else:
            print(f"MR shots skipped: {MR_SERIES} not found")
        self.geometry(window)
        window.close()
        return 0

    def readers(self, window) -> None:
        """Two readers disagree on a few double-read items; the adjudicator's list."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        from alstudio.gui.dialogs.adjudicate_dialog import AdjudicateDialog
        from alstudio.project.session import LabelingSession
        from alstudio.workflow.demo import build_demo

        path = self.work / "double-read-demo.alstudio"
        project, _ = build_demo(path)
        with project:
            ids = project.item_ids("pool")[:8]
            project.request_reads(ids, why="second-read sample")
            project.set_annotator_role("dr_chief", "adjudicator")
            reads = {"dr_lee": "12211221", "dr_okafor": "22112121"}
            notes = {(ids[0], "dr_lee"): "spiculated margin", (ids[0], "dr_okafor"):
                     "oval, circumscribed", (ids[2], "dr_okafor"): "posterior shadowing",
                     (ids[6], "dr_lee"): "irregular, taller than wide"}
            for reader, keys in reads.items():
                session = LabelingSession(project, reader)
                for n, (item_id, key) in enumerate(zip(ids, keys, strict=True)):
                    session.give(item_id, reader, key, 4.2 + 3.1 * ((n * 7) % 5) + len(reader),
                                 notes.get((item_id, reader)))
            chief = LabelingSession(project, "dr_chief")
            chief.give(ids[2], "dr_chief", "2", 11.0, reason="guideline clarified: BI-RADS 3")
        window.open_project(path, annotator="dr_chief")
        self.wait(lambda: window.labeling._displayed is not None)
        QTest.keyClick(window, Qt.Key.Key_D)
        self.wait(lambda: window.labeling._displayed == window.queue_panel.visible_ids()[0])
        self.save(window, "09-disagreements.png")
        session = window.session
        item_id = window.labeling.current
        dialog = AdjudicateDialog(item_id, session.classes, session.readings(item_id),
                                  session.label_state(item_id), None, window)
        dialog.show()
        for key in ("1", "M"):  # what the keys pick (the main window holds the focus here)
            dialog._keys[key].click()
        self.save(dialog, "10-adjudicate.png")
        dialog.reject()
        window.close_project()

    def geometry(self, window) -> None:
        """The MR series with one slice missing: the overlay and the panel say so."""
        import pydicom

        from alstudio.project import ClassSpec, Project
        from alstudio.workflow.importer import import_paths

        if not MR_SERIES.is_dir():
            print(f"geometry shot skipped: {MR_SERIES} not found")
            return
        folder = self.work / "gap-series"
        folder.mkdir()
        slices = sorted(MR_SERIES.glob("*.dcm"), key=lambda p: -float(
            pydicom.dcmread(p, stop_before_pixels=True).ImagePositionPatient[0]))
        for index, path in enumerate(slices):
            if index != 3:
                shutil.copyfile(path, folder / path.name)
        project_path = self.work / "gap-study.alstudio"
        with Project.create(project_path, [ClassSpec("normal", "1", "#5cb85c"),
                                           ClassSpec("lesion", "2", "#d9534f")],
                            name="Slice gap") as project:
            import_paths(project, [folder], "pool")
        window.open_project(project_path)
        self.wait(lambda: window.labeling._displayed is not None)
        window.viewer.set_slice(3)
        window.viewer.apply_preset("auto")
        self.save(window, "17-geometry-warning.png")
        window.close_project()

    def shortcut_sheet(self, window) -> None:
        from alstudio.gui.dialogs.shortcut_sheet import ShortcutSheet

        sheet = ShortcutSheet(window.menuBar(), window)
        sheet.resize(720, 900)
        sheet.show()
        self.save(sheet, "06-shortcut-sheet.png")
        sheet.close()

    def import_report(self, window) -> None:
        from alstudio.gui.dialogs.import_dialog import ImportDialog

        incoming = self.work / "incoming"
        incoming.mkdir()
        good = SHARED / "dicom_transfer_syntaxes" / "In" / "1.dcm"
        if good.exists():
            shutil.copyfile(good, incoming / "IM0001.dcm")
            data = good.read_bytes()
            (incoming / "IM0002.dcm").write_bytes(data[: len(data) // 3])
        (incoming / "scan-export.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
        (incoming / "notes.txt").write_text("ward round notes")
        from alstudio.project import Project

        scratch = self.work / "incoming.alstudio"  # the demo stays as it is
        Project.create(scratch, ["normal", "abnormal"]).close()
        dialog = ImportDialog(scratch, window)
        dialog.resize(900, 560)
        dialog.add_paths([incoming])
        dialog.set_split("pool")
        dialog.show()
        done: list[object] = []
        dialog.imported.connect(done.append)
        dialog.start()
        self.wait(lambda: bool(done) and not dialog.worker.is_running)
        self.save(dialog, "05-import-report.png")
        dialog.close()

    def export_report(self, window) -> None:
        """A de-identified DICOM export of pydicom's bundled CT, MR and secondary capture."""
        import pydicom.data

        from alstudio.gui.dialogs.export_dialog import ExportDialog
        from alstudio.project import Project
        from alstudio.workflow.importer import import_paths

        scans = self.work / "export-scans"
        scans.mkdir()
        bundled = Path(pydicom.data.__file__).parent / "test_files"
        for name in ("CT_small.dcm", "MR_small.dcm", "SC_rgb_gdcm_KY.dcm"):
            shutil.copyfile(bundled / name, scans / name)
        path = self.work / "export.alstudio"
        with Project.create(path, ["normal", "abnormal"], name="Export study") as project:
            import_paths(project, [scans], "pool")
            for n, item in enumerate(project.items()):
                project.add_label(item.id, "dr_lee", ("normal", "abnormal")[n % 2])
        dialog = ExportDialog(path, window)
        dialog.resize(760, 560)
        dialog.set_format("dicom")
        dialog.set_out(self.work / "export-out")
        dialog.show()
        done: list[object] = []
        dialog.exported.connect(done.append)
        dialog.start()
        self.wait(lambda: bool(done) and not dialog.worker.is_running)
        self.save(dialog, "13-export-dialog.png")
    def round_dialog(self, window) -> None:
        """The Run round dialog, its names read from the catalogues (no engine loaded)."""
        from alstudio.gui.dialogs.round_dialog import RoundDialog

        labels = window.session.labeled_items() if window.session is not None else 0
        dialog = RoundDialog(window.round_request, labels, window)
        dialog.show()
        self.save(dialog, "19-round-dialog.png")
        dialog.close()

    def opening(self, window) -> None:
        """The window while a project opens (scripts/shot_opening.py)."""
        from shot_opening import opening_scene

        opening_scene(self, window, self.work)

    def pretrain(self, window) -> None:
        """Rounds > Learn from the unlabeled pool, running (scripts/shot_pretrain.py)."""
        from shot_pretrain import pretrain_scene

        pretrain_scene(self, window, self.work)

    def rounds(self, window) -> None:
        from PySide6.QtCore import Qt

        from alstudio.gui.rounds import engine_available
        from alstudio.workflow.round import RoundConfig

        if not engine_available():
            print("round shots skipped: the round engine (alstudio.workflow) is not installed")
            return
        steps: list[object] = []
        window.rounds.stepped.connect(steps.append)
        window.start_round(RoundConfig(batch_size=20))
        self.wait(lambda: any("epoch" in getattr(s, "phase", "") for s in steps)
                  or not window.rounds.running, timeout_s=300)
        self.save(window, "04-round-in-progress.png")
        self.wait(lambda: not window.rounds.running, timeout_s=900)
        window.labeling.show(window.session.entries[0].item_id)
        self.press(window, Qt.Key.Key_2)  # label the first queued item ...
        window.labeling.step(-1)  # ... and go back to it: the prediction is revealed
        self.wait(lambda: window.label_panel.prediction.state == "shown")
        self.save(window, "08-after-round.png")


if __name__ == "__main__":
    sys.exit(main())
