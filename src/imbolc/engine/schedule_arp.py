"""The arpeggiator: held notes turned into a pattern at a rate, across octaves.

A note on an arpeggiated instrument is held from its onset for its duration (transport ticks).
Steps fall on multiples of the rate's step length in transport ticks; each step plays the next
pitch of the sequence built from what is held at that moment, for ``gate`` of a step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from imbolc.core.instrument import Arpeggiator, Instrument
from imbolc.core.kit import STEPS_PER_BEAT
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.engine.schedule_random import ARP_RANDOM, Dice
from imbolc.engine.schedule_timeline import Timeline
from imbolc.engine.schedule_types import ScheduledNote

MIDI_TOP = 127


@dataclass(frozen=True)
class Held:
    """A note held down from transport tick ``on`` until ``off``."""

    pitch: int
    velocity: float
    on: float
    off: float


def sequence(held: list[Held], arp: Arpeggiator) -> list[tuple[int, float]]:
    """The (pitch, velocity) cycle for what is held, in the arpeggiator's direction.

    Pitches are unique (the loudest velocity wins), repeated an octave up per extra octave;
    up_down turns at the ends without repeating them. Random uses the up order as its pool.
    """
    loudest: dict[int, float] = {}
    for note in held:
        loudest[note.pitch] = max(note.velocity, loudest.get(note.pitch, 0.0))
    base = sorted(loudest)
    up = [
        (pitch + 12 * octave, loudest[pitch])
        for octave in range(max(1, arp.octaves))
        for pitch in base
        if pitch + 12 * octave <= MIDI_TOP
    ]
    if arp.direction == "down":
        return up[::-1]
    if arp.direction == "up_down":
        return up + up[-2:0:-1]
    return up


@dataclass
class ArpState:
    """The notes an instrument's arpeggiator holds, its next step and its place in the cycle."""

    held: list[Held] = field(default_factory=list)
    next_at: float | None = None
    index: int = 0

    def hold(self, pitch: int, velocity: float, on: float, off: float) -> None:
        """Hold ``pitch`` over [on, off) in transport ticks."""
        if off > on:
            self.held.append(Held(pitch, velocity, on, off))


def rate_ticks(arp: Arpeggiator) -> int:
    """How many ticks one arpeggiator step lasts."""
    return TICKS_PER_BEAT // STEPS_PER_BEAT[arp.rate]


def play_arp(
    instrument: Instrument, state: ArpState, timeline: Timeline, dice: Dice
) -> list[ScheduledNote]:
    """The steps starting inside the window; notes released by its end are forgotten."""
    arp = instrument.arpeggiator
    length = rate_ticks(arp)
    out: list[ScheduledNote] = []
    if state.next_at is None:
        if not state.held:
            return out
        first = min(note.on for note in state.held)
        state.next_at = float(math.ceil(first / length) * length)
    while state.next_at < timeline.end_elapsed:
        at = state.next_at
        duration = timeline.seconds(arp.gate * length, at)
        state.next_at = at + length
        held = [note for note in state.held if note.on <= at < note.off]
        if not held:
            state.index = 0
            continue
        cycle = sequence(held, arp)
        if not cycle:
            continue
        if arp.direction == "random":
            pick = int(dice.uniform(ARP_RANDOM, round(at), instrument.id) * len(cycle))
        else:
            pick = state.index % len(cycle)
        state.index += 1
        pitch, velocity = cycle[pick]
        out.append(
            ScheduledNote(
                timeline.time_at(at), timeline.tick_at(at), instrument.id, pitch, velocity, duration
            )
        )
    state.held = [note for note in state.held if note.off > timeline.end_elapsed]
    return out
