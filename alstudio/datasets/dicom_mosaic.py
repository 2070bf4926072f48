"""Siemens mosaics: a whole volume stored as one 2D image of tiles.

Siemens MR scanners store EPI volumes (diffusion, BOLD, perfusion) with ImageType ``MOSAIC``:
the slices of one volume are tiles of a square grid in a single frame, row by row. Shown as
stored, a radiologist sees a contact sheet of thumbnails, and the model sees the same. So a
mosaic becomes what it is: a volume of ``NumberOfImagesInMosaic`` slices.

The tile count comes from the private tag (0019,100A) when the scanner wrote it, else from
the CSA image header (read with nibabel's reader, which never executes anything). Tiles are
stored in the order of the CSA ``SliceNormalVector``; when that vector points against the
normal of ImageOrientationPatient the slices are reversed, so that every volume in the project
runs along the same normal as classic series do (see :mod:`dicom_geometry`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

import numpy as np
from pydicom.dataset import Dataset
from pydicom.tag import Tag

from alstudio.datasets._common import captured_warnings
from alstudio.datasets.dicom_geometry import slice_normal

_SIEMENS_TILES = Tag(0x0019, 0x100A)  # NumberOfImagesInMosaic (private, US)


@dataclass(frozen=True)
class Mosaic:
    """How one mosaic frame splits: ``tiles`` slices of ``rows`` x ``cols`` on a grid."""

    tiles: int
    grid: int
    rows: int
    cols: int
    reversed: bool

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.tiles, self.rows, self.cols)


def _is_mosaic_type(ds: Dataset) -> bool:
    image_type = ds.get("ImageType") or []
    values = [image_type] if isinstance(image_type, str) else list(image_type)
    return any(str(v).strip().upper() == "MOSAIC" for v in values)


@cache
def _csareader() -> ModuleType:
    """nibabel's CSA parser (its package warns on import that it is experimental: muted)."""
    with captured_warnings():
        from nibabel.nicom import csareader
    return csareader


def _csa_image_header(ds: Dataset) -> dict[str, Any] | None:
    try:
        with captured_warnings():
            header: dict[str, Any] | None = _csareader().get_csa_header(ds, "image")
            return header
    except Exception:  # a damaged or foreign CSA blob: treat as absent
        return None


def _tile_count(ds: Dataset, csa: dict[str, Any] | None) -> int | None:
    if _SIEMENS_TILES in ds:
        try:
            return int(ds[_SIEMENS_TILES].value)
        except (TypeError, ValueError):
            pass
    if csa is not None:
        try:
            return int(_csareader().get_n_mosaic(csa))
        except Exception:
            return None
    return None


def _against_normal(ds: Dataset, csa: dict[str, Any] | None) -> bool:
    """True when the CSA slice normal points against ImageOrientationPatient's normal."""
    if csa is None:
        return False
    try:
        csa_normal = _csareader().get_slice_normal(csa)
        orientation = [float(v) for v in ds.ImageOrientationPatient]
    except Exception:
        return False
    if csa_normal is None or len(orientation) != 6:
        return False
    return float(np.dot(np.asarray(csa_normal, dtype=float), slice_normal(orientation))) < 0


def mosaic_layout(ds: Dataset) -> Mosaic | None:
    """The tile layout of a single-frame Siemens mosaic, or ``None`` for any other image."""
    if not _is_mosaic_type(ds):
        return None
    frames = ds.get("NumberOfFrames")
    if frames not in (None, "") and int(frames) > 1:
        return None
    if int(ds.get("SamplesPerPixel") or 1) != 1:
        return None
    csa = _csa_image_header(ds)
    tiles = _tile_count(ds, csa)
    if not tiles or tiles < 2:
        return None
    grid = math.ceil(math.sqrt(tiles))
    rows, cols = int(ds.Rows), int(ds.Columns)
    if rows % grid or cols % grid:
        return None  # not a grid of whole tiles: leave the image as stored
    return Mosaic(tiles, grid, rows // grid, cols // grid, _against_normal(ds, csa))


def split_mosaic(image: np.ndarray, layout: Mosaic) -> np.ndarray:
    """(rows, cols) mosaic -> (tiles, tile rows, tile cols) volume, slices along the normal."""
    g, r, c = layout.grid, layout.rows, layout.cols
    tiles = image.reshape(g, r, g, c).transpose(0, 2, 1, 3).reshape(g * g, r, c)
    volume = tiles[: layout.tiles]
    if layout.reversed:
        volume = volume[::-1]
    return np.ascontiguousarray(volume)
