"""What a pretraining run will do and how long it will take here, known before it starts.

The window's pretraining dialog shows this at once, so it is computed without torch: the
pool's size, the input side and channels a run would use (the same choices as
:func:`alstudio.workflow.pretrain.run_pretrain`), the stored encoder it would continue, and
seconds per epoch. The time comes from this project's last run when there is one (its own
epochs and seconds, scaled to today's pool), else from a reference measurement (the demo's
624 images at 28 px on one thread of a 2-core CPU under moderate load: 2.2 s an epoch in the
window, 1.4 s from the command line; 5.7 s under the heavy load of the README's ablation),
scaled by images, input area and threads. Pretraining always runs on the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alstudio.learning.names import ENCODER_KIND
from alstudio.project import Project
from alstudio.workflow.inputs import choose_channels, choose_input_size

#: Seconds per image and epoch at 28 px, one channel, one CPU thread (see the module).
REFERENCE_SECONDS_PER_IMAGE = 2.2 / 624
REFERENCE_SIDE = 28
#: Below this many pool scans the window does not suggest pretraining after an import.
MIN_POOL_TO_OFFER = 200


@dataclass(frozen=True)
class PretrainPlan:
    """The run's inputs, the encoder it would continue, and its speed on this machine."""

    images: int
    image_size: int
    channels: int
    threads: int
    seconds_per_epoch: float
    measured: bool  # from this project's last run, not the reference figure
    encoder_epochs: int | None = None  # the stored encoder this run would continue
    encoder_cancelled: bool = False  # that encoder's run was cancelled part-way
    checkpoint_id: int | None = None  # the newest stored encoder, fitting or not

    def seconds(self, epochs: int) -> float:
        """Expected seconds for ``epochs`` epochs (input preparation not counted)."""
        return self.seconds_per_epoch * max(0, epochs)

    @property
    def worth_offering(self) -> bool:
        """No encoder yet and a pool big enough for one to be worth learning."""
        return self.encoder_epochs is None and self.images >= MIN_POOL_TO_OFFER


def plan_pretrain(project: Project, threads: int) -> PretrainPlan:
    """The plan for a run on ``project`` with ``threads`` CPU threads (see the module)."""
    pool = project.items("pool")
    size = choose_input_size(pool, "cpu") if pool else REFERENCE_SIDE
    channels = choose_channels(pool) if pool else 1
    blob = project.latest_checkpoint_of_kind(ENCODER_KIND)
    hyper: dict[str, Any] = blob.hyperparameters if blob is not None else {}
    fits = (hyper.get("image_size"), hyper.get("in_channels")) == (size, channels)
    measured = _measured_per_image(hyper, blob.metrics if blob is not None else {})
    if measured is not None:
        per_image = measured
    else:
        area = (size / REFERENCE_SIDE) ** 2
        per_image = REFERENCE_SECONDS_PER_IMAGE * area * (1 + 0.1 * (channels - 1))
        per_image /= max(1, threads) ** 0.5  # small convolutions scale poorly with threads
    return PretrainPlan(
        images=len(pool), image_size=size, channels=channels, threads=threads,
        seconds_per_epoch=per_image * len(pool), measured=measured is not None,
        encoder_epochs=int(hyper["epochs_done"]) if blob is not None and fits else None,
        encoder_cancelled=bool(hyper.get("cancelled")) if fits else False,
        checkpoint_id=blob.id if blob is not None else None)


def stored_encoder_epochs(project: Project) -> int | None:
    """The newest stored encoder's epochs, None without one: a cheap read (no pool)."""
    blob = project.latest_checkpoint_of_kind(ENCODER_KIND)
    return None if blob is None else int(blob.hyperparameters.get("epochs_done", 0))


def _measured_per_image(hyper: dict[str, Any], metrics: dict[str, Any]) -> float | None:
    """Seconds per image and epoch of the last run, when it recorded its own figures."""
    epochs, seconds, images = (metrics.get("run_epochs"), metrics.get("run_seconds"),
                               hyper.get("images"))
    if not epochs or not seconds or not images:
        return None
    return float(seconds) / (int(epochs) * int(images))
