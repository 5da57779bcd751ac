"""The scheduler and player follow the tempo map: onsets, durations, loops, clicks, windows."""

from __future__ import annotations

import pytest

from imbolc.core.actions import (
    AddInstrument,
    AddNotes,
    AddTempoChange,
    SetClick,
    SetLoop,
    SetMeterChange,
    SetTempoChange,
)
from imbolc.core.actions.base import Action
from imbolc.core.ids import InstrumentId
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.core.timemap import time_map
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.engine import Engine
from imbolc.engine.player import Player
from imbolc.engine.schedule import Scheduler

BEAT = TICKS_PER_BEAT
SYNTH = InstrumentId(1)


def build(*actions: Action) -> Project:
    store = Store()
    for action in actions:
        store.dispatch(action)
    return store.state


def on_every_beat(beats: int, *more: Action) -> Project:
    notes = tuple(Note(k * BEAT, BEAT // 2, 60 + k % 12) for k in range(beats))
    return build(AddInstrument("saw", "Synth"), AddNotes(SYNTH, notes), *more)


def test_onsets_follow_tempo_steps() -> None:
    project = on_every_beat(
        8, SetLoop(0, 8 * BEAT), AddTempoChange(2 * BEAT, 60.0), AddTempoChange(4 * BEAT, 240.0)
    )
    window = Scheduler().window(project, 0, 8 * BEAT, 5.0)
    times = [note.time - 5.0 for note in window.notes]
    assert times == pytest.approx([0.0, 0.5, 1.0, 2.0, 3.0, 3.25, 3.5, 3.75])
    assert window.notes[2].duration == pytest.approx(0.5)  # half a beat at 60 BPM
    assert window.notes[5].duration == pytest.approx(0.125)  # at 240 BPM
    assert window.next_time - 5.0 == pytest.approx(4.0)


def test_onsets_follow_a_ramp_in_closed_form() -> None:
    project = on_every_beat(8, SetLoop(0, 8 * BEAT), SetTempoChange(0, 60.0, ramp=True),
                            AddTempoChange(8 * BEAT, 180.0))  # fmt: skip
    window = Scheduler().window(project, 0, 8 * BEAT, 0.0)
    tmap = time_map(project.session)
    assert [n.time for n in window.notes] == pytest.approx(
        [tmap.seconds_at(k * BEAT) for k in range(8)]
    )
    gaps = [b.time - a.time for a, b in zip(window.notes, window.notes[1:], strict=False)]
    assert gaps == sorted(gaps, reverse=True)  # speeding up


def test_small_windows_land_where_one_large_window_does() -> None:
    project = on_every_beat(
        16, SetLoop(0, 16 * BEAT), AddTempoChange(3 * BEAT, 75.0, ramp=True),
        AddTempoChange(9 * BEAT, 150.0), AddTempoChange(13 * BEAT, 90.0),
    )  # fmt: skip
    whole = Scheduler().window(project, 0, 16 * BEAT, 0.0).notes
    player_times: list[float] = []
    backend = RecordingBackend()
    engine = Engine(backend)
    engine.start(project)
    player = Player(engine)
    player.start(0, 0.0)
    t = 0.0
    tmap = time_map(project.session)
    while t < tmap.seconds_at(16 * BEAT) - 1e-9:
        t += 0.013
        window = player.scheduler.window(
            project,
            player.tick,
            player.clock(project).ticks_after(player.tick, t - player.time),
            player.time,
        )
        player_times.extend(n.time for n in window.notes)
        player.tick, player.time = window.next_tick, window.next_time
    assert player_times[: len(whole)] == pytest.approx([n.time for n in whole], abs=1e-9)


def test_a_loop_wrap_replays_the_tempo_of_the_loop_start() -> None:
    project = on_every_beat(4, SetLoop(0, 4 * BEAT), AddTempoChange(2 * BEAT, 60.0))
    window = Scheduler().window(project, 0, 8 * BEAT, 0.0)
    # one pass: 1 s at 120 BPM then 2 s at 60 BPM
    times = [n.time for n in window.notes]
    assert times == pytest.approx([0.0, 0.5, 1.0, 2.0, 3.0, 3.5, 4.0, 5.0])


def test_the_click_follows_meter_changes() -> None:
    project = build(SetClick(True), SetMeterChange(1, 3, 4), SetMeterChange(2, 6, 8))
    window = Scheduler().window(project, 0, 4 * BEAT + 3 * BEAT + 3 * BEAT, 0.0)
    ticks = [(c.tick, c.accent) for c in window.clicks]
    bar2 = 7 * BEAT
    assert ticks[:8] == [(k * BEAT, k in (0, 4)) for k in range(7)] + [(bar2, True)]
    eighths = [t for t, _ in ticks if t >= bar2]
    assert eighths == [bar2 + k * BEAT // 2 for k in range(6)]


def test_the_click_follows_the_tempo() -> None:
    project = build(SetClick(True), AddTempoChange(2 * BEAT, 60.0))
    window = Scheduler().window(project, 0, 4 * BEAT, 0.0)
    assert [c.time for c in window.clicks] == pytest.approx([0.0, 0.5, 1.0, 2.0])


def test_the_player_reports_the_tempo_at_its_position() -> None:
    project = on_every_beat(4, SetLoop(0, 16 * BEAT), AddTempoChange(2 * BEAT, 60.0))
    player = Player(Engine(RecordingBackend()))
    player.engine.start(project)
    player.start(0, 0.0)
    assert player.tempo(project) == 120.0
    player.advance(project, 1.5)
    assert player.tick == pytest.approx(2 * BEAT + BEAT // 2)
    assert player.tempo(project) == 60.0


def test_song_mode_places_clips_on_the_map_s_seconds() -> None:
    from imbolc.core.actions import CaptureClip, PlaceClip, SetPlayMode
    from imbolc.core.ids import ClipId

    project = on_every_beat(
        1,
        SetLoop(0, BEAT),
        CaptureClip(SYNTH, 0, BEAT, "hit"),
        PlaceClip(ClipId(1), 0),
        PlaceClip(ClipId(1), 4 * BEAT),
        AddTempoChange(2 * BEAT, 60.0),
        SetPlayMode("song"),
    )
    window = Scheduler().window(project, 0, 6 * BEAT, 0.0)
    # the piano roll's own note plays in pattern mode only: here, the two placements
    assert [n.time for n in window.notes] == pytest.approx([0.0, 1.0 + 2 * 1.0])


def test_automation_values_land_on_the_map_s_seconds() -> None:
    from imbolc.core.actions import AddLane, AddPoint
    from imbolc.core.automation import AutomationTarget
    from imbolc.core.ids import LaneId

    project = build(
        AddInstrument("saw", "Synth"),
        AddLane(AutomationTarget("instrument", SYNTH, "mixer.level"), 0.0, 1.0),
        AddPoint(LaneId(1), 0, 0.0, "step"),
        AddPoint(LaneId(1), 4 * BEAT, 1.0, "step"),
        AddTempoChange(2 * BEAT, 60.0),
    )
    window = Scheduler().window(project, 0, 6 * BEAT, 0.0)
    jump = [v for v in window.automation if v.value == pytest.approx(1.0)]
    assert jump and jump[0].time == pytest.approx(1.0 + 2.0)
