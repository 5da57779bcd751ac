"""A real JACK server (jackd's dummy driver) for MIDI port tests, shared by a module.

The tests may skip only where jackd is missing and ``CI`` is unset; in CI jackd is installed
and a missing one fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from imbolc.engine.processes import JackdProcess, start_jackd


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
