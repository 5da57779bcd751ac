"""The arpeggiator for live keys: held notes of an arpeggiated instrument stepped on a thread.

Piano-roll notes are arpeggiated by the scheduler while the transport plays; keys held on a
controller are arpeggiated here, playing or not, with the same cycle (``sequence``), rate and
gate, at the session's tempo. Steps go to the engine port like any live note.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable

from imbolc.core.ids import InstrumentId
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import EnginePort
from imbolc.core.project import Project
from imbolc.core.tempo_sync import session_tempo
from imbolc.engine.schedule_arp import Held, rate_ticks, sequence

IDLE = 0.5
"""Seconds the thread sleeps when nothing is held (a press wakes it at once)."""


class _Voice:
    __slots__ = ("held", "index", "next_at", "sounding")

    def __init__(self) -> None:
        self.held: dict[int, int] = {}
        self.next_at = 0.0
        self.index = 0
        self.sounding: list[tuple[float, int]] = []
        """(release time, pitch) of the steps still sounding."""


class LiveArp:
    """Steps the held keys of each arpeggiated instrument until they are released."""

    def __init__(
        self,
        engine: EnginePort,
        project: Callable[[], Project],
        log: Callable[[str], None] = lambda _m: None,
    ) -> None:
        self.engine = engine
        self.project = project
        self.log = log
        self.steps = 0
        self._voices: dict[InstrumentId, _Voice] = {}
        self._wake = threading.Condition()
        self._running = True
        self._random = random.Random(0)
        self._thread = threading.Thread(target=self._run, name="imbolc-live-arp", daemon=True)
        self._thread.start()

    def press(self, instrument_id: InstrumentId, pitch: int, velocity: int) -> None:
        """Hold ``pitch``; the first key of a chord starts the pattern at once."""
        with self._wake:
            voice = self._voices.setdefault(instrument_id, _Voice())
            if not voice.held:
                voice.next_at = time.monotonic()
                voice.index = 0
            voice.held[pitch] = velocity
            self._wake.notify()

    def release(self, instrument_id: InstrumentId, pitch: int) -> None:
        """Let go of ``pitch`` (the step sounding ends at its gate)."""
        with self._wake:
            voice = self._voices.get(instrument_id)
            if voice is not None:
                voice.held.pop(pitch, None)

    def _step(self, ident: InstrumentId, voice: _Voice, now: float) -> None:
        inst = self.project().instruments.get(ident)
        if inst is None or not inst.arpeggiator.enabled:
            voice.held.clear()
            return
        arp = inst.arpeggiator
        step = rate_ticks(arp) / TICKS_PER_BEAT * 60.0 / session_tempo(self.project())
        voice.next_at = max(voice.next_at + step, now)
        held = [Held(p, v / 127.0, 0.0, math.inf) for p, v in voice.held.items()]
        cycle = sequence(held, arp)
        if not cycle:
            return
        if arp.direction == "random":
            pick = self._random.randrange(len(cycle))
        else:
            pick = voice.index % len(cycle)
        voice.index += 1
        pitch, velocity = cycle[pick]
        self.engine.note_on(ident, pitch, max(1, round(velocity * 127)))
        voice.sounding.append((now + arp.gate * step, pitch))
        self.steps += 1

    def _due(self, now: float) -> float:
        """Play every step and release due by ``now``; the next time something is due."""
        upcoming = now + IDLE
        for ident, voice in list(self._voices.items()):
            for release, pitch in [s for s in voice.sounding if s[0] <= now]:
                voice.sounding.remove((release, pitch))
                self.engine.note_off(ident, pitch)
            if voice.held and voice.next_at <= now:
                self._step(ident, voice, now)
            if voice.held:
                upcoming = min(upcoming, voice.next_at)
            upcoming = min([upcoming, *(s[0] for s in voice.sounding)])
            if not voice.held and not voice.sounding:
                del self._voices[ident]
        return upcoming

    def _run(self) -> None:
        with self._wake:
            while self._running:
                try:
                    upcoming = self._due(time.monotonic())
                except Exception as error:  # an engine failure must not stop the arpeggiator
                    self.log(f"live arpeggiator: {error}")
                    upcoming = time.monotonic() + IDLE
                self._wake.wait(max(0.0, upcoming - time.monotonic()))

    def stop(self) -> None:
        """Release everything and stop the thread."""
        with self._wake:
            self._running = False
            for ident, voice in self._voices.items():
                for _release, pitch in voice.sounding:
                    self.engine.note_off(ident, pitch)
            self._voices.clear()
            self._wake.notify()
        self._thread.join(2.0)
