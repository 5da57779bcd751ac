"""Specification of an instrument's processing chain: filters, the EQ and effects."""

from __future__ import annotations

import math

import pytest
from apply_helpers import assert_rejected, build, inst

from imbolc.core import catalog
from imbolc.core.actions import (
    AddEffect,
    AddEq,
    AddFilter,
    AddInstrument,
    MoveStage,
    RemoveStage,
    SetEqBand,
    SetFilterType,
    SetImpulseResponse,
    SetStageEnabled,
    SetStageParam,
)
from imbolc.core.apply import apply
from imbolc.core.effects import Effects, ParamChanged, RoutingChanged, instrument_scope
from imbolc.core.errors import (
    Conflict,
    InvalidAction,
    UnknownCatalogEntry,
    UnknownId,
    ValueOutOfRange,
    WrongType,
)
from imbolc.core.instrument import (
    EffectStage,
    EqStage,
    FilterStage,
    ParamValue,
    default_eq_bands,
)

SAW = (AddInstrument("saw"),)
# Stage 1 is a low-pass filter, stage 2 a delay, stage 3 the EQ.
CHAIN = (*SAW, AddFilter(1, "lpf"), AddEffect(1, "delay"), AddEq(1))
CHAIN_EFFECTS = Effects((RoutingChanged(1, "chain"),), instrument_scope(1))


def defaults(specs: tuple[catalog.ParamSpec, ...]) -> tuple[ParamValue, ...]:
    return tuple(ParamValue(s.name, s.default) for s in specs)


# --- adding stages ------------------------------------------------------------------------


def test_add_filter_appends_a_filter_with_catalog_defaults() -> None:
    project, effects = apply(build(*SAW), AddFilter(1, "lpf"))
    assert inst(project).chain == (
        FilterStage(1, "lpf", defaults(catalog.filter_type("lpf").params)),
    )
    assert inst(project).next_stage_id == 2
    assert effects == CHAIN_EFFECTS


def test_add_filter_at_position_zero_goes_first() -> None:
    project = build(*CHAIN, AddFilter(1, "hpf", position=0))
    assert [stage.id for stage in inst(project).chain] == [4, 1, 2, 3]


def test_add_filter_with_an_unknown_type_is_rejected() -> None:
    assert_rejected(SAW, AddFilter(1, "moog"), UnknownCatalogEntry)


def test_add_filter_past_the_end_of_the_chain_is_rejected() -> None:
    assert_rejected(SAW, AddFilter(1, "lpf", position=2), ValueOutOfRange)


def test_add_filter_to_an_unknown_instrument_is_rejected() -> None:
    assert_rejected(SAW, AddFilter(2, "lpf"), UnknownId)


def test_add_eq_inserts_the_twelve_band_eq() -> None:
    project, effects = apply(build(*SAW), AddEq(1))
    assert inst(project).chain == (EqStage(1, default_eq_bands()),)
    assert len(default_eq_bands()) == 12
    assert effects == CHAIN_EFFECTS


def test_a_second_eq_is_a_conflict() -> None:
    assert_rejected(CHAIN, AddEq(1), Conflict)


def test_add_effect_appends_an_effect_with_catalog_defaults() -> None:
    project, effects = apply(build(*SAW), AddEffect(1, "reverb"))
    assert inst(project).chain == (
        EffectStage(1, "reverb", defaults(catalog.effect("reverb").params)),
    )
    assert effects == CHAIN_EFFECTS


def test_add_effect_with_an_unknown_type_is_rejected() -> None:
    assert_rejected(SAW, AddEffect(1, "fuzzbox"), UnknownCatalogEntry)


def test_add_effect_with_a_float_position_is_rejected() -> None:
    assert_rejected(SAW, AddEffect(1, "delay", position=0.0), WrongType)  # type: ignore[arg-type]


# --- removing and moving ------------------------------------------------------------------


def test_remove_stage_takes_it_out_of_the_chain() -> None:
    project, effects = apply(build(*CHAIN), RemoveStage(1, 2))
    assert [stage.id for stage in inst(project).chain] == [1, 3]
    assert effects == CHAIN_EFFECTS


