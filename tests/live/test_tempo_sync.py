"""Tempo sync for real: two Ableton Link peers in one process (aalink), and MIDI clock out and
in over a real JACK MIDI port."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from imbolc.core.actions import SetBpm
from imbolc.core.config import MidiConfig
from imbolc.core.live import ClockStart, ClockStop, ClockTick, MidiEvent
from imbolc.core.ports import NullEngine, Transport
from imbolc.core.store import Store
from imbolc.core.templates import demo_project
from imbolc.engine.processes import JackdProcess
from imbolc.live import ClockOut, RtMidiInput, RtMidiOutput
from imbolc.live.link import LinkSync
from imbolc.live_wiring import LiveSession, QueuedHooks


def wait_for(condition: Callable[[], bool], timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_two_link_peers_find_each_other_and_share_a_tempo_and_phase() -> None:
    heard: list[float] = []
    first = LinkSync(120.0)
    second = LinkSync(90.0, heard.append)
    try:
        wait_for(lambda: first.peers == 1 and second.peers == 1)
        first.set_tempo(133.0)
        wait_for(lambda: abs(second.tempo - 133.0) < 0.01)
        assert heard and heard[-1] == pytest.approx(133.0, abs=0.01)
        assert abs(first.phase - second.phase) < 0.05 or abs(first.phase - second.phase) > 3.95
        assert 0.0 <= second.seconds_to_next_bar() <= 4 * 60 / 133.0
    finally:
        first.close()
        second.close()


def test_a_live_session_follows_link_tempo_into_the_store() -> None:
    store = Store(demo_project())
    hooks = QueuedHooks(store)
    live = LiveSession(NullEngine(), lambda: store.state, None, MidiConfig(link=True))
    live.bind(hooks)
    live.start()
    peer = LinkSync(store.state.session.settings.bpm)
    try:
        wait_for(lambda: peer.peers == 1)
        peer.set_tempo(101.5)
        deadline = time.monotonic() + 8
        while store.state.session.settings.bpm != pytest.approx(101.5, abs=0.01):
            assert time.monotonic() < deadline, "the store never followed Link"
            hooks.run_pending()
            time.sleep(0.01)
        assert "Link: 1 peer(s) at 101.5 BPM" in live.sync_status()
        store.subscribe(live.follow)  # and the session's own tempo goes out to the peers
        store.dispatch(SetBpm(144.0))
        wait_for(lambda: abs(peer.tempo - 144.0) < 0.01)
        delay = live.start_delay()  # play waits this long to start on the session's next bar
        assert 0.0 < delay <= 4 * 60 / 144.0
        time.sleep(delay)
        phase = peer.phase
        assert min(phase, 4.0 - phase) < 0.25
    finally:
        peer.close()
        live.shutdown()


def test_midi_clock_out_sends_24_ticks_a_beat_that_clock_in_follows(jack: JackdProcess) -> None:
    out = RtMidiOutput("clock", api="jack", client="test-clock")
    events: list[MidiEvent] = []
    midi = RtMidiInput()
    transport = Transport(False, 0.0, 150.0)
    clock = ClockOut(out.send, lambda: transport)
    store = Store(demo_project())
    hooks = QueuedHooks(store)
    follower = LiveSession(NullEngine(), lambda: store.state, None, MidiConfig(clock_in=True))
    follower.bind(hooks)
    try:
        assert midi.open(
            ["jack: test-clock:clock"], lambda e: (events.append(e), follower.event(e))
        )
        clock.start()
        started = time.monotonic()
        transport = Transport(True, 0.0, 150.0)
        time.sleep(1.0)
        transport = Transport(False, 0.0, 150.0)
        played = time.monotonic() - started  # a loaded machine may sleep longer than asked
        time.sleep(0.1)
        ticks = [e.time for e in events if isinstance(e, ClockTick)]
        assert isinstance(events[0], ClockStart) and isinstance(events[-1], ClockStop)
        assert len(ticks) == pytest.approx(played * 60, abs=3)  # 150 BPM * 24 ticks a second
        hooks.run_pending()
        assert store.state.session.settings.bpm == pytest.approx(150.0, abs=1.0)
    finally:
        clock.stop()
        midi.close()
        out.close()
