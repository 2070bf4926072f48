"""DICOM: from files to items and from items to pixels, behind one entry point.

Callers outside this package import from ``alstudio.datasets.dicom`` only; the modules
inside are its parts, each with one job:

* :mod:`.header` indexes one file from its header (is it an image, where is it, what is it);
* :mod:`.series` groups the indexed files of a folder into items (series, volumes, files);
* :mod:`.pixels` decodes an item's files into display units;
* :mod:`.tags` reads geometry, windows and rescale values wherever the file keeps them;
* :mod:`.geometry` orders slices in space (plain numbers, no files);
* :mod:`.mosaic` cuts Siemens mosaics into their slices;
* :mod:`.frames` splits enhanced multi-frame files that hold several volumes;
* :mod:`.layout` puts volumes in the one display orientation and words geometry warnings.
"""

from alstudio.datasets.library_logs import route_library_logs

route_library_logs()  # before the first file is read: pydicom logs decoder failures

from alstudio.datasets.dicom.header import (  # noqa: E402
    METADATA_TAGS,
    VOLUME_TAGS,
    DicomHeader,
    index_file,
    looks_like_dicom,
)
from alstudio.datasets.dicom.pixels import DicomDecodeError, read_file, read_series  # noqa: E402
from alstudio.datasets.dicom.series import group_folder  # noqa: E402

__all__ = [
    "METADATA_TAGS",
    "VOLUME_TAGS",
    "DicomDecodeError",
    "DicomHeader",
    "group_folder",
    "index_file",
    "looks_like_dicom",
    "read_file",
    "read_series",
]
