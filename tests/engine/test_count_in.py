"""A take's count-in clicks each beat into the take, metronome on or off.

The scheduler marks count-in beats; the player walks them (before the top of the song too,
over silence) and the engine plays them as ``imbolc_click`` synths, asserted on the OSC planned
(a recording backend; the real scsynth variant is in tests/live/test_live_scsynth.py).
"""

from __future__ import annotations

import pytest

from imbolc.core.actions import AddInstrument, AddNotes, SetClick, SetTimeSignature
from imbolc.core.actions.base import Action
from imbolc.core.ids import InstrumentId
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.engine import Engine
from imbolc.engine.player import Player
from imbolc.engine.requests import NewSynth
from imbolc.engine.schedule import Scheduler

BEAT = TICKS_PER_BEAT
BAR = 4 * BEAT
SYNTH = InstrumentId(1)
START = 10.0
"""The wall time playback starts at in the player tests (seconds)."""


def build(*actions: Action) -> Project:
    store = Store()
    store.dispatch(AddInstrument("saw", "Synth"))
    store.dispatch(AddNotes(SYNTH, (Note(0, BEAT, 60, 100), Note(2 * BAR, BEAT, 64, 100))))
    for action in actions:
        store.dispatch(action)
    return store.state


def test_count_in_beats_click_with_the_metronome_off_and_only_they() -> None:
    window = Scheduler().window(build(), 0, 2 * BAR, 0.0, count_in_until=BAR)
    assert [(c.tick, c.accent, c.count_in) for c in window.clicks] == [
        (0.0, True, True),
        (BEAT, False, True),
        (2 * BEAT, False, True),
        (3 * BEAT, False, True),
    ]
    assert [c.time for c in window.clicks] == pytest.approx([0.0, 0.5, 1.0, 1.5])


def test_a_count_in_accents_the_first_beat_of_each_bar_in_the_meter() -> None:
    project = build(SetTimeSignature(3, 4))
    window = Scheduler().window(project, 0, 3 * BAR, 0.0, count_in_until=6 * BEAT)
    assert [c.accent for c in window.clicks] == [True, False, False, True, False, False]


def test_with_the_metronome_on_clicks_go_on_after_the_count_in() -> None:
    window = Scheduler().window(build(SetClick(True)), 0, 2 * BAR, 0.0, count_in_until=BAR)
    assert [c.count_in for c in window.clicks] == [True] * 4 + [False] * 4


def test_a_muted_click_silences_the_count_in_too() -> None:
    window = Scheduler().window(build(SetClick(False, muted=True)), 0, BAR, 0.0, count_in_until=BAR)
    assert window.clicks == ()


def player_for(project: Project) -> tuple[Player, RecordingBackend]:
    backend = RecordingBackend()
    engine = Engine(backend)
    engine.start(project)
    backend.clear()
    return Player(engine), backend


def run(player: Player, project: Project, backend: RecordingBackend, seconds: float) -> None:
    """Advance in 5 ms windows, as the audio thread does."""
    t = START
    while t < START + seconds:
        t += 0.005
        backend.clock = t
        player.advance(project, t)


def clicks(backend: RecordingBackend) -> list[tuple[float, float]]:
    """(time, accent) of every click synth planned."""
    return [
        (at, request.controls["accent"])
        for at, batch in backend.sent
        for request in batch
        if isinstance(request, NewSynth) and request.synthdef == "imbolc_click"
        if at is not None
    ]


def onsets(backend: RecordingBackend, synthdef: str) -> list[float]:
    """The times of every ``synthdef`` synth planned."""
    return [
        at
        for at, batch in backend.sent
        for request in batch
        if isinstance(request, NewSynth) and request.synthdef == synthdef
        if at is not None
    ]


def source_def(player: Player) -> str:
    built = player.engine.graph.instruments[SYNTH].source_def
    assert built is not None
    return built


def test_a_count_in_from_the_top_clicks_over_silence_then_the_song_starts_on_time() -> None:
    project = build()  # the metronome is off
    player, backend = player_for(project)
    player.count_in(0, 4, START)
    run(player, project, backend, 2.4)
    assert [accent for _at, accent in clicks(backend)] == [1.0, 0.0, 0.0, 0.0]
    assert [at - START for at, _ in clicks(backend)] == pytest.approx([0.0, 0.5, 1.0, 1.5])
    assert onsets(backend, source_def(player)) == pytest.approx([START + 2.0])


def test_a_count_in_mid_song_clicks_over_the_music_before_the_take() -> None:
    project = build()
    player, backend = player_for(project)
    player.count_in(2 * BAR, 8, START)  # two bars: from the top of the song
    run(player, project, backend, 4.6)
    assert [accent for _at, accent in clicks(backend)] == [1.0, 0, 0, 0, 1.0, 0, 0, 0]
    assert [at - START for at, _ in clicks(backend)] == pytest.approx([k * 0.5 for k in range(8)])
    assert onsets(backend, source_def(player)) == pytest.approx([START, START + 4.0])


def test_stopping_during_the_count_in_stops_its_clicks() -> None:
    project = build()
    player, backend = player_for(project)
    player.count_in(0, 4, START)
    run(player, project, backend, 0.7)
    player.stop()
    run(player, project, backend, 2.0)
    assert len(clicks(backend)) == 2
