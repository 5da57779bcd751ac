"""Shared fixtures: every test gets private config and state directories."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import textual.app
import textual.pilot

from imbolc.engine.processes import JackdProcess, start_jackd


@pytest.fixture(autouse=True, scope="session")
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled SynthDefs are cached once per test session, never in the user's cache."""
    previous = os.environ.get("IMBOLC_CACHE_DIR")
    os.environ["IMBOLC_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("IMBOLC_CACHE_DIR", None)
    else:
        os.environ["IMBOLC_CACHE_DIR"] = previous


IDLE_POLL = 1 / 50
IDLE_CPU = IDLE_POLL / 20


async def wait_for_app_idle(min_sleep: float = IDLE_POLL, max_sleep: float = 1.0) -> None:
    """Textual's Pilot waits after each key until the *process* uses little CPU, for up to a
    second; with JACK clients, MIDI inputs or an audio thread running (as in a musician's
    imbolc) that is never, and every key press cost two seconds. The app's own work runs on
    the event loop's thread, so measure that thread alone."""
    start = time.monotonic()
    while True:
        cpu = time.thread_time()
        await asyncio.sleep(IDLE_POLL)
        spent = time.thread_time() - cpu
        elapsed = time.monotonic() - start
        if elapsed >= max_sleep or (elapsed > min_sleep and spent < IDLE_CPU):
            return


@pytest.fixture(autouse=True, scope="session")
def pilot_waits_for_the_app_thread() -> Iterator[None]:
    saved = textual.app.wait_for_idle, textual.pilot.wait_for_idle
    textual.app.wait_for_idle = wait_for_app_idle  # type: ignore[attr-defined]
    textual.pilot.wait_for_idle = wait_for_app_idle  # type: ignore[attr-defined]
    yield
    textual.app.wait_for_idle, textual.pilot.wait_for_idle = saved  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def private_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the real ~/.config/imbolc."""
    monkeypatch.setenv("IMBOLC_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("IMBOLC_STATE_DIR", str(tmp_path / "state"))


# --- a real JACK server for MIDI port tests (tests/live, the MIDI pane) ---------------------


def need_jackd() -> None:
    if shutil.which("jackd") is None:
        if os.environ.get("CI"):
            pytest.fail("jackd is not installed (CI must install jackd2)")
        pytest.skip("jackd not installed (CI installs it)")


@pytest.fixture(scope="module")
def jack() -> Iterator[JackdProcess]:
    """A dummy-driver jackd; JACK clients made in this process use it and start no other."""
    need_jackd()
    saved = {key: os.environ.get(key) for key in ("JACK_DEFAULT_SERVER", "JACK_NO_START_SERVER")}
    jackd = start_jackd(shutil.which("jackd") or "jackd", sample_rate=48000, period=64)
    os.environ["JACK_DEFAULT_SERVER"] = jackd.name
    os.environ["JACK_NO_START_SERVER"] = "1"
    try:
        yield jackd
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        jackd.stop()
