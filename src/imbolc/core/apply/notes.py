"""Handlers for the piano roll and the drum sequencer."""

from __future__ import annotations

from bisect import bisect_left

from msgspec.structs import replace

from imbolc.core.actions import notes as act
from imbolc.core.apply.common import instrument, put_instrument, put_session
from imbolc.core.apply.registry import Outcome, handles
from imbolc.core.effects import (
    SESSION_SCOPE,
    InstrumentChanged,
    SessionChanged,
    TrackChanged,
    instrument_scope,
)
from imbolc.core.errors import Conflict, InvalidAction, UnknownId
from imbolc.core.instrument import Instrument
from imbolc.core.kit import (
    MAX_STEPS,
    NUM_PADS,
    DrumPad,
    DrumPattern,
    DrumStep,
    KitConfig,
    empty_steps,
)
from imbolc.core.music import euclidean
from imbolc.core.notes import Note, Track
from imbolc.core.project import Project
from imbolc.core.validate import choice, flag, integer, real, text

MAX_TICK = 2**31 - 1


def _key(note: Note) -> tuple[int, int]:
    return (note.tick, note.pitch)


def checked_note(note: object) -> Note:
    """A note whose every field is valid."""
    if not isinstance(note, Note):
        raise InvalidAction("notes must be Note values")
    integer("tick", note.tick, 0, MAX_TICK)
    integer("duration", note.duration, 1, MAX_TICK)
    integer("pitch", note.pitch, 0, 127)
    integer("velocity", note.velocity, 1, 127)
    real("probability", note.probability, 0.0, 1.0)
    return note


def track_of(project: Project, instrument_id: object) -> Track:
    """The piano-roll track of an existing instrument."""
    inst = instrument(project, instrument_id)
    track = project.session.piano_roll.track(inst.id)
    if track is None:
        raise UnknownId("piano-roll track", inst.id)
    return track


def _put_track(project: Project, track: Track) -> Outcome:
    session = project.session
    roll = session.piano_roll.replaced(track)
    return Outcome(
        put_session(project, replace(session, piano_roll=roll)),
        (TrackChanged(track.instrument_id),),
        SESSION_SCOPE,
    )


@handles(act.AddNote)
def add_note(project: Project, action: act.AddNote) -> Outcome:
    note = checked_note(
        Note(action.tick, action.duration, action.pitch, action.velocity, action.probability)
    )
    track = track_of(project, action.instrument_id)
    if track.find(note.tick, note.pitch) is not None:
        raise Conflict(f"a note already sits at tick {note.tick}, pitch {note.pitch}")
    return _put_track(project, track.with_note(note))


def _note_position(track: Track, tick: object, pitch: object) -> int:
    """Where the note at (tick, pitch) sits in the track, or UnknownId."""
    key = (integer("tick", tick, 0, MAX_TICK), integer("pitch", pitch, 0, 127))
    pos = track.find(*key)
    if pos is None:
        raise UnknownId("note", key)
    return pos


@handles(act.RemoveNote)
def remove_note(project: Project, action: act.RemoveNote) -> Outcome:
    track = track_of(project, action.instrument_id)
    pos = _note_position(track, action.tick, action.pitch)
    return _put_track(project, track.without(pos))


@handles(act.ReplaceNote)
def replace_note(project: Project, action: act.ReplaceNote) -> Outcome:
    track = track_of(project, action.instrument_id)
    note = checked_note(action.note)
    pos = _note_position(track, action.tick, action.pitch)
    rest = track.without(pos)
    if rest.find(note.tick, note.pitch) is not None:
        raise Conflict(f"a note already sits at tick {note.tick}, pitch {note.pitch}")
    return _put_track(project, rest.with_note(note))


@handles(act.AddNotes)
def add_notes(project: Project, action: act.AddNotes) -> Outcome:
    track = track_of(project, action.instrument_id)
    if not isinstance(action.notes, tuple):
        raise InvalidAction("notes must be a tuple of Note")
    # Insert into a copy of the sorted notes by bisection: the cost follows the paste, plus
    # one C-level copy of the track, instead of re-sorting every note.
    notes = list(track.notes)
    for note in sorted((checked_note(n) for n in action.notes), key=_key):
        pos = bisect_left(notes, note.key, key=_key)
        if pos < len(notes) and notes[pos].key == note.key:
            notes[pos] = note
        else:
            notes.insert(pos, note)
    return _put_track(project, Track(track.instrument_id, tuple(notes)))


