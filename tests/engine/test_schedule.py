"""Specification of the scheduling core: which notes, values and clicks a window holds, when."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from imbolc.core import arrangement as arrangement_module
from imbolc.core.actions import (
    AddInstrument,
    AddLane,
    AddNote,
    AddNotes,
    AddPoint,
    CaptureClip,
    CreateClip,
    LinkLayer,
    PlaceClip,
    RemoveLane,
    SetArpeggiator,
    SetBpm,
    SetChordShape,
    SetClick,
    SetDrumPad,
    SetDrumStep,
    SetGroove,
    SetHumanize,
    SetInstrumentActive,
    SetKitSwing,
    SetLaneEnabled,
    SetLoop,
    SetLooping,
    SetMixerMute,
    SetOctaveOffset,
    SetPatternChain,
    SetPatternLength,
    SetPlayMode,
    SetStepResolution,
    SetSwing,
    SetTimeSignature,
)
from imbolc.core.actions.base import Action
from imbolc.core.actions.mixer import instrument_strip
from imbolc.core.arrangement import flatten_notes
from imbolc.core.automation import AutomationTarget
from imbolc.core.ids import ClipId, InstrumentId, LaneId
from imbolc.core.instrument import ArpDirection, Arpeggiator, Groove
from imbolc.core.kit import DrumPad, DrumStep
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.engine.schedule import (
    CONTROL_PERIOD_SECONDS,
    ScheduledNote,
    Scheduler,
    Window,
)

BEAT = TICKS_PER_BEAT
BAR = 4 * BEAT
SYNTH = InstrumentId(1)
OTHER = InstrumentId(2)
LANE = LaneId(1)
CLIP = ClipId(1)
SPT_120 = 60.0 / (120 * BEAT)
SIXTEENTH = BEAT // 4


def build(*actions: Action, project: Project | None = None) -> Project:
    """A project made by dispatching ``actions`` on a fresh store."""
    store = Store(project)
    for action in actions:
        store.dispatch(action)
    return store.state


def synth_with(*notes: Note, more: tuple[Action, ...] = ()) -> Project:
    """One saw instrument (id 1) with ``notes`` in the default 4-bar loop, then ``more``."""
    return build(AddInstrument("saw", "Synth"), AddNotes(SYNTH, notes), *more)


def kit_project(*more: Action) -> Project:
    """One kit instrument (id 1) with an empty pattern 0, then ``more`` actions."""
    return build(AddInstrument("kit", "Drums"), *more)


def play(
    project: Project, start: float, end: float, start_time: float = 0.0, seed: int = 0
) -> Window:
    """One window from a fresh scheduler."""
    return Scheduler(seed=seed).window(project, start, end, start_time)


def onsets(window: Window, instrument: int = SYNTH) -> list[tuple[float, int]]:
    """(time, pitch) of the window's notes on ``instrument``."""
    return [(n.time, n.pitch) for n in window.notes if n.instrument_id == instrument]


def hit(
    pitch: int = 60,
    tick: int = 0,
    duration: int = BEAT // 2,
    *,
    velocity: int = 100,
    probability: float = 1.0,
) -> Note:
    """A note at ``tick``."""
    return Note(tick, duration, pitch, velocity, probability)


# --- timing -------------------------------------------------------------------------------


