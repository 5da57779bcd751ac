"""The base of every action: a frozen, tagged, array-encoded Struct named VerbNoun."""

from __future__ import annotations

import msgspec


class Action(msgspec.Struct, frozen=True, tag=True, array_like=True):
    """An intent to change the project. The class name is its stable wire and file tag."""
