"""Readers that turn files into items and items into pixels.

``discover`` finds items from headers (DICOM files and series, NIfTI, PNG/JPEG/TIFF,
MedMNIST .npz); ``verify`` / ``read_pixels`` decode them; ``model_input`` and
``ModelInputCache`` prepare and keep what the models see. This package imports no torch, no
Qt and no other alstudio layer except ``alstudio.jobs`` and ``alstudio.errors``.
"""

from alstudio.datasets.discovery import discover
from alstudio.datasets.input_cache import ModelInputCache
from alstudio.datasets.model_inputs import model_input
from alstudio.datasets.pixels import read_pixels, verify
from alstudio.datasets.records import ScanImage, ScanRecord, ScanSource, SkippedFile
from alstudio.datasets.windowing import apply_window, window_presets

__all__ = [
    "ModelInputCache",
    "ScanImage",
    "ScanRecord",
    "ScanSource",
    "SkippedFile",
    "apply_window",
    "discover",
    "model_input",
    "read_pixels",
    "verify",
    "window_presets",
]
