"""How fast the viewer answers a keypress: next image, window drag, slice scroll.

Each figure is the time from the call (``set_image`` with an already decoded image, as after
a prefetch hit; ``set_window``; ``step_slice``) until the canvas has finished painting,
measured by processing Qt events until its paint counter moves. Runs offscreen, so it
measures our work (windowing, scaling, drawing into the backing store), not the compositor.

    python benchmarks/viewer_speed.py [--repeats 30] [--size 1000x800]

Target: the next image on screen within 50 ms of the keypress when it was prefetched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication

from alstudio.datasets import ScanImage, ScanRecord, discover
from alstudio.gui.viewer import ImagePrefetcher, ScanViewer

MR_SERIES = (Path(__file__).resolve().parents[1].parent / "shared" / "data"
             / "dicom_mr_series" / "HFS" / "3_t1_fl2d_sag")
TARGET_MS = 50.0


def synthetic(shape: tuple[int, ...], modality: str = "CT", seed: int = 0) -> ScanImage:
    """Noise plus a smooth bump, in HU-like units: realistic for windowing cost."""
    rng = np.random.default_rng(seed)
    array = rng.normal(40.0, 300.0, size=shape).astype(np.float32)
    spacing = (1.0,) * len(shape)
    return ScanImage(array=array, spacing=spacing, window=(40.0, 400.0), modality=modality,
                     is_rgb=False)


def wait_painted(app: QApplication, viewer: ScanViewer, before: int,
                 timeout_s: float = 5.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while viewer.canvas.paint_count == before:
        app.processEvents()
        if time.perf_counter() > deadline:
            raise RuntimeError("the viewer never painted")


def timed(app: QApplication, viewer: ScanViewer, action: Callable[[int], None],
          repeats: int) -> list[float]:
    """Milliseconds from ``action(i)`` to the end of the paint it caused, per repeat."""
    times = []
    for i in range(repeats + 2):
        before = viewer.canvas.paint_count
        start = time.perf_counter()
        action(i)
        wait_painted(app, viewer, before)
        if i >= 2:  # the first two warm caches and fonts
            times.append((time.perf_counter() - start) * 1000.0)
    return times


def mr_slices() -> tuple[ScanImage | None, float | None]:
    """The real MR series and its decode time through the prefetcher, if present."""
    if not MR_SERIES.is_dir():
        return None, None
    record = next(r for r in discover([MR_SERIES]) if isinstance(r, ScanRecord))
    fetcher = ImagePrefetcher()
    done: list[float] = []
    start = time.perf_counter()
    fetcher.ready.connect(lambda _i: done.append(time.perf_counter()))
    fetcher.request([(1, record.source)])
    app = QApplication.instance()
    while not done:
        app.processEvents()
        time.sleep(0.001)
    image = fetcher.get(1)
    fetcher.shutdown()
    return image, (done[0] - start) * 1000.0


def row(name: str, times: list[float]) -> str:
    median = statistics.median(times)
    p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
    return f"{name:<44} {median:8.2f} {p95:8.2f} {max(times):8.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--size", default="1000x800", help="viewer size, WxH logical pixels")
    parser.add_argument("--quick", action="store_true", help="5 repeats")
    args = parser.parse_args()
    if args.quick:
        args.repeats = 5
    width, height = (int(v) for v in args.size.split("x"))

    app = QApplication.instance() or QApplication(sys.argv)
    viewer = ScanViewer()
    viewer.resize(width, height)
    viewer.show()
    app.processEvents()

    mr, mr_decode_ms = mr_slices()
    if mr is None:
        mr = synthetic((35, 384, 384), "MR")
        mr_label = "384x384x35 MR (synthetic; no shared data)"
    else:
        mr_label = "x".join(str(s) for s in reversed(mr.array.shape[1:])) + \
            f"x{mr.array.shape[0]} MR series (real)"
    demo = [synthetic((28, 28), "US", seed=i) for i in range(2)]
    mr2d = [synthetic((384, 384), "MR", seed=i) for i in range(2)]
    volumes = [synthetic((64, 512, 512), "CT", seed=i) for i in range(2)]
    mrs = [mr, ScanImage(mr.array.copy(), mr.spacing, mr.window, mr.modality, mr.is_rgb,
                         dict(mr.presets))]
    big = [synthetic((2048, 2048), "DX"), synthetic((512, 512), "CT")]
    n = args.repeats
    results: list[tuple[str, list[float]]] = []

    def next_image(images: list[ScanImage]) -> Callable[[int], None]:
        return lambda i: viewer.set_image(images[i % 2], overlay={"item": i, "split": "pool"})

    results.append(("next image: 28x28 demo (prefetched)", timed(app, viewer,
                                                                 next_image(demo), n)))
    results.append(("next image: 384x384 MR slice (prefetched)",
                    timed(app, viewer, next_image(mr2d), n)))
    results.append((f"next image: {mr_label}", timed(app, viewer, next_image(mrs), n)))
    results.append(("next image: 512x512x64 CT volume (prefetched)",
                    timed(app, viewer, next_image(volumes), n)))
    radiographs = [synthetic((2048, 2048), "DX", seed=i) for i in range(2)]
    results.append(("next image: 2048x2048 radiograph (prefetched)",
                    timed(app, viewer, next_image(radiographs), n)))

    viewer.set_image(volumes[0])
    results.append(("slice change: 512x512x64 (wheel/PageDown)",
                    timed(app, viewer, lambda i: viewer.set_slice(i % 64), n)))

    for image in big:
        viewer.set_image(image)
        side = image.array.shape[0]
        results.append((f"window change: {side}x{side} float32 (fitted)",
                        timed(app, viewer, lambda i: viewer.set_window(40.0 + i, 400.0), n)))
        viewer.one_to_one()
        results.append((f"window change: {side}x{side} float32 (1:1)",
                        timed(app, viewer, lambda i: viewer.set_window(40.0 + i, 400.0), n)))
    viewer.set_image(big[0])
    results.append(("pan/cursor repaint: 2048x2048 (cached frame)",
                    timed(app, viewer, lambda i: viewer.canvas.view.pan(1, 0) or
                          viewer.canvas.update(), n)))

    print(f"viewer_speed: {width}x{height} viewer, offscreen, {n} repeats, times in ms "
          f"(Qt {qVersion()}, {os.cpu_count()} CPUs)")
    print(f"{'case':<44} {'median':>8} {'p95':>8} {'max':>8}")
    for name, times in results:
        print(row(name, times))
    if mr_decode_ms is not None:
        print(f"{'decode of the 35-file MR series (prefetch)':<44} {mr_decode_ms:8.2f}"
              "   (background thread; hidden by prefetching)")
    worst = max(statistics.median(t) for name, t in results if name.startswith("next image"))
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    print(f"next-image worst median {worst:.1f} ms: {verdict} the {TARGET_MS:.0f} ms target")
    viewer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
