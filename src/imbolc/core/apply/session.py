"""Handlers for the session's musical settings, humanize and click."""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from imbolc.core.actions import session as act
from imbolc.core.apply.common import instrument, put_session
from imbolc.core.apply.registry import Outcome, handles
from imbolc.core.effects import SESSION_SCOPE, SessionChanged
from imbolc.core.errors import InvalidAction, UnknownId
from imbolc.core.live import AFTERTOUCH_CC
from imbolc.core.midi_map import CcMapping, ChannelRoute, MidiSettings, PitchBendConfig
from imbolc.core.project import Project
from imbolc.core.targets import BPM_RANGE, target_range
from imbolc.core.validate import choice, flag, integer, real

KEYS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
SCALES = (
    "major",
    "minor",
    "dorian",
    "phrygian",
    "lydian",
    "mixolydian",
    "aeolian",
    "locrian",
    "pentatonic",
    "blues",
    "chromatic",
)
TUNINGS = ("equal", "scale_ji", "chord_ji", "adaptive_ji", "global_ji")
JI_FLAVORS = ("five_limit", "seven_limit", "pythagorean")


def _settings(project: Project, field: str, coalesce: bool = False, **values: Any) -> Outcome:
    session = project.session
    settings = replace(session.settings, **values)
    return Outcome(
        put_session(project, replace(session, settings=settings)),
        (SessionChanged(field),),
        SESSION_SCOPE,
        f"settings/{field}" if coalesce else None,
    )


@handles(act.SetBpm)
def set_bpm(project: Project, action: act.SetBpm) -> Outcome:
    bpm = real("bpm", action.bpm, *BPM_RANGE)
    return _settings(project, "bpm", coalesce=True, bpm=bpm)


@handles(act.SetKey)
def set_key(project: Project, action: act.SetKey) -> Outcome:
    return _settings(project, "key", key=choice("key", action.key, KEYS))


@handles(act.SetScale)
def set_scale(project: Project, action: act.SetScale) -> Outcome:
    return _settings(project, "scale", scale=choice("scale", action.scale, SCALES))


@handles(act.SetTuningA4)
def set_tuning_a4(project: Project, action: act.SetTuningA4) -> Outcome:
    hz = real("A4 tuning", action.hz, 400.0, 480.0)
    return _settings(project, "tuning", coalesce=True, tuning_a4=hz)


@handles(act.SetTimeSignature)
def set_time_signature(project: Project, action: act.SetTimeSignature) -> Outcome:
    numerator = integer("time signature numerator", action.numerator, 1, 32)
    denominator = choice("time signature denominator", action.denominator, (1, 2, 4, 8, 16, 32))
    return _settings(project, "time_signature", time_signature=(numerator, denominator))


@handles(act.SetTuning)
def set_tuning(project: Project, action: act.SetTuning) -> Outcome:
    return _settings(project, "tuning", tuning=choice("tuning", action.tuning, TUNINGS))


@handles(act.SetJiFlavor)
def set_ji_flavor(project: Project, action: act.SetJiFlavor) -> Outcome:
    flavor = choice("JI flavor", action.flavor, JI_FLAVORS)
    return _settings(project, "tuning", ji_flavor=flavor)


@handles(act.SetSnap)
def set_snap(project: Project, action: act.SetSnap) -> Outcome:
    return _settings(project, "snap", snap=flag("snap", action.snap))


@handles(act.SetHumanize)
def set_humanize(project: Project, action: act.SetHumanize) -> Outcome:
    velocity = real("humanize velocity", action.velocity, 0.0, 1.0)
    timing = real("humanize timing", action.timing, 0.0, 1.0)
    session = project.session
    humanize = replace(session.humanize, velocity=velocity, timing=timing)
    return Outcome(
        put_session(project, replace(session, humanize=humanize)),
        (SessionChanged("humanize"),),
        SESSION_SCOPE,
        "humanize",
    )


