"""De-identification of DICOM datasets after DICOM PS3.15 Annex E, the Basic Application
Level Confidentiality Profile, with the Retain Longitudinal Temporal Information with
Modified Dates option.

The attribute table (which attribute is removed, emptied, replaced or has its UID replaced)
is dicom-anonymizer's copy of the standard's current table; we do not keep a list of our
own. What that library leaves to the caller, and this module does:

* **UIDs**: its replacements are random per process, so two exports of one project would
  disagree. Here a UID is replaced by ``2.25.<128 bits of HMAC-SHA256(project key, UID)>``:
  the same UID always gets the same replacement within a project (across a series and across
  exports), and the key never leaves the project file (``meta`` table), so the export alone
  cannot be mapped back.
* **Dates**: it sets dates to 00010101, which destroys intervals. Here every DA/DT value the
  table touches is shifted by one per-project offset in days (birth dates are emptied);
  times are kept.
* **Nested sequences**: it applies the table to the top level only; here it is applied to
  every item of every sequence it keeps.
* Private tags are removed everywhere; PatientIdentityRemoved, DeidentificationMethod and
  the De-identification Method Code Sequence are filled in; the file meta's
  MediaStorageSOPInstanceUID follows the new SOPInstanceUID.
* Pixel data is never touched, so text burned into the pixels survives: :func:`burned_in_risk`
  names the files where that may be the case so that the export can leave them out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import importlib
import pkgutil
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.tag import BaseTag

from alstudio.project import Project

_KEY_META = "deid_uid_key"
_OFFSET_META = "deid_date_offset_days"
_BIRTH_DATE = (0x0010, 0x0030)
_SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"  # and its .1-.4 multi-frame variants
METHOD = "PS3.15 E.1 Basic Profile; Modified Dates Option (alstudio)"  # LO: 64 chars
METHOD_CODES = (("113100", "Basic Application Confidentiality Profile"),
                ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"))

Action = Callable[[Dataset, tuple[int, int]], None]


@dataclass(frozen=True)
class DeidKeys:
    """The project's secret for UIDs and its date offset; read from (or made in) the project."""

    uid_key: bytes
    date_offset_days: int

    @classmethod
    def for_project(cls, project: Project) -> DeidKeys:
        """The project's keys, created on first use and stored in its ``meta`` table."""
        meta = project.meta()
        if _KEY_META not in meta:
            project.set_meta(_KEY_META, secrets.token_hex(32))
        if _OFFSET_META not in meta:
            # one to four years into the past, never zero
            project.set_meta(_OFFSET_META, str(-secrets.choice(range(365, 4 * 365))))
        meta = project.meta()
        return cls(bytes.fromhex(meta[_KEY_META]), int(meta[_OFFSET_META]))


def _table_module() -> str:
    """The newest attribute table dicom-anonymizer ships (``dicomfields_2026c`` ...)."""
    package = importlib.import_module("dicomanonymizer.dicom_anonymization_databases")
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__)
                   if m.name.startswith("dicomfields_"))
    return names[-1]


