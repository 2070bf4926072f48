"""Assemble a :class:`ScanImage` the same way for every reader.

Each reader knows its pixels and whatever windows its file suggests; the default window and
the preset list follow one rule for all of them, here: the file's first window if it has
one, else the robust "auto" window; presets are the file's, then the modality's.
"""

from __future__ import annotations

import numpy as np

from alstudio.datasets.records import ScanImage
from alstudio.datasets.windowing import percentile_window, window_presets

#: 8-bit display data shown as is: DICOM's formula maps 0..255 onto itself with this window.
IDENTITY_WINDOW_8BIT = (128.0, 256.0)


def build_image(array: np.ndarray, *, spacing: tuple[float, ...] | None,
                modality: str | None, is_rgb: bool,
                file_windows: dict[str, tuple[float, float]] | None = None,
                default: tuple[float, float] | None = None) -> ScanImage:
    """A ScanImage with float32 C-contiguous pixels, a default window and presets."""
    array = np.ascontiguousarray(array, dtype=np.float32)
    presets: dict[str, tuple[float, float]] = dict(file_windows or {})
    for name, window in window_presets(modality, array).items():
        presets.setdefault(name, window)
    if default is None:
        if file_windows:
            default = next(iter(file_windows.values()))
        elif is_rgb:
            default = IDENTITY_WINDOW_8BIT
        else:
            default = presets.get("auto") or percentile_window(array)
    return ScanImage(array=array, spacing=spacing, window=(float(default[0]), float(default[1])),
                     modality=modality, is_rgb=is_rgb, presets=presets)
