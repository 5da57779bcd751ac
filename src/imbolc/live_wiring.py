"""Wiring for live MIDI: device events to voices at once, and to the store through its owner.

A composition module (like ``compose.py``): it meets the device layer (``imbolc.live``) and the
engine port. Notes go from the MIDI thread straight to ``EnginePort.note_on`` (planned and
sent on that thread), never through the interface's event loop. Controller moves are folded
per target and handed to the store's owner thread with one ``call_soon`` per burst, where they
become the same action a knob turn builds. Takes and MIDI learn ride the same hooks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from imbolc.core.actions import SetBpm
from imbolc.core.actions.base import Action
from imbolc.core.automation import AutomationTarget
from imbolc.core.config import MidiConfig
from imbolc.core.errors import ImbolcError
from imbolc.core.ids import InstrumentId
from imbolc.core.live import (
    AFTERTOUCH_CC,
    SUSTAIN_CC,
    Aftertouch,
    ClockContinue,
    ClockStart,
    ClockStop,
    ClockTick,
    ControlChange,
    MidiEvent,
    MidiInput,
    NoteOn,
)
from imbolc.core.live_control import Learned, StoreHooks
from imbolc.core.live_route import LiveRouter, Move, VoiceOff, VoiceOn, move_action, sounding
from imbolc.core.live_take import Take, TakeOptions
from imbolc.core.ports import EnginePort
from imbolc.core.project import Project
from imbolc.core.store import Commit, Store
from imbolc.core.targets import target_range
from imbolc.core.tempo_sync import ClockFollower, session_tempo
from imbolc.live_arp import LiveArp

Log = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


class QueuedHooks:
    """``StoreHooks`` for a store whose owner drains ``run_pending`` (scripts, tests, bench)."""

    def __init__(self, store: Store, selected: InstrumentId | None = None) -> None:
        self.store = store
        self._selected = selected
        self._queue: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self.errors: list[str] = []

    def call_soon(self, function: Callable[[], None]) -> None:
        with self._lock:
            self._queue.append(function)

    def run_pending(self) -> int:
        """Run what the MIDI threads scheduled (call on the store's owner thread)."""
        with self._lock:
            queued, self._queue = self._queue, []
        for function in queued:
            function()
        return len(queued)

    def dispatch(self, action: Action) -> bool:
        try:
            self.store.dispatch(action)
        except Exception as error:
            self.errors.append(str(error))
            return False
        return True

    def dispatch_all(self, actions: Sequence[Action], label: str) -> bool:
        try:
            with self.store.transaction(label):
                for action in actions:
                    self.store.dispatch(action)
        except Exception as error:
            self.errors.append(str(error))
            return False
        return True

    def selected(self) -> InstrumentId | None:
        return self._selected


class LiveSession:
    """``LiveControl`` over a ``MidiInput``: routing, learn, takes, clock and Link tempo."""

    def __init__(
        self,
        engine: EnginePort,
        project: Callable[[], Project],
        midi: MidiInput | None = None,
        config: MidiConfig | None = None,
        log: Log = _quiet,
    ) -> None:
        self.engine = engine
        self.project = project
        self.midi = midi
        self.config = config or MidiConfig()
        self.log = log
        self.router = LiveRouter()
        self.follower = ClockFollower()
        self._lock = threading.Lock()
        self._hooks: StoreHooks | None = None
        self._pending: dict[AutomationTarget, float] = {}
        self._flush_scheduled = False
        self._learn: Learned | None = None
        self._take: Take | None = None
        self.watcher: Any = None
        self.clock_out: Any = None
        self.link: Any = None
        self.arp: LiveArp | None = None
        self._warned: set[AutomationTarget] = set()
        self._keys: dict[tuple[InstrumentId, int], list[tuple[InstrumentId, int]]] = {}
        """Voices started by computer-keyboard keys (performance mode), per key."""
        self.flushes = 0
        self.dispatched_moves = 0
        self.events_heard = 0
        """Device events fully handled so far (clock included): what a caller can wait on."""

    # --- lifecycle (owner thread) -----------------------------------------------------------

    def start(self) -> None:
        """Open the configured ports and start hot-plug polling, MIDI clock out and Link."""
        from imbolc.live import PortWatcher, RtMidiInput

        if isinstance(self.midi, RtMidiInput):
            selection: str | list[str] = self.config.input or []
            self.watcher = PortWatcher(self.midi, self.event, self.log, selection)
            opened = self.watcher.poll()
            if opened:
                self.log(f"MIDI input: {', '.join(opened)}")
            self.watcher.start()
        if self.config.clock_out:
            self._start_clock_out()
        if self.config.link:
            self._start_link()

    def _start_clock_out(self) -> None:
        from imbolc.live import ClockOut, RtMidiOutput

        try:
            port = RtMidiOutput("clock")
        except OSError as error:
            self.log(f"MIDI clock out is off: {error}")
            return
        self.clock_out = (ClockOut(port.send, self.engine.transport), port)
        self.clock_out[0].start()

    def _start_link(self) -> None:
        from imbolc.live.link import LinkSync, LinkUnavailable

        try:
            self.link = LinkSync(self._tempo_here(self.project()), self._link_tempo)
        except LinkUnavailable as error:
            self.log(f"Ableton Link is off: {error}")

    def _tempo_here(self, project: Project) -> float:
        """The tempo the map gives at the playhead: what the Link session shares."""
        return session_tempo(project, self.engine.transport().tick)

    def follow(self, commit: Commit) -> None:
        """A store commit: a new tempo (setting or map) goes out to the Link session."""
        old, new = commit.old.session, commit.new.session
        if self.link is not None and (
            old.settings is not new.settings or old.tempo_map is not new.tempo_map
        ):
            self.link.set_tempo(self._tempo_here(commit.new))

    def _link_tempo(self, bpm: float) -> None:
        self._call_soon(lambda: self._set_bpm(bpm))

    def _set_bpm(self, bpm: float) -> None:
        if self._hooks is not None and abs(self._tempo_here(self.project()) - bpm) >= 0.01:
            self._hooks.dispatch(SetBpm(bpm))

    def shutdown(self) -> None:
        """Release held notes and close every port, clock and Link."""
        if self.watcher is not None:
            self.watcher.stop()
        if self.midi is not None:
            self.midi.close()
        with self._lock:
            self._play(self.router.release_all().voices)
            keys, self._keys = self._keys, {}
            self._play([VoiceOff(i, p) for voices in keys.values() for i, p in voices])
        if self.clock_out is not None:
            self.clock_out[0].stop()
            self.clock_out[1].close()
            self.clock_out = None
        if self.link is not None:
            self.link.close()
            self.link = None
        if self.arp is not None:
            self.arp.stop()
            self.arp = None

    # --- LiveControl ------------------------------------------------------------------------

    def ports(self) -> list[str]:
        return [] if self.midi is None else self.midi.ports()

    def opened(self) -> list[str]:
        return [] if self.midi is None else self.midi.opened()

    def choose(self, selection: str | list[str]) -> list[str]:
        if self.watcher is not None:
            return list(self.watcher.choose(selection))
        if self.midi is None:
            return []
        names = self.midi.ports() if selection == "all" else list(selection)
        return self.midi.open(names, self.event)

    def bind(self, hooks: StoreHooks) -> None:
        self._hooks = hooks

    def learn(self, then: Learned | None) -> None:
        with self._lock:
            self._learn = then

    def start_take(self, options: TakeOptions) -> int:
        transport = self.engine.transport()
        start = max(0, round(transport.tick))
        with self._lock:
            self._take = Take(start, options)
        if not transport.playing:
            self.engine.count_in(float(start), options.count_in_beats)
        return start

    def stop_take(self) -> int:
        with self._lock:
            take, self._take = self._take, None
        if take is None:
            return 0
        take.finish(max(take.end_tick, round(self.engine.transport().tick)))
        actions = take.actions(self.project())
        if actions and self._hooks is not None:
            self._hooks.dispatch_all(actions, "record take")
        return sum(len(notes) for notes in take.notes.values())

    @property
    def recording(self) -> bool:
        return self._take is not None

    def sync_status(self) -> str:
        parts = []
        if self.link is not None:
            parts.append(f"Link: {self.link.peers} peer(s) at {self.link.tempo:.1f} BPM")
        if self.clock_out is not None:
            parts.append(f"clock out: {self.clock_out[0].sent_ticks} ticks")
        if self.config.clock_in:
            bpm = self.follower.reported
            parts.append("clock in: " + ("waiting" if bpm is None else f"{bpm:.1f} BPM"))
        return " · ".join(parts) or "no tempo sync (see [midi] in config.toml)"

    def start_delay(self) -> float:
        if self.link is None or self.link.peers == 0:
            return 0.0
        return float(self.link.seconds_to_next_bar())

    def play_key(self, instrument_id: InstrumentId, note: int, velocity: int) -> bool:
        with self._lock:
            project = self.project()
            voices: list[VoiceOn | VoiceOff] = [
                VoiceOff(i, p) for i, p in self._keys.pop((instrument_id, note), [])
            ]
            started = sounding(project, instrument_id, note)
            self._keys[(instrument_id, note)] = started
            voices.extend(VoiceOn(i, p, velocity) for i, p in started)
            self._play(voices)
            if self._take is not None:
                tick = round(self.engine.transport().tick)
                self._take.note_on(instrument_id, note, velocity, tick)
        return True

    def release_key(self, instrument_id: InstrumentId, note: int) -> None:
        with self._lock:
            released = self._keys.pop((instrument_id, note), [])
            self._play([VoiceOff(i, p) for i, p in released])
            if self._take is not None:
                self._take.note_off(instrument_id, note, round(self.engine.transport().tick))

    # --- events (MIDI threads) --------------------------------------------------------------

    def event(self, event: MidiEvent) -> None:
        """One event from a device: play, move, learn, record."""
        try:
            self._event(event)
        finally:
            self.events_heard += 1

    def _event(self, event: MidiEvent) -> None:
        if isinstance(event, ClockTick | ClockStart | ClockContinue | ClockStop):
            self._clock(event)
            return
        with self._lock:
            if self._learn is not None and self._learned(event):
                return
            project = self.project()
            selected = self._hooks.selected() if self._hooks is not None else None
            routed = self.router.route(project, event, selected)
            self._play(routed.voices)
            take = self._take
            if take is not None and (routed.played is not None or routed.moves):
                tick = round(self.engine.transport().tick)
                if routed.played is not None and isinstance(event, NoteOn):
                    take.note_on(routed.played, event.note, event.velocity, tick)
                elif routed.played is not None:
                    take.note_off(routed.played, getattr(event, "note", 0), tick)
                for target, value in routed.moves:
                    take.move(target, value, tick)
            if routed.moves:
                for target, value in routed.moves:
                    self._pending[target] = value
                if not self._flush_scheduled:
                    self._flush_scheduled = True
                    self._call_soon(self._flush)

    def _learned(self, event: MidiEvent) -> bool:
        learned = self._learn
        if isinstance(event, ControlChange) and event.control != SUSTAIN_CC:
            control, channel = event.control, event.channel
        elif isinstance(event, Aftertouch) and event.note is None:
            control, channel = AFTERTOUCH_CC, event.channel
        else:
            return False
        self._learn = None
        if learned is not None:
            self._call_soon(lambda: learned(control, channel))
        return True

    def _play(self, voices: Sequence[VoiceOn | VoiceOff]) -> None:
        """Voices to the engine now; an arpeggiated instrument's keys to the live arpeggiator."""
        if not voices:
            return
        instruments = self.project().instruments
        for voice in voices:
            inst = instruments.get(voice.instrument_id)
            arpeggiated = inst is not None and inst.arpeggiator.enabled
            try:
                if isinstance(voice, VoiceOn):
                    if arpeggiated:
                        self._arpeggiator().press(voice.instrument_id, voice.pitch, voice.velocity)
                    else:
                        self.engine.note_on(voice.instrument_id, voice.pitch, voice.velocity)
                    continue
                if self.arp is not None:
                    self.arp.release(voice.instrument_id, voice.pitch)
                if not arpeggiated:
                    self.engine.note_off(voice.instrument_id, voice.pitch)
            except Exception as error:  # the engine's trouble must not stop the device
                self.log(f"MIDI note not played: {error}")

    def _arpeggiator(self) -> LiveArp:
        if self.arp is None:
            self.arp = LiveArp(self.engine, self.project, self.log)
        return self.arp

    def _clock(self, event: MidiEvent) -> None:
        if not self.config.clock_in:
            return
        if isinstance(event, ClockTick):
            bpm = self.follower.tick(event.time)
            if bpm is not None:
                self._call_soon(lambda: self._set_bpm(bpm))
            return
        self.follower.reset()
        if isinstance(event, ClockStart):
            self.engine.seek(0.0)
            self.engine.play()
        elif isinstance(event, ClockContinue):
            self.engine.play()
        else:
            self.engine.stop()

    def _call_soon(self, function: Callable[[], None]) -> None:
        if self._hooks is not None:
            self._hooks.call_soon(function)

    def _flush(self) -> None:
        """On the owner thread: one knob-turn action per moved target, with its last value."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._flush_scheduled = False
        self.flushes += 1
        hooks = self._hooks
        if hooks is None:
            return
        project = self.project()
        for target, value in pending.items():
            action = move_action(Move(target, value))
            try:
                target_range(project, target)
            except ImbolcError:
                action = None  # the mapped parameter (or its instrument) is gone
            if action is None:
                if target not in self._warned:
                    self._warned.add(target)
                    where = f"{target.scope} {target.owner} {target.parameter}"
                    self.log(f"MIDI: a mapped controller moves {where}, which does not exist")
                continue
            if hooks.dispatch(action):
                self.dispatched_moves += 1


def start_live(
    engine: EnginePort, store: Store, config: MidiConfig, log: Log = _quiet
) -> LiveSession:
    """Live input for an interactive app: the configured ports (hot-plugged), clock and Link.

    Without python-rtmidi (a broken install) notes and knobs simply do nothing; the reason is
    logged once. Link follows the store's tempo from the first commit on.
    """
    from imbolc.live import RtMidiInput, midi_available

    problem = midi_available()
    if problem is not None:
        log(f"MIDI input is off: {problem}")
    midi = RtMidiInput(log) if problem is None else None
    session = LiveSession(engine, lambda: store.state, midi, config, log)
    session.start()
    store.subscribe(session.follow)
    return session