def test_stage_ids_are_not_reused_after_removal() -> None:
    project = build(*CHAIN, RemoveStage(1, 3), AddEffect(1, "chorus"))
    assert [stage.id for stage in inst(project).chain] == [1, 2, 4]


def test_remove_unknown_stage_is_rejected() -> None:
    assert_rejected(CHAIN, RemoveStage(1, 9), UnknownId)


def test_move_stage_puts_it_at_the_new_position() -> None:
    project, effects = apply(build(*CHAIN), MoveStage(1, 3, 0))
    assert [stage.id for stage in inst(project).chain] == [3, 1, 2]
    assert effects == CHAIN_EFFECTS


def test_move_stage_beyond_the_chain_is_rejected() -> None:
    assert_rejected(CHAIN, MoveStage(1, 1, 3), ValueOutOfRange)


def test_set_stage_enabled_bypasses_the_stage_as_one_control_change() -> None:
    project, effects = apply(build(*CHAIN), SetStageEnabled(1, 2, False))
    assert inst(project).chain[1].enabled is False
    assert effects == Effects((ParamChanged(1, ("chain", 2, "enabled"), 0.0),), instrument_scope(1))


def test_set_stage_enabled_with_an_int_is_rejected() -> None:
    assert_rejected(CHAIN, SetStageEnabled(1, 2, 0), WrongType)  # type: ignore[arg-type]


# --- SetImpulseResponse -------------------------------------------------------------------

REVERB = (*SAW, AddEffect(1, "convolution_reverb"))


def test_set_impulse_response_names_the_file_and_rebuilds_the_chain() -> None:
    project, effects = apply(build(*REVERB), SetImpulseResponse(1, 1, "/irs/hall.wav"))
    stage = inst(project).chain[0]
    assert isinstance(stage, EffectStage) and stage.ir_path == "/irs/hall.wav"
    assert effects == CHAIN_EFFECTS


def test_an_empty_impulse_response_path_is_the_built_in_room() -> None:
    chosen = SetImpulseResponse(1, 1, "/irs/hall.wav")
    project = build(*REVERB, chosen, SetImpulseResponse(1, 1, ""))
    stage = inst(project).chain[0]
    assert isinstance(stage, EffectStage) and stage.ir_path == ""


def test_an_impulse_response_on_another_effect_is_rejected() -> None:
    assert_rejected(CHAIN, SetImpulseResponse(1, 2, "/irs/hall.wav"), InvalidAction)


def test_an_impulse_response_path_that_is_not_text_is_rejected() -> None:
    assert_rejected(REVERB, SetImpulseResponse(1, 1, 3), WrongType)  # type: ignore[arg-type]


# --- SetStageParam ------------------------------------------------------------------------


def test_set_stage_param_sets_one_value_and_names_its_path() -> None:
    project, effects = apply(build(*CHAIN), SetStageParam(1, 1, "cutoff", 2500.0))
    stage = inst(project).chain[0]
    assert isinstance(stage, FilterStage)
    assert stage.params[0] == ParamValue("cutoff", 2500.0)
    assert effects == Effects(
        (ParamChanged(1, ("chain", 1, "cutoff"), 2500.0),),
        instrument_scope(1),
        "chain/1/1/cutoff",
    )


def test_set_stage_param_on_an_effect_stage() -> None:
    project, effects = apply(build(*CHAIN), SetStageParam(1, 2, "feedback", 0.25))
    stage = inst(project).chain[1]
    assert isinstance(stage, EffectStage)
    assert ParamValue("feedback", 0.25) in stage.params
    assert effects.changes == (ParamChanged(1, ("chain", 2, "feedback"), 0.25),)


def test_set_stage_param_shares_the_other_stages() -> None:
    before = build(*CHAIN)
    after, _ = apply(before, SetStageParam(1, 2, "mix", 0.5))
    assert inst(after).chain[0] is inst(before).chain[0]
    assert inst(after).chain[2] is inst(before).chain[2]


def test_set_stage_param_with_an_unknown_name_is_rejected() -> None:
    assert_rejected(CHAIN, SetStageParam(1, 1, "drive", 0.5), UnknownId)


def test_set_stage_param_out_of_range_is_rejected() -> None:
    assert_rejected(CHAIN, SetStageParam(1, 1, "resonance", 1.5), ValueOutOfRange)


