"""A VOI LUT in the file becomes a window preset (a linear stand-in, named as such)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from alstudio.datasets import ScanRecord, discover, read_pixels
from alstudio.datasets.dicom.tags import voi_lut_windows


def _lut_item(first: int, values: np.ndarray, explanation: str | None = None) -> Dataset:
    item = Dataset()
    item.add(DataElement(0x00283002, "SS", [len(values), first, 12]))  # LUTDescriptor
    item.add(DataElement(0x00283006, "OW", values.astype("<u2").tobytes()))  # LUTData
    if explanation:
        item.LUTExplanation = explanation
    return item


def _ct_with_lut(*items: Dataset) -> Dataset:
    path = get_testdata_file("CT_small.dcm", download=False)
    if path is None:
        pytest.skip("pydicom's bundled CT_small.dcm is not installed")
    ds = pydicom.dcmread(path)
    for keyword in ("WindowCenter", "WindowWidth", "WindowCenterWidthExplanation"):
        if keyword in ds:
            delattr(ds, keyword)
    ds.VOILUTSequence = Sequence(list(items))
    return ds


def test_a_linear_lut_gives_its_exact_window_and_becomes_the_default(tmp_path: Path) -> None:
    centre, width = 40, 400
    ramp = np.linspace(0, 4095, width)
    ds = _ct_with_lut(_lut_item(centre - width // 2, ramp, "SOFT TISSUE"))
    ((c, w, name),) = voi_lut_windows(ds)
    assert c == pytest.approx(centre, abs=1.5) and w == pytest.approx(width, abs=2)
    assert name == "SOFT TISSUE (linear approx.)"

    path = tmp_path / "ct_lut.dcm"
    ds.save_as(path)
    (record,) = [r for r in discover([path]) if isinstance(r, ScanRecord)]
    image = read_pixels(record.source)
    assert image.window == pytest.approx((c, w))
    assert "SOFT TISSUE (linear approx.)" in image.presets


def test_an_s_curve_keeps_its_centre_and_inverting_luts_are_left_out() -> None:
    x = np.arange(-500, 500)
    sigmoid = 4095 / (1 + np.exp(-(x - 100) / 50.0))
    ds = _ct_with_lut(_lut_item(-500, sigmoid), _lut_item(-500, sigmoid[::-1]))
    ((c, w, name),) = voi_lut_windows(ds)
    assert c == pytest.approx(100, abs=1.5)
    assert w == pytest.approx(2 * 50 * np.log(9) / 0.8, rel=0.02)
    assert name == "VOI LUT 1 (linear approx.)"
