"""The small protocols where the layers meet: what the UI and the network may ask of an engine.

The engine implements ``EnginePort``; the TUI and the server only see this protocol, and
``NullEngine`` stands in when no audio engine is available. Defined in core so that no edge
layer imports another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

import msgspec

EngineState = Literal["stopped", "starting", "running", "restarting", "error", "unavailable"]


class EngineStatus(msgspec.Struct, frozen=True):
    """What the header and the engine pane show about the audio engine."""

    backend: str = "none"
    state: EngineState = "unavailable"
    message: str = "no audio engine"
    cpu_percent: float = 0.0
    sample_rate: int = 0
    block_size: int = 0
    latency_ms: float = 0.0


class Transport(msgspec.Struct, frozen=True):
    """Playback state, owned by the engine's audio thread and mirrored to subscribers."""

    playing: bool = False
    tick: float = 0.0
    bpm: float = 120.0


class Meters(msgspec.Struct, frozen=True):
    """Peak levels (linear, 0..1+) of the master, each metered instrument and each metered
    bus, left and right."""

    master: tuple[float, float] = (0.0, 0.0)
    instruments: dict[int, tuple[float, float]] = {}
    buses: dict[int, tuple[float, float]] = {}


class RenderOptions(msgspec.Struct, frozen=True):
    """What ``render`` writes: range in beats (None: the whole song), format and stems."""

    sample_rate: int = 48000
    sample_format: Literal["float", "int24", "int16"] = "float"
    from_beat: float | None = None
    to_beat: float | None = None
    stems: bool = False
    file_format: str = ""
    """"wav", "flac" or "ogg"; empty: chosen by the output's extension."""
    normalize_lufs: float | None = None
    """Bring the integrated loudness (ITU-R BS.1770) to this many LUFS; None: as rendered."""
    dither: bool = True
    """TPDF dither when writing 16-bit samples."""


Progress = Callable[[float], None]


class EnginePort(Protocol):
    """The audio engine as the rest of imbolc sees it."""

    def status(self) -> EngineStatus:
        """The engine's current status."""
        ...

    def transport(self) -> Transport:
        """Playing, playhead and tempo."""
        ...

    def meters(self) -> Meters:
        """The latest peak meters."""
        ...

    def play(self) -> None:
        """Start playback from the playhead."""
        ...

    def stop(self) -> None:
        """Stop playback; sounding notes are released."""
        ...

    def seek(self, tick: float) -> None:
        """Move the playhead."""
        ...

    def note_on(self, instrument_id: int, pitch: int, velocity: int) -> None:
        """Play a note now (keyboard, performance mode, preview)."""
        ...

    def note_off(self, instrument_id: int, pitch: int) -> None:
        """Release a note started with ``note_on``."""
        ...

    def restart(self) -> None:
        """Restart the audio server and rebuild everything from the current state."""
        ...

    def count_in(self, tick: float, beats: int) -> None:
        """Start playback ``beats`` beats before ``tick``, clicking each of them even with the
        metronome off (a take's count-in; before the top of the song it counts over silence)."""
        ...

    def shutdown(self) -> None:
        """Stop the engine and every process it started."""
        ...


class NullEngine:
    """An engine that plays nothing but keeps transport state, for machines with no audio."""

    def __init__(self, message: str = "no audio engine") -> None:
        self._status = EngineStatus(message=message)
        self._transport = Transport()

    def status(self) -> EngineStatus:
        return self._status

    def transport(self) -> Transport:
        return self._transport

    def meters(self) -> Meters:
        return Meters()

    def play(self) -> None:
        self._transport = msgspec.structs.replace(self._transport, playing=True)

    def stop(self) -> None:
        self._transport = msgspec.structs.replace(self._transport, playing=False)

    def seek(self, tick: float) -> None:
        self._transport = msgspec.structs.replace(self._transport, tick=max(0.0, tick))

    def note_on(self, instrument_id: int, pitch: int, velocity: int) -> None:
        return None

    def note_off(self, instrument_id: int, pitch: int) -> None:
        return None

    def restart(self) -> None:
        return None

    def count_in(self, tick: float, beats: int) -> None:
        self._transport = msgspec.structs.replace(self._transport, playing=True, tick=tick)

    def shutdown(self) -> None:
        return None
