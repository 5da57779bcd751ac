"""Specification of drum-sequencer actions on a kit instrument."""

from __future__ import annotations

from apply_helpers import assert_rejected, build

from imbolc.core.actions import (
    AddInstrument,
    ApplyEuclidean,
    ClearPattern,
    SelectPattern,
    SetDrumPad,
    SetDrumStep,
    SetKitSwing,
    SetPatternChain,
    SetPatternLength,
    SetStepResolution,
    ToggleDrumStep,
)
from imbolc.core.apply import apply
from imbolc.core.effects import Effects, InstrumentChanged, instrument_scope
from imbolc.core.errors import (
    InvalidAction,
    UnknownCatalogEntry,
    UnknownId,
    ValueOutOfRange,
    WrongType,
)
from imbolc.core.kit import DrumPad, DrumPattern, DrumStep, KitConfig
from imbolc.core.project import Project


def kit(project: Project, ident: int = 1) -> KitConfig:
    inst = project.instruments.get(ident)
    assert inst is not None
    assert inst.kit is not None
    return inst.kit


def active(pattern: DrumPattern, pad: int) -> str:
    return "".join("x" if step.active else "." for step in pattern.steps[pad])


KIT = (AddInstrument("kit"), AddInstrument("saw"))
KIT_EFFECTS = Effects((InstrumentChanged(1, "kit"),), instrument_scope(1))
ON = DrumStep(active=True, velocity=110, probability=0.5, pitch_offset=2)


# --- steps --------------------------------------------------------------------------------


def test_set_drum_step_sets_exactly_one_step() -> None:
    before = build(*KIT)
    project, effects = apply(before, SetDrumStep(1, 0, 2, 5, ON))
    pattern, old = kit(project).patterns[0], kit(before).patterns[0]
    assert pattern.steps[2][5] == ON
    assert active(pattern, 2) == ".....x.........."
    assert pattern.steps[1] is old.steps[1]
    assert effects == KIT_EFFECTS


def test_set_drum_step_shares_the_other_patterns_and_instruments() -> None:
    before = build(*KIT)
    after, _ = apply(before, SetDrumStep(1, 0, 2, 5, ON))
    assert kit(after).patterns[1] is kit(before).patterns[1]
    assert kit(after).pads is kit(before).pads
    assert after.instruments.items[1] is before.instruments.items[1]
    assert after.session is before.session


def test_toggle_drum_step_switches_it_on_and_off() -> None:
    on, effects = apply(build(*KIT), ToggleDrumStep(1, 1, 0, 15))
    assert kit(on).patterns[1].steps[0][15].active is True
    assert effects == KIT_EFFECTS
    off, _ = apply(on, ToggleDrumStep(1, 1, 0, 15))
    assert kit(off).patterns[1].steps[0][15] == DrumStep()


def test_a_step_beyond_the_pattern_length_is_rejected() -> None:
    assert_rejected(KIT, ToggleDrumStep(1, 0, 0, 16), ValueOutOfRange)


def test_a_thirteenth_pad_is_rejected() -> None:
    assert_rejected(KIT, ToggleDrumStep(1, 0, 12, 0), ValueOutOfRange)


def test_a_fifth_pattern_is_rejected() -> None:
    assert_rejected(KIT, ToggleDrumStep(1, 4, 0, 0), ValueOutOfRange)


def test_steps_on_an_instrument_that_is_not_a_kit_are_rejected() -> None:
    assert_rejected(KIT, ToggleDrumStep(2, 0, 0, 0), InvalidAction)


def test_steps_on_an_unknown_instrument_are_rejected() -> None:
    assert_rejected(KIT, ToggleDrumStep(3, 0, 0, 0), UnknownId)


def test_a_step_with_velocity_zero_is_rejected() -> None:
    assert_rejected(KIT, SetDrumStep(1, 0, 0, 0, DrumStep(True, velocity=0)), ValueOutOfRange)


def test_a_step_with_a_non_bool_active_flag_is_rejected() -> None:
    step = DrumStep(active=1)  # type: ignore[arg-type]
    assert_rejected(KIT, SetDrumStep(1, 0, 0, 0, step), WrongType)


# --- patterns -----------------------------------------------------------------------------


def test_set_pattern_length_extends_every_row_with_off_steps() -> None:
    setup = (*KIT, SetDrumStep(1, 0, 0, 15, ON))
    project, effects = apply(build(*setup), SetPatternLength(1, 0, 32))
    pattern = kit(project).patterns[0]
    assert pattern.length == 32
    assert all(len(row) == 32 for row in pattern.steps)
    assert pattern.steps[0][15] == ON
    assert pattern.steps[0][16:] == (DrumStep(),) * 16
    assert effects == KIT_EFFECTS


def test_set_pattern_length_shortens_every_row() -> None:
    project = build(*KIT, SetDrumStep(1, 0, 0, 3, ON), SetPatternLength(1, 0, 4))
    assert active(kit(project).patterns[0], 0) == "...x"


def test_set_pattern_length_beyond_64_is_rejected() -> None:
    assert_rejected(KIT, SetPatternLength(1, 0, 65), ValueOutOfRange)


