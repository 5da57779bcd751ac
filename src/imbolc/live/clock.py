"""MIDI clock out: 24 ticks per beat at the session tempo, start and stop with the transport.

A thread wakes every millisecond or so, asks the transport whether it plays and at what tempo,
and sends the ticks ``ClockSchedule`` says are due, so drum machines and other DAWs follow.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from imbolc.core.ports import Transport
from imbolc.core.tempo_sync import ClockSchedule

CLOCK, START, STOP = 0xF8, 0xFA, 0xFC
WAKE = 0.001


class ClockOut:
    """Sends MIDI clock through ``send`` (one message's bytes) while ``transport`` plays."""

    def __init__(
        self, send: Callable[[Sequence[int]], None], transport: Callable[[], Transport]
    ) -> None:
        self.send = send
        self.transport = transport
        self.sent_ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="imbolc-midi-clock", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        schedule: ClockSchedule | None = None
        while not self._stop.wait(WAKE):
            state = self.transport()
            now = time.monotonic()
            if state.playing and schedule is None:
                self.send([START])
                schedule = ClockSchedule(now, state.bpm)
            elif not state.playing and schedule is not None:
                self.send([STOP])
                schedule = None
            if schedule is None:
                continue
            schedule.set_bpm(state.bpm, now)
            for _ in range(schedule.due(now)):
                self.send([CLOCK])
                self.sent_ticks += 1

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2.0)
