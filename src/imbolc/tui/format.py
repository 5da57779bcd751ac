"""How values read on screen: positions, levels, pans, parameter values and bars."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from imbolc.core import catalog
from imbolc.core.catalog import ParamSpec
from imbolc.core.errors import UnknownCatalogEntry
from imbolc.core.music import bar_ticks, note_name
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.timemap import TimeMap

BLOCKS = " ▁▂▃▄▅▆▇█"


def position(tick: float, time_signature: tuple[int, int] | TimeMap) -> str:
    """A tick as 1-based bars.beats.sixteenths, e.g. "3.2.1" (through the meter map when given
    a ``TimeMap``)."""
    if isinstance(time_signature, TimeMap):
        at = time_signature.position(tick)
        return f"{at.bar + 1}.{at.beat + 1}.{at.ticks * 4 // TICKS_PER_BEAT + 1}"
    numerator, denominator = time_signature
    bar = bar_ticks(numerator, denominator)
    beat = TICKS_PER_BEAT * 4 // denominator
    whole = max(0, int(tick))
    bars, rest = divmod(whole, bar)
    beats, rest = divmod(rest, beat)
    sixteenths = rest * 4 // TICKS_PER_BEAT
    return f"{bars + 1}.{beats + 1}.{sixteenths + 1}"


def decibels(level: float) -> str:
    """A linear gain in dB ("-inf" for silence)."""
    if level <= 0.0:
        return "-inf"
    return f"{20.0 * math.log10(level):+.1f}"


def pan(value: float) -> str:
    """A pan position: "C", "L20" or "R35"."""
    amount = round(abs(value) * 100)
    if amount == 0:
        return "C"
    return f"{'L' if value < 0 else 'R'}{amount}"


def pitch(value: int) -> str:
    """A MIDI pitch by name, "C4"."""
    return note_name(value)


def number(value: float) -> str:
    """A float shortened for a narrow column."""
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:.0f}"
    if magnitude >= 100:
        return f"{value:.1f}"
    if magnitude >= 10:
        return f"{value:.2f}"
    return f"{value:.3f}"


def param_value(value: float, spec: ParamSpec) -> str:
    """A parameter value in its kind and unit: "on", "saw", "12", "440.0 Hz"."""
    if spec.kind == "bool":
        return "on" if value >= 0.5 else "off"
    if spec.kind == "choice":
        index = int(value)
        return spec.choices[index] if 0 <= index < len(spec.choices) else str(index)
    text = str(int(value)) if spec.kind == "int" else number(value)
    return f"{text} {spec.unit}" if spec.unit else text


def horizontal_bar(value: float, width: int, top: float = 1.0) -> str:
    """A meter of ``width`` cells filled in eighths up to ``value / top``."""
    if width <= 0:
        return ""
    filled = max(0.0, min(1.0, value / top)) * width
    full = int(filled)
    rest = filled - full
    text = "█" * full
    if full < width:
        text += " ▏▎▍▌▋▊▉"[int(rest * 8)]
    return text.ljust(width)


def vertical_cell(value: float, row_from_bottom: int, height: int) -> str:
    """The block character for one row of a vertical meter of ``height`` rows."""
    level = max(0.0, min(1.0, value)) * height - row_from_bottom
    if level >= 1.0:
        return BLOCKS[-1]
    if level <= 0.0:
        return " "
    return BLOCKS[int(level * 8)]


def source_label(name: str) -> str:
    """A source's display name (the id itself for anything the catalog does not know)."""
    try:
        return catalog.source(name).display
    except UnknownCatalogEntry:
        return name


def _ago(seconds: float) -> str:
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} days ago"


def moment(when: object, now: datetime | None = None) -> str:
    """A stored time as local time to the minute and how long ago: "2026-12-02 22:40 (5 min
    ago)". A naive time is taken as UTC (how project files store it)."""
    if not isinstance(when, datetime):
        return str(when)
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    seconds = (now - aware).total_seconds()
    age = _ago(seconds) if seconds >= 0 else "in the future"
    return f"{aware.astimezone():%Y-%m-%d %H:%M} ({age})"
