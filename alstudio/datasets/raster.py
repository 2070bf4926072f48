"""PNG, JPEG and TIFF images through Pillow: exports, screenshots, scanned films, datasets.

Greyscale stays greyscale at its full depth (16-bit PNG/TIFF values are kept as numbers,
not squashed to 8 bits); colour becomes RGB (alpha dropped, palettes expanded, a palette
whose entries are all grey becomes greyscale). EXIF orientation is applied, as a photo
viewer would.

Multi-page TIFFs are read as what they hold. Pages all of one size and mode are the slices
of a stack (a z-stack, a CT exported slice by slice): one volume. Pages of different sizes
are a pyramid (whole-slide images) or a main image with thumbnails and labels: the largest
page within :data:`MAX_PIXELS` is shown, so a 100 000-pixel-wide slide opens at a level a
screen and the model can use instead of exhausting memory. An image with no page within
that limit is skipped with a reason that says what to do.
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
#: The most pixels one page may have to be read whole (8192 x 8192): 768 MB as float32 RGB.
MAX_PIXELS = 8192 * 8192
# Pillow refuses to *open* an image whose first page is huge (its decompression-bomb guard),
# which would hide a whole-slide pyramid's smaller levels. Every page's size is checked
# against MAX_PIXELS here before anything is decoded, which is the same guard, per page.
Image.MAX_IMAGE_PIXELS = None


class _TooLarge(ValueError):
    """No page of the image is small enough to read whole; the message says what to do."""


def _page_layout(image: Image.Image) -> tuple[list[int], int]:
    """(pages to read, page count): every page of a stack, or the one page to show.

    Raises :class:`_TooLarge` with the skip reason when no page is small enough.
    """
    count = int(getattr(image, "n_frames", 1) or 1)
    sizes, modes = [], []
    for index in range(count):
        image.seek(index)
        sizes.append(image.size)
        modes.append(image.mode)
    image.seek(0)
    width, height = sizes[0]
    if count > 1 and len(set(sizes)) == 1 and len(set(modes)) == 1:
        if width * height * count > MAX_PIXELS * 4:
            raise _TooLarge(f"too large to read whole: {count} pages of {width} x {height} "
                             "pixels; split the stack into smaller files")
        return list(range(count)), count
    fitting = [i for i, (w, h) in enumerate(sizes) if w * h <= MAX_PIXELS]
    if not fitting:
        raise _TooLarge(f"too large to read whole: {width} x {height} pixels (limit "
                         f"{MAX_PIXELS // 1_000_000} megapixels); save a downsampled copy or "
                         "a pyramid (tiled TIFF with reduced levels)")
    largest = max(fitting, key=lambda i: sizes[i][0] * sizes[i][1])
    return [largest], count


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
                read, pages = _page_layout(image)
                image.seek(read[0])
                width, height = image.size
                grey, mode, bits = _is_grey(image), image.mode, _bits(image)
                exif_orientation = image.getexif().get(0x0112) if fmt != "PNG" else None
    except UnidentifiedImageError:
        return SkippedFile(path, "cannot decode: not a readable PNG/JPEG/TIFF image")
    except _TooLarge as exc:
        return SkippedFile(path, str(exc))
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError ...
        return SkippedFile(path, f"cannot decode: {one_line(exc)}")
    if exif_orientation in _SWAPPING_EXIF:
        width, height = height, width
    shape: tuple[int, ...] = (height, width) if grey else (height, width, 3)
    metadata: dict[str, str | int | float] = {"format": fmt, "mode": mode, "bits": bits}
    if pages > 1:
        metadata["pages"] = pages
        if len(read) > 1:
            shape = (len(read), *shape)
        else:
            metadata["page"] = read[0]
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
    """Pixels of a PNG/JPEG/TIFF: float32 grey at full depth, or RGB in 0..255; a stack of
    equal pages as a volume (see the module notes for multi-page files)."""
    with captured_warnings(), Image.open(path) as opened:
        read, _ = _page_layout(opened)
        grey = None
        planes = []
        for index in read:
            opened.seek(index)
            plane, page_grey = _page_pixels(opened)
            grey = page_grey if grey is None else grey and page_grey
            planes.append(plane)
    array = planes[0] if len(planes) == 1 else np.stack(planes)
    eight_bit = array.dtype == np.uint8
    default = IDENTITY_WINDOW_8BIT if eight_bit else None
    return build_image(array, spacing=None, modality=RASTER_MODALITY, is_rgb=not grey,
                       default=default)


def _page_pixels(opened: Image.Image) -> tuple[np.ndarray, bool]:
    """The current page as an array, and whether it is greyscale."""
    opened.load()
    image = ImageOps.exif_transpose(opened) or opened
    grey = _is_grey(image)
    if image.mode in ("P", "PA"):
        array = np.asarray(image.convert("RGB"))
        return (array[..., 0] if grey else array), grey
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        return np.asarray(image), grey
    if grey:
        return np.asarray(image.convert("L")), grey
    return np.asarray(image.convert("RGB")), grey
