"""The terminal user interface: a Textual app over the store, the engine port and project IO.

``cli.py`` builds ``ImbolcApp(store, engine, io, project_path, keymap_override)``; the TUI
itself imports only ``imbolc.core``.
"""

from __future__ import annotations

from imbolc.tui.app import ImbolcApp
from imbolc.tui.project_io import CheckpointEntry, ProjectIO

__all__ = ["CheckpointEntry", "ImbolcApp", "ProjectIO"]
