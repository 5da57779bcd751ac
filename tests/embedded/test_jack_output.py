"""The embedded engine plays through a real JACK server (jackd's dummy driver) via PortAudio."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

from imbolc.engine.processes import JackdProcess, start_jackd

pytestmark = pytest.mark.skipif(
    shutil.which("jackd") is None, reason="jackd not installed (CI installs it)"
)

PLAY = """
import json, time
from imbolc.core.store import Store
from imbolc.core.templates import demo_project
from imbolc.engine.embedded import EmbeddedRealtime
store = Store(demo_project())
engine = EmbeddedRealtime(store.state)
engine.start()
engine.attach(store)
engine.play()
deadline = time.monotonic() + 20  # the first start may compile the SynthDefs
while engine.transport().tick < 1920 and time.monotonic() < deadline:  # two beats
    time.sleep(0.05)
status, transport = engine.status(), engine.transport()
blocks = len(engine.block_seconds)
engine.shutdown()
print(json.dumps({"state": status.state, "message": status.message, "blocks": blocks,
                  "playing": transport.playing, "tick": transport.tick}))
"""


@pytest.fixture
def jack() -> Iterator[JackdProcess]:
    jackd = start_jackd(shutil.which("jackd") or "jackd", sample_rate=48000, period=256)
    try:
        yield jackd
    finally:
        jackd.stop()


def test_the_embedded_engine_streams_blocks_to_a_running_jack_server(jack: JackdProcess) -> None:
    env = {**jack.client_env(), "JACK_NO_START_SERVER": "1"}
    done = subprocess.run(
        [sys.executable, "-c", PLAY],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["state"] == "running", report["message"]
    # Two beats at 120 BPM is a second: ~187 blocks of 256 frames at 48 kHz. The dummy driver
    # pulls on the wall clock, so a machine busy elsewhere drops some: half of them must come.
    assert report["blocks"] > 90, report
    assert report["playing"] is True
    assert report["tick"] >= 1920