@handles(act.RemoveNotesInRange)
def remove_notes_in_range(project: Project, action: act.RemoveNotesInRange) -> Outcome:
    track = track_of(project, action.instrument_id)
    start = integer("start_tick", action.start_tick, 0, MAX_TICK)
    end = integer("end_tick", action.end_tick, start, MAX_TICK)
    low = integer("low_pitch", action.low_pitch, 0, 127)
    high = integer("high_pitch", action.high_pitch, low, 127)
    kept = tuple(n for n in track.notes if not (start <= n.tick < end and low <= n.pitch <= high))
    return _put_track(project, Track(track.instrument_id, kept))


def _roll_setting(project: Project, field: str, **values: object) -> Outcome:
    session = project.session
    roll = replace(session.piano_roll, **values)
    return Outcome(
        put_session(project, replace(session, piano_roll=roll)),
        (SessionChanged(field),),
        SESSION_SCOPE,
        f"roll/{field}",
    )


@handles(act.SetLoop)
def set_loop(project: Project, action: act.SetLoop) -> Outcome:
    start = integer("loop start", action.start_tick, 0, MAX_TICK - 1)
    end = integer("loop end", action.end_tick, start + 1, MAX_TICK)
    return _roll_setting(project, "loop", loop_start=start, loop_end=end)


@handles(act.SetLooping)
def set_looping(project: Project, action: act.SetLooping) -> Outcome:
    return _roll_setting(project, "looping", looping=flag("looping", action.looping))


@handles(act.SetSwing)
def set_swing(project: Project, action: act.SetSwing) -> Outcome:
    return _roll_setting(project, "swing", swing=real("swing", action.amount, 0.0, 1.0))


def kit_of(project: Project, instrument_id: object) -> tuple[Instrument, KitConfig]:
    """An instrument that is a drum kit, and its kit."""
    inst = instrument(project, instrument_id)
    if inst.kit is None:
        raise InvalidAction(f"instrument {inst.id} ({inst.source}) is not a drum kit")
    return inst, inst.kit


def _put_kit(
    project: Project, inst: Instrument, kit: KitConfig, coalesce: str | None = None
) -> Outcome:
    return Outcome(
        put_instrument(project, replace(inst, kit=kit)),
        (InstrumentChanged(inst.id, "kit"),),
        instrument_scope(inst.id),
        coalesce,
    )


def _pattern_index(kit: KitConfig, pattern: object) -> int:
    return integer("pattern", pattern, 0, len(kit.patterns) - 1)


def _with_pattern(kit: KitConfig, index: int, pattern: DrumPattern) -> KitConfig:
    patterns = (*kit.patterns[:index], pattern, *kit.patterns[index + 1 :])
    return replace(kit, patterns=patterns)


def _with_row(pattern: DrumPattern, pad: int, row: tuple[DrumStep, ...]) -> DrumPattern:
    steps = (*pattern.steps[:pad], row, *pattern.steps[pad + 1 :])
    return replace(pattern, steps=steps)


def _step_address(kit: KitConfig, pattern: object, pad: object, step: object) -> tuple[int, ...]:
    index = _pattern_index(kit, pattern)
    pad_no = integer("pad", pad, 0, NUM_PADS - 1)
    step_no = integer("step", step, 0, kit.patterns[index].length - 1)
    return index, pad_no, step_no


def _set_step(
    project: Project, ident: object, where: tuple[object, ...], step: DrumStep
) -> Outcome:
    inst, kit = kit_of(project, ident)
    index, pad, at = _step_address(kit, *where)
    pattern = kit.patterns[index]
    row = pattern.steps[pad]
    row = (*row[:at], step, *row[at + 1 :])
    return _put_kit(project, inst, _with_pattern(kit, index, _with_row(pattern, pad, row)))


@handles(act.SetDrumStep)
def set_drum_step(project: Project, action: act.SetDrumStep) -> Outcome:
    step = action.value
    if not isinstance(step, DrumStep):
        raise InvalidAction("value must be a DrumStep")
    flag("active", step.active)
    integer("velocity", step.velocity, 1, 127)
    real("probability", step.probability, 0.0, 1.0)
    integer("pitch offset", step.pitch_offset, -24, 24)
    where = (action.pattern, action.pad, action.step)
    return _set_step(project, action.instrument_id, where, step)


@handles(act.ToggleDrumStep)
def toggle_drum_step(project: Project, action: act.ToggleDrumStep) -> Outcome:
    _inst, kit = kit_of(project, action.instrument_id)
    index, pad, at = _step_address(kit, action.pattern, action.pad, action.step)
    current = kit.patterns[index].steps[pad][at]
    flipped = replace(current, active=not current.active)
    return _set_step(project, action.instrument_id, (index, pad, at), flipped)


