"""The plain values that discovery and the pixel readers hand to the rest of the app.

They are deliberately dumb, immutable records (except :class:`ScanImage`, which carries a
large array): the project layer stores :class:`ScanRecord` and :class:`ScanSource` as rows,
so everything in them is a string, a number or a tuple of those, and nothing in them can
identify a patient (see :data:`alstudio.datasets.dicom.METADATA_TAGS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Kinds of :class:`ScanSource`. One item is always one kind.
KIND_DICOM = "dicom"  # one DICOM file: a 2D image or a multi-frame volume
KIND_DICOM_SERIES = "dicom-series"  # several single-frame files stacked into a volume
KIND_NIFTI = "nifti"
KIND_RASTER = "raster"  # PNG / JPEG / TIFF through Pillow
KIND_NPZ = "npz"  # one image of a MedMNIST-style .npz archive

KINDS = (KIND_DICOM, KIND_DICOM_SERIES, KIND_NIFTI, KIND_RASTER, KIND_NPZ)

#: The most values (voxels x samples) one scan may claim: 2**30, 4 GiB as float32. A header
#: that claims more is refused before anything is allocated (a forged header asks for 100 GB).
MAX_VOXELS = 1 << 30


def too_large_reason(dims: tuple[int, ...]) -> str | None:
    """Why a scan claiming ``dims`` is refused before decoding, or None when it may be read."""
    count = 1
    for dim in dims:
        count *= max(int(dim), 1)
    if count <= MAX_VOXELS:
        return None
    shown = " x ".join(str(int(d)) for d in dims)
    return (f"too large: its header claims {shown} values (limit {MAX_VOXELS:,}); "
            "save a smaller copy or a crop")


#: The reason given for a file that no reader claims.
NOT_A_SCAN = "not a recognised scan format (DICOM, NIfTI, PNG/JPEG/TIFF, .npz)"


@dataclass(frozen=True)
class ScanSource:
    """Everything needed to read an item's pixels again later, and nothing else.

    ``files`` are absolute paths; for a ``dicom-series`` they are in slice order, so the
    reader never has to parse the headers again to order them. ``member`` names the image
    inside an archive (``"train:12"`` = index 12 of ``train_images`` in an .npz).
    """

    kind: str
    files: tuple[str, ...]
    member: str | None = None

    @property
    def path(self) -> str:
        """The first (usually only) file: what error messages name."""
        return self.files[0]


@dataclass(frozen=True)
class ScanRecord:
    """One item found by :func:`alstudio.datasets.discover`, from headers only.

    ``shape`` is ``(rows, cols)`` for a 2D image, ``(slices, rows, cols)`` for a volume,
    with a trailing ``3`` for colour (``(rows, cols, 3)`` or ``(frames, rows, cols, 3)``).
    ``spacing`` is in millimetres in the same order as ``shape`` without the colour axis, or
    ``None`` when the file does not say. ``content_hash`` is stable across runs and machines
    so that the project can spot the same scan imported twice.
    """

    source: ScanSource
    content_hash: str
    modality: str | None
    shape: tuple[int, ...]
    spacing: tuple[float, ...] | None
    series_uid: str | None
    metadata: dict[str, str | int | float] = field(default_factory=dict)
    reference_label: int | None = None
    split_hint: str | None = None


@dataclass(frozen=True)
class SkippedFile:
    """A file discovery looked at and did not turn into an item; ``reason`` is one line."""

    path: str
    reason: str


@dataclass
class ScanImage:
    """Decoded pixels in display units, ready for the viewer and for :func:`model_input`.

    ``array`` is float32: ``(rows, cols)``, ``(slices, rows, cols)``, ``(rows, cols, 3)`` or
    ``(frames, rows, cols, 3)``. Grey values are in the scanner's units after the modality
    LUT (Hounsfield units for CT); colour values are scaled to 0..255. ``window`` is the
    default ``(centre, width)``; ``presets`` are named windows (the file's own ones first,
    then the modality's and the data-driven "auto" / "full range"). Volumes are in the one
    display orientation of :mod:`alstudio.datasets.orientation`.
    """

    array: np.ndarray
    spacing: tuple[float, ...] | None
    window: tuple[float, float]
    modality: str | None
    is_rgb: bool
    presets: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: Per displayed axis (slices, rows, columns), the patient direction increasing indices
    #: point to ("S", "P", "L", or two letters when oblique); "" where unknown.
    axes: tuple[str, str, str] = ("", "", "")
    #: Geometry a reader must be told about (a slice gap, gantry tilt), one line each.
    warnings: tuple[str, ...] = ()

    @property
    def is_volume(self) -> bool:
        """True when the first axis is slices (or frames)."""
        return self.array.ndim - (1 if self.is_rgb else 0) == 3
