"""Specification of mixer actions: strips, outputs, sends and buses."""

from __future__ import annotations

import math

import pytest
from apply_helpers import assert_rejected, build

from imbolc.core import catalog
from imbolc.core.actions import (
    MASTER,
    AddBus,
    AddBusEffect,
    AddInstrument,
    AddLane,
    MoveBusEffect,
    RemoveBus,
    RemoveBusEffect,
    RenameBus,
    SetBusEffectEnabled,
    SetBusEffectParam,
    SetMixerLevel,
    SetMixerMute,
    SetMixerPan,
    SetMixerSolo,
    SetOutput,
    SetSendEnabled,
    SetSendLevel,
    SetSendTap,
    Strip,
    bus_strip,
    instrument_strip,
)
from imbolc.core.apply import apply
from imbolc.core.automation import AutomationTarget
from imbolc.core.effects import (
    FULL_SCOPE,
    SESSION_SCOPE,
    BusesChanged,
    BusParamChanged,
    BusProcessingChanged,
    Effects,
    LaneChanged,
    SoloChanged,
    StripChanged,
    instrument_scope,
)
from imbolc.core.errors import (
    Conflict,
    InvalidAction,
    UnknownCatalogEntry,
    UnknownId,
    ValueOutOfRange,
    WrongType,
)
from imbolc.core.instrument import EffectStage, Instrument, ParamValue, Send
from imbolc.core.mixer import MAX_BUSES, Bus
from imbolc.core.project import Project


def inst(project: Project, ident: int) -> Instrument:
    found = project.instruments.get(ident)
    assert found is not None
    return found


def bus(project: Project, ident: int) -> Bus:
    found = project.session.mixer.bus(ident)
    assert found is not None
    return found


FIVE = tuple(AddInstrument(source) for source in ("saw", "sine", "square", "pulse", "fm"))
SAW = (AddInstrument("saw"),)
# Bus 2 holds a delay (stage 1) and a reverb (stage 2).
BUS_FX = (*SAW, AddBusEffect(2, "delay"), AddBusEffect(2, "reverb"))


# --- SetMixerLevel ------------------------------------------------------------------------


def test_set_level_of_one_instrument_names_exactly_its_strip() -> None:
    project, effects = apply(build(*FIVE), SetMixerLevel(instrument_strip(3), 0.5))
    assert inst(project, 3).mixer.level == 0.5
    assert effects == Effects(
        (StripChanged("instrument", 3),), instrument_scope(3), "mixer/level/instrument/3"
    )


def test_set_level_of_one_instrument_shares_every_other_instrument_and_the_session() -> None:
    before = build(*FIVE)
    after, _ = apply(before, SetMixerLevel(instrument_strip(3), 0.5))
    assert after.session is before.session
    for n in (0, 1, 3, 4):
        assert after.instruments.items[n] is before.instruments.items[n]
    changed, old = after.instruments.items[2], before.instruments.items[2]
    assert changed.source_params is old.source_params
    assert changed.chain is old.chain
    assert changed.mixer.sends is old.mixer.sends


def test_set_level_of_a_bus_names_the_bus_strip() -> None:
    before = build(*SAW)
    project, effects = apply(before, SetMixerLevel(bus_strip(2), 1.2))
    assert bus(project, 2).level == 1.2
    assert project.instruments is before.instruments
    assert project.session.mixer.buses[0] is before.session.mixer.buses[0]
    assert effects == Effects((StripChanged("bus", 2),), SESSION_SCOPE, "mixer/level/bus/2")


def test_set_level_of_the_master() -> None:
    project, effects = apply(build(), SetMixerLevel(MASTER, 0.9))
    assert project.session.mixer.master_level == 0.9
    assert effects == Effects((StripChanged("master"),), SESSION_SCOPE, "mixer/level/master/0")


@pytest.mark.parametrize("level", [-0.1, 1.51])
def test_set_level_outside_zero_to_one_and_a_half_is_rejected(level: float) -> None:
    assert_rejected(SAW, SetMixerLevel(instrument_strip(1), level), ValueOutOfRange)


