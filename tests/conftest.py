"""Shared fixtures: every test gets private config and state directories."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

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
