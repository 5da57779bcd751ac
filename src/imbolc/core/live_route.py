"""Where live MIDI goes: notes to voices, controllers to parameter moves (pure and testable).

``LiveRouter.route`` reads the project's MIDI settings and answers, for one event, which voices
start or stop (through channel routing, layer groups, octave offsets and chord shapes; a kit
answers through its pads in the engine) and which targets move to which value (CC mappings,
the pitch wheel, aftertouch). It keeps only the state a player creates: held keys and the
sustain pedal. ``move_action`` turns a target move into the very action a knob turn builds.
"""

from __future__ import annotations

from typing import NamedTuple

from imbolc.core.actions import (
    SetBpm,
    SetBusEffectParam,
    SetEnvelope,
    SetLfoParam,
    SetMixerLevel,
    SetMixerPan,
    SetSendLevel,
    SetSourceParam,
    SetStageParam,
)
from imbolc.core.actions.base import Action
from imbolc.core.actions.mixer import Strip
from imbolc.core.automation import AutomationTarget
from imbolc.core.errors import ImbolcError
from imbolc.core.ids import BusId, InstrumentId, StageId
from imbolc.core.instrument import Instrument
from imbolc.core.live import (
    AFTERTOUCH_CC,
    SUSTAIN_CC,
    Aftertouch,
    ControlChange,
    MidiEvent,
    NoteOff,
    NoteOn,
    PitchWheel,
)
from imbolc.core.midi_map import MidiSettings
from imbolc.core.music import chord_pitches
from imbolc.core.project import Project
from imbolc.core.targets import target_range


class VoiceOn(NamedTuple):
    """Start a voice now."""

    instrument_id: InstrumentId
    pitch: int
    velocity: int


class VoiceOff(NamedTuple):
    """Release a voice now."""

    instrument_id: InstrumentId
    pitch: int


class Move(NamedTuple):
    """Put a target at a value (in the target's own units)."""

    target: AutomationTarget
    value: float


class Routed(NamedTuple):
    """What one event does."""

    voices: tuple[VoiceOn | VoiceOff, ...] = ()
    moves: tuple[Move, ...] = ()
    played: InstrumentId | None = None
    """The instrument a note event was routed to (what a recorded take writes to)."""


NOTHING = Routed()


def instrument_for(
    settings: MidiSettings, channel: int, selected: InstrumentId | None
) -> InstrumentId | None:
    """The instrument a channel plays: its own route, else the live input one, else the selected."""
    for route in settings.channel_routes:
        if route.channel == channel:
            return route.instrument_id
    if settings.live_input_instrument is not None:
        return settings.live_input_instrument
    return selected


def sounding(
    project: Project, instrument_id: InstrumentId, note: int
) -> list[tuple[InstrumentId, int]]:
    """(instrument, pitch) for every voice one key starts: layer members and chord pitches."""
    source = project.instruments.get(instrument_id)
    if source is None:
        return []
    members: list[Instrument] = [source]
    if source.layer_group is not None:
        members = [i for i in project.instruments.items if i.layer_group == source.layer_group]
    out: list[tuple[InstrumentId, int]] = []
    for member in members:
        if not member.active:
            continue
        pitch = min(127, max(0, note + 12 * member.octave_offset))
        shape = member.chord_shape if member.kit is None else None
        pitches = (pitch,) if shape is None else chord_pitches(pitch, shape)
        out.extend((member.id, p) for p in pitches)
    return out


def scaled(low: float, high: float, fraction: float) -> float:
    """``fraction`` (clamped to 0..1) of the way from ``low`` to ``high``."""
    return low + (high - low) * max(0.0, min(1.0, fraction))