def test_onsets_land_on_exact_seconds_at_120_bpm() -> None:
    project = synth_with(hit(60, 0), hit(62, BEAT), hit(64, 2 * BEAT + BEAT // 2))
    window = play(project, 0, BAR, start_time=10.0)
    assert onsets(window) == [(10.0, 60), (10.5, 62), (11.25, 64)]
    assert window.notes[0].duration == pytest.approx(0.25)
    assert window.next_time == pytest.approx(12.0)


def test_onsets_land_on_exact_seconds_at_90_bpm() -> None:
    project = synth_with(hit(60, 0), hit(62, BEAT), hit(64, 3 * BEAT), more=(SetBpm(90.0),))
    window = play(project, 0, BAR, start_time=2.0)
    times = [time for time, _ in onsets(window)]
    assert times == pytest.approx([2.0, 2.0 + 60 / 90, 2.0 + 3 * 60 / 90])


def test_a_window_holds_only_notes_starting_inside_it() -> None:
    project = synth_with(hit(60, 0), hit(62, BEAT), hit(64, 2 * BEAT))
    window = play(project, BEAT, 2 * BEAT, start_time=0.0)
    assert onsets(window) == [(0.0, 62)]


def test_loop_wrap_splits_the_window_and_times_keep_increasing() -> None:
    project = synth_with(hit(60, 0), hit(67, 3 * BEAT), more=(SetLoop(0, BAR),))
    window = play(project, 3 * BEAT - 40, 3 * BEAT - 40 + 2 * BAR)
    ticks = [n.tick for n in window.notes]
    times = [n.time for n in window.notes]
    assert ticks == [3 * BEAT, 0, 3 * BEAT, 0]
    assert times == pytest.approx(
        [
            40 * SPT_120,
            (BEAT + 40) * SPT_120,
            (BEAT + 40 + BAR - BEAT) * SPT_120,
            (BEAT + 40 + BAR) * SPT_120,
        ]
    )
    assert times == sorted(times)
    assert window.next_tick == 3 * BEAT - 40


def test_contiguous_windows_continue_across_the_loop_end() -> None:
    project = synth_with(hit(60, 0), more=(SetLoop(0, BAR),))
    scheduler = Scheduler(seed=1)
    first = scheduler.window(project, BAR - 100, BAR, 5.0)
    assert first.notes == () and first.next_tick == 0
    second = scheduler.window(project, first.next_tick, 100, first.next_time)
    ((time, pitch),) = onsets(second)
    assert pitch == 60
    assert time == pytest.approx(5.0 + 100 * SPT_120)


def test_without_looping_playback_runs_past_the_loop_end() -> None:
    project = synth_with(hit(60, BAR + BEAT), more=(SetLoop(0, BAR), SetLooping(False)))
    window = play(project, BAR - BEAT, BAR + 2 * BEAT)
    assert [n.tick for n in window.notes] == [BAR + BEAT]
    assert window.next_tick == BAR + 2 * BEAT


def test_overlapping_windows_schedule_each_note_once() -> None:
    project = synth_with(hit(60, 0), hit(62, 100), hit(64, 200))
    scheduler = Scheduler(seed=0)
    first = scheduler.window(project, 0, 150, 0.0)
    again = scheduler.window(project, 50, 250, 50 * SPT_120)
    assert [n.pitch for n in first.notes] == [60, 62]
    assert [n.pitch for n in again.notes] == [64]
    assert again.notes[0].time == pytest.approx(200 * SPT_120)


def test_a_start_the_path_never_reaches_the_mark_from_relocates_playback() -> None:
    project = synth_with(hit(60, 0), hit(62, 2 * BEAT), more=(SetLoop(0, BAR),))
    scheduler = Scheduler(seed=0)
    scheduler.window(project, 0, BEAT, 0.0)
    jumped = scheduler.window(project, 2 * BEAT, 3 * BEAT, 7.0)
    assert onsets(jumped) == [(7.0, 62)]


def test_after_a_reset_the_same_span_plays_again() -> None:
    project = synth_with(hit(60, 0), hit(62, BEAT))
    scheduler = Scheduler(seed=0)
    scheduler.window(project, 0, 2 * BEAT, 0.0)
    assert scheduler.window(project, 0, 2 * BEAT, 7.0).notes == ()
    scheduler.reset()
    assert onsets(scheduler.window(project, 0, 2 * BEAT, 7.0)) == [(7.0, 60), (7.5, 62)]


def test_a_malformed_window_is_refused_with_its_reason() -> None:
    project = synth_with(hit(60, 0))
    with pytest.raises(ValueError, match="end_tick 10 is before start_tick 20"):
        play(project, 20, 10)
    with pytest.raises(ValueError, match="start_time"):
        play(project, 0, 10, start_time=float("nan"))
    with pytest.raises(ValueError, match="tempo"):
        Scheduler().window(project, 0, 10, 0.0, bpm=0.0)


# --- song mode ----------------------------------------------------------------------------


def _song() -> Project:
    return build(
        AddInstrument("saw", "Synth"),
        CreateClip(SYNTH, BAR, "riff", (hit(60, 0), hit(64, BEAT))),
        PlaceClip(CLIP, 0),
        PlaceClip(CLIP, 2 * BAR),
        SetPlayMode("song"),
    )


def test_song_mode_plays_every_placement_at_its_start() -> None:
    window = play(_song(), 0, 4 * BAR)
    assert [(n.tick, n.pitch) for n in window.notes] == [
        (0, 60),
        (BEAT, 64),
        (2 * BAR, 60),
        (2 * BAR + BEAT, 64),
    ]
    assert window.notes[2].time == pytest.approx(2 * BAR * SPT_120)


def test_song_mode_ignores_the_piano_roll_loop() -> None:
    project = build(SetLoop(0, BAR), project=_song())
    window = play(project, 0, 3 * BAR)
    assert window.next_tick == 3 * BAR
    assert [n.tick for n in window.notes] == [0, BEAT, 2 * BAR, 2 * BAR + BEAT]


def test_song_mode_flattens_an_arrangement_once(monkeypatch: pytest.MonkeyPatch) -> None:
    project = _song()
    calls = []
    real = arrangement_module._flatten

    def counting(arrangement: arrangement_module.Arrangement) -> object:
        calls.append(arrangement)
        return real(arrangement)

    monkeypatch.setattr(arrangement_module, "_flatten", counting)
    scheduler = Scheduler(seed=0)
    window = scheduler.window(project, 0, BAR, 0.0)
    for _ in range(5):
        window = scheduler.window(project, window.next_tick, window.next_tick + BAR, 0.0)
    arrangement = project.session.arrangement
    assert flatten_notes(arrangement) is flatten_notes(arrangement)
    assert calls == [arrangement]


# --- probability and determinism ------------------------------------------------------------


def _many(probability: float, count: int = 1000) -> Project:
    notes = tuple(hit(60, tick * 10, 5, probability=probability) for tick in range(count))
    return synth_with(*notes, more=(SetLooping(False),))


def test_probability_zero_never_plays() -> None:
    assert play(_many(0.0), 0, 10_000).notes == ()


def test_probability_one_always_plays() -> None:
    assert len(play(_many(1.0), 0, 10_000).notes) == 1000


def test_probability_half_plays_about_half_the_notes() -> None:
    played = len(play(_many(0.5), 0, 10_000).notes)
    assert 430 <= played <= 570


def test_probability_is_deterministic_for_a_seed() -> None:
    project = _many(0.5)
    first = play(project, 0, 10_000, seed=7).notes
    assert play(project, 0, 10_000, seed=7).notes == first
    assert play(project, 0, 10_000, seed=8).notes != first


def test_a_looped_chance_note_is_drawn_afresh_on_every_pass() -> None:
    project = synth_with(hit(60, 0, probability=0.5), more=(SetLoop(0, BEAT),))
    window = play(project, 0, 200 * BEAT)
    assert 70 <= len(window.notes) <= 130


def _busy_project() -> Project:
    notes = tuple(
        hit(48 + (tick * 7) % 24, tick * 90, 200, velocity=60 + tick % 60, probability=0.6)
        for tick in range(40)
    )
    return build(
        AddInstrument("saw", "Synth"),
        AddNotes(SYNTH, notes),
        AddInstrument("kit", "Drums"),
        AddInstrument("saw", "Arp"),
        AddNotes(InstrumentId(3), (hit(60, 0, 3 * BEAT), hit(67, 2 * BEAT, 4 * BEAT))),
        SetArpeggiator(InstrumentId(3), Arpeggiator(True, "random", "sixteenth", 2, 0.5)),
        SetDrumStep(OTHER, 0, 0, 0, DrumStep(True, 100, 0.5)),
        SetDrumStep(OTHER, 0, 2, 3, DrumStep(True, 90, 0.7)),
        SetKitSwing(OTHER, 0.4),
        SetHumanize(0.5, 0.5),
        SetSwing(0.3),
        SetLoop(0, 2 * BAR),
        AddLane(AutomationTarget("master", 0, "level")),
        AddPoint(LANE, 0, 0.0),
        AddPoint(LANE, BAR, 1.0),
    )


def _in_order(notes: Iterable[ScheduledNote]) -> list[ScheduledNote]:
    return sorted(notes, key=lambda n: (n.instrument_id, n.tick, n.pitch, n.pad or 0))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.floats(min_value=0.0, max_value=5 * BAR), max_size=12))
