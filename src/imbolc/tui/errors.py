"""What the edges may raise: caught at the UI boundary and shown, never a crash."""

from __future__ import annotations

from imbolc.core.errors import ImbolcError

IO_ERRORS: tuple[type[Exception], ...] = (ImbolcError, OSError)
"""What project storage may raise."""
ENGINE_ERRORS: tuple[type[Exception], ...] = (ImbolcError, OSError, RuntimeError)
"""What an engine call may raise (a dead server, a broken pipe)."""