@handles(act.SetClick)
def set_click(project: Project, action: act.SetClick) -> Outcome:
    session = project.session
    click = replace(
        session.click,
        enabled=flag("click enabled", action.enabled),
        volume=real("click volume", action.volume, 0.0, 1.0),
        muted=flag("click muted", action.muted),
    )
    return Outcome(
        put_session(project, replace(session, click=click)),
        (SessionChanged("click"),),
        SESSION_SCOPE,
    )


def _midi(project: Project, midi: MidiSettings) -> Outcome:
    session = project.session
    return Outcome(
        put_session(project, replace(session, midi=midi)),
        (SessionChanged("midi"),),
        SESSION_SCOPE,
    )


def _checked_mapping(project: Project, mapping: object) -> CcMapping:
    if not isinstance(mapping, CcMapping):
        raise InvalidAction("mapping must be a CcMapping")
    integer("CC number", mapping.cc, 0, AFTERTOUCH_CC)
    if mapping.channel is not None:
        integer("MIDI channel", mapping.channel, 0, 15)
    low, high = target_range(project, mapping.target)
    real("mapping min", mapping.min_value, low, high)
    real("mapping max", mapping.max_value, low, high)
    return mapping


@handles(act.AddCcMapping)
def add_cc_mapping(project: Project, action: act.AddCcMapping) -> Outcome:
    mapping = _checked_mapping(project, action.mapping)
    midi = project.session.midi
    kept = tuple(m for m in midi.cc_mappings if (m.cc, m.channel) != (mapping.cc, mapping.channel))
    return _midi(project, replace(midi, cc_mappings=(*kept, mapping)))


@handles(act.RemoveCcMapping)
def remove_cc_mapping(project: Project, action: act.RemoveCcMapping) -> Outcome:
    midi = project.session.midi
    key = (integer("CC number", action.cc, 0, AFTERTOUCH_CC), action.channel)
    kept = tuple(m for m in midi.cc_mappings if (m.cc, m.channel) != key)
    if len(kept) == len(midi.cc_mappings):
        raise UnknownId("CC mapping", key)
    return _midi(project, replace(midi, cc_mappings=kept))


@handles(act.SetPitchBend)
def set_pitch_bend(project: Project, action: act.SetPitchBend) -> Outcome:
    config = action.config
    if config is not None:
        if not isinstance(config, PitchBendConfig):
            raise InvalidAction("config must be a PitchBendConfig")
        target_range(project, config.target)
        real("pitch bend center", config.center, 0.0, 1.0)
        real("pitch bend range", config.range, 0.0, 1.0)
        real("pitch bend sensitivity", config.sensitivity, 0.0, 4.0)
    return _midi(project, replace(project.session.midi, pitch_bend=config))


@handles(act.SetMidiInput)
def set_midi_input(project: Project, action: act.SetMidiInput) -> Outcome:
    if action.live_input_instrument is not None:
        instrument(project, action.live_input_instrument)
    if action.channel_filter is not None:
        integer("MIDI channel", action.channel_filter, 0, 15)
    midi = replace(
        project.session.midi,
        live_input_instrument=action.live_input_instrument,
        note_passthrough=flag("note passthrough", action.note_passthrough),
        channel_filter=action.channel_filter,
    )
    return _midi(project, midi)


@handles(act.SetChannelInstrument)
def set_channel_instrument(project: Project, action: act.SetChannelInstrument) -> Outcome:
    channel = integer("MIDI channel", action.channel, 0, 15)
    if action.instrument_id is not None:
        instrument(project, action.instrument_id)
    midi = project.session.midi
    kept = tuple(r for r in midi.channel_routes if r.channel != channel)
    if action.instrument_id is not None:
        kept = tuple(sorted((*kept, ChannelRoute(channel, action.instrument_id)), key=_channel))
    return _midi(project, replace(midi, channel_routes=kept))


def _channel(route: ChannelRoute) -> int:
    return route.channel
