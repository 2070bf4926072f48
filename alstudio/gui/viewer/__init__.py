"""The scan viewer: one scan at native bit depth with window/level, zoom, slices and overlay.

>>> viewer = ScanViewer()
>>> viewer.set_image(read_pixels(source), overlay={"item": "1234", "split": "pool"})
>>> viewer.apply_preset("lung")

:class:`ImagePrefetcher` decodes the next queue items in the background so that the next
scan is on screen within a frame of the keypress.
"""

from alstudio.gui.viewer.canvas import ScanCanvas
from alstudio.gui.viewer.overlay import ALLOWED_KEYS
from alstudio.gui.viewer.prefetch import ImagePrefetcher
from alstudio.gui.viewer.presets_menu import PresetComboBox, build_preset_menu, preset_label
from alstudio.gui.viewer.viewer import ScanViewer

__all__ = [
    "ALLOWED_KEYS",
    "ImagePrefetcher",
    "PresetComboBox",
    "ScanCanvas",
    "ScanViewer",
    "build_preset_menu",
    "preset_label",
]