@pytest.mark.parametrize("level", ["0.5", None, True, math.nan, math.inf])
def test_set_level_with_a_non_number_is_rejected(level: object) -> None:
    assert_rejected(SAW, SetMixerLevel(instrument_strip(1), level), WrongType)  # type: ignore[arg-type]


def test_set_level_of_an_unknown_instrument_is_rejected() -> None:
    assert_rejected(SAW, SetMixerLevel(instrument_strip(2), 0.5), UnknownId)


def test_set_level_of_an_unknown_bus_is_rejected() -> None:
    assert_rejected(SAW, SetMixerLevel(bus_strip(20), 0.5), UnknownId)


def test_set_level_of_an_unknown_strip_kind_is_rejected() -> None:
    assert_rejected(SAW, SetMixerLevel(Strip("aux", 1), 0.5), InvalidAction)  # type: ignore[arg-type]


def test_set_level_with_a_strip_that_is_not_a_strip_is_rejected() -> None:
    assert_rejected(SAW, SetMixerLevel(("instrument", 1), 0.5), InvalidAction)  # type: ignore[arg-type]


# --- pan, mute, solo ----------------------------------------------------------------------


def test_set_pan_of_an_instrument() -> None:
    project, effects = apply(build(*SAW), SetMixerPan(instrument_strip(1), -0.25))
    assert inst(project, 1).mixer.pan == -0.25
    assert effects == Effects(
        (StripChanged("instrument", 1),), instrument_scope(1), "mixer/pan/instrument/1"
    )


def test_set_pan_of_a_bus() -> None:
    project, effects = apply(build(), SetMixerPan(bus_strip(1), 1.0))
    assert bus(project, 1).pan == 1.0
    assert effects == Effects((StripChanged("bus", 1),), SESSION_SCOPE, "mixer/pan/bus/1")


def test_the_master_has_no_pan() -> None:
    assert_rejected((), SetMixerPan(MASTER, 0.5), InvalidAction)


def test_set_pan_beyond_hard_right_is_rejected() -> None:
    assert_rejected(SAW, SetMixerPan(instrument_strip(1), 1.01), ValueOutOfRange)


def test_set_mute_of_an_instrument() -> None:
    project, effects = apply(build(*SAW), SetMixerMute(instrument_strip(1), True))
    assert inst(project, 1).mixer.mute is True
    assert effects == Effects(
        (StripChanged("instrument", 1),), instrument_scope(1), "mixer/mute/instrument/1"
    )


def test_set_mute_of_the_master() -> None:
    project, effects = apply(build(), SetMixerMute(MASTER, True))
    assert project.session.mixer.master_mute is True
    assert effects == Effects((StripChanged("master"),), SESSION_SCOPE, "mixer/mute/master/0")


def test_set_mute_with_an_int_is_rejected() -> None:
    assert_rejected(SAW, SetMixerMute(instrument_strip(1), 1), WrongType)  # type: ignore[arg-type]


def test_solo_of_an_instrument_also_reports_a_solo_change() -> None:
    project, effects = apply(build(*SAW), SetMixerSolo(instrument_strip(1), True))
    assert inst(project, 1).mixer.solo is True
    assert project.instruments.any_solo()
    assert effects == Effects(
        (StripChanged("instrument", 1), SoloChanged()),
        instrument_scope(1),
        "mixer/solo/instrument/1",
    )


def test_solo_of_a_bus_also_reports_a_solo_change() -> None:
    project, effects = apply(build(), SetMixerSolo(bus_strip(3), True))
    assert project.session.mixer.any_solo()
    assert effects.changes == (StripChanged("bus", 3), SoloChanged())


def test_the_master_cannot_be_soloed() -> None:
    assert_rejected((), SetMixerSolo(MASTER, True), InvalidAction)


# --- outputs and sends --------------------------------------------------------------------