class LiveRouter:
    """Routes one player's events; holds their keys and sustain pedal per channel."""

    def __init__(self) -> None:
        self._held: dict[tuple[int, int], list[tuple[InstrumentId, int]]] = {}
        self._sustained: dict[tuple[int, int], list[tuple[InstrumentId, int]]] = {}
        self._pedal: set[int] = set()

    def route(self, project: Project, event: MidiEvent, selected: InstrumentId | None) -> Routed:
        """What ``event`` does in ``project`` with ``selected`` the instrument on screen."""
        settings = project.session.midi
        channel = getattr(event, "channel", None)
        if channel is None:
            return NOTHING
        if settings.channel_filter is not None and channel != settings.channel_filter:
            return NOTHING
        if isinstance(event, NoteOn):
            return self._note_on(project, settings, event, selected)
        if isinstance(event, NoteOff):
            return self._note_off(event.channel, event.note, settings, selected)
        if isinstance(event, ControlChange):
            if event.control == SUSTAIN_CC:
                return self._pedal_moved(event.channel, event.value >= 64)
            return self._mapped(project, settings, event.control, event.channel, event.value)
        if isinstance(event, Aftertouch) and event.note is None:
            return self._mapped(project, settings, AFTERTOUCH_CC, event.channel, event.value)
        if isinstance(event, PitchWheel):
            return self._bend(project, settings, event.value)
        return NOTHING

    def _note_on(
        self, project: Project, settings: MidiSettings, event: NoteOn, selected: InstrumentId | None
    ) -> Routed:
        ident = instrument_for(settings, event.channel, selected)
        if ident is None or project.instruments.get(ident) is None:
            return NOTHING
        key = (event.channel, event.note)
        voices: list[VoiceOn | VoiceOff] = []
        for old in (self._held.pop(key, []), self._sustained.pop(key, [])):
            voices.extend(VoiceOff(i, p) for i, p in old)  # a retriggered key restarts
        if settings.note_passthrough:
            started = sounding(project, ident, event.note)
            self._held[key] = started
            voices.extend(VoiceOn(i, p, event.velocity) for i, p in started)
        return Routed(tuple(voices), (), ident)

    def _note_off(
        self, channel: int, note: int, settings: MidiSettings, selected: InstrumentId | None
    ) -> Routed:
        key = (channel, note)
        released = self._held.pop(key, [])
        played = instrument_for(settings, channel, selected)
        if channel in self._pedal:
            if released:
                self._sustained[key] = released
            return Routed((), (), played)
        return Routed(tuple(VoiceOff(i, p) for i, p in released), (), played)

    def _pedal_moved(self, channel: int, down: bool) -> Routed:
        if down:
            self._pedal.add(channel)
            return NOTHING
        self._pedal.discard(channel)
        voices: list[VoiceOn | VoiceOff] = []
        for key in [k for k in self._sustained if k[0] == channel]:
            voices.extend(VoiceOff(i, p) for i, p in self._sustained.pop(key))
        return Routed(tuple(voices))

    def _mapped(
        self, project: Project, settings: MidiSettings, control: int, channel: int, value: int
    ) -> Routed:
        mapping = settings.mapping(control, channel)
        if mapping is None:
            return NOTHING
        return Routed(
            (), (Move(mapping.target, scaled(mapping.min_value, mapping.max_value, value / 127.0)),)
        )

    def _bend(self, project: Project, settings: MidiSettings, value: int) -> Routed:
        config = settings.pitch_bend
        if config is None:
            return NOTHING
        try:
            low, high = target_range(project, config.target)
        except ImbolcError:
            return NOTHING  # the target went away since it was chosen
        bend = max(-1.0, min(1.0, value / 8192.0))
        fraction = config.center + config.range * config.sensitivity * bend
        return Routed((), (Move(config.target, scaled(low, high, fraction)),))

    def release_all(self) -> Routed:
        """Release every held and sustained voice (panic, port closed)."""
        voices = [VoiceOff(i, p) for held in self._held.values() for i, p in held]
        voices += [VoiceOff(i, p) for held in self._sustained.values() for i, p in held]
        self._held.clear()
        self._sustained.clear()
        self._pedal.clear()
        return Routed(tuple(voices))


def _strip(target: AutomationTarget) -> Strip | None:
    if target.scope == "instrument":
        return Strip("instrument", target.owner)
    if target.scope == "bus":
        return Strip("bus", target.owner)
    if target.scope == "master":
        return Strip("master", 0)
    return None


def move_action(move: Move) -> Action | None:
    """The action a knob turn on ``move.target`` builds (None for a path no knob reaches)."""
    target, value = move
    parts = target.parameter.split(".")
    owner = target.owner
    if target.scope == "global":
        return SetBpm(value) if parts == ["bpm"] else None
    strip = _strip(target)
    last = parts[-1]
    mixer_level = parts in (["mixer", "level"], ["level"])
    if strip is not None and mixer_level and (target.scope != "instrument" or parts[0] == "mixer"):
        return SetMixerLevel(strip, value)
    if strip is not None and parts in (["mixer", "pan"], ["pan"]):
        return SetMixerPan(strip, value)
    if target.scope == "bus":
        if len(parts) == 3 and parts[0] == "effect" and parts[1].isdigit():
            return SetBusEffectParam(BusId(owner), StageId(int(parts[1])), last, value)
        return None
    if target.scope != "instrument":
        return None
    ident = InstrumentId(owner)
    if len(parts) == 2 and parts[0] == "source":
        return SetSourceParam(ident, last, value)
    if len(parts) == 2 and parts[0] == "lfo":
        return SetLfoParam(ident, last, value)
    if len(parts) == 2 and parts[0] == "envelope":
        return SetEnvelope(ident, last, value)
    if len(parts) == 3 and parts[0] == "chain" and parts[1].isdigit():
        return SetStageParam(ident, StageId(int(parts[1])), last, value)
    if len(parts) == 3 and parts[0] == "send" and parts[1].isdigit() and last == "level":
        return SetSendLevel(ident, BusId(int(parts[1])), value)
    return None
