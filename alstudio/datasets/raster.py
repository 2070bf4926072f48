"""PNG, JPEG and TIFF images through Pillow: exports, screenshots, scanned films, datasets.

Greyscale stays greyscale at its full depth (16-bit PNG/TIFF values are kept as numbers,
not squashed to 8 bits); colour becomes RGB (alpha dropped, palettes expanded, a palette
whose entries are all grey becomes greyscale). EXIF orientation is applied, as a photo
viewer would. A multi-page TIFF is read as its first page (the page count is recorded).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from alstudio.datasets._common import captured_warnings, one_line, sha256_file
from alstudio.datasets._image import IDENTITY_WINDOW_8BIT, build_image
from alstudio.datasets.records import KIND_RASTER, ScanImage, ScanRecord, ScanSource, SkippedFile

RASTER_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
NOT_RASTER = "cannot decode: not a valid PNG/JPEG/TIFF file"
#: Nothing in a PNG/JPEG/TIFF says what acquired it: the modality is left unknown so that
#: the importer can fill in the one the user names (ultrasound, radiograph, microscopy ...).
RASTER_MODALITY: str | None = None

_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"II+\x00",
          b"MM\x00+")
_GREY_MODES = {"1", "L", "LA", "La", "I", "F"}
_SWAPPING_EXIF = {5, 6, 7, 8}  # EXIF orientations that rotate by 90 degrees


def is_raster_magic(head: bytes) -> bool:
    """True when the first bytes are a PNG, JPEG or (Big)TIFF signature."""
    return head.startswith(_MAGIC)


def _grey_palette(image: Image.Image) -> bool:
    palette = image.getpalette() or []
    triples = [tuple(palette[i:i + 3]) for i in range(0, len(palette) - 2, 3)]
    return bool(triples) and all(r == g == b for r, g, b in triples)


def _is_grey(image: Image.Image) -> bool:
    if image.mode in ("P", "PA"):
        return _grey_palette(image)
    return image.mode in _GREY_MODES or image.mode.startswith("I;16")


def _bits(image: Image.Image) -> int:
    if image.mode.startswith("I;16"):
        return 16
    return {"1": 1, "I": 32, "F": 32}.get(image.mode, 8)


def discover_raster(path: str) -> ScanRecord | SkippedFile:
    """Record of a PNG/JPEG/TIFF from its header; Pillow's ``verify`` checks the data."""
    try:
        with captured_warnings():
            with Image.open(path) as image:  # verify() must come first, on a fresh open
                image.verify()
            with Image.open(path) as image:
                width, height = image.size
                grey = _is_grey(image)
                fmt = image.format or "?"
                mode = image.mode
                bits = _bits(image)
                pages = int(getattr(image, "n_frames", 1) or 1)
                exif_orientation = image.getexif().get(0x0112) if fmt != "PNG" else None
    except UnidentifiedImageError:
        return SkippedFile(path, "cannot decode: not a readable PNG/JPEG/TIFF image")
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError ...
        return SkippedFile(path, f"cannot decode: {one_line(exc)}")
    if exif_orientation in _SWAPPING_EXIF:
        width, height = height, width
    shape = (height, width) if grey else (height, width, 3)
    metadata: dict[str, str | int | float] = {"format": fmt, "mode": mode, "bits": bits}
    if pages > 1:
        metadata["pages"] = pages
    return ScanRecord(
        source=ScanSource(KIND_RASTER, (path,)),
        content_hash=sha256_file(path),
        modality=RASTER_MODALITY,
        shape=shape,
        spacing=None,
        series_uid=None,
        metadata=metadata,
    )


def read_raster(path: str) -> ScanImage:
    """Pixels of a PNG/JPEG/TIFF: float32 grey at full depth, or RGB in 0..255."""
    with captured_warnings(), Image.open(path) as opened:
        opened.load()
        image = ImageOps.exif_transpose(opened) or opened
        grey = _is_grey(image)
        if image.mode in ("P", "PA"):
            array = np.asarray(image.convert("RGB"))
            array = array[..., 0] if grey else array
        elif image.mode.startswith("I;16") or image.mode in ("I", "F"):
            array = np.asarray(image)
        elif grey:
            array = np.asarray(image.convert("L"))
        else:
            array = np.asarray(image.convert("RGB"))
    eight_bit = array.dtype == np.uint8
    default = IDENTITY_WINDOW_8BIT if eight_bit else None
    return build_image(array, spacing=None, modality=RASTER_MODALITY, is_rgb=not grey,
                       default=default)
