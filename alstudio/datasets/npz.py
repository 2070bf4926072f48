"""MedMNIST-style ``.npz`` archives: many small labelled images in one file.

Layout: ``<split>_images`` with ``<split>_labels`` for splits ``train``, ``val`` and
``test`` (any subset). Images are ``(N, H, W)`` grey, ``(N, H, W, 3)`` colour or
``(N, D, H, W)`` volumes; labels are ``(N,)`` or ``(N, 1)`` class indices (``(N, k)``
multi-label arrays are accepted but give no reference label). Each image is one item:
``member = "train:12"``. The labels are kept as ``reference_label`` for simulated
annotation and never shown as a user's label; train and val go to the pool, test stays
out as the held-out set.

np.load of an .npz decompresses a whole member array on every access, so decoded arrays
are kept in a small LRU bounded by count and bytes: reading 1000 members of one split
decompresses it once.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from alstudio.datasets._common import one_line
from alstudio.datasets._image import IDENTITY_WINDOW_8BIT, build_image
from alstudio.datasets.records import KIND_NPZ, ScanImage, ScanRecord, ScanSource, SkippedFile

SPLITS = ("train", "val", "test")
SPLIT_HINT = {"train": "pool", "val": "pool", "test": "test"}
LAYOUT_REASON = "not a MedMNIST-style .npz (expected train/val/test _images with _labels)"


class _ArrayCache:
    """Decoded arrays keyed by (path, file identity, key); at most N arrays / M bytes.

    The most recent array is always kept even if it alone exceeds the byte budget,
    otherwise a large split would be decompressed again for every member.
    """

    def __init__(self, max_entries: int = 4, max_bytes: int = 1 << 30) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, int, int, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # how many times an array was actually decompressed (for tests)

    def get(self, path: str, key: str) -> np.ndarray:
        stat = os.stat(path)
        ident = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size, key)
        with self._lock:
            if ident in self._items:
                self._items.move_to_end(ident)
                return self._items[ident]
        # the file is opened here so that it is closed even when np.load refuses it
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
            array: np.ndarray = archive[key]
        array.setflags(write=False)
        with self._lock:
            self.loads += 1
            self._items[ident] = array
            self._items.move_to_end(ident)
            total = sum(a.nbytes for a in self._items.values())
            while len(self._items) > 1 and (len(self._items) > self.max_entries
                                            or total > self.max_bytes):
                _, dropped = self._items.popitem(last=False)
                total -= dropped.nbytes
        return np.asarray(array)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


ARRAY_CACHE = _ArrayCache()


def image_hash(image: np.ndarray) -> str:
    """sha256 of an image's bytes plus its shape and dtype (same pixels, same hash)."""
    digest = hashlib.sha256(np.ascontiguousarray(image).tobytes())
    digest.update(repr(tuple(image.shape)).encode())
    digest.update(image.dtype.str.encode())
    return digest.hexdigest()


def _label(labels: np.ndarray, index: int) -> int | None:
    value = labels[index]
    if np.ndim(value) == 0:
        return int(value)
    flat = np.ravel(value)
    return int(flat[0]) if flat.size == 1 else None


def _layout(path: str) -> list[str] | str:
    """Splits of a valid archive (member names only, nothing decompressed), or a reason."""
    with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
        keys = set(archive.files)
    splits = [s for s in SPLITS if f"{s}_images" in keys]
    if not splits:
        return LAYOUT_REASON
    for split in splits:
        if f"{split}_labels" not in keys:
            return f"{LAYOUT_REASON}: no {split}_labels"
    return splits


def iter_npz(path: str) -> Iterator[ScanRecord | SkippedFile]:
    """One record per image of a MedMNIST-style archive, or one SkippedFile."""
    try:
        layout = _layout(path)
    except Exception as exc:  # BadZipFile, ValueError (pickled objects), OSError ...
        yield SkippedFile(path, f"cannot read .npz: {one_line(exc)}")
        return
    if isinstance(layout, str):
        yield SkippedFile(path, layout)
        return
    checked: list[tuple[str, np.ndarray, np.ndarray]] = []
    for split in layout:
        try:
            images = ARRAY_CACHE.get(path, f"{split}_images")
            labels = ARRAY_CACHE.get(path, f"{split}_labels")
        except Exception as exc:
            yield SkippedFile(path, f"cannot read .npz: {one_line(exc)}")
            return
        if images.ndim not in (3, 4) or labels.ndim == 0 or len(labels) != len(images):
            yield SkippedFile(path, f"{LAYOUT_REASON}: {split} images {images.shape} "
                                    f"vs labels {labels.shape}")
            return
        if images.dtype.kind not in "uif" or labels.dtype.kind not in "uib":
            yield SkippedFile(path, f"unsupported .npz data types {images.dtype}/{labels.dtype}")
            return
        checked.append((split, images, labels))
    for split, images, labels in checked:
        multi_label = labels.ndim > 1 and labels.shape[1] > 1
        for index in range(len(images)):
            image = images[index]
            metadata: dict[str, str | int | float] = {"split": split, "index": index,
                                                      "format": "MedMNIST npz"}
            if multi_label:
                metadata["labels"] = "multi-label"
            yield ScanRecord(
                source=ScanSource(KIND_NPZ, (path,), member=f"{split}:{index}"),
                content_hash=image_hash(image),
                modality=None,
                shape=tuple(int(d) for d in image.shape),
                spacing=None,
                series_uid=None,
                metadata=metadata,
                reference_label=None if multi_label else _label(labels, index),
                split_hint=SPLIT_HINT[split],
            )


def parse_member(member: str | None) -> tuple[str, int]:
    """``"train:12"`` -> ``("train_images", 12)``."""
    if not member or ":" not in member:
        raise ValueError(f"invalid .npz member {member!r}")
    split, _, index = member.partition(":")
    if split not in SPLITS:
        raise ValueError(f"invalid .npz split {split!r}")
    return f"{split}_images", int(index)


def read_npz_member(path: str, member: str | None) -> ScanImage:
    """Pixels of one archive member (decoded split arrays come from the LRU)."""
    key, index = parse_member(member)
    images = ARRAY_CACHE.get(path, key)
    if not 0 <= index < len(images):
        raise ValueError(f"{member} is out of range ({len(images)} images)")
    image = images[index]
    is_rgb = image.ndim == 3 and image.shape[-1] == 3
    default = IDENTITY_WINDOW_8BIT if image.dtype == np.uint8 else None
    return build_image(image, spacing=None, modality=None, is_rgb=is_rgb, default=default)
