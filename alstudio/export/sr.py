"""The ``dicom-sr`` format: the labels as DICOM Structured Reports (TID 1500 Measurement
Report, written with highdicom), one per labeled DICOM item.

Each report references the item's images by their *original* UIDs (a PACS stores it beside
them and links the two), carries the class as a coded qualitative evaluation
(``(CLASS, 99ALSTUDIO, "Image class")`` = ``(C<n>, 99ALSTUDIO, <class name>)``, a local
coding scheme as PS3.16 allows; DCM's "Finding" is the measurement group's finding type in
TID 1501 and readers skip it as an evaluation) and names the reader (the adjudicator when
there is one) as the observer.
Because it describes the original images, the report repeats their patient and study
attributes, as any report in that PACS does.
"""

from __future__ import annotations

from collections.abc import Sequence

import highdicom as hd
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from alstudio import __version__
from alstudio.datasets.records import KIND_DICOM, KIND_DICOM_SERIES
from alstudio.export.common import FormatResult
from alstudio.export.rows import ExportRow
from alstudio.export.writer import ExportWriter
from alstudio.jobs import CancelToken, ProgressCallback, check, report

CODING_SCHEME = "99ALSTUDIO"
IMAGE_CLASS = hd.sr.CodedConcept("CLASS", CODING_SCHEME, "Image class")
IMAGING_PROCEDURE = hd.sr.CodedConcept("363679005", "SCT", "Imaging procedure")
SR_WARNING = ("The structured reports reference the original images and repeat their patient "
              "and study attributes, as a report stored beside them in a PACS must.")


def class_code(index: int, name: str) -> hd.sr.CodedConcept:
    """The local code of a class: its position in the project, meaning its name."""
    return hd.sr.CodedConcept(f"C{index}", CODING_SCHEME, name[:64])


def observer_of(row: ExportRow) -> str:
    """The reader who stands behind the label: the adjudicator's entry wins, else the first."""
    givers = [name for name, given in sorted(row.readers.items()) if given["label"] == row.label]
    return (givers or sorted(row.readers) or ["alstudio"])[0]


def build_report(row: ExportRow, images: Sequence[Dataset], class_index: int,
                 series_number: int) -> Dataset:
    """One SR dataset for one labeled item (``images``: its DICOM headers)."""
    observer = hd.sr.ObserverContext(
        observer_type=codes.DCM.Person,
        observer_identifying_attributes=hd.sr.PersonObserverIdentifyingAttributes(
            name=observer_of(row).replace("^", " ")[:63] + "^"))
    group = hd.sr.MeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(
            uid=generate_uid(), identifier=f"alstudio item {row.item_id}"),
        qualitative_evaluations=[hd.sr.QualitativeEvaluation(
            IMAGE_CLASS, class_code(class_index, row.label or ""))],
        source_images=[hd.sr.SourceImageForMeasurementGroup.from_source_image(ds)
                       for ds in images],
    )
    content = hd.sr.MeasurementReport(
        observation_context=hd.sr.ObservationContext(observer_person_context=observer),
        procedure_reported=IMAGING_PROCEDURE,
        imaging_measurements=[group],
    )
    return hd.sr.ComprehensiveSR(
        evidence=list(images), content=content[0], series_instance_uid=generate_uid(),
        series_number=series_number, sop_instance_uid=generate_uid(), instance_number=1,
        manufacturer="alstudio", software_versions=__version__, is_complete=True,
        series_description="alstudio labels")


def export_sr(rows: list[ExportRow], writer: ExportWriter, *, classes: list[str],
              progress: ProgressCallback | None = None,
              cancel: CancelToken | None = None) -> FormatResult:
    """Write ``sr/<item id>.dcm`` for every labeled DICOM item."""
    result = FormatResult(warnings=[SR_WARNING])
    index = {name: i for i, name in enumerate(classes)}
    for n, row in enumerate(rows):
        check(cancel)
        report(progress, "reports", n, len(rows))
        if row.label is None:
            continue
        if row.item.kind not in (KIND_DICOM, KIND_DICOM_SERIES):
            result.leave_out(row.item_id, row.item.path, "not a DICOM item")
            continue
        try:
            images = [dcmread(p, stop_before_pixels=True, force=True)
                      for p in row.absolute_files()]
            sr = build_report(row, images, index[row.label], series_number=900 + n % 99)
        except (OSError, InvalidDicomError, ValueError, AttributeError, TypeError) as exc:
            result.leave_out(row.item_id, row.item.path, f"cannot build a report: {exc}")
            continue
        sr.save_as(writer.path(f"sr/{row.item_id:06d}.dcm"))
        result.written_items += 1
    report(progress, "reports", len(rows), len(rows))
    return result
