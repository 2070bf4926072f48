"""One channel count per project: colour when most of the pool is colour."""

from __future__ import annotations

from alstudio.project import Item
from alstudio.workflow.inputs import choose_channels


def _item(shape: tuple[int, ...], n: int) -> Item:
    return Item(path=f"{n}.png", kind="raster", files=(f"{n}.png",), member=None,
                content_hash=str(n), split="pool", modality=None, shape=shape, spacing=None,
                series_uid=None, id=n, dataset_root="/data")


def test_colour_pool_gets_three_channels_grey_and_volumes_one() -> None:
    assert choose_channels([_item((28, 28, 3), i) for i in range(3)]) == 3
    assert choose_channels([_item((28, 28), i) for i in range(3)]) == 1
    assert choose_channels([_item((20, 64, 64), i) for i in range(3)]) == 1  # a volume
    mixed = [_item((28, 28, 3), 0), _item((28, 28), 1), _item((28, 28), 2)]
    assert choose_channels(mixed) == 1
    assert choose_channels([]) == 1
