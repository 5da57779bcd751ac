"""Kit pads that play sound files: buffers per file, sampler hits, and the tone they render."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile
from msgspec.structs import replace

from imbolc.core.actions import AddInstrument, DeleteInstrument, SetDrumPad, SetDrumStep
from imbolc.core.ids import InstrumentId
from imbolc.core.kit import DrumPad, DrumStep
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.store import Commit, Store
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.embedded import render_embedded
from imbolc.engine.engine import Engine
from imbolc.engine.layout import FIRST_SAMPLE_BUFFER
from imbolc.engine.render import render
from imbolc.engine.requests import FreeBuffer, NewSynth, ReadBuffer, ReadBufferChannels

RATE = 48_000
TONE_HZ = 1000.0
TONE_SECONDS = 0.2


def write_tone(path: Path, channels: int = 1) -> Path:
    """A 0.2 s, 1 kHz sine at half scale."""
    t = np.arange(round(TONE_SECONDS * RATE)) / RATE
    tone = 0.5 * np.sin(2 * np.pi * TONE_HZ * t)
    soundfile.write(path, np.repeat(tone[:, None], channels, axis=1), RATE, subtype="FLOAT")
    return path


class Rig:
    """A store with one kit instrument, forwarding commits to an engine on a recording backend."""

    def __init__(self) -> None:
        self.store = Store()
        self.store.dispatch(AddInstrument("kit", "Drums"))
        self.kit = self.store.state.instruments.items[-1].id
        self.backend = RecordingBackend()
        self.problems: list[str] = []
        self.engine = Engine(self.backend, self.problems.append)
        self.engine.start(self.store.state)
        self.store.subscribe(self.forward)

    def forward(self, commit: Commit) -> None:
        self.engine.apply(commit.new, commit.effects)

    def set_pad(self, pad: int, **fields: object) -> None:
        kit = self.store.state.instruments.get(self.kit)
        assert kit is not None and kit.kit is not None
        self.store.dispatch(SetDrumPad(self.kit, pad, replace(kit.kit.pads[pad], **fields)))

    def reads(self) -> list[ReadBuffer | ReadBufferChannels]:
        return [
            r for r in self.backend.requests() if isinstance(r, ReadBuffer | ReadBufferChannels)
        ]


def test_a_sample_file_is_read_once_however_many_pads_play_it(tmp_path: Path) -> None:
    rig = Rig()
    tone = str(write_tone(tmp_path / "tone.wav"))
    rig.set_pad(0, sample_path=tone)
    rig.set_pad(1, sample_path=tone)
    rig.store.dispatch(SetDrumStep(rig.kit, 0, 0, 0, DrumStep(True)))
    assert rig.reads() == [ReadBufferChannels(FIRST_SAMPLE_BUFFER, tone, (0, 0))]


def test_a_stereo_file_is_read_whole(tmp_path: Path) -> None:
    rig = Rig()
    tone = str(write_tone(tmp_path / "stereo.wav", channels=2))
    rig.set_pad(3, sample_path=tone)
    assert rig.reads() == [ReadBuffer(FIRST_SAMPLE_BUFFER, tone)]


def test_a_sample_hit_plays_the_sampler_on_the_files_buffer_at_the_tuned_rate(
    tmp_path: Path,
) -> None:
    rig = Rig()
    rig.set_pad(2, sample_path=str(write_tone(tmp_path / "tone.wav")), level=0.5,
                slice_start=0.25, slice_end=0.75)  # fmt: skip
    rig.backend.clear()
    rig.engine.drum_hit(rig.kit, 2, 0.9, at=1.0, semitones=12)
    (hit,) = rig.backend.requests()
    assert isinstance(hit, NewSynth)
    assert hit.synthdef == "imbolc_sampler_oneshot"
    assert hit.controls["buffer"] == FIRST_SAMPLE_BUFFER
    assert hit.controls["rate"] == pytest.approx(2.0)
    assert (hit.controls["start"], hit.controls["end"], hit.controls["amp"]) == (0.25, 0.75, 0.5)


def test_a_reversed_pad_plays_at_a_negative_rate(tmp_path: Path) -> None:
    rig = Rig()
    rig.set_pad(0, sample_path=str(write_tone(tmp_path / "tone.wav")), reverse=True)
    rig.backend.clear()
    rig.engine.drum_hit(rig.kit, 0, 1.0, semitones=-12)
    (hit,) = rig.backend.requests()
    assert isinstance(hit, NewSynth)
    assert hit.controls["rate"] == pytest.approx(-0.5)


def test_a_missing_file_is_reported_by_name_and_its_pad_stays_silent(tmp_path: Path) -> None:
    rig = Rig()
    missing = str(tmp_path / "nowhere.wav")
    rig.set_pad(0, sample_path=missing)
    assert rig.reads() == []
    assert any(missing in problem for problem in rig.problems)
    rig.backend.clear()
    assert rig.engine.drum_hit(rig.kit, 0, 1.0) is None
    assert rig.backend.requests() == []


def test_a_file_no_pad_plays_any_more_frees_its_buffer(tmp_path: Path) -> None:
    rig = Rig()
    rig.set_pad(0, sample_path=str(write_tone(tmp_path / "tone.wav")))
    rig.backend.clear()
    rig.set_pad(0, sample_path="")
    assert rig.backend.requests() == [FreeBuffer(FIRST_SAMPLE_BUFFER)]


def test_deleting_the_kit_frees_its_sample_buffers(tmp_path: Path) -> None:
    rig = Rig()
    rig.set_pad(0, sample_path=str(write_tone(tmp_path / "tone.wav")))
    rig.backend.clear()
    rig.store.dispatch(DeleteInstrument(rig.kit))
    assert FreeBuffer(FIRST_SAMPLE_BUFFER) in rig.backend.requests()


# --- rendered audio -----------------------------------------------------------------------------


def tone_project(tmp_path: Path) -> Project:
    """A kit whose pad 0 plays the 1 kHz tone file on step 0 (tick 0), and nothing else."""
    store = Store()
    store.dispatch(AddInstrument("kit", "Drums"))
    kit = InstrumentId(store.state.instruments.items[-1].id)
    pad = DrumPad("Tone", sample_path=str(write_tone(tmp_path / "tone.wav")), level=1.0)
    store.dispatch(SetDrumPad(kit, 0, pad))
    store.dispatch(SetDrumStep(kit, 0, 0, 0, DrumStep(True, 127)))
    return store.state


def assert_tone_at_onset(path: Path) -> None:
    audio, rate = soundfile.read(path, dtype="float64", always_2d=True)
    assert rate == RATE
    mono = audio[:, 0]
    loud = np.flatnonzero(np.abs(mono) > 1e-3)
    assert loud.size, "the pad rendered silence"
    assert loud[0] < 0.005 * RATE, f"the tone starts at frame {loud[0]}, not at the step onset"
    window = mono[loud[0] : loud[0] + round(0.15 * RATE)]
    size = 1 << 20
    spectrum = np.abs(np.fft.rfft(window * np.hanning(len(window)), size))
    peak_hz = float(np.argmax(spectrum)) * RATE / size
    assert peak_hz == pytest.approx(TONE_HZ, abs=5.0)


@pytest.mark.scsynth
@pytest.mark.skipif(
    shutil.which("scsynth") is None, reason="scsynth not installed (CI installs it)"
)
def test_scsynth_renders_a_sample_pad_as_its_tone_at_the_step(tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    result = render(tone_project(tmp_path), out, RenderOptions(RATE, "float"))
    assert not [p for p in result.problems if "sample" in p], result.problems
    assert_tone_at_onset(out)


def test_the_embedded_engine_renders_a_sample_pad_as_its_tone_at_the_step(tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    result = render_embedded(tone_project(tmp_path), out, RenderOptions(RATE, "float"))
    assert not [p for p in result.problems if "sample" in p], result.problems
    assert_tone_at_onset(out)
