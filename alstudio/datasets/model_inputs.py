"""The small, normalised picture of an item that the models see.

Choices, kept deliberately simple so that every item of every format goes through the same
few steps and the result is cheap to cache:

* a volume contributes its **central slice** (index ``slices // 2`` in the display order);
  a "most informative slice" would be better for lesions off-centre but costs a second
  decode pass and makes the input depend on a heuristic;
* colour stays colour: an RGB scan (fundus, dermatology, pathology) gives 3 channels, a grey
  one 1; a project or archive settles on one count (``channels``) and a scan of the other
  kind is converted (grey repeated to 3 channels, colour to ITU-R BT.601 luminance);
* robust scaling: the 0.5 and 99.5 percentiles map to 0 and 1, values outside are clipped,
  so a few hot pixels or a metal implant do not squash the contrast; a flat image gives 0;
  colour channels share one range, so hue is kept;
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
        return np.tensordot(plane[..., :3].astype(np.float32, copy=False), _LUMA,
                            axes=([-1], [0]))
    return plane.astype(np.float32, copy=False)


def input_channels(is_rgb: bool) -> int:
    """The channel count a scan of this kind keeps: 3 for colour, 1 for grey."""
    return 3 if is_rgb else 1


def _channel_planes(plane: np.ndarray, is_rgb: bool, channels: int) -> list[np.ndarray]:
    """The 2D planes of the model input before scaling, ``channels`` of them."""
    if channels == 3 and is_rgb:
        return [plane[..., c].astype(np.float32, copy=False) for c in range(3)]
    grey = _to_grey(plane, is_rgb)
    return [grey] * channels


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


def model_input(image: ScanImage, size: int = 64, channels: int | None = None) -> np.ndarray:
    """float32 ``(channels, size, size)`` in [0, 1] for the models (see module docs).

    ``channels`` None keeps the scan's own kind (3 for colour, 1 for grey); 1 or 3 converts.
    """
    if size < 1:
        raise ValueError("size must be positive")
    count = input_channels(image.is_rgb) if channels is None else channels
    if count not in (1, 3):
        raise ValueError("channels must be 1 or 3")
    planes = _channel_planes(central_slice(image), image.is_rgb, count)
    if count == 1:
        scaled = [robust_scale(planes[0])]
    else:  # one range for the three channels: scaling them apart would shift the hue
        joint = robust_scale(np.concatenate(planes, axis=1))
        cols = planes[0].shape[1]
        scaled = [joint[:, c * cols:(c + 1) * cols] for c in range(3)]
    out = np.stack([resize(_pad_square(np.ascontiguousarray(p)), size) for p in scaled])
    np.clip(out, 0.0, 1.0, out=out)
    return out
