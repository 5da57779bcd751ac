"""Checks that ``apply`` runs on every value of a locally built action.

msgspec validates only at decode time, so a hand-built action can carry anything; these
helpers turn bad values into typed errors before any state is built.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TypeVar

from imbolc.core.errors import InvalidAction, ValueOutOfRange, WrongType

T = TypeVar("T")

MAX_NAME_LENGTH = 64


def real(name: str, value: object, low: float, high: float) -> float:
    """A finite number in [low, high] (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WrongType(name, value, "a number")
    number = float(value)
    if not math.isfinite(number):
        raise WrongType(name, value, "a finite number")
    if not low <= number <= high:
        raise ValueOutOfRange(name, value, low, high)
    return number


def integer(name: str, value: object, low: int, high: int) -> int:
    """An int in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise WrongType(name, value, "an integer")
    if not low <= value <= high:
        raise ValueOutOfRange(name, value, low, high)
    return value


def flag(name: str, value: object) -> bool:
    """A bool."""
    if not isinstance(value, bool):
        raise WrongType(name, value, "true or false")
    return value


def choice(name: str, value: object, options: Collection[T]) -> T:
    """One of ``options``, of the same type (so ``True`` or ``4.0`` never pass for an int)."""
    listed = ", ".join(str(o) for o in options)
    if not any(type(value) is type(option) for option in options):
        raise WrongType(name, value, f"one of: {listed}")
    if not any(value == option for option in options):
        raise InvalidAction(f"{name} = {value!r} is not one of: {listed}")
    return value  # type: ignore[return-value]


def text(name: str, value: object, max_length: int = MAX_NAME_LENGTH) -> str:
    """A printable string of at most ``max_length`` characters."""
    if not isinstance(value, str):
        raise WrongType(name, value, "a string")
    if len(value) > max_length:
        raise InvalidAction(f"{name} is longer than {max_length} characters")
    if not value.isprintable():
        raise InvalidAction(f"{name} contains control characters")
    return value
