"""imbolc.persist: SQLite project files, the background saver, autosave and checkpoints.

See ``docs/file-format.md`` for the tables, versioning and crash-safety argument.
"""

from __future__ import annotations

from imbolc.persist.autosave import (
    Autosaver,
    discard_recovery,
    find_recovery,
    recovery_path,
)
from imbolc.persist.checkpoints import (
    CheckpointInfo,
    create_checkpoint,
    delete_checkpoint,
    list_checkpoints,
    restore_checkpoint,
)
from imbolc.persist.errors import ProjectFileError
from imbolc.persist.load import load_project
from imbolc.persist.save import save_project
from imbolc.persist.saver import ProjectSaver, SaverClosed, SaveResult
from imbolc.persist.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Autosaver",
    "CheckpointInfo",
    "ProjectFileError",
    "ProjectSaver",
    "SaveResult",
    "SaverClosed",
    "create_checkpoint",
    "delete_checkpoint",
    "discard_recovery",
    "find_recovery",
    "list_checkpoints",
    "load_project",
    "recovery_path",
    "restore_checkpoint",
    "save_project",
]
