"""The drum sequencer: a kit's steps played at its resolution, and pad hits.

Steps fall on multiples of the step length in transport ticks. Since transport ticks equal
musical ticks where playback starts, the pattern lines up with the song position there and then
runs free (across loop wraps), like a hardware step sequencer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from imbolc.core.ids import InstrumentId
from imbolc.core.instrument import Instrument
from imbolc.core.kit import STEPS_PER_BEAT, DrumPattern, KitConfig
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.engine.schedule_random import STEP_PROBABILITY, Dice
from imbolc.engine.schedule_timeline import Timeline
from imbolc.engine.schedule_types import ScheduledNote

MIDI_TOP = 127


def clamp_pitch(pitch: int) -> int:
    """A pitch kept inside MIDI 0..127."""
    return min(MIDI_TOP, max(0, pitch))


def step_ticks(kit: KitConfig) -> int:
    """How many ticks one step lasts at the kit's resolution."""
    return TICKS_PER_BEAT // STEPS_PER_BEAT[kit.resolution]


def _sequence(kit: KitConfig) -> tuple[int, ...]:
    """The pattern numbers played in turn: the chain when enabled, else the current pattern."""
    count = len(kit.patterns)
    if kit.chain_enabled:
        chain = tuple(n for n in kit.chain if 0 <= n < count)
        if chain:
            return chain
    return (min(max(kit.current_pattern, 0), count - 1),)


@dataclass
class DrumState:
    """Where one kit's sequencer is: the next step's transport tick, step and chain position."""

    next_at: float
    step: int
    chain_pos: int

    @classmethod
    def starting_at(cls, kit: KitConfig, elapsed: float) -> DrumState:
        """The state at the first step at or after ``elapsed``, as if playing from tick 0."""
        length = step_ticks(kit)
        first = math.ceil(elapsed / length)
        sequence = _sequence(kit)
        lengths = [max(1, kit.patterns[n].length) for n in sequence]
        into = first % sum(lengths)
        chain_pos = 0
        while into >= lengths[chain_pos]:
            into -= lengths[chain_pos]
            chain_pos += 1
        return cls(float(first * length), into, chain_pos)

    def pattern(self, kit: KitConfig) -> DrumPattern:
        """The pattern this state is walking (the kit may have changed since the last step)."""
        sequence = _sequence(kit)
        return kit.patterns[sequence[self.chain_pos % len(sequence)]]

    def advance(self, kit: KitConfig, pattern: DrumPattern) -> None:
        """Move to the next step; a pattern wrap moves the chain on."""
        self.step += 1
        if self.step >= pattern.length:
            self.step = 0
            self.chain_pos = (self.chain_pos + 1) % len(_sequence(kit))


def pad_note(
    project: Project,
    kit_instrument: Instrument,
    pad_index: int,
    *,
    pitch_offset: int,
    time: float,
    tick: float,
    velocity: float,
    duration: float,
) -> ScheduledNote | None:
    """The note a pad hit plays, or None when its target instrument cannot sound.

    A pad triggering another instrument plays that instrument at ``trigger_freq`` shifted by
    the pad and step pitch, carried exactly in ``freq``; ``pitch`` is the nearest MIDI note.
    """
    assert kit_instrument.kit is not None
    pad = kit_instrument.kit.pads[pad_index]
    semitones = pad.pitch + pitch_offset
    if pad.instrument_id is None:
        pitch = clamp_pitch(pad.note + semitones)
        return ScheduledNote(
            time, tick, kit_instrument.id, pitch, velocity, duration, pad=pad_index
        )
    target = project.instruments.get(pad.instrument_id)
    if target is None or not target.active:
        return None
    freq = pad.trigger_freq * 2.0 ** (semitones / 12.0)
    a4 = project.session.settings.tuning_a4
    pitch = clamp_pitch(round(69 + 12 * math.log2(freq / a4)))
    return ScheduledNote(time, tick, target.id, pitch, velocity, duration, freq=freq)


def play_steps(
    project: Project, instrument: Instrument, state: DrumState, timeline: Timeline, dice: Dice
) -> list[ScheduledNote]:
    """The kit's hits for every step starting inside the window; advances ``state``."""
    kit = instrument.kit
    assert kit is not None
    length = step_ticks(kit)
    out: list[ScheduledNote] = []
    while state.next_at < timeline.end_elapsed:
        pattern = state.pattern(kit)
        if state.step >= pattern.length:
            state.step = 0
        at = state.next_at
        duration = timeline.seconds(length, at)
        swing = timeline.seconds(kit.swing * 0.5 * length, at)
        time = timeline.time_at(at) + (swing if state.step % 2 else 0.0)
        tick = timeline.tick_at(at)
        for pad_index, row in enumerate(pattern.steps[: len(kit.pads)]):
            if state.step >= len(row):
                continue
            step = row[state.step]
            if not step.active:
                continue
            if step.probability < 1.0:
                roll = dice.uniform(STEP_PROBABILITY, round(at), instrument.id, pad_index)
                if roll >= step.probability:
                    continue
            hit = pad_note(
                project,
                instrument,
                pad_index,
                pitch_offset=step.pitch_offset,
                time=time,
                tick=tick,
                velocity=step.velocity / 127.0,
                duration=duration,
            )
            if hit is not None:
                out.append(hit)
        state.advance(kit, pattern)
        state.next_at = at + length
    return out


def kit_states(
    states: dict[InstrumentId, DrumState], kits: tuple[Instrument, ...], elapsed: float
) -> list[tuple[Instrument, DrumState]]:
    """Pair every sounding kit with its state; new kits start on the step grid at ``elapsed``.

    States of kits that are gone or inactive are dropped, so they start afresh when back.
    """
    pairs = []
    live = set()
    for instrument in kits:
        if not instrument.active or instrument.kit is None:
            continue
        state = states.get(instrument.id)
        if state is None:
            state = states[instrument.id] = DrumState.starting_at(instrument.kit, elapsed)
        pairs.append((instrument, state))
        live.add(instrument.id)
    for gone in [ident for ident in states if ident not in live]:
        del states[gone]
    return pairs
