"""The window's panels: queue, label panel, progress, start page and status bar, one file
each."""