@handles(act.SetPatternLength)
def set_pattern_length(project: Project, action: act.SetPatternLength) -> Outcome:
    inst, kit = kit_of(project, action.instrument_id)
    index = _pattern_index(kit, action.pattern)
    length = integer("pattern length", action.length, 1, MAX_STEPS)
    pattern = kit.patterns[index]
    off = DrumStep()
    steps = tuple((*row[:length], *(off,) * (length - len(row))) for row in pattern.steps)
    return _put_kit(project, inst, _with_pattern(kit, index, DrumPattern(length, steps)))


@handles(act.ClearPattern)
def clear_pattern(project: Project, action: act.ClearPattern) -> Outcome:
    inst, kit = kit_of(project, action.instrument_id)
    index = _pattern_index(kit, action.pattern)
    length = kit.patterns[index].length
    return _put_kit(
        project, inst, _with_pattern(kit, index, DrumPattern(length, empty_steps(length)))
    )


@handles(act.SelectPattern)
def select_pattern(project: Project, action: act.SelectPattern) -> Outcome:
    inst, kit = kit_of(project, action.instrument_id)
    index = _pattern_index(kit, action.pattern)
    return _put_kit(project, inst, replace(kit, current_pattern=index))


@handles(act.SetDrumPad)
def set_drum_pad(project: Project, action: act.SetDrumPad) -> Outcome:
    inst, kit = kit_of(project, action.instrument_id)
    pad_no = integer("pad", action.pad, 0, NUM_PADS - 1)
    pad = action.value
    if not isinstance(pad, DrumPad):
        raise InvalidAction("value must be a DrumPad")
    text("pad name", pad.name)
    text("pad sample path", pad.sample_path, 4096)
    integer("pad note", pad.note, 0, 127)
    real("pad level", pad.level, 0.0, 1.5)
    integer("pad pitch", pad.pitch, -24, 24)
    flag("pad reverse", pad.reverse)
    real("pad slice start", pad.slice_start, 0.0, 1.0)
    real("pad slice end", pad.slice_end, pad.slice_start, 1.0)
    real("pad trigger frequency", pad.trigger_freq, 20.0, 20000.0)
    if pad.source:
        from imbolc.core import catalog

        catalog.source(pad.source)
    if pad.instrument_id is not None:
        instrument(project, pad.instrument_id)
    pads = (*kit.pads[:pad_no], pad, *kit.pads[pad_no + 1 :])
    return _put_kit(project, inst, replace(kit, pads=pads))


@handles(act.SetStepResolution)
def set_step_resolution(project: Project, action: act.SetStepResolution) -> Outcome:
    inst, kit = kit_of(project, action.instrument_id)
    resolution = choice(
        "step resolution", action.resolution, ("quarter", "eighth", "sixteenth", "thirty_second")
    )
    return _put_kit(project, inst, replace(kit, resolution=resolution))


@handles(act.SetKitSwing)
def set_kit_swing(project: Project, action: act.SetKitSwing) -> Outcome:
    inst, kit = kit_of(project, action.instrument_id)
    swing = real("kit swing", action.amount, 0.0, 1.0)
    return _put_kit(project, inst, replace(kit, swing=swing), f"kit/swing/{inst.id}")


@handles(act.SetPatternChain)
def set_pattern_chain(project: Project, action: act.SetPatternChain) -> Outcome:
    inst, kit = kit_of(project, action.instrument_id)
    if not isinstance(action.chain, tuple) or len(action.chain) > 64:
        raise InvalidAction("chain must be a tuple of at most 64 pattern numbers")
    chain = tuple(_pattern_index(kit, n) for n in action.chain)
    enabled = flag("chain enabled", action.enabled)
    return _put_kit(project, inst, replace(kit, chain=chain, chain_enabled=enabled))


@handles(act.ApplyEuclidean)
def apply_euclidean(project: Project, action: act.ApplyEuclidean) -> Outcome:
    inst, kit = kit_of(project, action.instrument_id)
    index = _pattern_index(kit, action.pattern)
    pad = integer("pad", action.pad, 0, NUM_PADS - 1)
    pattern = kit.patterns[index]
    pulses = integer("pulses", action.pulses, 0, pattern.length)
    rotation = integer("rotation", action.rotation, 0, pattern.length)
    hits = euclidean(pulses, pattern.length, rotation)
    row = tuple(
        replace(step, active=hit) for step, hit in zip(pattern.steps[pad], hits, strict=True)
    )
    return _put_kit(project, inst, _with_pattern(kit, index, _with_row(pattern, pad, row)))
