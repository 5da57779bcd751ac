"""Typed errors raised by the core when an action or a value is invalid."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ImbolcError(Exception):
    """Base class of every error imbolc raises on purpose."""


class FileInUse(ImbolcError):
    """Another process is editing the file; it can still be opened read-only."""


class InvalidAction(ImbolcError):
    """An action cannot be applied; the state is left unchanged."""


class UnknownId(InvalidAction):
    """An action names an instrument, bus, stage, lane, clip or placement that does not exist."""

    def __init__(self, kind: str, ident: object) -> None:
        super().__init__(f"unknown {kind} {ident!r}")
        self.kind = kind
        self.ident = ident


class ValueOutOfRange(InvalidAction):
    """A value lies outside the range its parameter allows."""

    def __init__(self, name: str, value: object, low: float, high: float) -> None:
        super().__init__(f"{name} = {value!r} is outside [{low:g}, {high:g}]")
        self.name = name
        self.value = value
        self.low = low
        self.high = high


class WrongType(InvalidAction):
    """A value has the wrong type for its field."""

    def __init__(self, name: str, value: object, expected: str) -> None:
        super().__init__(f"{name} must be {expected}, got {type(value).__name__} {value!r}")
        self.name = name
        self.value = value
        self.expected = expected


class Conflict(InvalidAction):
    """An action contradicts the current state (a duplicate note, a second EQ, a full bus list)."""


class UnknownCatalogEntry(InvalidAction):
    """A source, filter or effect name that the catalog does not know."""

    def __init__(self, kind: str, name: str, known: Iterable[str] = ()) -> None:
        close = difflib.get_close_matches(name.lower(), list(known), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")
        self.kind = kind
        self.name = name
