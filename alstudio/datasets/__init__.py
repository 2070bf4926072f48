"""Readers that turn files into items and items into pixels.

``discover`` finds items from headers (DICOM files and series, NIfTI, PNG/JPEG/TIFF,
MedMNIST .npz); ``verify`` / ``read_pixels`` decode them; ``model_input`` and
``ModelInputCache`` prepare and keep what the models see; ``windowing`` holds the display
windows and the named presets of a scan. Readers only: jobs that write a project (the
importer, the demo builder) live in :mod:`alstudio.workflow`.

Imports: no torch, no Qt. Of alstudio, only the base (``alstudio.errors`` for
``ScanReadError``, ``alstudio.jobs`` for progress and cancel) and, in ``item_source``, the
project's :class:`~alstudio.project.Item` record, to find a stored item's files again.
Third-party: numpy, pydicom (+ pylibjpeg decoders), nibabel, Pillow.
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
