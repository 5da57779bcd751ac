"""The instrument editor's playing rows: groove (feel overrides), arpeggiator, chord shape.

Pure functions of an ``Instrument``, like ``editor_rows``: each row builds the action that
sets its value. A groove override that is off reads "session"; Backspace turns it off.
"""

from __future__ import annotations

from typing import get_args

from msgspec.structs import replace

from imbolc.core.actions import SetArpeggiator, SetChordShape, SetGroove
from imbolc.core.actions.base import Action
from imbolc.core.catalog import ParamSpec
from imbolc.core.instrument import (
    ArpDirection,
    ChordShapeName,
    Instrument,
    NoteRate,
    SwingGrid,
)
from imbolc.tui.panes.editor_rows import Row

SESSION = "session"
SWING_GRIDS: tuple[SwingGrid, ...] = get_args(SwingGrid)
ARP_DIRECTIONS: tuple[ArpDirection, ...] = get_args(ArpDirection)
NOTE_RATES: tuple[NoteRate, ...] = get_args(NoteRate)
CHORD_SHAPES: tuple[ChordShapeName, ...] = get_args(ChordShapeName)
METERS: tuple[tuple[int, int], ...] = ((2, 4), (3, 4), (4, 4), (5, 4), (6, 8), (7, 8), (12, 8))


def _num(name: str, low: float, high: float, default: float, unit: str = "") -> ParamSpec:
    return ParamSpec(name, default, low, high, unit)


def _choice(name: str, choices: tuple[str, ...]) -> ParamSpec:
    return ParamSpec(name, 0.0, 0.0, float(len(choices) - 1), kind="choice", choices=choices)


def _groove_rows(inst: Instrument) -> list[Row]:
    ident, groove = inst.id, inst.groove

    def put(**values: object) -> Action:
        return SetGroove(ident, replace(groove, **values))

    rows = []
    for field, label in (
        ("swing", "swing"),
        ("humanize_velocity", "humanize velocity"),
        ("humanize_timing", "humanize timing"),
    ):
        value: float | None = getattr(groove, field)

        def build(v: float, field: str = field) -> Action:
            return put(**{field: v})

        rows.append(
            Row("Groove", label, value or 0.0, _num(label, 0.0, 1.0, 0.0), build,
                clear=put(**{field: None}), shown=SESSION if value is None else None)
        )  # fmt: skip
    grids = (SESSION, *SWING_GRIDS)
    grid = 0 if groove.swing_grid is None else grids.index(groove.swing_grid)
    meters = (SESSION, *(f"{n}/{d}" for n, d in METERS))
    meter = 0 if groove.time_signature not in METERS else 1 + METERS.index(groove.time_signature)
    offset = _num("timing offset", -100.0, 100.0, 0.0, "ms")
    return [
        *rows,
        Row("Groove", "swing grid", float(grid), _choice("swing grid", grids),
            lambda v: put(swing_grid=None if v < 1 else SWING_GRIDS[int(v) - 1])),
        Row("Groove", "meter", float(meter), _choice("meter", meters),
            lambda v: put(time_signature=None if v < 1 else METERS[int(v) - 1])),
        Row("Groove", "timing offset", groove.timing_offset_ms, offset,
            lambda v: put(timing_offset_ms=v)),
    ]  # fmt: skip


def _arp_rows(inst: Instrument) -> list[Row]:
    ident, arp = inst.id, inst.arpeggiator

    def put(**values: object) -> Action:
        return SetArpeggiator(ident, replace(arp, **values))

    enabled = ParamSpec("enabled", 0.0, 0.0, 1.0, kind="bool")
    octaves = ParamSpec("octaves", 1.0, 1.0, 4.0, kind="int")
    return [
        Row("Arpeggiator", "enabled", float(arp.enabled), enabled,
            lambda v: put(enabled=v >= 0.5)),
        Row("Arpeggiator", "direction", float(ARP_DIRECTIONS.index(arp.direction)),
            _choice("direction", ARP_DIRECTIONS),
            lambda v: put(direction=ARP_DIRECTIONS[int(v)])),
        Row("Arpeggiator", "rate", float(NOTE_RATES.index(arp.rate)),
            _choice("rate", NOTE_RATES), lambda v: put(rate=NOTE_RATES[int(v)])),
        Row("Arpeggiator", "octaves", float(arp.octaves), octaves,
            lambda v: put(octaves=int(v))),
        Row("Arpeggiator", "gate", arp.gate, _num("gate", 0.1, 1.0, 0.5),
            lambda v: put(gate=v)),
    ]  # fmt: skip


def _chord_rows(inst: Instrument) -> list[Row]:
    ident = inst.id
    shapes = ("off", *CHORD_SHAPES)
    here = 0 if inst.chord_shape is None else shapes.index(inst.chord_shape)
    return [
        Row("Chord", "shape", float(here), _choice("shape", shapes),
            lambda v: SetChordShape(ident, None if v < 1 else CHORD_SHAPES[int(v) - 1]),
            clear=SetChordShape(ident, None)),
    ]  # fmt: skip


def play_rows(inst: Instrument) -> tuple[Row, ...]:
    """How ``inst`` plays: its groove overrides, arpeggiator and chord shape."""
    return (*_groove_rows(inst), *_arp_rows(inst), *_chord_rows(inst))
