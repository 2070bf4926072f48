"""Window/level: named presets per modality and a fast float-to-uint8 mapping for display.

The viewer calls :func:`apply_window` on every slice change and every drag of the mouse, so
it is plain vectorised numpy with in-place operations and no Python loop per pixel.
The mapping follows DICOM PS3.3 C.11.2.1.2 (the "LINEAR" VOI LUT function), so a window
read from a file shows the image the way the scanner's console did.
"""

from __future__ import annotations

import numpy as np

from alstudio.datasets.records import ScanImage

#: Classic CT windows, (centre, width) in Hounsfield units.
CT_PRESETS: dict[str, tuple[float, float]] = {
    "brain": (40.0, 80.0),
    "subdural": (75.0, 215.0),
    "lung": (-600.0, 1500.0),
    "mediastinum": (50.0, 350.0),
    "bone": (400.0, 1800.0),
    "abdomen": (40.0, 400.0),
    "liver": (60.0, 160.0),
}

#: Percentiles used by the data-driven "auto" window (robust to a few hot pixels).
AUTO_PERCENTILES = (0.5, 99.5)

_SAMPLE = 1 << 20  # at most ~1M values go into a percentile: a 500-slice CT needs no more


def sample_values(array: np.ndarray) -> np.ndarray:
    """A strided, finite sample of ``array`` for percentile estimates on huge volumes."""
    flat = array.reshape(-1)
    if flat.size > _SAMPLE:
        flat = flat[:: flat.size // _SAMPLE + 1]
    if flat.dtype.kind == "f":
        flat = flat[np.isfinite(flat)]
    return flat


def _as_window(low: float, high: float) -> tuple[float, float]:
    return ((float(low) + float(high)) / 2.0, max(float(high) - float(low), 1.0))


def percentile_window(array: np.ndarray, low: float = AUTO_PERCENTILES[0],
                      high: float = AUTO_PERCENTILES[1]) -> tuple[float, float]:
    """``(centre, width)`` spanning the ``low``..``high`` percentiles of the values."""
    sample = sample_values(array)
    if sample.size == 0:
        return (0.0, 1.0)
    lo, hi = np.percentile(sample, [low, high])
    if hi <= lo:  # flat image (or almost): fall back to the full range
        lo, hi = float(sample.min()), float(sample.max())
    return _as_window(float(lo), float(hi))


def full_range_window(array: np.ndarray) -> tuple[float, float]:
    """``(centre, width)`` spanning the minimum to the maximum value."""
    sample = array.reshape(-1)
    if sample.dtype.kind == "f":
        sample = sample[np.isfinite(sample)]
    if sample.size == 0:
        return (0.0, 1.0)
    return _as_window(float(sample.min()), float(sample.max()))


def window_presets(modality: str | None,
                   array: np.ndarray | None = None) -> dict[str, tuple[float, float]]:
    """Named ``(centre, width)`` windows suited to ``modality``.

    CT gets the classic fixed windows in Hounsfield units. Every modality (CT included) also
    gets "auto" (0.5-99.5 percentiles) and "full range" when ``array`` is given, because MR,
    ultrasound and radiographs have no absolute scale and only the data can say.
    """
    presets: dict[str, tuple[float, float]] = {}
    if (modality or "").upper() == "CT":
        presets.update(CT_PRESETS)
    if array is not None and array.size:
        presets["auto"] = percentile_window(array)
        presets["full range"] = full_range_window(array)
    return presets


def apply_window(array: np.ndarray, centre: float, width: float,
                 invert: bool = False) -> np.ndarray:
    """Map values to uint8 display grey levels through a linear window.

    Values at or below ``centre - width/2`` become 0 and at or above ``centre + width/2``
    become 255 (DICOM's exact formula, with its half-unit offsets). ``invert`` flips the
    result, for users who want to read a radiograph "black bone". Works on any shape,
    colour arrays included (each channel is mapped the same way).
    """
    width = float(width)
    centre = float(centre)
    if width <= 1.0:  # DICOM: a width of 1 is a threshold at centre - 0.5
        out = np.where(np.asarray(array) > centre - 0.5, 255, 0).astype(np.uint8)
        return 255 - out if invert else out
    scale = 255.0 / (width - 1.0)
    offset = (centre - 0.5) - (width - 1.0) / 2.0  # value that maps to 0
    out = np.subtract(array, offset, dtype=np.float32)
    out *= scale
    np.clip(out, 0.0, 255.0, out=out)
    out += 0.5  # round to nearest on the cast below
    grey: np.ndarray = out.astype(np.uint8)
    if invert:
        np.subtract(np.uint8(255), grey, out=grey)
    return np.asarray(grey)


# -- named presets of one scan --------------------------------------------------------------
# The list is, in order: the file's own windows (what the scanner's console showed), the
# modality's classic ones (CT brain, lung, bone, ...), then two computed from the data,
# "Auto (percentiles)" and "Full range", because MR, ultrasound and radiographs have no
# absolute scale. The computed ones are evaluated only when chosen: a percentile over a large
# volume costs tens of milliseconds, which the next-image path must not pay.

AUTO = "auto"
FULL_RANGE = "full range"
DEFAULT = "default"
_LABELS = {AUTO: "Auto (percentiles)", FULL_RANGE: "Full range", DEFAULT: "File default"}


def preset_label(name: str) -> str:
    """What the menu shows for a canonical preset name."""
    return _LABELS.get(name, name[:1].upper() + name[1:])


def preset_names(image: ScanImage | None) -> list[str]:
    """Canonical names in menu order (without the file default, which is always there)."""
    if image is None:
        return []
    names = list(image.presets)
    for name in [*window_presets(image.modality), AUTO, FULL_RANGE]:
        if name not in names:
            names.append(name)
    return names


def resolve_name(image: ScanImage | None, text: str) -> str | None:
    """The canonical name for ``text``, matched case-insensitively against names and labels."""
    wanted = text.strip().casefold()
    for name in [DEFAULT, *preset_names(image)]:
        if wanted in (name.casefold(), preset_label(name).casefold()):
            return name
    return None


def preset_value(image: ScanImage, name: str,
                 computed: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    """``(centre, width)`` of a canonical preset; ``computed`` caches the data-driven ones."""
    if name == DEFAULT:
        return image.window
    if name in image.presets:
        return image.presets[name]
    fixed = window_presets(image.modality)
    if name in fixed:
        return fixed[name]
    if name in (AUTO, FULL_RANGE):
        if not computed:
            computed.update(window_presets(image.modality, image.array))
        return computed.get(name)
    return None
