"""Time benchmarks (issue 15): MIDI import with a tempo map, seconds <-> ticks lookups."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

import mido

from bench.timing import table
from imbolc.core.midifile import export_midi, import_midi
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.timemap import TempoChange, TimeMap

TRACKS = 18
NOTES = 6_000
TEMPO_CHANGES = 96
PPQ = 1024
"""Not a divisor of 960: every file tick off the imbolc grid rounds, as real files do."""
LOOKUPS = 20_000


def song_file(path: Path) -> Path:
    """An 18-track, 6,000-note type-1 file with 96 tempo changes off the beat grid."""
    rng = random.Random(15)
    midi = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    beats = 400
    conductor = sorted(rng.sample(range(1, beats * PPQ), TEMPO_CHANGES))
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100))])
    now = 0
    for tick in conductor:
        tempo = mido.bpm2tempo(rng.uniform(50, 180))
        track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=tick - now))
        now = tick
    midi.tracks.append(track)
    for n in range(TRACKS):
        events = []
        channel = n % 16
        for k in range(NOTES // TRACKS + (1 if n < NOTES % TRACKS else 0)):
            start = k * beats * PPQ // (NOTES // TRACKS + 1) + rng.randrange(0, PPQ // 4)
            pitch = 36 + (k * 7 + n) % 60
            events.append((start, True, pitch))
            events.append((start + rng.randrange(30, PPQ), False, pitch))
        events.sort(key=lambda event: (event[0], event[1]))
        track = mido.MidiTrack([mido.MetaMessage("track_name", name=f"part {n + 1}")])
        now = 0
        for tick, starts, pitch in events:
            kind = "note_on" if starts else "note_off"
            track.append(mido.Message(kind, note=pitch, velocity=90, channel=channel,
                                      time=tick - now))  # fmt: skip
            now = tick
        midi.tracks.append(track)
    midi.save(path)
    return path


def onset_seconds(path: Path) -> list[float]:
    now, out = 0.0, []
    for msg in mido.MidiFile(path):
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            out.append(now)
    return sorted(out)


def import_rows() -> list[list[object]]:
    with tempfile.TemporaryDirectory() as folder:
        source = song_file(Path(folder) / "song.mid")
        imports, exports = [], []
        for _ in range(5):
            start = time.perf_counter()
            project = import_midi(source)
            imports.append(time.perf_counter() - start)
            start = time.perf_counter()
            export_midi(project, Path(folder) / "again.mid")
            exports.append(time.perf_counter() - start)
        notes = project.session.piano_roll.note_count
        changes = len(project.session.tempo_map.tempos)
        before, after = onset_seconds(source), onset_seconds(Path(folder) / "again.mid")
        worst = max(abs(a - b) for a, b in zip(before, after, strict=True))
    return [
        [TRACKS, notes, changes, f"{statistics.median(imports) * 1e3:.0f}",
         f"{statistics.median(exports) * 1e3:.0f}", f"{worst * 1e3:.3f}"]
    ]  # fmt: skip


def lookup_ns(changes: int) -> tuple[float, float]:
    """Median nanoseconds of one seconds→tick and one tick→seconds lookup."""
    rng = random.Random(changes)
    tempos = tuple(
        TempoChange(k * TICKS_PER_BEAT, rng.uniform(40, 200), ramp=k % 2 == 0)
        for k in range(1, changes + 1)
    )
    tmap = TimeMap(100.0, tempos)
    end = tmap.seconds_at((changes + 1) * TICKS_PER_BEAT)
    seconds = [rng.uniform(0, end) for _ in range(LOOKUPS)]
    ticks = [rng.uniform(0, (changes + 1) * TICKS_PER_BEAT) for _ in range(LOOKUPS)]
    runs_s, runs_t = [], []
    for _ in range(5):
        start = time.perf_counter()
        for value in seconds:
            tmap.tick_at(value)
        runs_s.append((time.perf_counter() - start) / LOOKUPS * 1e9)
        start = time.perf_counter()
        for value in ticks:
            tmap.seconds_at(value)
        runs_t.append((time.perf_counter() - start) / LOOKUPS * 1e9)
    return statistics.median(runs_s), statistics.median(runs_t)


def run() -> str:
    """Run the time benchmarks and return the Markdown report."""
    out = [
        table(
            "MIDI import and export with a tempo map (median of 5, ms)",
            ["tracks", "notes", "tempo changes", "import ms", "export ms", "worst onset ms"],
            import_rows(),
        )
    ]
    sizes = (1, 10, 100, 1_000, 10_000)
    costs = {n: lookup_ns(n) for n in sizes}
    base_s, base_t = costs[10]
    rows = [
        [n, f"{s:.0f}", f"{s / base_s:.2f}×", f"{t:.0f}", f"{t / base_t:.2f}×"]
        for n, (s, t) in costs.items()
    ]
    out.append(
        table(
            "Tempo-map lookups (median ns per call; half the segments are ramps)",
            ["changes", "seconds → tick", "vs 10", "tick → seconds", "vs 10"],
            rows,
        )
    )
    return "\n".join(out)
