"""The editor's rows: which values an instrument shows, how keys step them, typed input."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from imbolc.core.templates import demo_project
from imbolc.tui.panes.editor_rows import adjusted, cycled, editor_rows, parse_value

BASS = demo_project().instruments.items[1]


def test_editor_rows_cover_source_envelope_lfo_voice_and_each_stage() -> None:
    sections = {row.section for row in editor_rows(BASS)}
    assert {"Source", "Envelope", "LFO", "Voice"} <= sections
    assert any(section.startswith("1. ") for section in sections)
    assert any(section.startswith("2. ") for section in sections)


def test_frequencies_step_by_semitones_and_stay_in_range() -> None:
    cutoff = next(row for row in editor_rows(BASS) if row.label == "cutoff")
    assert adjusted(cutoff, 1, "coarse") == pytest.approx(cutoff.value * 2 ** (1 / 12))
    top = cutoff.spec.max  # type: ignore[union-attr]
    assert adjusted(replace(cutoff, value=top), 1, "large") == top


def test_typed_values_accept_numbers_units_choices_and_switches() -> None:
    rows = {row.label: row for row in editor_rows(BASS)}
    assert parse_value("440 Hz", rows["cutoff"].spec) == 440.0  # type: ignore[arg-type]
    assert parse_value("square", rows["shape"].spec) == 1.0  # type: ignore[arg-type]
    assert parse_value("off", rows["polyphonic"].spec) == 0.0  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a number"):
        parse_value("loud", rows["amp"].spec)  # type: ignore[arg-type]


def test_choices_cycle_and_switches_toggle() -> None:
    rows = {row.label: row for row in editor_rows(BASS)}
    shape = rows["shape"]
    assert cycled(replace(shape, value=3.0)) == 0.0
    assert cycled(rows["polyphonic"]) == 0.0


def test_each_row_builds_the_action_that_sets_its_value() -> None:
    rows = {row.label: row for row in editor_rows(BASS)}
    action = rows["attack"].build(0.2)  # type: ignore[misc]
    assert (type(action).__name__, action.value) == ("SetEnvelope", 0.2)  # type: ignore[attr-defined]


def test_every_eq_band_offers_frequency_gain_and_q() -> None:
    from imbolc.core.actions import AddEq, SetEqBand
    from imbolc.core.store import Store

    store = Store(demo_project())
    store.dispatch(AddEq(BASS.id))
    inst = store.state.instruments.get(BASS.id)
    assert inst is not None
    eq_rows = [row for row in editor_rows(inst) if row.label.startswith("band ")]
    assert len(eq_rows) == 12 * 3
    first_freq = next(row for row in eq_rows if row.label == "band 1 freq")
    assert first_freq.value == 40.0
    action = first_freq.build(55.0)
    assert isinstance(action, SetEqBand)
    assert (action.band, action.field, action.value) == (0, "freq", 55.0)
