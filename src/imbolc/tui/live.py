"""Playhead and meters: polled from the engine only while something moves.

The timer starts when playback starts (or a note is played by hand) and stops itself once
the transport is stopped, the meters have fallen silent and no note is held, so an idle app
runs no timer at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.timer import Timer

from imbolc.core.ports import EnginePort, Meters, Transport
from imbolc.tui.errors import ENGINE_ERRORS

LIVE_RATE = 30.0
"""Updates per second while playing."""
SILENCE = 1e-4

LiveSink = Callable[[Transport, Meters], None]


def silent(meters: Meters) -> bool:
    """Whether every meter reads (practically) zero."""
    if max(meters.master) > SILENCE:
        return False
    return all(max(pair) <= SILENCE for pair in meters.instruments.values())


class LiveUpdates:
    """Runs ``sink(transport, meters)`` at ``rate`` Hz while playing or sounding."""

    def __init__(
        self,
        app: App[Any],
        engine: EnginePort,
        sink: LiveSink,
        busy: Callable[[], bool] = lambda: False,
        rate: float = LIVE_RATE,
    ) -> None:
        self._app = app
        self._engine = engine
        self._sink = sink
        self._busy = busy
        self._rate = rate
        self._timer: Timer | None = None

    @property
    def running(self) -> bool:
        """Whether the timer is running."""
        return self._timer is not None

    def wake(self) -> None:
        """Start polling (no-op when already polling); polls once right away."""
        if self._timer is None:
            self._timer = self._app.set_interval(1.0 / self._rate, self.tick, name="live")
        self.tick()

    def tick(self) -> None:
        """Read the engine once, show it, and stop when there is nothing left to show."""
        try:
            transport = self._engine.transport()
            meters = self._engine.meters()
        except ENGINE_ERRORS:
            transport, meters = Transport(), Meters()
        self._sink(transport, meters)
        if (
            self._timer is not None
            and not transport.playing
            and silent(meters)
            and not self._busy()
        ):
            self._timer.stop()
            self._timer = None

    def stop(self) -> None:
        """Stop polling now."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
