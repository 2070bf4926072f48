"""Checks on a simulation archive that take seconds, run before a simulation that takes minutes.

Only the (small) label arrays are read; the images stay compressed. numpy is the only
dependency, so `alstudio simulate` refuses a wrong archive or an impossible scenario before
torch is even imported.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from alstudio.errors import AlstudioError

NEEDED = ("train_images", "train_labels", "val_images", "val_labels", "test_images",
          "test_labels")
_HINT = "The simulator needs a MedMNIST-style .npz archive with train/val/test images and labels."


def check_simulation_archive(path: Path, rare_class: int | None) -> int:
    """The number of classes in the archive; raises if it is not one or the scenario is
    impossible (a rare class the pool does not have)."""
    path = Path(path)
    if not zipfile.is_zipfile(path):
        raise AlstudioError(f"{path} is not an .npz archive (not a zip file).", _HINT)
    try:
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
            missing = [key for key in NEEDED if key not in archive.files]
            if missing:
                raise AlstudioError(f"{path} lacks {', '.join(missing)}.", _HINT)
            labels = {split: np.asarray(archive[f"{split}_labels"]).reshape(-1)
                      for split in ("train", "val", "test")}
    except AlstudioError:
        raise
    except Exception as exc:  # a damaged member: zipfile, zlib and numpy raise their own types
        raise AlstudioError(f"{path} cannot be read as an .npz archive "
                            f"({type(exc).__name__}).", _HINT) from None
    if any(v.dtype.kind not in "iu" for v in labels.values() if v.size):
        raise AlstudioError(f"{path}: the labels are not class indices.", _HINT)
    pool = np.concatenate([labels["train"], labels["val"]])
    n_classes = int(max((int(v.max()) for v in labels.values() if v.size), default=-1)) + 1
    if rare_class is not None:
        if not 0 <= rare_class < n_classes:
            raise AlstudioError(
                f"--rare-class {rare_class} does not exist: {path.name} has {n_classes} "
                f"classes (0 to {n_classes - 1}).", "Pick one of those class indices.")
        if not np.any(pool == rare_class):
            raise AlstudioError(f"Class {rare_class} has no images in the pool of {path.name}.",
                                "Pick a class the train/val splits contain.")
    return n_classes