def test_set_output_routes_an_instrument_to_a_bus_and_back() -> None:
    project, effects = apply(build(*SAW), SetOutput(1, 4))
    assert inst(project, 1).mixer.output_bus == 4
    assert effects == Effects((StripChanged("instrument", 1),), instrument_scope(1))
    back, _ = apply(project, SetOutput(1, None))
    assert inst(back, 1).mixer.output_bus is None


def test_set_output_to_an_unknown_bus_is_rejected() -> None:
    assert_rejected(SAW, SetOutput(1, 99), UnknownId)


def test_set_send_level_creates_the_send() -> None:
    project, effects = apply(build(*SAW), SetSendLevel(1, 3, 0.6))
    assert inst(project, 1).mixer.sends == (Send(3, level=0.6),)
    assert effects == Effects(
        (StripChanged("instrument", 1),), instrument_scope(1), "send/level/1/3"
    )


def test_sends_stay_sorted_by_bus() -> None:
    project = build(*SAW, SetSendLevel(1, 5, 0.1), SetSendLevel(1, 2, 0.2))
    assert [s.bus_id for s in inst(project, 1).mixer.sends] == [2, 5]


def test_set_send_level_to_an_unknown_bus_is_rejected() -> None:
    assert_rejected(SAW, SetSendLevel(1, 40, 0.5), UnknownId)


def test_set_send_level_out_of_range_is_rejected() -> None:
    assert_rejected(SAW, SetSendLevel(1, 2, 2.0), ValueOutOfRange)


def test_set_send_enabled_switches_the_send() -> None:
    project, effects = apply(build(*SAW, SetSendLevel(1, 2, 0.5)), SetSendEnabled(1, 2, True))
    assert inst(project, 1).mixer.sends == (Send(2, 0.5, enabled=True),)
    assert effects == Effects(
        (StripChanged("instrument", 1),), instrument_scope(1), "send/enabled/1/2"
    )


def test_set_send_tap_taps_before_the_chain() -> None:
    project, effects = apply(build(*SAW), SetSendTap(1, 2, "pre"))
    assert inst(project, 1).mixer.sends == (Send(2, tap="pre"),)
    assert effects == Effects((StripChanged("instrument", 1),), instrument_scope(1), "send/tap/1/2")


def test_set_send_tap_to_an_unknown_tap_is_rejected() -> None:
    assert_rejected(SAW, SetSendTap(1, 2, "middle"), InvalidAction)  # type: ignore[arg-type]


# --- buses --------------------------------------------------------------------------------


def test_a_new_project_has_eight_buses() -> None:
    assert [b.id for b in Project().session.mixer.buses] == list(range(1, 9))


def test_add_bus_takes_the_lowest_free_id() -> None:
    project, effects = apply(build(RemoveBus(3)), AddBus("Drums"))
    assert bus(project, 3).name == "Drums"
    assert [b.id for b in project.session.mixer.buses] == list(range(1, 9))
    assert effects == Effects((BusesChanged(),), SESSION_SCOPE)


def test_add_bus_without_a_name_names_it_by_number() -> None:
    assert bus(build(AddBus()), 9).name == "Bus 9"


def test_a_thirty_third_bus_is_a_conflict() -> None:
    full = tuple(AddBus() for _ in range(MAX_BUSES - 8))
    assert len(build(*full).session.mixer.buses) == MAX_BUSES
    assert_rejected(full, AddBus(), Conflict)


def test_remove_bus_reroutes_outputs_to_master_and_disables_sends() -> None:
    setup = (*SAW, AddInstrument("sine"), SetOutput(1, 2), SetSendLevel(1, 2, 0.5))
    before = build(*setup)
    project, effects = apply(before, RemoveBus(2))
    assert project.session.mixer.bus(2) is None
    assert inst(project, 1).mixer.output_bus is None
    assert inst(project, 1).mixer.sends == (Send(2, 0.5, enabled=False),)
    assert project.instruments.items[1] is before.instruments.items[1]
    assert effects == Effects((BusesChanged(), StripChanged("instrument", 1)), FULL_SCOPE)


