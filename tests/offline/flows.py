"""The main flows of alstudio, run one after another through the `alstudio` command.

Run as a script (``python tests/offline/flows.py WORKDIR RESULT.json``) inside a process whose
sockets are blocked (``guard/sitecustomize.py``); it writes one result per flow: "ok", or
"skipped: why" for a verb this build does not have, or the error. Each flow calls
``alstudio.__main__.main`` in this process (one interpreter, so torch loads once) with the
same arguments a user would type.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
# pydicom's own files, one per compressed syntax the importer must decode
PYDICOM_FILES = {"RLE": "MR_small_RLE.dcm", "JPEG_Lossless": "SC_rgb_jpeg_gdcm.dcm",
                 "JPEG2000": "MR_small_jp2klossless.dcm"}
SHARED_FILES = {"RLE_mr": "dicom_transfer_syntaxes/In/4.dcm",
                "JPEG_Lossless_mr": "dicom_transfer_syntaxes/In/5.dcm",
                "JPEG2000_mr": "dicom_transfer_syntaxes/In/9.dcm"}
FLOWS = ("window", "demo", "import", "label", "round", "stream", "simulate", "export", "report")


class Flows:
    """State shared by the flows (the demo project, its classes, the queue)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.demo = work / "demo.alstudio"
        self.classes: list[str] = []
        self.queued: list[int] = []

    def cli(self, *args: str) -> str:
        """Run `alstudio ARGS`; its stdout; raises on a non-zero exit."""
        from alstudio.__main__ import main

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(list(args))
        if code != 0:
            raise RuntimeError(f"alstudio {' '.join(args)} exited {code}: {out.getvalue()}")
        return out.getvalue()

    def verbs(self) -> set[str]:
        from alstudio.cli import build_parser

        parser = build_parser()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return set(sub.choices)

    # -- the flows ----------------------------------------------------------------------------
    def window(self) -> None:
        """The window up to its first show, then closed (the app's own start-up check)."""
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.cli("gui", "--startup-check")
        finally:  # the app routes Ctrl+C/TERM to its window; give them back for the rest
            for sig, handler in handlers.items():
                signal.signal(sig, handler)

    def demo_flow(self) -> None:
        self.cli("demo", str(self.demo))
        info = json.loads(self.cli("info", str(self.demo), "--json"))
        self.classes = [c["name"] for c in info["classes"]]
        assert info["items"] == {"pool": 624, "test": 155}, info["items"]

    def import_flow(self) -> None:
        import nibabel
        import pydicom.data

        scans = self.work / "scans"
        scans.mkdir()
        bundled = Path(pydicom.data.__file__).parent / "test_files"
        sources = {f"{k}.dcm": bundled / v for k, v in PYDICOM_FILES.items()}
        sources |= {f"{k}.dcm": SHARED / v for k, v in SHARED_FILES.items()
                    if (SHARED / v).is_file()}
        sources["anatomical.nii"] = Path(nibabel.__file__).parent / "tests/data/anatomical.nii"
        for name, source in sources.items():
            shutil.copyfile(source, scans / name)
        project = self.work / "scans.alstudio"
        self.cli("new", str(project), "--classes", "a,b")
        report = json.loads(self.cli("import", str(project), str(scans), "--json"))
        assert report["imported"] == len(sources) and not report["skipped"], report

    def label(self) -> None:
        cold = json.loads(self.cli("round", str(self.demo), "--batch", "6", "--json"))
        self.queued = [row["item"] for row in cold["queued"]]
        for n, item in enumerate(self.queued):
            self.cli("label", str(self.demo), str(item), self.classes[n % 2],
                     "--annotator", "offline", "--seconds", "1.5")

    def round_flow(self) -> None:
        out = json.loads(self.cli("round", str(self.demo), "--batch", "5", "--max-epochs", "1",
                                  "--json"))
        assert out["labels_used"] == len(self.queued) and len(out["queued"]) == 5, out

    def stream(self) -> None:
        """A delivery of new scans after the round, judged one by one."""
        import numpy as np
        from PIL import Image

        delivery = self.work / "delivery"
        delivery.mkdir()
        with np.load(REPO / "resources" / "demo" / "breastmnist.npz") as data:
            images = data["test_images"][:4]
        for n, image in enumerate(images):  # mirrored: new content, so not a duplicate
            Image.fromarray(np.ascontiguousarray(image[:, ::-1])).save(delivery / f"{n}.png")
        self.cli("import", str(self.demo), str(delivery), "--modality", "US")
        out = json.loads(self.cli("stream", str(self.demo), "--budget", "2", "--json"))
        assert out, out

    def simulate(self) -> None:
        npz = REPO / "resources" / "demo" / "breastmnist.npz"
        self.cli("simulate", str(npz), "--strategies", "random,coreset_uncertainty", "--seeds",
                 "1", "--initial", "10", "--batch", "10", "--budget", "20", "--max-epochs", "1",
                 "--min-steps", "10",
                 "--json", str(self.work / "sim.json"))

    def optional_verb(self, verb: str) -> Callable[[], None]:
        """`export`/`report` with the project and an output path, as its usage asks."""
        def run() -> None:
            from alstudio.cli import build_parser

            parser = build_parser()
            sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            args: list[str] = []
            for action in sub.choices[verb]._actions:
                if action.option_strings and not action.required:
                    continue  # -h and every optional flag keep their defaults
                if "project" in action.dest:
                    value = str(self.demo)
                elif action.choices:
                    value = str(next(iter(action.choices)))
                else:
                    value = str(self.work / f"{verb}-{action.dest}")
                args += [*action.option_strings[:1], value]
            self.cli(verb, *args)
        return run


def run_all(work: Path) -> dict[str, dict[str, object]]:
    """Every flow in order; a failed flow is recorded and the next one still runs."""
    flows = Flows(work)
    known = flows.verbs()
    steps: dict[str, Callable[[], None]] = {
        "window": flows.window, "demo": flows.demo_flow, "import": flows.import_flow,
        "label": flows.label, "round": flows.round_flow, "stream": flows.stream,
        "simulate": flows.simulate, "export": flows.optional_verb("export"),
        "report": flows.optional_verb("report"),
    }
    results: dict[str, dict[str, object]] = {}
    for name in FLOWS:
        started = time.perf_counter()
        if name in ("export", "report") and name not in known:
            results[name] = {"status": f"skipped: this build has no `alstudio {name}` verb"}
            continue
        try:
            steps[name]()
            status = "ok"
        except BaseException as exc:
            status = f"failed: {exc!r}\n{traceback.format_exc()}"
        results[name] = {"status": status, "seconds": round(time.perf_counter() - started, 2)}
        print(f"flow {name}: {status.splitlines()[0]} ({results[name]['seconds']} s)",
              file=sys.stderr, flush=True)
    return results


if __name__ == "__main__":
    workdir, result_file = Path(sys.argv[1]), Path(sys.argv[2])
    result_file.write_text(json.dumps(run_all(workdir), indent=2), encoding="utf-8")
