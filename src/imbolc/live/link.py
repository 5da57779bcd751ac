"""Ableton Link over ``aalink``: join the LAN's Link session, follow and set its tempo, phase.

aalink needs a running asyncio loop, so a ``LinkSync`` runs one on a thread of its own; the
tempo the session sets is pushed to Link, and tempo changes from peers reach ``on_tempo`` (on
that thread; the composition hands them to the store's owner).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any

TEMPO_EPSILON = 0.01


class LinkUnavailable(OSError):
    """aalink is missing or Link could not start."""


def _ignore(_bpm: float) -> None:
    return None


class LinkSync:
    """One Link peer: tempo both ways, beat and phase for starting in time."""

    def __init__(
        self, bpm: float, on_tempo: Callable[[float], None] = _ignore, quantum: float = 4.0
    ) -> None:
        try:
            import aalink
        except ImportError as error:
            raise LinkUnavailable("the aalink package is not installed") from error
        self._aalink = aalink
        self.on_tempo = on_tempo
        self.quantum = quantum
        self._bpm = bpm
        self._loop = asyncio.new_event_loop()
        self._link: Any = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="imbolc-link", daemon=True)
        self._thread.start()
        self._ready.wait(5.0)
        if self._link is None:
            self.close()
            raise LinkUnavailable(f"Link did not start: {self._failure}")

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._create)
        self._loop.run_forever()
        self._loop.close()

    def _create(self) -> None:
        try:
            link = self._aalink.Link(self._bpm)
            link.quantum = self.quantum
            link.set_tempo_callback(self._tempo_changed)
            link.enabled = True
            self._link = link
        except Exception as error:
            self._failure = error
        self._ready.set()

    def _tempo_changed(self, bpm: float) -> None:
        self._bpm = float(bpm)
        self.on_tempo(float(bpm))

    def _call(self, function: Callable[[], Any]) -> Any:
        """Run ``function`` on the Link thread and return its result."""
        done = asyncio.run_coroutine_threadsafe(_wrap(function), self._loop)
        return done.result(2.0)

    @property
    def peers(self) -> int:
        """How many other Link peers are in the session."""
        return int(self._call(lambda: self._link.num_peers))

    @property
    def tempo(self) -> float:
        """The session's tempo."""
        return float(self._call(lambda: self._link.tempo))

    def set_tempo(self, bpm: float) -> None:
        """Propose a tempo to every peer (unchanged tempos are not sent)."""
        if abs(bpm - self._bpm) < TEMPO_EPSILON:
            return
        self._bpm = bpm

        def put() -> None:
            self._link.tempo = bpm

        self._call(put)

    @property
    def beat(self) -> float:
        """The session's beat now."""
        return float(self._call(lambda: self._link.beat))

    @property
    def phase(self) -> float:
        """Where in the quantum the session is now (0..quantum)."""
        return float(self._call(lambda: self._link.phase))

    def seconds_to_next_bar(self) -> float:
        """Seconds until the next quantum boundary: start playback then to start in phase."""
        phase, tempo = self.phase, self.tempo
        return (self.quantum - phase) % self.quantum * 60.0 / tempo

    def close(self) -> None:
        """Leave the Link session and stop the thread."""
        if self._link is not None and self._loop.is_running():
            with contextlib.suppress(Exception):

                def leave() -> None:
                    # Dropping the last reference ends aalink's own threads.
                    self._link.enabled = False
                    self._link = None

                self._call(leave)
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(2.0)


async def _wrap(function: Callable[[], Any]) -> Any:
    return function()
