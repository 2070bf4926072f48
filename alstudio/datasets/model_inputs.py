"""The small, normalised picture of an item that the models see.

Choices, kept deliberately simple so that every item of every format goes through the same
few steps and the result is cheap to cache:

* a volume contributes its **central slice** (index ``slices // 2`` in the display order);
  a "most informative slice" would be better for lesions off-centre but costs a second
  decode pass and makes the input depend on a heuristic;
* colour becomes luminance (ITU-R BT.601 weights);
* robust scaling: the 0.5 and 99.5 percentiles map to 0 and 1, values outside are clipped,
  so a few hot pixels or a metal implant do not squash the contrast; a flat image gives 0;
* the aspect ratio is **kept**: the slice is padded to a square with 0 (the darkest
  percentile, i.e. background), centred, before resizing;
* resizing uses Pillow's float ("F") mode with bilinear filtering, which Pillow widens into
  an antialiasing (area-like) filter when shrinking, so a 512x512 CT slice is averaged, not
  aliased, down to 64x64.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from alstudio.datasets.records import ScanImage
from alstudio.datasets.windowing import AUTO_PERCENTILES, sample_values

_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def central_slice(image: ScanImage) -> np.ndarray:
    """The 2D (or 2D colour) plane the model sees: the middle slice of a volume."""
    array = image.array
    if image.is_volume:
        array = array[array.shape[0] // 2]
    return array


def _to_grey(plane: np.ndarray, is_rgb: bool) -> np.ndarray:
    if is_rgb:
        return np.tensordot(plane.astype(np.float32, copy=False), _LUMA, axes=([-1], [0]))
    return plane.astype(np.float32, copy=False)


def robust_scale(plane: np.ndarray) -> np.ndarray:
    """Map the 0.5..99.5 percentile range to 0..1 and clip (NaN/inf become 0)."""
    out = np.nan_to_num(plane.astype(np.float32, copy=True), nan=0.0, posinf=0.0, neginf=0.0)
    sample = sample_values(out)
    if sample.size == 0:
        return np.zeros_like(out)
    low, high = np.percentile(sample, AUTO_PERCENTILES)
    if high <= low:
        low, high = float(sample.min()), float(sample.max())
    if high <= low:
        return np.zeros_like(out)
    out -= np.float32(low)
    out *= np.float32(1.0 / (high - low))
    np.clip(out, 0.0, 1.0, out=out)
    return out


#: The padded square may hold at most this many pixels: a damaged or hostile file can claim
#: a 1 x 1,000,000 image, whose square would need terabytes.
MAX_SQUARE_PIXELS = 1 << 26


def _pad_square(plane: np.ndarray) -> np.ndarray:
    rows, cols = plane.shape
    side = max(rows, cols)
    if rows == cols:
        return plane
    if side * side > MAX_SQUARE_PIXELS:
        raise ValueError(f"an image of {rows} x {cols} pixels is too elongated to use "
                         "(padded to a square it would not fit in memory)")
    out = np.zeros((side, side), dtype=np.float32)
    top, left = (side - rows) // 2, (side - cols) // 2
    out[top:top + rows, left:left + cols] = plane
    return out


def resize(plane: np.ndarray, size: int) -> np.ndarray:
    """Antialiased bilinear resize of a float plane to ``size`` x ``size``."""
    if plane.shape == (size, size):
        return plane.astype(np.float32, copy=False)
    image = Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32))  # mode "F"
    resized = image.resize((size, size), Image.Resampling.BILINEAR)
    return np.array(resized, dtype=np.float32)  # a writable copy


def model_input(image: ScanImage, size: int = 64) -> np.ndarray:
    """float32 ``(1, size, size)`` in [0, 1] for the models (see module docs for the steps)."""
    if size < 1:
        raise ValueError("size must be positive")
    plane = _to_grey(central_slice(image), image.is_rgb)
    scaled = _pad_square(robust_scale(plane))
    out = resize(scaled, size)
    np.clip(out, 0.0, 1.0, out=out)
    return out[np.newaxis]