def test_cutting_playback_into_other_windows_gives_the_same_notes(cuts: list[float]) -> None:
    project = _busy_project()
    end = 5 * BAR
    whole = Scheduler(seed=3).window(project, 0, end, 1.0)
    scheduler = Scheduler(seed=3)
    pieces: list[ScheduledNote] = []
    tick, time, done = 0.0, 1.0, 0.0
    for cut in sorted({*cuts, float(end)}):
        window = scheduler.window(project, tick, tick + (cut - done), time)
        pieces.extend(window.notes)
        tick, time, done = window.next_tick, window.next_time, cut
    expected = _in_order(whole.notes)
    assert len(expected) > 50
    got = _in_order(pieces)
    # Seconds are sums of window lengths: equal to the whole window's up to rounding.
    assert [replace(n, time=0.0, duration=0.0) for n in got] == [
        replace(n, time=0.0, duration=0.0) for n in expected
    ]
    assert [n.time for n in got] == pytest.approx([n.time for n in expected], abs=1e-9)
    assert [n.duration for n in got] == pytest.approx([n.duration for n in expected], abs=1e-9)


# --- groove -------------------------------------------------------------------------------


def _grid_notes() -> tuple[Note, ...]:
    s = SIXTEENTH
    return (hit(60, 0), hit(61, s), hit(62, 2 * s), hit(63, 3 * s), hit(64, 4 * s))


