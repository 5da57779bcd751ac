"""Numbers typed at prompts: parsed, range-checked, and refused with a message naming the
field and the accepted range (nothing changes on a refusal)."""

from __future__ import annotations

import math


def whole_number(text: str, field: str, low: int, high: int) -> int:
    """A whole number in low..high typed for ``field``; raises ValueError naming both."""
    word = text.strip()
    try:
        value = int(word)
    except ValueError:
        raise ValueError(f"{field}: {text!r} is not a whole number ({low}..{high})") from None
    if not low <= value <= high:
        raise ValueError(f"{field}: {value} is out of range ({low}..{high})")
    return value


def decimal(text: str, field: str, low: float, high: float) -> float:
    """A number in low..high typed for ``field``; raises ValueError naming both."""
    word = text.strip()
    try:
        value = float(word)
    except ValueError:
        raise ValueError(f"{field}: {text!r} is not a number ({low:g}..{high:g})") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{field}: {word} is out of range ({low:g}..{high:g})")
    return value
