"""ImagePrefetcher: decodes ahead with the real readers, caches, reports failures, shuts down."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QCoreApplication, QThread

from alstudio.datasets import ScanImage, ScanRecord, ScanSource, discover, read_pixels
from alstudio.gui.viewer import ImagePrefetcher, ScanViewer


@pytest.fixture
def png_sources(tmp_path: Path) -> list[tuple[int, ScanSource]]:
    """Ten small greyscale PNGs, each a different constant, as (item id, source)."""
    sources = []
    for item_id in range(10):
        path = tmp_path / f"scan_{item_id}.png"
        Image.fromarray(np.full((48, 40), item_id * 20, np.uint8)).save(path)
        sources.append((100 + item_id, ScanSource(kind="raster", files=(str(path),))))
    return sources


class CountingReader:
    """The real reader, counting calls and the threads they ran on."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.threads: set[int] = set()
        self._lock = threading.Lock()

    def __call__(self, source: ScanSource) -> ScanImage:
        with self._lock:
            self.calls.append(source.path)
            self.threads.add(threading.get_ident())
        return read_pixels(source)


@pytest.fixture
def prefetcher(qtbot) -> Iterator[ImagePrefetcher]:
    reader = CountingReader()
    fetcher = ImagePrefetcher(max_items=8, reader=reader)
    fetcher.reader_calls = reader  # type: ignore[attr-defined]
    yield fetcher
    assert fetcher.shutdown()
    assert fetcher.active_threads() == 0, "a decode thread outlived shutdown()"


def test_decodes_ahead_and_get_returns_cached_images(prefetcher, png_sources, qtbot) -> None:
    on_gui_thread = []
    prefetcher.ready.connect(
        lambda _id: on_gui_thread.append(QThread.currentThread() is
                                         QCoreApplication.instance().thread()))
    wanted = png_sources[:4]
    assert prefetcher.get(wanted[0][0]) is None
    with qtbot.waitSignals([prefetcher.ready] * 4, timeout=10_000):
        prefetcher.request(wanted)
    assert all(on_gui_thread) and len(on_gui_thread) == 4
    for item_id, _source in wanted:
        image = prefetcher.get(item_id)
        assert image is not None and image.array.shape == (48, 40)
        assert image.array[0, 0] == (item_id - 100) * 20
    assert threading.get_ident() not in prefetcher.reader_calls.threads  # decoded off-thread
    calls = len(prefetcher.reader_calls.calls)
    prefetcher.request(wanted)  # all cached: nothing decoded again
    qtbot.wait(50)
    assert len(prefetcher.reader_calls.calls) == calls
    assert not any(prefetcher.is_pending(item_id) for item_id, _ in wanted)


def test_first_requested_is_decoded_first(png_sources, qtbot) -> None:
    order: list[int] = []
    fetcher = ImagePrefetcher(max_threads=1)
    fetcher.ready.connect(order.append)
    try:
        with qtbot.waitSignals([fetcher.ready] * 5, timeout=10_000):
            fetcher.request(png_sources[:5])
    finally:
        fetcher.shutdown()
    assert order[0] == png_sources[0][0]
    assert order == [item_id for item_id, _ in png_sources[:5]]


def test_lru_is_bounded_by_count_and_bytes(png_sources, qtbot) -> None:
    fetcher = ImagePrefetcher(max_items=3)
    try:
        with qtbot.waitSignals([fetcher.ready] * 6, timeout=10_000):
            fetcher.request(png_sources[:6])
        cached = fetcher.cached_ids()
        assert len(cached) == 3
        assert png_sources[0][0] in cached, "the item needed now was evicted by look-ahead"
        one = 48 * 40 * 4
        assert fetcher.cached_bytes == 3 * one
        fetcher.max_bytes = 2 * one
        with qtbot.waitSignal(fetcher.ready, timeout=10_000):
            fetcher.request([png_sources[7]])
        assert fetcher.cached_bytes <= 2 * one and png_sources[7][0] in fetcher.cached_ids()
    finally:
        fetcher.shutdown()


def test_failed_file_is_reported_with_its_reason(prefetcher, png_sources, tmp_path,
                                                 qtbot) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 8)
    missing = tmp_path / "gone.png"
    reasons: dict[int, str] = {}
    prefetcher.failed.connect(reasons.__setitem__)
    with qtbot.waitSignals([prefetcher.failed, prefetcher.failed, prefetcher.ready],
                           timeout=10_000):
        prefetcher.request([(1, ScanSource("raster", (str(broken),))),
                            (2, ScanSource("raster", (str(missing),))), png_sources[0]])
    assert set(reasons) == {1, 2}
    assert reasons[2] == "file not found (moved or deleted since import?)"
    assert reasons[1] and "\n" not in reasons[1]
    assert prefetcher.get(1) is None and prefetcher.failure(1) == reasons[1]
    assert prefetcher.get(png_sources[0][0]) is not None


def test_changed_request_skips_items_no_longer_wanted(prefetcher, png_sources,
                                                      qtbot) -> None:
    last = png_sources[-1][0]
    with qtbot.waitSignal(prefetcher.ready, check_params_cb=lambda i: i == last,
                          timeout=10_000):
        prefetcher.request(png_sources[:8])
        prefetcher.request([png_sources[-1]])  # the user jumped ahead
    qtbot.waitUntil(lambda: not any(prefetcher.is_pending(i) for i, _ in png_sources))
    assert len(prefetcher.reader_calls.calls) < 9, "abandoned look-ahead was still decoded"


def test_shutdown_waits_and_ignores_late_results(png_sources, qtbot) -> None:
    fetcher = ImagePrefetcher(max_threads=2)
    ready: list[int] = []
    fetcher.ready.connect(ready.append)
    fetcher.request(png_sources)
    assert fetcher.shutdown(timeout_ms=10_000)
    assert fetcher.active_threads() == 0
    qtbot.wait(50)
    assert ready == []  # results that arrive after shutdown are dropped
    fetcher.request(png_sources[:1])  # no-op once closed
    assert not fetcher.is_pending(png_sources[0][0])
    assert fetcher.shutdown()  # idempotent


def test_prefetched_series_goes_straight_to_the_viewer(shared_data: Path, qtbot) -> None:
    folder = shared_data / "dicom_mr_series/HFS/3_t1_fl2d_sag"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    record = next(r for r in discover([folder]) if isinstance(r, ScanRecord))
    fetcher = ImagePrefetcher()
    viewer = ScanViewer()
    qtbot.addWidget(viewer)
    try:
        with qtbot.waitSignal(fetcher.ready, timeout=20_000):
            fetcher.request([(5, record.source)])
        viewer.set_image(fetcher.get(5), overlay={"item": 5})
        assert viewer.slice_count() == 35
    finally:
        fetcher.shutdown()
