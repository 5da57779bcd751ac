"""The project root: the whole immutable state of one song."""

from __future__ import annotations

import msgspec

from imbolc.core.instrument import Instruments
from imbolc.core.session import Session


class Project(msgspec.Struct, frozen=True, array_like=True):
    """Instruments and session. Edits build a new root by path copy; subtrees are shared."""

    instruments: Instruments = Instruments()
    session: Session = Session()
