"""Sample buffers of the embedded server: memory, sound files read in, DiskOut streams out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from imbolc.core.errors import ImbolcError

_SUBTYPES = {"float": "FLOAT", "int16": "PCM_16", "int24": "PCM_24", "int32": "PCM_32",
             "double": "DOUBLE", "int8": "PCM_S8"}  # fmt: skip


class BufferError(ImbolcError):
    """A buffer file could not be read or written; the message names the file."""


class Buffer:
    """Frames × channels of float64 samples, optionally streaming to an open file."""

    def __init__(self, data: np.ndarray, sample_rate: float) -> None:
        self.data = data
        self.sample_rate = float(sample_rate)
        self.file: soundfile.SoundFile | None = None
        self.partconv_ir: np.ndarray | None = None
        """The impulse response ``/b_gen PreparePartConv`` put here, for PartConv."""

    @classmethod
    def empty(cls, frames: int, channels: int, sample_rate: float) -> Buffer:
        if frames < 0 or channels < 1:
            raise ValueError(f"buffer of {frames} frames × {channels} channels")
        return cls(np.zeros((frames, channels)), sample_rate)

    @classmethod
    def read(cls, path: str, start: int = 0, frames: int = 0) -> Buffer:
        """A buffer holding a sound file (``frames`` <= 0: to its end)."""
        try:
            data, rate = soundfile.read(
                path, dtype="float64", always_2d=True, start=start,
                stop=None if frames <= 0 else start + frames,
            )  # fmt: skip
        except (soundfile.LibsndfileError, OSError, RuntimeError) as error:
            raise BufferError(f"cannot read sound file {path}: {error}") from error
        return cls(data, rate)

    @property
    def frames(self) -> int:
        return int(self.data.shape[0])

    @property
    def channels(self) -> int:
        return int(self.data.shape[1])

    def open_for_write(
        self, path: str, header: str, sample_format: str, rate: float, leave_open: bool
    ) -> None:
        """``/b_write``: with ``leave_open`` the file stays open for DiskOut; otherwise the
        buffer's contents are written and the file is closed."""
        self.close()
        subtype = _SUBTYPES.get(sample_format.lower(), "FLOAT")
        if not Path(path).parent.is_dir():
            raise BufferError(f"cannot write {path}: its folder does not exist")
        try:
            handle = soundfile.SoundFile(
                path, "w", samplerate=int(rate), channels=self.channels,
                format=header.upper() if header else "WAV", subtype=subtype,
            )  # fmt: skip
        except (soundfile.LibsndfileError, OSError, ValueError) as error:
            raise BufferError(f"cannot write sound file {path}: {error}") from error
        if leave_open:
            self.file = handle
        else:
            handle.write(self.data)
            handle.close()

    def stream(self, frames: np.ndarray) -> None:
        """DiskOut: append (frames, channels) to the open file."""
        if self.file is not None:
            self.file.write(frames)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def sine1(self, flags: int, amplitudes: list[float]) -> None:
        """``/b_gen sine1``: a sum of harmonics (normalized with flag 1, as a wavetable with 2
        — stored plainly here, which is what this engine's wavetable readers expect)."""
        frames = self.frames // 2 if flags & 2 else self.frames
        phase = np.arange(frames) / max(frames, 1) * 2 * np.pi
        wave = np.zeros(frames)
        for k, amp in enumerate(amplitudes, start=1):
            wave += amp * np.sin(k * phase)
        if flags & 1:
            peak = np.abs(wave).max()
            if peak > 0:
                wave /= peak
        self.data[:, 0] = 0.0
        self.data[:frames, 0] = wave
        self.wavetable_frames = frames
