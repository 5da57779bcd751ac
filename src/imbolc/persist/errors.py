"""The error every persist operation raises for a file it cannot read or write."""

from __future__ import annotations

from pathlib import Path

from imbolc.core.errors import ImbolcError


class ProjectFileError(ImbolcError):
    """A project file is missing, corrupt, foreign, too new or holds invalid values.

    The message names the file and the problem; the file itself is left as it was.
    """

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = Path(path)
        self.problem = problem
