"""alstudio: an offline active-learning studio for expert annotators of medical scans.

The engine (project file, readers, learning, selection, evaluation, export) runs headless;
only :mod:`alstudio.gui` imports Qt, and only :mod:`alstudio.learning` and
:mod:`alstudio.selection` import torch.
"""

__version__ = "0.1.0"
