"""The interface's engine port starts the real engine in the background, after the first
frame, and carries over what was asked meanwhile."""

from __future__ import annotations

import threading

from imbolc.compose import DeferredEngine
from imbolc.core.ports import NullEngine


class CountingEngine(NullEngine):
    """A NullEngine that counts shutdowns (the engine the deferred port ends up with)."""

    def __init__(self) -> None:
        super().__init__("ready")
        self.shutdowns = 0

    def shutdown(self) -> None:
        self.shutdowns += 1


def test_nothing_starts_until_begin_and_the_status_says_it_is_starting() -> None:
    started = threading.Event()

    def start() -> CountingEngine:
        started.set()
        return CountingEngine()

    port = DeferredEngine(start)
    assert port.status().state == "starting"
    assert "starting" in port.status().message
    assert not started.is_set()
    port.begin()
    port.wait(5.0)
    assert started.is_set()
    assert port.status().message == "ready"


def test_play_and_seek_asked_while_starting_reach_the_real_engine() -> None:
    gate = threading.Event()
    engine = CountingEngine()

    def start() -> CountingEngine:
        gate.wait(5.0)
        return engine

    port = DeferredEngine(start)
    port.begin()
    port.seek(960.0)
    port.play()
    gate.set()
    port.wait(5.0)
    assert engine.transport().playing
    assert engine.transport().tick == 960.0


def test_shutdown_while_starting_stops_the_engine_that_was_coming_up() -> None:
    gate = threading.Event()
    engine = CountingEngine()

    def start() -> CountingEngine:
        gate.wait(5.0)
        return engine

    port = DeferredEngine(start)
    port.begin()
    threading.Timer(0.05, gate.set).start()
    port.shutdown()
    assert engine.shutdowns == 1
