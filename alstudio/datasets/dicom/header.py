"""Index one DICOM file from its header: is it an image, where is it, what is it.

Speed matters here (an import can see tens of thousands of files), so each file is read
from disk once: the bytes are hashed and parsed from memory. Parsing the whole file (pixel
data included, which is only copied, never decoded) costs about the same as stopping before
the pixels, and lets us catch truncated pixel data and unsupported compression up front.
Decoding failures that only the decoder can see are left to :func:`alstudio.datasets.verify`.

Privacy: only the tags in :data:`METADATA_TAGS` ever leave this module, an allow-list of
acquisition facts. Names, IDs, dates, institutions and free-text comments never do.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from functools import lru_cache

from pydicom import dcmread
from pydicom.datadict import dictionary_has_tag, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels.decoders.base import get_decoder
from pydicom.pixels.utils import get_expected_length
from pydicom.tag import BaseTag, Tag
from pydicom.uid import UID

from alstudio.datasets._common import captured_warnings, one_line, printable, sha256_bytes
from alstudio.datasets.dicom import tags
from alstudio.datasets.dicom.frames import FrameVolume, split_frames
from alstudio.datasets.dicom.geometry import StackOrder, plane_label
from alstudio.datasets.dicom.mosaic import Mosaic, mosaic_layout
from alstudio.datasets.records import SkippedFile, too_large_reason

logger = logging.getLogger(__name__)

#: The only top-level tags copied into ScanRecord.metadata: acquisition facts, no identity.
METADATA_TAGS: tuple[str, ...] = (
    "SOPClassUID", "ImageType", "SeriesDescription", "BodyPartExamined", "Laterality",
    "ViewPosition", "PatientPosition", "Manufacturer", "ManufacturerModelName",
    "MagneticFieldStrength", "ScanningSequence", "RepetitionTime", "EchoTime",
    "KVP", "ConvolutionKernel", "SliceThickness", "SpacingBetweenSlices",
    "PhotometricInterpretation", "SamplesPerPixel", "BitsAllocated", "BitsStored",
    "PixelRepresentation", "RescaleSlope", "RescaleIntercept", "RescaleType",
)

#: Tags that may separate volumes acquired at the same slice positions, tried in this order.
VOLUME_TAGS: tuple[str, ...] = (
    "EchoNumbers", "TemporalPositionIdentifier", "DiffusionBValue",
    "DiffusionGradientOrientation", "ImageType", "AcquisitionNumber", "TriggerTime",
)


def _keyword_tags(keywords: tuple[str, ...]) -> tuple[tuple[str, BaseTag], ...]:
    """(keyword, tag) pairs, looked up once: the hot loops test tags, not keywords."""
    out = []
    for keyword in keywords:
        number = tag_for_keyword(keyword)
        if number is None:
            raise ValueError(f"not a DICOM keyword: {keyword}")
        out.append((keyword, Tag(number)))
    return tuple(out)


_VOLUME_KEYS = _keyword_tags(VOLUME_TAGS)

_PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")
_DIRECTORY_SOP = "1.2.840.10008.1.3.10"
_ITEM_TAG = b"\xfe\xff\x00\xe0"  # first bytes of encapsulated (compressed) pixel data
_BARE_GROUPS = {0x0002, 0x0008}  # a DICOM stream without preamble starts with these


@dataclass
class DicomHeader:
    """What discovery needs from one image file to group, order and describe it."""

    path: str
    sha256: str
    modality: str | None
    series_uid: str | None
    rows: int
    cols: int
    frames: int
    samples: int
    photometric: str
    position: tuple[float, ...] | None
    orientation: tuple[float, ...] | None
    pixel_spacing: tuple[float, float] | None
    slice_spacing: float | None  # multi-frame: measured between frames, else as stated
    slice_spacing_irregular: bool
    instance_number: int | None
    slice_location: float | None
    metadata: dict[str, str | int | float] = field(default_factory=dict)
    mosaic: Mosaic | None = None  # a Siemens mosaic: one frame holding a volume's slices
    #: Tags that tell apart volumes sharing slice positions in one series (echo, time point,
    #: diffusion weighting...), as text; see :mod:`.series`.
    volume_tags: dict[str, str] = field(default_factory=dict)
    #: Multi-frame: the frames' spatial order when they form one stack...
    frame_order: StackOrder | None = None
    #: ...or the volumes they hold when they repeat positions (see :mod:`.frames`).
    frame_volumes: tuple[FrameVolume, ...] = ()

    @property
    def is_rgb(self) -> bool:
        """Colour after decoding: three samples, or a palette expanded to RGB."""
        return self.samples == 3 or self.photometric == "PALETTE COLOR"

    @property
    def stackable(self) -> bool:
        """A single-frame image that could be one slice of a classic series (grey or colour)."""
        return self.frames == 1 and self.mosaic is None


def looks_like_dicom(head: bytes) -> bool:
    """Cheap test on the first bytes: DICM preamble, or a bare stream of group 0002/0008."""
    if head[128:132] == b"DICM":
        return True
    if len(head) < 8:
        return False
    little = int.from_bytes(head[0:2], "little")
    big = int.from_bytes(head[0:2], "big")
    return little in _BARE_GROUPS or big in _BARE_GROUPS


@lru_cache(maxsize=64)
def _decoder_problem(ts_uid: str) -> str | None:
    """``None`` when pydicom can decode ``ts_uid`` here, else the skip reason."""
    uid = UID(ts_uid)
    try:
        decoder = get_decoder(uid)
    except NotImplementedError:
        return f"unsupported compression: {uid.name}"
    if not decoder.is_available:
        return f"unsupported compression: {uid.name} (no decoder plugin installed)"
    return None


def _no_pixels_reason(ds: Dataset) -> str:
    sop = str(ds.get("SOPClassUID") or getattr(ds.get("file_meta"), "MediaStorageSOPClassUID",
                                                "") or "")
    if sop == _DIRECTORY_SOP or "DirectoryRecordSequence" in ds:
        return "no pixel data (a DICOMDIR)"
    if sop:
        return f"no pixel data ({printable(UID(sop).name, 80)})"
    return "no pixel data"


def _plausible(ds: Dataset) -> bool:
    """Sanity check for files read with ``force=True``: real tags, and image-ish ones."""
    known = sum(1 for elem in ds if dictionary_has_tag(elem.tag))
    has_identity = any(k in ds for k in ("SOPClassUID", "Modality", "Rows"))
    return known >= 3 and has_identity


_METADATA_KEYS = _keyword_tags(METADATA_TAGS)


def _metadata(ds: Dataset) -> dict[str, str | int | float]:
    """Allow-listed tags as plain str/int/float (DS/IS values stay numbers).

    Looked up by tag number with a membership test first: most tags are absent from any
    given file, and this is the hottest loop of indexing after pydicom's own parser.
    """
    out: dict[str, str | int | float] = {}
    for keyword, tag in _METADATA_KEYS:
        if tag not in ds:
            continue
        value = ds[tag].value
        if value is None or value == "":
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
            out[keyword] = int(number) if number.is_integer() else number
        else:
            out[keyword] = tags.text(value)
    return out


def _transfer_syntax(ds: Dataset) -> str | None:
    meta = ds.get("file_meta")
    uid = meta.get("TransferSyntaxUID") if meta is not None else None
    return str(uid) if uid else None


def read_dataset(data: bytes, has_preamble: bool) -> Dataset:
    """Parse DICOM bytes, tolerating a missing preamble (``force``) and warnings."""
    with captured_warnings():
        return dcmread(io.BytesIO(data), force=not has_preamble)


def index_file(path: str, data: bytes, sha256: str | None = None) -> DicomHeader | SkippedFile:
    """Index one DICOM file already read into ``data`` (see :func:`looks_like_dicom`).

    ``sha256`` is the hash of ``data`` when the caller computed it already (on a worker
    thread, see :mod:`prefetch`).
    """
    has_preamble = data[128:132] == b"DICM"
    try:
        ds = read_dataset(data, has_preamble)
    except InvalidDicomError:
        return SkippedFile(path, "not a DICOM file")
    except Exception as exc:  # pydicom raises many types on damaged headers
        if not has_preamble:
            return SkippedFile(path, "not a DICOM file")
        return SkippedFile(path, f"cannot read DICOM header: {one_line(exc)}")
    if not has_preamble and not _plausible(ds):
        return SkippedFile(path, "not a DICOM file")
    try:
        return _describe(path, sha256 or sha256_bytes(data), ds)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        logger.info("invalid DICOM header in %s", path, exc_info=True)
        return SkippedFile(path, f"invalid DICOM header: {one_line(exc)}")


def _describe(path: str, sha256: str, ds: Dataset) -> DicomHeader | SkippedFile:
    keyword = next((k for k in _PIXEL_KEYWORDS if k in ds), None)
    if keyword is None:
        return SkippedFile(path, _no_pixels_reason(ds))
    missing = [k for k in ("Rows", "Columns", "BitsAllocated") if ds.get(k) in (None, "")]
    if missing:
        return SkippedFile(path, f"incomplete image header: no {', '.join(missing)}")
    pixel_bytes = ds[keyword].value or b""
    encapsulated = keyword == "PixelData" and bytes(pixel_bytes[:4]) == _ITEM_TAG
    ts_uid = _transfer_syntax(ds)
    if ts_uid is None and encapsulated:
        return SkippedFile(path, "compressed pixel data but no Transfer Syntax UID")
    if ts_uid is not None:
        problem = _decoder_problem(ts_uid)
        if problem:
            return SkippedFile(path, problem)
    frames = tags.number_of_frames(ds)
    huge = too_large_reason((frames, int(ds.Rows), int(ds.Columns),
                             int(ds.get("SamplesPerPixel") or 1)))
    if huge:
        return SkippedFile(path, huge)
    if not encapsulated and len(pixel_bytes) < get_expected_length(ds):
        return SkippedFile(path, "truncated pixel data")

    samples = int(ds.get("SamplesPerPixel") or 1)
    iop = tags.orientation(ds)
    slice_spacing = tags.nominal_slice_spacing(ds)
    irregular = False
    order: StackOrder | None = None
    volumes: tuple[FrameVolume, ...] = ()
    if frames > 1:
        order = tags.multiframe_order(ds, frames)
        if order is not None and order.spacing is not None:
            slice_spacing, irregular = order.spacing, order.irregular
        elif order is None and iop is not None:
            positions = tags.frame_positions(ds, frames)
            if positions is not None:
                volumes = split_frames(ds, frames, iop, positions)
    instance = ds.get("InstanceNumber")
    location = tags.first_float(ds.get("SliceLocation"))
    metadata = _metadata(ds)
    if ts_uid is not None:
        metadata["TransferSyntaxUID"] = ts_uid
    if frames > 1:
        metadata["NumberOfFrames"] = frames
    label = plane_label(iop)
    if label:
        metadata["orientation"] = label
    window = tags.windows(ds, frames // 2 if frames > 1 else None)
    if window:
        metadata["WindowCenter"], metadata["WindowWidth"] = window[0][0], window[0][1]
    mosaic = mosaic_layout(ds) if frames == 1 else None
    if mosaic is not None:
        metadata["mosaic_tiles"] = mosaic.tiles
    modality = str(ds.get("Modality") or "").strip() or None
    series_uid = str(ds.get("SeriesInstanceUID") or "").strip() or None
    return DicomHeader(
        path=path,
        sha256=sha256,
        modality=modality,
        series_uid=series_uid,
        rows=int(ds.Rows),
        cols=int(ds.Columns),
        frames=frames,
        samples=samples,
        photometric=str(ds.get("PhotometricInterpretation") or "").strip().upper(),
        position=tags.position(ds),
        orientation=iop,
        pixel_spacing=tags.pixel_spacing(ds),
        slice_spacing=slice_spacing,
        slice_spacing_irregular=irregular,
        instance_number=int(instance) if instance not in (None, "") else None,
        slice_location=location,
        metadata=metadata,
        mosaic=mosaic,
        volume_tags=_volume_tags(ds),
        frame_order=order,
        frame_volumes=volumes,
    )


def _volume_tags(ds: Dataset) -> dict[str, str]:
    out: dict[str, str] = {}
    for keyword, tag in _VOLUME_KEYS:
        if tag in ds:
            value = ds[tag].value
            if value is not None and value != "":
                out[keyword] = tags.text(value)
    return out
