"""A controller on a real JACK MIDI port plays, moves and records on a real scsynth.

One dummy-driver jackd serves both the MIDI ports and scsynth's audio. The OSC the engine sends
is captured at the UDP backend (the bytes that go to scsynth), decoded and asserted on.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from supriya.osc import OscBundle, OscMessage

from imbolc.core.actions import (
    AddCcMapping,
    AddInstrument,
    SetArpeggiator,
    SetChannelInstrument,
    SetLoop,
)
from imbolc.core.automation import AutomationTarget
from imbolc.core.config import MidiConfig
from imbolc.core.ids import InstrumentId
from imbolc.core.instrument import Arpeggiator
from imbolc.core.live_take import TakeOptions
from imbolc.core.midi_map import CcMapping
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.store import Store
from imbolc.engine.osc import decode, decode_messages
from imbolc.engine.processes import JackdProcess
from imbolc.engine.realtime import RealtimeEngine
from imbolc.engine.server import ServerOptions
from imbolc.live import RtMidiInput, RtMidiOutput
from imbolc.live_wiring import LiveSession, QueuedHooks
from imbolc.net.client_store import connect
from imbolc.net.events import Rejected
from imbolc.net.server import start_server_thread

pytestmark = pytest.mark.scsynth
KEYS = "jack: test-keys:keys"


@dataclass
class Rig:
    engine: RealtimeEngine
    store: Store
    live: LiveSession
    hooks: QueuedHooks
    keys: RtMidiOutput
    synth: InstrumentId
    kit: InstrumentId
    sent: list[tuple[float, OscMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def messages(self, address: str) -> list[OscMessage]:
        with self.lock:
            return [m for _, m in self.sent if m.address == address]

    def clear(self) -> None:
        with self.lock:
            self.sent.clear()

    def send_heard(self, *messages: list[int]) -> None:
        """Send ``messages`` from the keyboard and wait until the live session handled them
        (JACK delivers MIDI a period later, on its own thread)."""
        heard = self.live.events_heard
        for message in messages:
            self.keys.send(message)
        wait_for(lambda: self.live.events_heard >= heard + len(messages))


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def controls(message: OscMessage) -> dict[str, float]:
    """The controls of an ``/s_new``."""
    return dict(zip(message.contents[4::2], message.contents[5::2], strict=True))


def released(rig: Rig, node: int) -> bool:
    """Whether a ``gate 0`` for ``node`` was sent."""
    for message in rig.messages("/n_set"):
        pairs = list(zip(message.contents[1::2], message.contents[2::2], strict=False))
        if message.contents[0] == node and ("gate", 0.0) in pairs:
            return True
    return False


def settle(engine: RealtimeEngine) -> None:
    assert engine.audio is not None
    done = threading.Event()
    engine.audio.post("call", done.set, structural=True)
    assert done.wait(10.0)
    engine.server.client.sync(timeout=2.0)


@pytest.fixture(scope="module")
def rig(jack: JackdProcess) -> Iterator[Rig]:
    if shutil.which("scsynth") is None:
        if os.environ.get("CI"):
            pytest.fail("scsynth is not installed (CI installs it)")
        pytest.skip("scsynth not installed (CI installs it)")
    store = Store()
    store.dispatch(AddInstrument("saw", "Lead"))
    store.dispatch(AddInstrument("kit", "Drums"))
    synth, kit = (i.id for i in store.state.instruments.items)
    store.dispatch(SetChannelInstrument(9, kit))
    store.dispatch(SetLoop(0, 64 * TICKS_PER_BEAT))
    engine = RealtimeEngine(store.state, ServerOptions(dummy_audio=False, jack_server=jack.name))
    keys = RtMidiOutput("keys", api="jack", client="test-keys")
    live: LiveSession | None = None
    try:
        engine.start()
        engine.attach(store)
        wait_for(lambda: engine.status().state == "running" and engine.audio is not None, 30)
        settle(engine)
        live = LiveSession(engine, lambda: store.state, RtMidiInput(), MidiConfig(input=KEYS))
        hooks = QueuedHooks(store, selected=synth)
        live.bind(hooks)
        live.start()
        assert live.opened() == [KEYS]
        built = Rig(engine, store, live, hooks, keys, synth, kit)
        assert engine.backend is not None
        original = engine.backend._send

        def capture(datagram: bytes) -> None:
            stamp = time.perf_counter()
            original(datagram)
            with built.lock:
                built.sent.extend((stamp, m) for m in decode_messages(datagram))

        engine.backend._send = capture  # type: ignore[method-assign]
        yield built
    finally:
        if live is not None:
            live.shutdown()
        keys.close()
        engine.shutdown()


def test_a_key_plays_the_selected_instrument_at_its_velocity_and_releases(rig: Rig) -> None:
    rig.clear()
    rig.keys.send([0x90, 69, 64])
    wait_for(lambda: rig.messages("/s_new"))
    new = rig.messages("/s_new")[0]
    controls = dict(zip(new.contents[4::2], new.contents[5::2], strict=True))
    built = rig.engine.audio.engine.graph.instruments[rig.synth]  # type: ignore[union-attr]
    assert new.contents[0] == built.source_def
    assert controls["freq"] == pytest.approx(440.0)
    assert controls["velocity"] == pytest.approx(64 / 127)
    node = new.contents[1]
    rig.keys.send([0x80, 69, 0])
    wait_for(lambda: released(rig, node))
    settle(rig.engine)
    assert rig.engine.problems == []


def test_a_live_note_is_sent_on_the_callers_thread_before_note_on_returns(rig: Rig) -> None:
    settle(rig.engine)
    rig.clear()
    rig.engine.note_on(rig.synth, 62, 100)
    sent = rig.messages("/s_new")  # already there: no hand-off to the audio thread
    assert len(sent) == 1 and controls(sent[0])["velocity"] == pytest.approx(100 / 127)
    node = sent[0].contents[1]
    rig.engine.note_off(rig.synth, 62)
    assert released(rig, node)


def test_live_notes_queue_in_order_while_the_audio_thread_holds_the_engine(rig: Rig) -> None:
    audio = rig.engine.audio
    assert audio is not None
    settle(rig.engine)
    rig.clear()
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:  # a long command (a rebuild, say) on the audio thread
        holding.set()
        release.wait(10.0)

    audio.post("call", hold)
    assert holding.wait(10.0)
    rig.engine.note_on(rig.synth, 64, 90)
    rig.engine.note_off(rig.synth, 64)
    rig.engine.note_on(rig.synth, 65, 80)
    assert rig.messages("/s_new") == []  # the caller did not wait for the engine
    release.set()
    wait_for(lambda: len(rig.messages("/s_new")) == 2)
    first, second = rig.messages("/s_new")
    assert [controls(m)["velocity"] for m in (first, second)] == pytest.approx([90 / 127, 80 / 127])
    assert released(rig, first.contents[1]) and not released(rig, second.contents[1])
    settle(rig.engine)
    rig.engine.note_off(rig.synth, 65)  # nothing queued any more: straight to scsynth
    assert released(rig, second.contents[1])
    assert rig.engine.problems == []


def test_the_sustain_pedal_holds_released_keys_until_it_lifts(rig: Rig) -> None:
    rig.clear()
    rig.keys.send([0xB0, 64, 127])
    rig.keys.send([0x90, 60, 100])
    wait_for(lambda: rig.messages("/s_new"))
    node = rig.messages("/s_new")[0].contents[1]
    rig.keys.send([0x80, 60, 0])
    time.sleep(0.1)
    assert not [m for m in rig.messages("/n_set") if m.contents[0] == node]
    rig.keys.send([0xB0, 64, 0])
    wait_for(lambda: released(rig, node))


def test_channel_ten_plays_the_kit_its_channel_is_routed_to(rig: Rig) -> None:
    rig.clear()
    rig.keys.send([0x99, 36, 120])  # GM kick on channel 10
    wait_for(lambda: rig.messages("/s_new"))
    new = rig.messages("/s_new")[0]
    built = rig.engine.audio.engine.graph.instruments[rig.kit]  # type: ignore[union-attr]
    assert new.contents[3] == built.voice_group
    assert "kick" in new.contents[0]


def test_a_mapped_knob_sweep_is_one_action_per_flush_and_one_n_set(rig: Rig) -> None:
    target = AutomationTarget("instrument", rig.synth, "mixer.level")
    rig.store.dispatch(AddCcMapping(CcMapping(74, target, None, 0.0, 1.0)))
    settle(rig.engine)
    rig.clear()
    undo_depth = len(rig.store.history.undo_stack)
    sweep = [*([0xB0, 74, value] for value in range(0, 128, 4)), [0xB0, 74, 127]]
    rig.send_heard(*sweep)  # a fast sweep, all before the owner thread looks
    assert rig.live._pending.get(target) == 1.0
    assert rig.hooks.run_pending() == 1  # one flush for the whole burst
    strip = rig.store.state.instruments.get(rig.synth).mixer  # type: ignore[union-attr]
    assert strip.level == pytest.approx(1.0)
    settle(rig.engine)
    level_sets = [m for m in rig.messages("/n_set") if "level" in m.contents]
    assert len(level_sets) == 1 and level_sets[0].contents[-1] == pytest.approx(1.0)
    assert len(rig.store.history.undo_stack) == undo_depth + 1


def test_a_recorded_take_lands_in_the_piano_roll_as_one_undo_step(rig: Rig) -> None:
    pan = AutomationTarget("instrument", rig.synth, "mixer.pan")
    rig.store.dispatch(AddCcMapping(CcMapping(75, pan, None, -1.0, 1.0)))
    rig.engine.seek(0.0)
    settle(rig.engine)
    before = rig.store.state
    start = rig.live.start_take(
        TakeOptions("replace", quantize=TICKS_PER_BEAT // 4, count_in_beats=0)
    )
    assert start == 0
    wait_for(lambda: rig.engine.transport().playing and rig.engine.transport().tick > 10)
    rig.send_heard([0x90, 64, 90], [0xB0, 75, 0])  # the knob: pan hard left...
    time.sleep(0.3)
    rig.send_heard([0x80, 64, 0], [0x90, 67, 70], [0xB0, 75, 127])  # ...then hard right
    time.sleep(0.2)
    rig.send_heard([0x80, 67, 0])
    rig.hooks.run_pending()  # the knob moved the pan as it went (its own undo steps)
    assert rig.live.stop_take() == 2
    rig.engine.stop()
    track = rig.store.state.session.piano_roll.track(rig.synth)
    assert track is not None
    recorded = [(n.pitch, n.velocity) for n in track.notes]
    assert recorded == [(64, 90), (67, 70)]
    assert all(n.tick % (TICKS_PER_BEAT // 4) == 0 for n in track.notes)
    first, second = track.notes
    assert first.duration == pytest.approx(0.3 * 2 * TICKS_PER_BEAT, rel=0.35)
    assert second.tick > first.tick
    (lane,) = [la for la in rig.store.state.session.automation.lanes if la.target == pan]
    assert [p.value for p in lane.points] == [0.0, 1.0]
    assert lane.points[0].tick < lane.points[1].tick
    assert rig.store.undo()  # one step takes back the notes and the automation together
    assert rig.store.state.session.piano_roll is before.session.piano_roll
    assert rig.store.state.session.automation.lanes == before.session.automation.lanes


def test_a_takes_count_in_clicks_on_scsynth_with_the_metronome_off(rig: Rig) -> None:
    assert not rig.store.state.session.click.enabled
    rig.engine.stop()
    rig.engine.seek(0.0)
    settle(rig.engine)
    rig.clear()
    backend = rig.engine.backend
    assert backend is not None
    inner = backend._send
    timed: list[tuple[float, OscMessage]] = []  # (timetag, click) as the datagrams carry them

    def timetags(datagram: bytes) -> None:
        inner(datagram)
        packet = decode(datagram)
        if isinstance(packet, OscBundle) and packet.timestamp is not None:
            for message in packet.contents:
                if isinstance(message, OscMessage) and message.contents[:1] == ("imbolc_click",):
                    timed.append((packet.timestamp, message))

    backend._send = timetags  # type: ignore[method-assign]
    try:
        assert rig.live.start_take(TakeOptions("overdub", count_in_beats=4)) == 0
        wait_for(lambda: len(timed) == 4, timeout=10.0)
        time.sleep(0.8)  # past the count-in into the take: the metronome stays off
        assert rig.live.stop_take() == 0
        rig.engine.stop()
    finally:
        backend._send = inner  # type: ignore[method-assign]
    assert len(timed) == 4
    assert [controls(m)["accent"] for _, m in timed] == [1.0, 0.0, 0.0, 0.0]
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(timed)]
    assert gaps == pytest.approx([0.5, 0.5, 0.5], abs=0.002)  # 120 BPM
    assert len([m for m in rig.messages("/s_new") if m.contents[0] == "imbolc_click"]) == 4
    settle(rig.engine)
    assert rig.engine.problems == []


# --- a joined musician's controller plays and records through the server ---------------------


@pytest.fixture
def joined(rig: Rig) -> Iterator[tuple[Any, Any, LiveSession, QueuedHooks]]:
    """A server whose engine is the rig's scsynth, and a musician joined owning the synth only,
    with their own controller (a second JACK port) routed through their client."""
    server = start_server_thread(rig.store.state, engine=rig.engine, host="127.0.0.1", port=0)
    client = connect("127.0.0.1", server.port, name="guest", own=[rig.synth])
    rejected: list[Rejected] = []
    client.on_event(lambda event: rejected.append(event) if isinstance(event, Rejected) else None)
    pads = RtMidiOutput("guest", api="jack", client="test-guest")
    live = LiveSession(client.engine, lambda: client.state, RtMidiInput(), MidiConfig(input=""))
    hooks = QueuedHooks(client, selected=rig.synth)  # type: ignore[arg-type]
    live.bind(hooks)
    live.start()
    assert live.choose(["jack: test-guest:guest"]) == ["jack: test-guest:guest"]
    live.rejected = rejected  # type: ignore[attr-defined]
    live.pads = pads  # type: ignore[attr-defined]
    try:
        wait_for(lambda: client.owned == (rig.synth,))
        yield server, client, live, hooks
    finally:
        live.shutdown()
        pads.close()
        client.close()
        server.stop()


def test_a_joined_musician_plays_their_own_instrument_on_the_servers_scsynth(
    rig: Rig, joined: tuple[Any, Any, LiveSession, QueuedHooks]
) -> None:
    _server, _client, live, _hooks = joined
    rig.clear()
    live.pads.send([0x90, 57, 99])  # type: ignore[attr-defined]
    wait_for(lambda: rig.messages("/s_new"))
    new = rig.messages("/s_new")[0]
    controls = dict(zip(new.contents[4::2], new.contents[5::2], strict=True))
    assert controls["freq"] == pytest.approx(220.0)
    live.pads.send([0x80, 57, 0])  # type: ignore[attr-defined]
    wait_for(lambda: released(rig, new.contents[1]))


def test_a_joined_musician_cannot_play_an_instrument_they_do_not_own(
    rig: Rig, joined: tuple[Any, Any, LiveSession, QueuedHooks]
) -> None:
    _server, _client, live, _hooks = joined
    rig.clear()
    live.pads.send([0x99, 36, 99])  # channel 10 is routed to the kit, which the host owns
    wait_for(lambda: bool(live.rejected))  # type: ignore[attr-defined]
    assert "not yours" in live.rejected[0].reason or "belongs to" in live.rejected[0].reason  # type: ignore[attr-defined]
    time.sleep(0.1)
    assert rig.messages("/s_new") == []


def test_a_joined_musicians_take_is_kept_by_the_server_on_their_instrument(
    rig: Rig, joined: tuple[Any, Any, LiveSession, QueuedHooks]
) -> None:
    _server, client, live, hooks = joined
    rig.engine.seek(0.0)
    rig.engine.play()
    try:
        wait_for(lambda: client.engine.transport().playing)
        live.start_take(TakeOptions("overdub", count_in_beats=0))
        live.pads.send([0x90, 72, 88])  # type: ignore[attr-defined]
        time.sleep(0.2)
        live.pads.send([0x80, 72, 0])  # type: ignore[attr-defined]
        time.sleep(0.05)
        assert live.stop_take() == 1
    finally:
        rig.engine.stop()
    hooks.run_pending()

    def kept() -> bool:
        track = client.state.session.piano_roll.track(rig.synth)
        return track is not None and any(n.pitch == 72 and n.velocity == 88 for n in track.notes)

    wait_for(kept)
    assert hooks.errors == []


def test_held_keys_on_an_arpeggiated_instrument_step_up_at_its_rate(rig: Rig) -> None:
    arp = Arpeggiator(True, "up", "sixteenth", 1, 0.5)
    rig.store.dispatch(SetArpeggiator(rig.synth, arp))
    settle(rig.engine)
    try:
        rig.clear()
        rig.send_heard([0x90, 60, 100], [0x90, 64, 100])
        wait_for(lambda: len(rig.messages("/s_new")) >= 5)
        rig.send_heard([0x80, 60, 0], [0x80, 64, 0])
        with rig.lock:
            starts = [(t, m) for t, m in rig.sent if m.address == "/s_new"][:5]
        freqs = [controls(m)["freq"] for _, m in starts]
        c4, e4 = 261.63, 329.63
        pattern = [e4, c4, e4, c4] if freqs[1] > 300 else [c4, e4, c4, e4]
        assert freqs[1:5] == pytest.approx(pattern, rel=1e-3)
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(starts[1:])]
        sixteenth = 60 / rig.store.state.session.settings.bpm / 4
        assert all(abs(gap - sixteenth) < 0.03 for gap in gaps)
        time.sleep(2 * sixteenth)
        count = len(rig.messages("/s_new"))
        time.sleep(4 * sixteenth)
        assert len(rig.messages("/s_new")) == count  # released: the pattern stopped
    finally:
        rig.store.dispatch(SetArpeggiator(rig.synth, Arpeggiator()))
        settle(rig.engine)