class Deidentifier:
    """Applies the table, the UID mapping and the date shift to datasets, in place."""

    def __init__(self, keys: DeidKeys) -> None:
        """Read the attribute table once; every dataset of an export reuses it."""
        from dicomanonymizer import simpledicomanonymizer as sda

        self.keys = keys
        self.table_version = _table_module()
        actions: dict[tuple[int, ...], Action] = sda.initialize_actions(self.table_version)
        self._exact = {tag: a for tag, a in actions.items() if len(tag) == 2}
        self._masked = [(tag, a) for tag, a in actions.items() if len(tag) == 4]
        self._delete = sda.delete
        self._keep = sda.keep
        self._empty = sda.empty
        self._uid_cache: dict[str, str] = {}

    # -- the pieces -------------------------------------------------------------------------
    def uid(self, old: str) -> str:
        """The project's stable replacement for a UID."""
        new = self._uid_cache.get(old)
        if new is None:
            mac = hmac.new(self.keys.uid_key, old.strip().encode("ascii", "replace"),
                           hashlib.sha256).digest()
            new = "2.25." + str(int.from_bytes(mac[:16], "big"))
            self._uid_cache[old] = new
        return new

    def shift_date(self, value: str, vr: str) -> str:
        """A DA or DT value moved by the project's offset; unparseable values become ''."""
        text = str(value).strip()
        if len(text) < 8:
            return ""
        try:
            day = dt.datetime.strptime(text[:8], "%Y%m%d").date()
        except ValueError:
            return ""
        shifted = (day + dt.timedelta(days=self.keys.date_offset_days)).strftime("%Y%m%d")
        return shifted + (text[8:] if vr == "DT" else "")

    def _action(self, tag: tuple[int, int]) -> Action | None:
        """The table's action for a tag, exact tags first, then the masked groups (60xx...)."""
        action = self._exact.get(tag)
        if action is not None:
            return action
        for (group, element, gmask, emask), masked in self._masked:
            if tag[0] & gmask == group & gmask and tag[1] & emask == element & emask:
                return masked
        return None

    def _apply(self, ds: Dataset) -> None:
        """Apply the table to one dataset level, recursing into the sequences it keeps.

        Goes by tag and leaves elements the table does not name unparsed (pydicom converts
        raw values only on access): most of a header is kept as it is, and parsing it all
        (as pydicom's ``remove_private_tags`` walk does) would cost more than the
        de-identification itself. Private elements are deleted here, level by level.
        """
        private = []
        for tag in list(ds.keys()):
            if tag.is_private:
                private.append(tag)
                continue
            key = (tag.group, tag.element)
            action = self._action(key)
            if action is None or action is self._keep:
                if _vr_of(ds, tag) == "SQ":  # kept sequences are cleaned item by item
                    for item in ds[tag].value:
                        self._apply(item)
                continue
            elem = ds[tag]
            if elem.VR == "SQ":
                self._sequence(ds, elem, action)
            elif elem.VR in ("DA", "DT"):
                if key == _BIRTH_DATE:
                    elem.value = ""
                else:
                    elem.value = _map_values(elem.value, partial(self.shift_date, vr=elem.VR))
            elif elem.VR == "UI" and action is not self._delete:
                elem.value = _map_values(elem.value, self.uid)
            else:
                action(ds, key)
        for tag in private:  # every private element, at every level (creators included)
            del ds[tag]

    def _sequence(self, ds: Dataset, elem: Any, action: Action) -> None:
        """A listed sequence: removed (X), emptied (Z), or cleaned item by item (D, U*).

        Cleaning applies the table inside it, where the library would overwrite every
        nested value with a dummy, UIDs included (breaking references between instances).
        """
        if action is self._delete:
            del ds[elem.tag]
        elif action is self._empty:
            elem.value = DicomSequence()
        else:
            for item in elem.value:
                self._apply(item)

    # -- the whole --------------------------------------------------------------------------
    def deidentify(self, ds: Dataset) -> None:
        """De-identify one dataset in place (pixel data untouched)."""
        self._apply(ds)
        meta = getattr(ds, "file_meta", None)
        if meta is not None and "SOPInstanceUID" in ds:
            meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = METHOD
        codes = DicomSequence()
        for value, meaning in METHOD_CODES:
            code = Dataset()
            code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value, "DCM", meaning
            codes.append(code)
        ds.DeidentificationMethodCodeSequence = codes
        ds.LongitudinalTemporalInformationModified = "MODIFIED"


def _vr_of(ds: Dataset, tag: BaseTag) -> str | None:
    """The VR of an element without parsing its value (implicit VR: the dictionary's)."""
    raw = ds.get_item(tag)
    vr = getattr(raw, "VR", None)
    if vr:
        return str(vr)
    try:
        return str(dictionary_VR(tag))
    except KeyError:
        return None


def _map_values(value: Any, fn: Callable[[str], str]) -> Any:
    """Apply ``fn`` to a single value or to each of a multi-value, skipping empties."""
    if value is None or value == "":
        return value
    if isinstance(value, str | bytes):
        return fn(value.decode() if isinstance(value, bytes) else value)
    return [fn(str(v)) for v in value]


def burned_in_risk(ds: Dataset) -> str | None:
    """Why a file may carry identifiers in its pixels, or ``None``.

    BurnedInAnnotation present and not NO, an ultrasound image (scanners print names and
    dates into the picture) or a secondary capture (a screenshot of anything).
    """
    burned = str(ds.get("BurnedInAnnotation", "") or "").strip().upper()
    if burned and burned != "NO":
        return f"BurnedInAnnotation is {burned}"
    if str(ds.get("Modality", "") or "").strip().upper() == "US":
        return "ultrasound images often carry names and dates in the pixels"
    sop_class = str(ds.get("SOPClassUID", "") or "")
    if sop_class.startswith(_SECONDARY_CAPTURE):
        return "secondary capture: a picture of a screen may show identifiers"
    return None
