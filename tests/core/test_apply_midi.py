"""MIDI input settings: CC mappings, the pitch wheel and where incoming notes go."""

from __future__ import annotations

import pytest
from apply_helpers import assert_rejected, build

from imbolc.core.actions import (
    AddCcMapping,
    AddInstrument,
    RemoveCcMapping,
    SetChannelInstrument,
    SetMidiInput,
    SetPitchBend,
)
from imbolc.core.apply import apply
from imbolc.core.automation import AutomationTarget
from imbolc.core.effects import SESSION_SCOPE, Effects, SessionChanged
from imbolc.core.errors import InvalidAction, UnknownId, ValueOutOfRange
from imbolc.core.midi_map import CcMapping, ChannelRoute, MidiSettings, PitchBendConfig

LEVEL = AutomationTarget("instrument", 1, "mixer.level")
SAW = (AddInstrument("saw"),)
MIDI_EFFECTS = Effects((SessionChanged("midi"),), SESSION_SCOPE)


def test_add_cc_mapping_maps_a_controller_to_a_target() -> None:
    mapping = CcMapping(74, LEVEL, channel=0, max_value=1.0)
    project, effects = apply(build(*SAW), AddCcMapping(mapping))
    assert project.session.midi.cc_mappings == (mapping,)
    assert project.session.midi.mapping(74, 0) == mapping
    assert effects == MIDI_EFFECTS


def test_a_second_mapping_of_the_same_cc_and_channel_replaces_the_first() -> None:
    first, second = CcMapping(74, LEVEL), CcMapping(74, LEVEL, max_value=0.5)
    project = build(*SAW, AddCcMapping(first), AddCcMapping(second))
    assert project.session.midi.cc_mappings == (second,)


def test_a_channel_less_mapping_answers_every_channel() -> None:
    project = build(*SAW, AddCcMapping(CcMapping(1, LEVEL)))
    assert project.session.midi.mapping(1, 9) is not None


def test_remove_cc_mapping_forgets_it() -> None:
    project, effects = apply(build(*SAW, AddCcMapping(CcMapping(7, LEVEL))), RemoveCcMapping(7))
    assert project.session.midi.cc_mappings == ()
    assert effects == MIDI_EFFECTS


def test_set_pitch_bend_sends_the_wheel_to_a_target() -> None:
    config = PitchBendConfig(AutomationTarget("instrument", 1, "source.freq"), range=0.1)
    project, effects = apply(build(*SAW), SetPitchBend(config))
    assert project.session.midi.pitch_bend == config
    assert effects == MIDI_EFFECTS


def test_set_midi_input_routes_notes_to_an_instrument() -> None:
    project, effects = apply(build(*SAW), SetMidiInput(1, note_passthrough=False, channel_filter=3))
    assert project.session.midi == MidiSettings(
        live_input_instrument=1, note_passthrough=False, channel_filter=3
    )
    assert effects == MIDI_EFFECTS


def test_aftertouch_maps_like_a_controller_numbered_128() -> None:
    project = build(*SAW, AddCcMapping(CcMapping(128, LEVEL)))
    assert project.session.midi.mapping(128, 0) is not None


def test_set_channel_instrument_routes_one_channel_and_none_unroutes_it() -> None:
    two = (*SAW, AddInstrument("sine"))
    project, effects = apply(build(*two, SetChannelInstrument(9, 1)), SetChannelInstrument(2, 2))
    assert project.session.midi.channel_routes == (ChannelRoute(2, 2), ChannelRoute(9, 1))
    assert effects == MIDI_EFFECTS
    moved = apply(project, SetChannelInstrument(9, 2))[0]
    assert moved.session.midi.channel_routes == (ChannelRoute(2, 2), ChannelRoute(9, 2))
    cleared = apply(moved, SetChannelInstrument(2, None))[0]
    assert cleared.session.midi.channel_routes == (ChannelRoute(9, 2),)


@pytest.mark.parametrize(
    ("action", "error"),
    [
        (AddCcMapping(CcMapping(129, LEVEL)), ValueOutOfRange),  # 128 is aftertouch
        (SetChannelInstrument(16, 1), ValueOutOfRange),
        (SetChannelInstrument(0, 9), UnknownId),
        (AddCcMapping(CcMapping(1, LEVEL, channel=16)), ValueOutOfRange),
        (AddCcMapping(CcMapping(1, AutomationTarget("instrument", 9, "mixer.level"))), UnknownId),
        (AddCcMapping(CcMapping(1, LEVEL, max_value=9.0)), ValueOutOfRange),
        (AddCcMapping("cc 7"), InvalidAction),  # type: ignore[arg-type]
        (RemoveCcMapping(7), UnknownId),
        (SetPitchBend(PitchBendConfig(LEVEL, sensitivity=-1.0)), ValueOutOfRange),
        (SetMidiInput(5), UnknownId),
        (SetMidiInput(None, channel_filter=17), ValueOutOfRange),
    ],
)
def test_bad_midi_settings_are_rejected_and_change_nothing(
    action: AddCcMapping, error: type[Exception]
) -> None:
    assert_rejected(SAW, action, error)
