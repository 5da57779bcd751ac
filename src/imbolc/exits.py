"""Exit statuses and the conventions around them: closed pipes, Ctrl+C, unknown words.

Every command exits 0 when it did what was asked, 1 when it failed (or ``check`` found
problems), 2 for a wrong command line, 130 on Ctrl+C and 141 when its output pipe closed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
"""0: done; 1: the command failed or ``check`` found problems; 2: the command line is wrong."""
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE
"""What a shell reports for a process ended by SIGINT / SIGPIPE: the conventional statuses."""


def unknown_word(args: Sequence[str]) -> str | None:
    """The first word when it is no command, no existing file and no project file name."""
    if not args or args[0].startswith("-"):
        return None
    word = args[0]
    path = Path(word)
    if path.exists() or path.suffix or "/" in word or "\\" in word:
        return None
    return word


def quiet_stdout() -> None:
    """After a closed pipe: send what is still buffered nowhere, so exiting stays silent."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def exit_now(status: int) -> NoReturn:
    """End the process at once: everything it started is stopped and saved by now, and the
    interpreter's own teardown of the loaded audio and numeric libraries takes about a second
    more, which would break "stops within one second"."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