@pytest.mark.parametrize("value", [math.nan, math.inf, "0.5", None])
def test_set_stage_param_with_a_bad_value_is_rejected(value: object) -> None:
    assert_rejected(CHAIN, SetStageParam(1, 1, "resonance", value), WrongType)  # type: ignore[arg-type]


def test_set_stage_param_on_an_unknown_stage_is_rejected() -> None:
    assert_rejected(CHAIN, SetStageParam(1, 8, "cutoff", 500.0), UnknownId)


def test_set_stage_param_on_the_eq_is_rejected() -> None:
    assert_rejected(CHAIN, SetStageParam(1, 3, "gain", 1.0), InvalidAction)


# --- SetFilterType ------------------------------------------------------------------------


def test_set_filter_type_keeps_cutoff_and_resonance() -> None:
    setup = (*CHAIN, SetStageParam(1, 1, "cutoff", 3000.0))
    project, effects = apply(build(*setup), SetFilterType(1, 1, "hpf"))
    stage = inst(project).chain[0]
    assert isinstance(stage, FilterStage)
    assert stage.filter_type == "hpf"
    assert stage.params[0] == ParamValue("cutoff", 3000.0)
    assert effects == CHAIN_EFFECTS


def test_set_filter_type_on_an_effect_is_rejected() -> None:
    assert_rejected(CHAIN, SetFilterType(1, 2, "hpf"), InvalidAction)


def test_set_filter_type_to_an_unknown_type_is_rejected() -> None:
    assert_rejected(CHAIN, SetFilterType(1, 1, "ladder"), UnknownCatalogEntry)


# --- SetEqBand ----------------------------------------------------------------------------


def test_set_eq_band_gain_names_the_band_path() -> None:
    before = build(*CHAIN)
    project, effects = apply(before, SetEqBand(1, 3, 4, "gain", -6.0))
    stage, old = inst(project).chain[2], inst(before).chain[2]
    assert isinstance(stage, EqStage)
    assert isinstance(old, EqStage)
    assert stage.bands[4].gain == -6.0
    assert all(stage.bands[n] is old.bands[n] for n in range(12) if n != 4)
    assert effects == Effects(
        (ParamChanged(1, ("chain", 3, "band", 4, "gain"), -6.0),),
        instrument_scope(1),
        "eq/1/3/4/gain",
    )


def test_set_eq_band_enabled_takes_zero_or_one() -> None:
    project, effects = apply(build(*CHAIN), SetEqBand(1, 3, 0, "enabled", 0.0))
    stage = inst(project).chain[2]
    assert isinstance(stage, EqStage)
    assert stage.bands[0].enabled is False
    assert effects.changes == (ParamChanged(1, ("chain", 3, "band", 0, "enabled"), 0.0),)


def test_set_eq_band_enabled_halfway_is_rejected() -> None:
    assert_rejected(CHAIN, SetEqBand(1, 3, 0, "enabled", 0.5), WrongType)


def test_set_eq_band_beyond_twelve_bands_is_rejected() -> None:
    assert_rejected(CHAIN, SetEqBand(1, 3, 12, "gain", 1.0), ValueOutOfRange)


def test_set_eq_band_with_an_unknown_field_is_rejected() -> None:
    assert_rejected(CHAIN, SetEqBand(1, 3, 0, "width", 1.0), InvalidAction)


def test_set_eq_band_gain_beyond_24_db_is_rejected() -> None:
    assert_rejected(CHAIN, SetEqBand(1, 3, 0, "gain", 30.0), ValueOutOfRange)


def test_set_eq_band_on_a_filter_is_rejected() -> None:
    assert_rejected(CHAIN, SetEqBand(1, 1, 0, "gain", 1.0), InvalidAction)


# --- sharing ------------------------------------------------------------------------------


def test_a_chain_edit_shares_the_session_and_other_instruments() -> None:
    before = build(*CHAIN, AddInstrument("sine"))
    after, _ = apply(before, AddEffect(1, "chorus"))
    assert after.session is before.session
    assert after.instruments.items[1] is before.instruments.items[1]
    assert inst(after).mixer is inst(before).mixer
