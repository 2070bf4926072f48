"""The window's dialogs: each asks for one thing or follows one job, in a file of its own."""