def test_clear_pattern_switches_every_step_off() -> None:
    setup = (*KIT, SetPatternLength(1, 2, 8), SetDrumStep(1, 2, 4, 1, ON))
    project, effects = apply(build(*setup), ClearPattern(1, 2))
    assert kit(project).patterns[2] == DrumPattern(8, ((DrumStep(),) * 8,) * 12)
    assert effects == KIT_EFFECTS


def test_select_pattern() -> None:
    project, effects = apply(build(*KIT), SelectPattern(1, 3))
    assert kit(project).current_pattern == 3
    assert effects == KIT_EFFECTS


def test_select_a_negative_pattern_is_rejected() -> None:
    assert_rejected(KIT, SelectPattern(1, -1), ValueOutOfRange)


def test_set_pattern_chain() -> None:
    project, effects = apply(build(*KIT), SetPatternChain(1, (0, 0, 1, 3), True))
    assert kit(project).chain == (0, 0, 1, 3)
    assert kit(project).chain_enabled is True
    assert effects == KIT_EFFECTS


def test_a_chain_naming_a_missing_pattern_is_rejected() -> None:
    assert_rejected(KIT, SetPatternChain(1, (0, 4), True), ValueOutOfRange)


def test_a_chain_given_as_a_list_is_rejected() -> None:
    assert_rejected(KIT, SetPatternChain(1, [0, 1], True), InvalidAction)  # type: ignore[arg-type]


def test_apply_euclidean_spreads_hits_evenly() -> None:
    setup = (*KIT, SetPatternLength(1, 0, 8))
    project, effects = apply(build(*setup), ApplyEuclidean(1, 0, 1, 3))
    assert active(kit(project).patterns[0], 1) == "x..x..x."
    assert effects == KIT_EFFECTS


def test_apply_euclidean_rotates_the_hits() -> None:
    project = build(*KIT, SetPatternLength(1, 0, 8), ApplyEuclidean(1, 0, 1, 3, rotation=1))
    assert active(kit(project).patterns[0], 1) == ".x..x..x"


def test_apply_euclidean_keeps_each_steps_velocity() -> None:
    project = build(*KIT, SetDrumStep(1, 0, 0, 0, ON), ApplyEuclidean(1, 0, 0, 4))
    assert kit(project).patterns[0].steps[0][0] == ON


def test_more_pulses_than_steps_is_rejected() -> None:
    assert_rejected(KIT, ApplyEuclidean(1, 0, 0, 17), ValueOutOfRange)


# --- pads, resolution, swing --------------------------------------------------------------


def test_set_drum_pad_replaces_one_pad() -> None:
    pad = DrumPad(name="Big Kick", source="kick", note=35, level=1.2, pitch=-3)
    before = build(*KIT)
    project, effects = apply(before, SetDrumPad(1, 0, pad))
    assert kit(project).pads[0] == pad
    assert kit(project).pads[1:] == kit(before).pads[1:]
    assert effects == KIT_EFFECTS


def test_a_pad_may_trigger_another_instrument() -> None:
    pad = DrumPad(name="Stab", instrument_id=2)  # type: ignore[arg-type]
    project, _ = apply(build(*KIT), SetDrumPad(1, 5, pad))
    assert kit(project).pads[5].instrument_id == 2


def test_a_pad_triggering_an_unknown_instrument_is_rejected() -> None:
    pad = DrumPad(instrument_id=9)  # type: ignore[arg-type]
    assert_rejected(KIT, SetDrumPad(1, 0, pad), UnknownId)


def test_a_pad_with_an_unknown_source_is_rejected() -> None:
    assert_rejected(KIT, SetDrumPad(1, 0, DrumPad(source="gong")), UnknownCatalogEntry)


def test_a_pad_with_a_non_bool_reverse_flag_is_rejected() -> None:
    pad = DrumPad(reverse="yes")  # type: ignore[arg-type]
    assert_rejected(KIT, SetDrumPad(1, 0, pad), WrongType)


def test_a_pad_slice_ending_before_it_starts_is_rejected() -> None:
    assert_rejected(KIT, SetDrumPad(1, 0, DrumPad(slice_start=0.5, slice_end=0.2)), ValueOutOfRange)


def test_set_step_resolution() -> None:
    project, effects = apply(build(*KIT), SetStepResolution(1, "eighth"))
    assert kit(project).resolution == "eighth"
    assert effects == KIT_EFFECTS


def test_set_step_resolution_to_an_unknown_value_is_rejected() -> None:
    assert_rejected(KIT, SetStepResolution(1, "half"), InvalidAction)  # type: ignore[arg-type]


def test_set_kit_swing_coalesces_per_kit() -> None:
    project, effects = apply(build(*KIT), SetKitSwing(1, 0.4))
    assert kit(project).swing == 0.4
    assert effects == Effects((InstrumentChanged(1, "kit"),), instrument_scope(1), "kit/swing/1")


def test_set_kit_swing_above_one_is_rejected() -> None:
    assert_rejected(KIT, SetKitSwing(1, 1.01), ValueOutOfRange)
