"""The pretraining job: learn an encoder from the project's unlabeled pool, store it.

`alstudio pretrain PROJECT` and the window run this after an import (progress and cancel as
any long job). The encoder is stored as a checkpoint like a round's (safetensors bytes in
``checkpoints``; ``hyperparameters["kind"] == "pretrained_encoder"``), written in one
transaction at the end. A run cancelled after one or more of its epochs stores what those
epochs learned (and then raises :class:`~alstudio.errors.Cancelled` as any cancelled job);
one cancelled sooner leaves the project as it was. Running it again continues from the newest
stored encoder (unless ``fresh``); each run stores a new checkpoint, older ones stay
(checkpoints, like labels, are only ever added).

Rounds then use it (:func:`project_encoder`): TypiClust on its features for the cold start,
its features as core-set distances while labels are few, and its weights as the classifier's
starting point.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from alstudio.errors import AlstudioError, Cancelled
from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.learning.checkpoints import checkpoint_digest
from alstudio.learning.pretrain import (
    ENCODER_KIND,
    Encoder,
    PretrainConfig,
    encoder_from_bytes,
    encoder_to_bytes,
    new_encoder,
    pretrain,
)
from alstudio.project import Project
from alstudio.workflow.inputs import ProjectInputs, choose_channels, choose_input_size


@dataclass
class PretrainOutcome:
    """What a pretraining run did: the checkpoint, the epochs in all, the last loss, time."""

    checkpoint_id: int
    epochs_done: int
    resumed_from: int | None
    last_loss: float
    images: int
    seconds: float


def stored_encoder(project: Project, image_size: int, channels: int
                   ) -> tuple[int, Encoder] | None:
    """The newest stored encoder for inputs of this size and channel count, if any."""
    blob = project.latest_checkpoint_of_kind(ENCODER_KIND)
    if blob is None:
        return None
    encoder = encoder_from_bytes(blob.weights, source=f"checkpoint {blob.id}")
    if (encoder.model.image_size, encoder.model.in_channels) != (image_size, channels):
        return None
    return blob.id, encoder


def encoder_file(project: Project, image_size: int, channels: int) -> Path | None:
    """The newest fitting encoder as a safetensors file in the project's cache folder (what
    a round's training starts from), written once per checkpoint; None without one."""
    blob = project.latest_checkpoint_of_kind(ENCODER_KIND)
    if blob is None:
        return None
    found = stored_encoder(project, image_size, channels)
    if found is None or found[0] != blob.id:
        return None
    path = project.cache_dir / "encoders" / f"{blob.digest}.safetensors"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(blob.weights)
        tmp.replace(path)
    return path


def run_pretrain(project_path: Path, *, epochs: int = 20, fresh: bool = False,
                 image_size: int | None = None, threads: int | None = None,
                 progress: ProgressCallback | None = None,
                 cancel: CancelToken | None = None) -> PretrainOutcome:
    """Pretrain (or continue pretraining) the project's encoder for ``epochs`` epochs."""
    if epochs < 1:
        raise AlstudioError("Pretraining needs at least 1 epoch.", "Pass --epochs 1 or more.")
    started = time.monotonic()
    with Project.open(project_path) as project:
        pool = project.items("pool")
        if len(pool) < 4:
            raise AlstudioError("Pretraining needs at least 4 scans in the pool.",
                                "Import scans first (`alstudio import`).")
        size = image_size or choose_input_size(pool, "cpu")
        channels = choose_channels(pool)
        found = None if fresh else stored_encoder(project, size, channels)
        config = replace(PretrainConfig(epochs=epochs), num_threads=threads)
        encoder = found[1] if found else new_encoder(config, channels, size)
        run = _Run(found[0] if found else None, encoder.epochs_done, encoder.seconds)
        inputs = ProjectInputs(project, size, channels)
        try:
            report(progress, "preparing inputs", 0, None)
            unreadable = inputs.ensure(pool, progress=progress, cancel=cancel)
            run.images = len(pool) - len(unreadable)
            ids = [item.id for item in pool if item.id not in unreadable]
            pretrain(inputs.view(ids), config, encoder=encoder, progress=progress,
                     cancel=cancel)
            check(cancel)
        except Cancelled:
            if encoder.epochs_done > run.epochs_before:  # what the finished epochs learned
                _store(project, encoder, config, run, size, channels, cancelled=True)
            raise
        finally:
            inputs.close()
        report(progress, "saving", 0, 1)
        checkpoint_id = _store(project, encoder, config, run, size, channels)
    report(progress, "saving", 1, 1, f"encoder saved as checkpoint {checkpoint_id}")
    return PretrainOutcome(checkpoint_id, encoder.epochs_done, run.resumed_from,
                           encoder.history[-1], run.images, time.monotonic() - started)


@dataclass
class _Run:
    """Where this run started: the checkpoint it continues, its epochs and seconds then."""

    resumed_from: int | None
    epochs_before: int
    seconds_before: float
    images: int = 0


def _store(project: Project, encoder: Encoder, config: PretrainConfig, run: _Run, size: int,
           channels: int, cancelled: bool = False) -> int:
    """Write the encoder as a new checkpoint (one transaction); returns its id. The run's
    own epochs, seconds and threads are kept so the window can say how long the next takes."""
    blob = encoder_to_bytes(encoder, config)
    return project.save_checkpoint(
        architecture=encoder.model.name,
        hyperparameters={"kind": ENCODER_KIND, "epochs_done": encoder.epochs_done,
                         "image_size": size, "in_channels": channels, "images": run.images,
                         "resumed_from": run.resumed_from, "cancelled": cancelled,
                         "pretrain": {"epochs": config.epochs, "batch_size": config.batch_size,
                                      "temperature": config.temperature}},
        metrics={"loss": encoder.history[-1], "seconds": encoder.seconds,
                 "run_epochs": encoder.epochs_done - run.epochs_before,
                 "run_seconds": encoder.seconds - run.seconds_before,
                 "threads": config.num_threads},
        digest=checkpoint_digest(blob), weights=blob)
