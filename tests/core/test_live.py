"""Live MIDI in the core: the tolerant decoder, routing, takes and the clock follower."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from imbolc.core.actions import (
    AddCcMapping,
    AddInstrument,
    AddNote,
    AddNotes,
    LinkLayer,
    RemoveNotesInRange,
    SetChannelInstrument,
    SetChordShape,
    SetMixerLevel,
    SetPitchBend,
)
from imbolc.core.automation import AutomationTarget
from imbolc.core.live import (
    AFTERTOUCH_CC,
    Aftertouch,
    ControlChange,
    MidiDecoder,
    NoteOff,
    NoteOn,
    PitchWheel,
)
from imbolc.core.live_route import LiveRouter, Move, VoiceOff, VoiceOn, move_action
from imbolc.core.live_take import Take, TakeOptions
from imbolc.core.midi_map import CcMapping, PitchBendConfig
from imbolc.core.store import Store
from imbolc.core.tempo_sync import ClockFollower, ClockSchedule


def test_the_decoder_keeps_running_status_across_packets_and_skips_sysex() -> None:
    logged: list[str] = []
    decoder = MidiDecoder(logged.append)
    assert decoder.feed([0x91, 60], 1.0) == []
    assert decoder.feed([100, 62, 0, 0xF0, 1, 2, 0xF7, 0xE1, 0, 0x40], 2.0) == [
        NoteOn(1, 60, 100, 2.0),
        NoteOff(1, 62, 0, 2.0),
        PitchWheel(1, 0, 2.0),
    ]
    assert decoder.sysex == 1 and decoder.garbage == 0
    assert decoder.feed([0x30, 0xF4, 0xF7, 0xB0, 7], 3.0) == []
    assert decoder.garbage == 3 and len(logged) == 3
    assert decoder.feed([0x90, 1, 2], 4.0) == [NoteOn(0, 1, 2, 4.0)]  # incomplete CC dropped
    assert decoder.garbage == 4


def _two_synths() -> Store:
    store = Store()
    store.dispatch(AddInstrument("saw", "A"))
    store.dispatch(AddInstrument("sine", "B"))
    return store


def test_layers_sound_every_member_and_the_pedal_holds_until_lifted() -> None:
    store = _two_synths()
    store.dispatch(LinkLayer(1, 2))
    router = LiveRouter()
    routed = router.route(store.state, NoteOn(0, 60, 90), 1)
    assert set(routed.voices) == {VoiceOn(1, 60, 90), VoiceOn(2, 60, 90)}
    assert router.route(store.state, ControlChange(0, 64, 127), 1).voices == ()
    assert router.route(store.state, NoteOff(0, 60), 1).voices == ()
    lifted = router.route(store.state, ControlChange(0, 64, 0), 1)
    assert set(lifted.voices) == {VoiceOff(1, 60), VoiceOff(2, 60)}


def test_channel_routes_cc_ranges_and_the_pitch_wheel() -> None:
    store = _two_synths()
    store.dispatch(SetChannelInstrument(5, 2))
    level = AutomationTarget("instrument", 1, "mixer.level")
    store.dispatch(AddCcMapping(CcMapping(7, level, None, 0.5, 1.0)))
    store.dispatch(SetPitchBend(PitchBendConfig(AutomationTarget("instrument", 2, "mixer.pan"))))
    router = LiveRouter()
    assert router.route(store.state, NoteOn(5, 40, 10), 1).played == 2
    assert router.route(store.state, NoteOn(0, 40, 10), 1).played == 1
    (move,) = router.route(store.state, ControlChange(3, 7, 127), 1).moves
    assert move.value == 1.0 and move_action(move) == SetMixerLevel(move_action(move).strip, 1.0)  # type: ignore[union-attr]
    (half,) = router.route(store.state, ControlChange(3, 7, 0), 1).moves
    assert half.value == 0.5
    (bend,) = router.route(store.state, PitchWheel(0, 8191), 1).moves
    assert bend.value > 0.99


def test_a_replace_take_clears_its_range_and_quantizes() -> None:
    store = _two_synths()
    take = Take(960, TakeOptions("replace", quantize=120))
    take.note_on(1, 60, 100, 900)  # still counting in: not recorded
    take.note_on(1, 62, 100, 1010)
    take.note_off(1, 62, 1200)
    take.move(AutomationTarget("instrument", 1, "mixer.level"), 0.75, 1100)
    actions = take.actions(store.state)
    assert actions[0] == RemoveNotesInRange(1, 960, 1201)
    assert isinstance(actions[1], AddNotes)
    assert [(n.tick, n.duration, n.pitch) for n in actions[1].notes] == [(960, 190, 62)]
    with store.transaction("record take"):
        for action in actions:
            store.dispatch(action)
    (lane,) = store.state.session.automation.lanes
    assert [(p.tick, p.value) for p in lane.points] == [(1100, round(0.75 / 1.5, 6))]
    assert store.undo() and store.state.session.automation.lanes == ()


def test_clock_follower_and_schedule_agree_on_the_tempo() -> None:
    schedule = ClockSchedule(0.0, 128.0)
    follower = ClockFollower()
    reported = None
    now = 0.0
    for _ in range(100):
        now = schedule.next_due()
        assert schedule.due(now) == 1
        reported = follower.tick(now) or reported
    assert reported == 128.0


@given(st.lists(st.binary(max_size=12), max_size=40))
def test_any_bytes_decode_to_valid_events_without_raising(packets: list[bytes]) -> None:
    decoder = MidiDecoder()
    for packet in packets:
        for event in decoder.feed(packet, 0.0):
            channel = getattr(event, "channel", 0)
            assert 0 <= channel <= 15
            for name in ("note", "velocity", "control", "value"):
                value = getattr(event, name, 0)
                if name == "value" and isinstance(event, PitchWheel):
                    assert -8192 <= value <= 8191
                elif value is not None:
                    assert 0 <= value <= 127


def test_an_overdub_take_adds_to_the_notes_already_there() -> None:
    store = _two_synths()
    store.dispatch(AddNote(1, 0, 240, 48))
    take = Take(0, TakeOptions("overdub"))
    take.note_on(1, 50, 90, 10)
    take.finish(100)  # a key still down when the take stops ends there
    actions = take.actions(store.state)
    assert not any(isinstance(a, RemoveNotesInRange) for a in actions)
    for action in actions:
        store.dispatch(action)
    track = store.state.session.piano_roll.track(1)
    assert track is not None
    assert [(n.tick, n.duration, n.pitch) for n in track.notes] == [(0, 240, 48), (10, 90, 50)]


def test_channel_aftertouch_moves_what_cc_128_is_mapped_to() -> None:
    store = _two_synths()
    target = AutomationTarget("instrument", 1, "mixer.level")
    store.dispatch(AddCcMapping(CcMapping(AFTERTOUCH_CC, target, 2, 0.0, 1.0)))
    router = LiveRouter()
    (move,) = router.route(store.state, Aftertouch(2, 127), 1).moves
    assert move == Move(target, 1.0)
    assert router.route(store.state, Aftertouch(3, 127), 1).moves == ()  # another channel
    assert router.route(store.state, Aftertouch(2, 127, note=60), 1).moves == ()  # poly


def test_a_chord_shape_turns_one_key_into_its_chord_and_releases_it_whole() -> None:
    store = _two_synths()
    store.dispatch(SetChordShape(1, "major"))
    router = LiveRouter()
    played = router.route(store.state, NoteOn(0, 60, 70), 1).voices
    assert played == (VoiceOn(1, 60, 70), VoiceOn(1, 64, 70), VoiceOn(1, 67, 70))
    released = router.route(store.state, NoteOff(0, 60), 1).voices
    assert released == (VoiceOff(1, 60), VoiceOff(1, 64), VoiceOff(1, 67))