def _delays(window: Window) -> dict[int, float]:
    return {n.pitch: round((n.time - n.tick * SPT_120) / SPT_120, 6) for n in window.notes}


def test_swing_delays_only_eighth_off_beats() -> None:
    window = play(synth_with(*_grid_notes(), more=(SetSwing(0.5),)), 0, BAR)
    assert _delays(window) == {60: 0, 61: 0, 62: 0.5 * (BEAT // 2) * 0.5, 63: 0, 64: 0}


def test_sixteenth_grid_swing_delays_odd_sixteenths() -> None:
    groove = Groove(swing=0.5, swing_grid="sixteenths")
    window = play(synth_with(*_grid_notes(), more=(SetGroove(SYNTH, groove),)), 0, BAR)
    assert _delays(window) == {60: 0, 61: SIXTEENTH // 4, 62: 0, 63: SIXTEENTH // 4, 64: 0}


def test_both_grids_swing_eighths_and_sixteenths() -> None:
    groove = Groove(swing=0.5, swing_grid="both")
    window = play(synth_with(*_grid_notes(), more=(SetGroove(SYNTH, groove),)), 0, BAR)
    q = SIXTEENTH // 4
    assert _delays(window) == {60: 0, 61: q, 62: 2 * q, 63: q, 64: 0}


def test_humanize_stays_within_twenty_ms_and_thirty_velocity_steps() -> None:
    notes = tuple(hit(60, tick * 48, 20, velocity=100) for tick in range(300))
    project = synth_with(*notes, more=(SetHumanize(1.0, 1.0), SetLooping(False)))
    window = play(project, 0, 300 * 48)
    moves = [n.time - n.tick * SPT_120 for n in window.notes]
    velocities = [n.velocity for n in window.notes]
    assert all(abs(move) <= 0.020 for move in moves)
    assert all(70 / 127 <= v <= 1.0 for v in velocities)
    assert max(moves) - min(moves) > 0.030
    assert len(set(velocities)) > 100


def test_humanized_velocity_is_clamped_to_the_audible_range() -> None:
    notes = tuple(hit(60, tick * 48, 20, velocity=1) for tick in range(100))
    project = synth_with(*notes, more=(SetHumanize(1.0, 0.0), SetLooping(False)))
    window = play(project, 0, 100 * 48)
    assert min(n.velocity for n in window.notes) == 0.01


def test_groove_overrides_win_over_session_values() -> None:
    groove = Groove(swing=0.0, humanize_velocity=0.0, humanize_timing=0.0, timing_offset_ms=10.0)
    project = synth_with(
        *_grid_notes(),
        more=(SetSwing(0.8), SetHumanize(1.0, 1.0), SetGroove(SYNTH, groove)),
    )
    window = play(project, 0, BAR)
    for note in window.notes:
        assert note.time == pytest.approx(note.tick * SPT_120 + 0.010)
        assert note.velocity == pytest.approx(100 / 127)


# --- layers and chords ----------------------------------------------------------------------


def test_a_layered_note_sounds_on_every_member_at_its_octave() -> None:
    project = build(
        AddInstrument("saw", "A"),
        AddInstrument("sine", "B"),
        LinkLayer(SYNTH, OTHER),
        SetOctaveOffset(OTHER, 1),
        AddNote(SYNTH, 0, 100, 60),
        AddNote(SYNTH, BEAT, 100, 122),
    )
    window = play(project, 0, BAR)
    assert sorted((n.tick, n.instrument_id, n.pitch) for n in window.notes) == [
        (0, SYNTH, 60),
        (0, OTHER, 72),
        (BEAT, SYNTH, 122),
        (BEAT, OTHER, 127),
    ]


def test_a_chord_shape_turns_a_note_into_its_chord() -> None:
    window = play(synth_with(hit(60), more=(SetChordShape(SYNTH, "minor_seventh"),)), 0, BEAT)
    assert sorted(n.pitch for n in window.notes) == [60, 63, 67, 70]
    assert len({n.time for n in window.notes}) == 1


def test_muted_instruments_are_scheduled_but_inactive_ones_are_not() -> None:
    project = build(
        AddInstrument("saw", "Muted"),
        AddInstrument("saw", "Off"),
        AddNote(SYNTH, 0, 100, 60),
        AddNote(OTHER, 0, 100, 62),
        SetMixerMute(instrument_strip(SYNTH), True),
        SetInstrumentActive(OTHER, False),
    )
    assert [(n.instrument_id, n.pitch) for n in play(project, 0, BEAT).notes] == [(SYNTH, 60)]


def test_an_inactive_layer_member_stays_silent() -> None:
    project = build(
        AddInstrument("saw", "A"),
        AddInstrument("sine", "B"),
        LinkLayer(SYNTH, OTHER),
        SetInstrumentActive(OTHER, False),
        AddNote(SYNTH, 0, 100, 60),
    )
    assert [n.instrument_id for n in play(project, 0, BEAT).notes] == [SYNTH]


# --- drum kits ------------------------------------------------------------------------------


def _steps(window: Window) -> list[tuple[float, int | None, int]]:
    return [(round(n.time / SPT_120, 6), n.pad, n.pitch) for n in window.notes]


def test_kit_steps_play_at_the_resolution_with_odd_steps_swung() -> None:
    on = DrumStep(active=True)
    project = kit_project(
        *(SetDrumStep(SYNTH, 0, 0, step, on) for step in range(4)), SetKitSwing(SYNTH, 0.5)
    )
    window = play(project, 0, BEAT)
    s, late = SIXTEENTH, SIXTEENTH // 4
    assert _steps(window) == [(0, 0, 36), (s + late, 0, 36), (2 * s, 0, 36), (3 * s + late, 0, 36)]


def test_kit_resolution_sets_the_step_length() -> None:
    project = kit_project(
        SetStepResolution(SYNTH, "eighth"),
        SetDrumStep(SYNTH, 0, 1, 0, DrumStep(active=True)),
        SetDrumStep(SYNTH, 0, 1, 3, DrumStep(active=True)),
    )
    assert [t for t, _, _ in _steps(play(project, 0, 2 * BEAT))] == [0, 3 * (BEAT // 2)]


def test_kit_steps_carry_velocity_and_pitch_offsets() -> None:
    pad = DrumPad(name="Kick", source="kick", note=36, pitch=2)
    project = kit_project(
        SetDrumPad(SYNTH, 0, pad),
        SetDrumStep(SYNTH, 0, 0, 0, DrumStep(True, 64, 1.0, pitch_offset=-5)),
    )
    (note,) = play(project, 0, BEAT).notes
    assert (note.pad, note.pitch, note.velocity) == (0, 33, 64 / 127)


def test_kit_step_probability_zero_never_plays_and_one_always_plays() -> None:
    project = kit_project(
        SetDrumStep(SYNTH, 0, 0, 0, DrumStep(True, 100, 0.0)),
        SetDrumStep(SYNTH, 0, 1, 4, DrumStep(True, 100, 1.0)),
    )
    window = play(project, 0, 50 * BAR)
    assert {n.pad for n in window.notes} == {1}
    assert len(window.notes) == 50


def test_kit_step_probability_half_plays_about_half_the_bars() -> None:
    project = kit_project(SetDrumStep(SYNTH, 0, 0, 0, DrumStep(True, 100, 0.5)))
    assert 70 <= len(play(project, 0, 200 * BAR).notes) <= 130


def test_the_pattern_chain_advances_on_every_pattern_wrap() -> None:
    on = DrumStep(active=True)
    project = kit_project(
        SetPatternLength(SYNTH, 0, 4),
        SetPatternLength(SYNTH, 1, 4),
        SetDrumStep(SYNTH, 0, 0, 0, on),
        SetDrumStep(SYNTH, 1, 1, 0, on),
        SetDrumStep(SYNTH, 1, 1, 2, on),
        SetPatternChain(SYNTH, (0, 1, 1), True),
    )
    window = play(project, 0, 4 * BEAT)
    assert [(t, pad) for t, pad, _ in _steps(window)] == [
        (0, 0),
        (BEAT, 1),
        (BEAT * 3 // 2, 1),
        (2 * BEAT, 1),
        (BEAT * 5 // 2, 1),
        (3 * BEAT, 0),
    ]


def test_a_pad_can_trigger_another_instrument_at_its_frequency() -> None:
    pad = DrumPad(name="Bass", note=36, pitch=12, instrument_id=OTHER, trigger_freq=440.0)
    project = build(
        AddInstrument("kit", "Drums"),
        AddInstrument("sine", "Bass"),
        SetDrumPad(SYNTH, 0, pad),
        SetDrumStep(SYNTH, 0, 0, 0, DrumStep(True, 127, 1.0, pitch_offset=-12)),
        SetDrumStep(SYNTH, 0, 0, 4, DrumStep(True, 127, 1.0, pitch_offset=0)),
    )
    window = play(project, 0, 2 * BEAT)
    assert [(n.instrument_id, n.pad, n.pitch) for n in window.notes] == [
        (OTHER, None, 69),
        (OTHER, None, 81),
    ]
    assert [n.freq for n in window.notes] == pytest.approx([440.0, 880.0])


def test_piano_roll_notes_on_a_kit_play_the_pad_for_their_note() -> None:
    project = kit_project(AddNotes(SYNTH, (hit(38, 0), hit(99, BEAT), hit(42, 2 * BEAT))))
    window = play(project, 0, BAR)
    assert [(n.tick, n.pad, n.pitch) for n in window.notes] == [(0, 1, 38), (2 * BEAT, 2, 42)]


# --- arpeggiator -----------------------------------------------------------------------------


def _arp(direction: ArpDirection, held: int = BAR) -> list[int]:
    arp = Arpeggiator(True, direction, "eighth", 2, 0.5)
    chord = (hit(60, 0, held), hit(64, 0, held), hit(67, 0, held))
    window = play(synth_with(*chord, more=(SetArpeggiator(SYNTH, arp),)), 0, 2 * BAR)
    times = [round(n.time / SPT_120, 6) for n in window.notes]
    assert times == [(BEAT // 2) * k for k in range(len(times))]
    assert all(n.duration == pytest.approx(SIXTEENTH * SPT_120) for n in window.notes)
    return [n.pitch for n in window.notes]


def test_arpeggiator_up_climbs_two_octaves_while_the_notes_are_held() -> None:
    assert _arp("up") == [60, 64, 67, 72, 76, 79, 60, 64]


def test_arpeggiator_down_falls_from_the_top() -> None:
    assert _arp("down") == [79, 76, 72, 67, 64, 60, 79, 76]


def test_arpeggiator_up_down_turns_at_the_ends_without_repeating_them() -> None:
    assert _arp("up_down", held=3 * BAR) == [
        60, 64, 67, 72, 76, 79, 76, 72, 67, 64,
        60, 64, 67, 72, 76, 79,
    ]  # fmt: skip


def test_arpeggiator_random_picks_only_held_pitches() -> None:
    pitches = _arp("random", held=2 * BAR)
    assert set(pitches) <= {60, 64, 67, 72, 76, 79}
    assert len(set(pitches)) > 2


# --- automation and click --------------------------------------------------------------------


def _lane_project(*more: Action) -> Project:
    return build(
        AddInstrument("saw", "Synth"),
        AddLane(AutomationTarget("instrument", SYNTH, "mixer.level"), 0.0, 1.0),
        AddPoint(LANE, 0, 0.0, "exponential"),
        AddPoint(LANE, BAR, 1.0, "step"),
        AddPoint(LANE, 2 * BAR, 0.5),
        AddPoint(LANE, 3 * BAR, 1.0),
        *more,
    )


def test_automation_starts_each_window_with_the_lane_value() -> None:
    window = play(_lane_project(), BAR // 2, BAR // 2 + 10, start_time=3.0)
    first = window.automation[0]
    assert (first.time, first.tick) == (3.0, BAR // 2)
    assert first.value == pytest.approx(0.25)


def test_automation_follows_the_curve_no_more_than_a_control_period_apart() -> None:
    project = _lane_project()
    lane = project.session.automation.lanes[0]
    window = play(project, 0, BAR)
    values = window.automation
    assert values[0].time == 0.0
    gaps = [b.time - a.time for a, b in pairwise(values)]
    assert max(gaps) <= CONTROL_PERIOD_SECONDS + 1e-9
    for value in values:
        assert value.value == pytest.approx(lane.value_at(value.tick))
        assert value.time == pytest.approx(value.tick * SPT_120)
    halfway = next(value for value in values if value.tick == pytest.approx(BAR // 2))
    assert halfway.value == pytest.approx(0.25)


def test_a_step_point_jumps_exactly_on_its_tick_and_holds_without_repeats() -> None:
    window = play(_lane_project(), BAR + 100, 2 * BAR + 1)
    assert [(v.tick, v.value) for v in window.automation] == [(BAR + 100, 1.0), (2 * BAR, 0.5)]


def test_disabled_lanes_send_nothing() -> None:
    project = _lane_project(SetLaneEnabled(LANE, False))
    assert play(project, 0, BAR).automation == ()


def test_song_mode_plays_clip_lanes_relative_to_the_placement() -> None:
    clip_lane = AutomationTarget("instrument", SYNTH, "mixer.pan")
    project = build(
        AddInstrument("saw", "Synth"),
        AddLane(clip_lane, -1.0, 1.0),
        AddPoint(LANE, 0, 0.0, "step"),
        AddPoint(LANE, BEAT, 1.0),
    )
    store = Store(project)
    store.dispatch(CaptureClip(SYNTH, 0, BAR))
    store.dispatch(RemoveLane(LANE))
    store.dispatch(PlaceClip(CLIP, 2 * BAR))
    store.dispatch(SetPlayMode("song"))
    window = play(store.state, 0, 4 * BAR)
    assert [(v.tick, v.value) for v in window.automation] == [
        (2 * BAR, -1.0),
        (2 * BAR + BEAT, 1.0),
    ]


def test_click_accents_the_first_beat_of_each_four_four_bar() -> None:
    project = build(SetClick(True))
    window = play(project, 0, 2 * BAR)
    assert [(c.time, c.accent) for c in window.clicks] == [(k * 0.5, k % 4 == 0) for k in range(8)]


def test_click_accents_the_first_beat_of_each_three_four_bar() -> None:
    project = build(SetClick(True), SetTimeSignature(3, 4))
    window = play(project, BEAT // 2, BEAT // 2 + 6 * BEAT)
    assert [(c.tick, c.accent) for c in window.clicks] == [
        (BEAT, False),
        (2 * BEAT, False),
        (3 * BEAT, True),
        (4 * BEAT, False),
        (5 * BEAT, False),
        (6 * BEAT, True),
    ]


def test_a_muted_or_disabled_click_is_silent() -> None:
    assert play(build(SetClick(True, muted=True)), 0, BAR).clicks == ()
    assert play(build(SetClick(False)), 0, BAR).clicks == ()


def test_a_start_past_the_loop_end_jumps_to_the_loop_start() -> None:
    project = synth_with(hit(60, 0), hit(62, 100), more=(SetLoop(0, BAR),))
    window = play(project, BAR + 0.5, BAR + 200.5)
    assert [(n.tick, n.time) for n in window.notes] == [
        (0, 0.0),
        (100, pytest.approx(100 * SPT_120)),
    ]
