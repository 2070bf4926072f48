"""Siemens mosaics: a whole volume stored as one 2D image of tiles.

Siemens MR scanners store EPI volumes (diffusion, BOLD, perfusion) with ImageType ``MOSAIC``:
the slices of one volume are tiles of a square grid in a single frame, row by row. Shown as
stored, a radiologist sees a contact sheet of thumbnails, and the model sees the same. So a
mosaic becomes what it is: a volume of ``NumberOfImagesInMosaic`` slices.

The tile count comes from the private tag (0019,100A) when the scanner wrote it, else from
the CSA image header (read with nibabel's reader, which never executes anything), else from
the protocol text (ASCCONV) of the CSA *series* header, ``sSliceArray.lSize``; anonymisers
and some exporters drop the first two. Tiles are stored in the order of the slice normal of
the protocol (the CSA image header's ``SliceNormalVector``, else ASCCONV's
``sSliceArray.asSlice[0].sNormal``); when it points against the normal of
ImageOrientationPatient the slices are reversed, so that every volume in the project runs
along the same normal as classic series do (see :mod:`.geometry`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

import numpy as np
from pydicom.dataset import Dataset
from pydicom.tag import Tag

from alstudio.datasets._common import captured_warnings
from alstudio.datasets.dicom.geometry import slice_normal

_SIEMENS_TILES = Tag(0x0019, 0x100A)  # NumberOfImagesInMosaic (private, US)
#: A CSA header as nibabel's reader returns it: tag names to their items.
CsaHeader = dict[str, Any]


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


def _csa_image_header(ds: Dataset) -> CsaHeader | None:
    try:
        with captured_warnings():
            header: CsaHeader | None = _csareader().get_csa_header(ds, "image")
            return header
    except Exception:  # a damaged or foreign CSA blob: treat as absent
        return None


_ASCCONV_SIZE = re.compile(rb"^\s*sSliceArray\.lSize\s*=\s*(\d+)", re.MULTILINE)
_ASCCONV_NORMAL = re.compile(
    rb"^\s*sSliceArray\.asSlice\[0\]\.sNormal\.d(Sag|Cor|Tra)\s*=\s*([-+0-9.eE]+)",
    re.MULTILINE)


def _ascconv(ds: Dataset) -> bytes | None:
    """The raw CSA series header (where the ASCCONV protocol text lives), or ``None``.

    Found by its private creator ("SIEMENS CSA HEADER", element xx20 of group 0029) and
    searched as bytes: no CSA parsing is needed to read two protocol lines.
    """
    for element in ds.group_dataset(0x0029):
        if element.tag.element >= 0x1000 or not str(element.value).startswith("SIEMENS CSA"):
            continue
        block = element.tag.element << 8
        tag = Tag(0x0029, block | 0x20)
        if tag in ds:
            value = ds[tag].value
            return bytes(value) if isinstance(value, (bytes, bytearray)) else None
    return None


def _ascconv_tiles(ds: Dataset) -> int | None:
    text = _ascconv(ds)
    match = _ASCCONV_SIZE.search(text) if text else None
    return int(match.group(1)) if match else None


def _ascconv_normal(ds: Dataset) -> np.ndarray | None:
    text = _ascconv(ds)
    if not text:
        return None
    found = {m.group(1).decode(): float(m.group(2)) for m in _ASCCONV_NORMAL.finditer(text)}
    if not found:
        return None
    return np.array([found.get("Sag", 0.0), found.get("Cor", 0.0), found.get("Tra", 0.0)])


def _tile_count(ds: Dataset, csa: CsaHeader | None) -> int | None:
    if _SIEMENS_TILES in ds:
        try:
            return int(ds[_SIEMENS_TILES].value)
        except (TypeError, ValueError):
            pass
    if csa is not None:
        try:
            return int(_csareader().get_n_mosaic(csa))
        except Exception:
            pass
    return _ascconv_tiles(ds)


def _against_normal(ds: Dataset, csa: CsaHeader | None) -> bool:
    """True when the protocol's slice normal points against ImageOrientationPatient's."""
    csa_normal = None
    try:
        if csa is not None:
            csa_normal = _csareader().get_slice_normal(csa)
        if csa_normal is None:
            csa_normal = _ascconv_normal(ds)
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
