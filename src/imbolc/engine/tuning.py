"""Tuning that follows the music: the frequency of each new note given the notes sounding.

Equal temperament and scale JI need no memory. Chord JI tunes a new note with the chord now
sounding (``chord_ji_freqs``). Adaptive and global JI do the same, then transpose the chord so
that the notes already sounding keep their frequencies: a held note never moves, and the new
interval is pure against it. Adaptive JI returns to the key whenever nothing sounds; global JI
keeps its transposition across silences, so drift accumulates (a I-vi-ii-V-I pumps a comma).
"""

from __future__ import annotations

import math

from imbolc.core.music import chord_ji_freqs, pitch_to_freq
from imbolc.core.session import MusicalSettings

Voice = tuple[int, int]
"""(instrument id, pitch) of a sounding note."""


class Tuner:
    """Sounding notes and the drift of global JI; one per engine."""

    def __init__(self) -> None:
        self.sounding: dict[Voice, float] = {}
        """Frequency each sounding pitched note started at."""
        self.drift = 1.0
        """Global JI's transposition of the chord JI tuning (1: on the key)."""

    def reset(self) -> None:
        """Forget every note and the drift (a new project, a fresh server)."""
        self.sounding.clear()
        self.drift = 1.0

    def start(self, voice: Voice, settings: MusicalSettings) -> float:
        """The frequency of a new note ``voice``, which now counts as sounding."""
        instrument, pitch = voice
        tuning = settings.tuning
        pitches = sorted({p for _i, p in self.sounding} | {pitch})
        if tuning not in ("adaptive_ji", "global_ji"):
            freq = pitch_to_freq(pitch, a4=settings.tuning_a4, tuning=tuning, key=settings.key,
                                 flavor=settings.ji_flavor, sounding=pitches)  # fmt: skip
        else:
            chord = chord_ji_freqs(pitches, settings.key, settings.tuning_a4, settings.ji_flavor)
            held = [(chord[p], f) for (_i, p), f in self.sounding.items()]
            if held:
                # The transposition that keeps the held notes where they are (their geometric
                # mean, should they disagree among themselves).
                ratio = math.exp(sum(math.log(f / c) for c, f in held) / len(held))
            else:
                ratio = self.drift if tuning == "global_ji" else 1.0
            if tuning == "global_ji":
                self.drift = ratio
            same = [f for (_i, p), f in self.sounding.items() if p == pitch]
            freq = same[0] if same else chord[pitch] * ratio
        self.sounding[(instrument, pitch)] = freq
        return freq

    def stop(self, voice: Voice) -> None:
        """Note ``voice`` was released."""
        self.sounding.pop(voice, None)

    def stop_all(self) -> None:
        """Every note was released (stop, panic); global JI keeps its drift."""
        self.sounding.clear()
