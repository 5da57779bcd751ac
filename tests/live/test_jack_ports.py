"""MIDI input over real JACK MIDI ports (jackd's dummy driver): listing, hot-plug, decoding."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from imbolc.core.live import ClockTick, ControlChange, MidiEvent, NoteOff, NoteOn, PitchWheel
from imbolc.engine.processes import JackdProcess
from imbolc.live import PortWatcher, RtMidiInput, RtMidiOutput

KEYS = "jack: test-keys:keys"


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for MIDI"
        time.sleep(0.005)


def test_a_keyboard_that_appears_is_picked_up_and_one_that_goes_is_dropped(
    jack: JackdProcess,
) -> None:
    messages: list[str] = []
    events: list[MidiEvent] = []
    midi = RtMidiInput(messages.append)
    watcher = PortWatcher(midi, events.append, messages.append, selection="all")
    try:
        assert KEYS not in watcher.poll()
        keyboard = RtMidiOutput("keys", api="jack", client="test-keys")
        try:
            assert KEYS in midi.ports()
            assert KEYS in watcher.poll()
            assert f"MIDI port appeared: {KEYS} (listening)" in messages
            keyboard.send([0x90, 60, 100])
            wait_for(lambda: len(events) == 1)
            assert isinstance(events[0], NoteOn)
            assert (events[0].channel, events[0].note, events[0].velocity) == (0, 60, 100)
        finally:
            keyboard.close()
        assert KEYS not in watcher.poll()
        assert f"MIDI port gone: {KEYS} (dropped)" in messages
        assert midi.opened() == []
    finally:
        midi.close()


def test_choosing_one_port_by_name_listens_to_it_alone(jack: JackdProcess) -> None:
    events: list[MidiEvent] = []
    midi = RtMidiInput()
    watcher = PortWatcher(midi, events.append, selection="test-keys:keys")
    keys = RtMidiOutput("keys", api="jack", client="test-keys")
    pads = RtMidiOutput("pads", api="jack", client="test-pads")
    try:
        assert watcher.poll() == [KEYS]
        pads.send([0x99, 36, 127])
        keys.send([0x91, 64, 80])
        wait_for(lambda: len(events) >= 1)
        time.sleep(0.05)
        assert [(type(e), getattr(e, "channel", None)) for e in events] == [(NoteOn, 1)]
        assert watcher.choose([]) == []
    finally:
        keys.close()
        pads.close()
        midi.close()


def test_garbage_from_a_device_is_tolerated_and_logged(jack: JackdProcess) -> None:
    """Running status, SysEx, stray data, undefined status bytes and clock interleaved."""
    messages: list[str] = []
    events: list[MidiEvent] = []
    midi = RtMidiInput(messages.append)
    device = RtMidiOutput("junk", api="jack", client="test-junk")
    try:
        assert midi.open(["jack: test-junk:junk"], events.append) == ["jack: test-junk:junk"]
        device.send([0x90, 60, 100])
        device.send([62, 90])  # running status: data bytes reuse the last status
        device.send([62, 0])  # velocity 0 is a note-off
        device.send([0xF0, 0x7E, 0x01, 0x02, 0xF7])  # SysEx
        device.send([0x45, 0x46])  # data bytes with no status
        device.send([0xF4])  # an undefined status byte
        device.send([0xB0, 7, 0xF8])  # a clock tick in the middle of a CC...
        device.send([99])  # ...whose value comes in the next packet
        device.send([0xE0, 0x00, 0x40])  # the pitch wheel at its centre
        wait_for(lambda: len(events) >= 6)
        time.sleep(0.05)
        assert events[:3] == [
            NoteOn(0, 60, 100, events[0].time),
            NoteOn(0, 62, 90, events[1].time),
            NoteOff(0, 62, 0, events[2].time),
        ]
        assert isinstance(events[3], ClockTick)
        assert events[4] == ControlChange(0, 7, 99, events[4].time)
        assert events[5] == PitchWheel(0, 0, events[5].time)
        assert any("without a status" in m for m in messages)
        assert any("undefined status byte 0xF4" in m for m in messages)
        device.send([0x90, 64, 100])  # and the device still plays afterwards
        wait_for(lambda: len(events) == 7)
        assert events[6] == NoteOn(0, 64, 100, events[6].time)
    finally:
        device.close()
        midi.close()


def test_imbolc_midi_ports_lists_a_jack_port_and_marks_the_chosen_one(
    jack: JackdProcess, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "config.toml").write_text('[midi]\ninput = "test-keys:keys"\n')
    keys = RtMidiOutput("keys", api="jack", client="test-keys")
    pads = RtMidiOutput("pads", api="jack", client="test-pads")
    try:
        env = {**jack.client_env(), "IMBOLC_CONFIG_DIR": str(config)}
        done = subprocess.run(
            [sys.executable, "-m", "imbolc", "midi-ports"],
            capture_output=True, text=True, env=env, timeout=60, check=False,
        )  # fmt: skip
    finally:
        keys.close()
        pads.close()
    assert done.returncode == 0, done.stderr
    assert f"* {KEYS}\n" in done.stdout
    assert "  jack: test-pads:pads\n" in done.stdout


@pytest.mark.skipif(
    not Path("/dev/snd/seq").exists(),
    reason="no ALSA sequencer here (/dev/snd/seq is missing): the ALSA variant cannot run",
)
def test_an_alsa_virtual_port_is_listed_and_its_notes_arrive() -> None:
    events: list[MidiEvent] = []
    keyboard = RtMidiOutput("keys", api="alsa", client="test-alsa-keys")
    midi = RtMidiInput()
    try:
        names = [n for n in midi.ports() if n.startswith("alsa: ") and "test-alsa-keys" in n]
        assert len(names) == 1
        assert midi.open(names, events.append) == names
        keyboard.send([0x92, 67, 55])
        wait_for(lambda: len(events) == 1)
        assert events[0] == NoteOn(2, 67, 55, events[0].time)
    finally:
        midi.close()
        keyboard.close()


def test_a_fast_knob_sweep_arrives_whole_and_in_order_while_the_interpreter_is_busy(
    jack: JackdProcess,
) -> None:
    events: list[MidiEvent] = []
    midi = RtMidiInput()
    knob = RtMidiOutput("knob", api="jack", client="test-knob")
    busy = threading.Event()

    def burn() -> None:  # other Python threads holding the GIL, as a busy interface does
        while not busy.is_set():
            sum(range(10_000))

    burners = [threading.Thread(target=burn, daemon=True) for _ in range(3)]
    before = sys.getswitchinterval()
    try:
        assert midi.open(["jack: test-knob:knob"], events.append)
        sys.setswitchinterval(0.0002)
        for burner in burners:
            burner.start()
        sweep = [*range(0, 128, 4), 127]
        for sweep_number in range(10):
            events.clear()
            for value in sweep:
                knob.send([0xB0, 74, value])
            wait_for(lambda: len(events) >= len(sweep))
            values = [e.value for e in events if isinstance(e, ControlChange)]
            assert values == sweep, f"sweep {sweep_number}"
    finally:
        busy.set()
        for burner in burners:
            burner.join()
        sys.setswitchinterval(before)
        midi.close()
        knob.close()