def test_remove_bus_removes_the_automation_lanes_that_drive_it() -> None:
    setup = (
        AddLane(AutomationTarget("bus", 2, "level")),
        AddLane(AutomationTarget("master", 0, "level")),
    )
    project, effects = apply(build(*setup), RemoveBus(2))
    assert [lane.id for lane in project.session.automation.lanes] == [2]
    assert effects.changes == (BusesChanged(), LaneChanged(1))


def test_remove_unknown_bus_is_rejected() -> None:
    assert_rejected((), RemoveBus(9), UnknownId)


def test_rename_bus() -> None:
    project, effects = apply(build(), RenameBus(1, "Verb"))
    assert bus(project, 1).name == "Verb"
    assert effects == Effects((BusesChanged(),), SESSION_SCOPE)


def test_rename_bus_to_blank_is_rejected() -> None:
    assert_rejected((), RenameBus(1, ""), InvalidAction)


# --- bus effects --------------------------------------------------------------------------


def test_add_bus_effect_appends_an_effect_with_catalog_defaults() -> None:
    project, effects = apply(build(), AddBusEffect(2, "reverb"))
    params = tuple(ParamValue(s.name, s.default) for s in catalog.effect("reverb").params)
    assert bus(project, 2).effects == (EffectStage(1, "reverb", params),)
    assert bus(project, 2).next_stage_id == 2
    assert effects == Effects((BusProcessingChanged(2),), SESSION_SCOPE)


def test_add_bus_effect_with_an_unknown_effect_is_rejected() -> None:
    assert_rejected((), AddBusEffect(2, "shimmer"), UnknownCatalogEntry)


def test_add_bus_effect_to_an_unknown_bus_is_rejected() -> None:
    assert_rejected((), AddBusEffect(12, "delay"), UnknownId)


def test_remove_bus_effect() -> None:
    project, effects = apply(build(*BUS_FX), RemoveBusEffect(2, 1))
    assert [s.id for s in bus(project, 2).effects] == [2]
    assert effects == Effects((BusProcessingChanged(2),), SESSION_SCOPE)


def test_remove_unknown_bus_effect_is_rejected() -> None:
    assert_rejected(BUS_FX, RemoveBusEffect(2, 7), UnknownId)


def test_move_bus_effect() -> None:
    project, effects = apply(build(*BUS_FX), MoveBusEffect(2, 2, 0))
    assert [s.id for s in bus(project, 2).effects] == [2, 1]
    assert effects == Effects((BusProcessingChanged(2),), SESSION_SCOPE)


def test_move_bus_effect_past_the_end_is_rejected() -> None:
    assert_rejected(BUS_FX, MoveBusEffect(2, 1, 2), ValueOutOfRange)


def test_set_bus_effect_enabled() -> None:
    project, effects = apply(build(*BUS_FX), SetBusEffectEnabled(2, 2, False))
    assert bus(project, 2).effects[1].enabled is False
    assert effects == Effects((BusParamChanged(2, 2, "enabled", 0.0),), SESSION_SCOPE)


def test_set_bus_effect_param_is_a_single_targeted_change() -> None:
    before = build(*BUS_FX)
    project, effects = apply(before, SetBusEffectParam(2, 1, "mix", 0.5))
    assert ParamValue("mix", 0.5) in bus(project, 2).effects[0].params
    assert bus(project, 2).effects[1] is bus(before, 2).effects[1]
    assert effects == Effects((BusParamChanged(2, 1, "mix", 0.5),), SESSION_SCOPE, "bus/2/1/mix")


def test_set_bus_effect_param_with_an_unknown_name_is_rejected() -> None:
    assert_rejected(BUS_FX, SetBusEffectParam(2, 1, "width", 0.5), UnknownId)


def test_set_bus_effect_param_out_of_range_is_rejected() -> None:
    assert_rejected(BUS_FX, SetBusEffectParam(2, 1, "mix", 1.5), ValueOutOfRange)
