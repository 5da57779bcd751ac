"""Realtime playback on the embedded server: the same audio thread and engine as the scsynth
path, with a PortAudio (or JACK, through PortAudio) stream callback pulling blocks.

sounddevice is optional: without PortAudio or an output device the engine reports "no audio
output device" and offline render still works.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from imbolc.core.ports import EngineStatus, Meters
from imbolc.core.project import Project
from imbolc.engine.embedded.backend import EmbeddedBackend
from imbolc.engine.embedded.server import EmbeddedServer, ServerOptions
from imbolc.engine.engine import Engine
from imbolc.engine.naming import Missing, instrument_channels, source_def
from imbolc.engine.realtime import LOOKAHEAD, AudioThread, ThreadedEngine, with_peaks
from imbolc.engine.synthdefs.system import BAD_VALUES_ADDRESS, METER_ADDRESS

INPUT_CHANNELS = 2
"""Inputs the realtime embedded engine captures from the input device, for audio_in."""
RESYNC = 0.02
"""Seconds the server clock may drift from the wall clock before it is snapped back."""


def open_output(
    callback: Callable[[np.ndarray, int, Any, Any], None], options: ServerOptions
) -> tuple[Any, str]:
    """An output stream with ``callback`` (JACK first when a JACK server runs), and its
    device name. Raises RuntimeError naming why there is no output."""
    try:
        import sounddevice
    except (ImportError, OSError) as error:
        raise RuntimeError(f"no audio output device (PortAudio unavailable: {error})") from error
    try:
        device = None
        for api in sounddevice.query_hostapis():
            if "JACK" in str(api["name"]) and api["default_output_device"] >= 0:
                device = api["default_output_device"]
        stream = sounddevice.OutputStream(
            samplerate=options.sample_rate, blocksize=options.block, device=device,
            channels=options.output_channels, dtype="float32", callback=callback,
        )  # fmt: skip
        name = str(sounddevice.query_devices(stream.device)["name"])
    except Exception as error:
        raise RuntimeError(f"no audio output device ({error})") from error
    return stream, name


def open_duplex(
    callback: Callable[[np.ndarray, np.ndarray, int, Any, Any], None], options: ServerOptions
) -> tuple[Any, str]:
    """A stream that also captures ``options.input_channels`` from the default input (JACK
    first when a JACK server runs). Raises RuntimeError naming why there is none."""
    try:
        import sounddevice
    except (ImportError, OSError) as error:
        raise RuntimeError(f"no audio input device (PortAudio unavailable: {error})") from error
    try:
        device = None
        for api in sounddevice.query_hostapis():
            if "JACK" in str(api["name"]) and api["default_output_device"] >= 0:
                device = (api["default_input_device"], api["default_output_device"])
        stream = sounddevice.Stream(
            samplerate=options.sample_rate, blocksize=options.block, device=device,
            channels=(options.input_channels, options.output_channels), dtype="float32",
            callback=callback,
        )  # fmt: skip
        name = str(sounddevice.query_devices(stream.device[1])["name"])
    except Exception as error:
        raise RuntimeError(f"no audio input device ({error})") from error
    return stream, name


class EmbeddedRealtime(ThreadedEngine):
    """The embedded engine as the UI sees it (``EnginePort``)."""

    def __init__(
        self,
        project: Project,
        options: ServerOptions | None = None,
        report: Callable[[str], None] | None = None,
        *,
        open_stream: Callable[..., tuple[Any, str]] = open_output,
        open_input_stream: Callable[..., tuple[Any, str]] = open_duplex,
    ) -> None:
        self._report = report or (lambda message: None)
        self._options = options or ServerOptions(input_channels=INPUT_CHANNELS)
        self._project = project
        self._open_stream = open_stream
        self._open_input_stream = open_input_stream
        self._status = EngineStatus("embedded", "stopped", "not started")
        self._meters = Meters()
        self.problems: list[str] = []
        self.block_seconds: list[float] = []
        self.server: EmbeddedServer | None = None
        self.audio: AudioThread | None = None
        self.stream: Any = None
        self._lock = threading.Lock()

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Build the server, the engine and the audio thread, then open the output."""
        self._status = EngineStatus("embedded", "starting", "starting the embedded engine")
        self.server = EmbeddedServer(
            self._options, start_time=time.time(), on_node_end=self._node_ended,
            on_reply=self._reply, on_problem=self._problem,
        )  # fmt: skip
        engine = Engine(EmbeddedBackend(self.server), self._problem)
        self.audio = AudioThread(engine, self._project, self._problem)
        self.audio.start()
        self.audio.post("rebuild", self._project, structural=True)
        built = threading.Event()
        self.audio.post("call", built.set, structural=True)
        built.wait(60)  # the graph and its SynthDefs are ready before the output starts
        self._compile_voices(self._project)
        try:
            self.stream, device = self._open_streams()
            self.stream.start()
        except RuntimeError as error:
            self.stream = None
            self._status = EngineStatus("embedded", "unavailable",
                                        f"{error}; render still works")  # fmt: skip
            return
        self._status = EngineStatus(
            "embedded", "running", f"embedded engine on {device}",
            sample_rate=self._options.sample_rate, block_size=self._options.block,
            latency_ms=LOOKAHEAD * 1000,
        )  # fmt: skip

    def _compile_voices(self, project: Project) -> None:
        """Compile the SynthDefs the project's notes will start, before the output runs:
        compiling holds the GIL for a while, and the output callback must not wait for it."""
        server = self.server
        assert server is not None
        names = {"imbolc_click", "imbolc_sampler_oneshot"}
        for inst in project.instruments.items:
            mono = instrument_channels(inst) == 1
            sources = [inst.source]
            if inst.kit is not None:
                sources += [pad.source for pad in inst.kit.pads if pad.source]
            for source in sources:
                try:
                    names.add(source_def(source, mono and source == inst.source))
                except Missing:
                    continue
        for name in sorted(names):
            server.program(name)

    # --- the stream ----------------------------------------------------------------------

    def pull(self) -> np.ndarray:
        """One block for the output, on the wall clock (what the stream callback calls)."""
        server = self.server
        assert server is not None
        began = time.perf_counter()
        now = time.time()
        if abs(server.time - now) > RESYNC:
            server.time = now
        with self._lock:
            block = server.process()
        spent = time.perf_counter() - began
        self.block_seconds.append(spent)
        if len(self.block_seconds) > 4096:
            del self.block_seconds[:2048]
        return block

    def _open_streams(self) -> tuple[Any, str]:
        """The output, with the input device when the server takes inputs (audio_in reads
        it); without an input device, output only, and audio_in's test tone still sounds."""
        if self._options.input_channels > 0:
            try:
                return self._open_input_stream(self._duplex_callback, self._options)
            except RuntimeError as error:
                message = f"embedded engine: {error}; audio_in hears nothing but its test tone"
                if any(inst.source == "audio_in" for inst in self._project.instruments.items):
                    self._problem(message)
                else:
                    self.problems.append(message)  # nothing listens: not worth a message
        return self._open_stream(self._callback, self._options)

    def _duplex_callback(
        self, given: np.ndarray, out: np.ndarray, frames: int, when: Any, status: Any
    ) -> None:
        if self.server is not None:
            self.server.feed_input(np.array(given[:frames], dtype=np.float64))
        self._callback(out, frames, when, status)

    def _callback(self, out: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        try:
            block = self.pull()
            out[:] = block[:frames]
        except Exception as error:
            out.fill(0.0)
            self._problem(f"embedded engine: block failed: {error}")

    # --- server callbacks ----------------------------------------------------------------

    def _node_ended(self, node_id: int) -> None:
        if self.audio is not None:
            self.audio.post("node_ended", node_id)

    def _reply(self, address: str, values: list[float]) -> None:
        if address == METER_ADDRESS and len(values) >= 6:
            reply_id = int(values[1])
            peaks = (values[2], values[4])
            self._meters = with_peaks(self._meters, reply_id, peaks)
        elif address == BAD_VALUES_ADDRESS:
            self._problem("embedded engine: NaN or infinity reached the master bus (removed)")

    def _problem(self, message: str) -> None:
        self.problems.append(message)
        self._report(message)

    # --- EnginePort ------------------------------------------------------------------------

    def status(self) -> EngineStatus:
        status = self._status
        if self.block_seconds and status.state == "running":
            budget = self._options.block / self._options.sample_rate
            recent = self.block_seconds[-200:]
            cpu = 100.0 * statistics.fmean(recent) / budget
            return EngineStatus(
                status.backend, status.state, status.message, cpu,
                status.sample_rate, status.block_size, status.latency_ms,
            )  # fmt: skip
        return status

    def meters(self) -> Meters:
        return self._meters

    def restart(self) -> None:
        self.shutdown()
        self.start()

    def shutdown(self) -> None:
        if self.stream is not None:
            try:
                self.stream.stop()
                self.stream.close()
            except Exception as error:
                self._problem(f"embedded engine: closing the output failed: {error}")
            self.stream = None
        if self.audio is not None:
            self.audio.stop_thread()
            self.audio = None
        if self.server is not None:
            self.server.close()
        self._status = EngineStatus("embedded", "stopped", "stopped")
