"""Decoder parity and a quiet terminal, over every DICOM file of the real test data.

Every file that ``pydicom.dcmread(f).pixel_array`` decodes (with the installed plugins,
GDCM among them) must import; every file that does not gets a printable one-line reason, never
a Python error text; and nothing of the libraries' chatter reaches the terminal.
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import pydicom
import pytest

from alstudio.datasets import ScanRecord, SkippedFile, discover, verify
from alstudio.datasets._common import is_internal, one_line, printable
from alstudio.datasets.library_logs import TARGET
from alstudio.errors import ScanReadError


def _dicom_files(folders: list[Path]) -> list[Path]:
    out = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                with open(path, "rb") as handle:
                    head = handle.read(132)
                if head[128:132] == b"DICM" or path.suffix.lower() == ".dcm":
                    out.append(path)
    return out


def _pydicom_decodes(path: Path) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pydicom.dcmread(path).pixel_array  # noqa: B018 - decoding is the test
        except Exception:
            return False
    return True


def test_every_file_pydicom_decodes_imports(pydicom_test_files: Path, shared_data: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    folders = [pydicom_test_files, *sorted(shared_data.glob("dicom_*"))]
    files = _dicom_files(folders)
    caplog.set_level(logging.CRITICAL)  # pydicom logs each failed plugin; not under test here
    decodable = {str(p) for p in files if _pydicom_decodes(p)}
    assert len(decodable) > 150
    imported: set[str] = set()
    reasons: dict[str, str] = {}
    for found in discover(folders):
        if isinstance(found, SkippedFile):
            reasons[found.path] = found.reason
            continue
        try:
            verify(found.source)
        except ScanReadError as exc:
            reasons.update((f, exc.reason) for f in found.source.files)
            continue
        imported.update(found.source.files)
    refused = {p: reasons.get(p) for p in decodable - imported}
    assert not refused
    for reason in reasons.values():
        assert reason == printable(reason) and len(reason) <= 160
        assert not is_internal(reason), reason


def test_library_chatter_goes_to_the_log_not_the_terminal(
        pydicom_test_files: Path, capfd: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    # the CLI's console handler, as logging.basicConfig installs it
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    logging.getLogger().addHandler(console)
    caplog.set_level(logging.INFO)
    try:
        names = ["JPEG2000-embedded-sequence-delimiter.dcm", "JPEG-lossy.dcm", "badVR.dcm"]
        for found in discover([pydicom_test_files / n for n in names]):
            if isinstance(found, ScanRecord):
                with pytest.raises(ScanReadError):
                    verify(found.source)
    finally:
        logging.getLogger().removeHandler(console)
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # not pydicom's plugin errors, not OpenJPEG's C output
    routed = [r for r in caplog.records if r.name == TARGET or r.name.startswith("alstudio")]
    assert any("pydicom" in r.getMessage() for r in routed)
    assert any(r.exc_info for r in caplog.records if r.name.startswith("alstudio"))


def test_reasons_are_printable_and_short() -> None:
    raw = "no pixel data (1.2.840.10008.5.1.4.1.1.7\x00\x08\x00\x16\x00UI)"
    assert printable(raw) == "no pixel data (1.2.840.10008.5.1.4.1.1.7…"
    assert len(one_line("x" * 1000)) == 160
    plugins = RuntimeError("Unable to decode as exceptions were raised by all available "
                           "plugins:\n  gdcm: 'NoneType' object is not subscriptable\n"
                           "  pylibjpeg: Error decoding the J2K data: failed to read the header")
    assert one_line(plugins) == "pylibjpeg: Error decoding the J2K data: failed to read the header"
    assert "NoneType" not in one_line(TypeError("'NoneType' object is not subscriptable"))


@pytest.mark.parametrize("name", ["5.dcm", "7.dcm", "9.dcm"])  # JPEG lossless, JPEG-LS, J2K
def test_gdcm_is_installed_as_a_further_decoder(shared_data: Path, name: str) -> None:
    from pydicom.pixels import pixel_array

    folder = shared_data / "dicom_transfer_syntaxes" / "In"
    by_gdcm = pixel_array(folder / name, decoding_plugin="gdcm")
    assert (by_gdcm == pydicom.dcmread(folder / "1.dcm").pixel_array).all()
