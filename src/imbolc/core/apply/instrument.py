"""Handlers for instrument-level actions: add, delete, source, envelope, LFO, note input."""

from __future__ import annotations

from msgspec.structs import replace

from imbolc.core import catalog
from imbolc.core.actions import instrument as act
from imbolc.core.apply.common import default_params, instrument, put_instrument, set_param
from imbolc.core.apply.registry import Outcome, handles
from imbolc.core.effects import (
    FULL_SCOPE,
    ArrangementChanged,
    Change,
    InstrumentChanged,
    LaneChanged,
    ParamChanged,
    RoutingChanged,
    TrackChanged,
    instrument_scope,
)
from imbolc.core.errors import InvalidAction
from imbolc.core.ids import InstrumentId, LayerGroupId
from imbolc.core.instrument import (
    LFO_TARGETS,
    SAMPLER_SOURCES,
    Arpeggiator,
    Envelope,
    Groove,
    Instrument,
    Instruments,
    SamplerConfig,
    Slice,
)
from imbolc.core.kit import KitConfig
from imbolc.core.notes import Track
from imbolc.core.project import Project
from imbolc.core.targets import ENVELOPE_RANGES, LFO_RANGES
from imbolc.core.validate import choice, flag, integer, real, text


def new_instrument(ident: InstrumentId, source_name: str, name: str = "") -> Instrument:
    """A fresh instrument with the catalog's defaults for its source."""
    spec = catalog.source(source_name)
    env = spec.envelope
    return Instrument(
        id=ident,
        name=name or f"{spec.name}-{ident}",
        source=spec.name,
        source_params=default_params(spec.params),
        envelope=Envelope(env.attack, env.decay, env.sustain, env.release),
        voice_cap=spec.voice_cap,
        active=spec.name != "audio_in",
        kit=KitConfig() if spec.name == "kit" else None,
        sampler=SamplerConfig() if spec.name in SAMPLER_SOURCES else None,
    )


@handles(act.AddInstrument)
def add_instrument(project: Project, action: act.AddInstrument) -> Outcome:
    text("name", action.name)
    source = text("source", action.source)
    insts = project.instruments
    ident = InstrumentId(insts.next_id)
    inst = new_instrument(ident, source, action.name)
    instruments = Instruments(
        items=(*insts.items, inst),
        next_id=insts.next_id + 1,
        next_layer_group_id=insts.next_layer_group_id,
    )
    roll = project.session.piano_roll
    piano_roll = replace(roll, tracks=(*roll.tracks, Track(ident)))
    session = replace(project.session, piano_roll=piano_roll)
    return Outcome(
        Project(instruments, session),
        (RoutingChanged(ident, "added"), TrackChanged(ident)),
        FULL_SCOPE,
    )


@handles(act.DeleteInstrument)
def delete_instrument(project: Project, action: act.DeleteInstrument) -> Outcome:
    gone = instrument(project, action.instrument_id).id
    changes: list[Change] = [RoutingChanged(gone, "deleted"), TrackChanged(gone)]
    insts = project.instruments
    items = []
    for inst in insts.items:
        if inst.id == gone:
            continue
        if inst.kit is not None and any(pad.instrument_id == gone for pad in inst.kit.pads):
            pads = tuple(
                replace(pad, instrument_id=None) if pad.instrument_id == gone else pad
                for pad in inst.kit.pads
            )
            items.append(replace(inst, kit=replace(inst.kit, pads=pads)))
            changes.append(InstrumentChanged(inst.id, "kit"))
        else:
            items.append(inst)
    session = project.session
    roll = session.piano_roll
    tracks = tuple(track for track in roll.tracks if track.instrument_id != gone)
    automation = session.automation
    lanes = []
    for lane in automation.lanes:
        if lane.target.scope == "instrument" and lane.target.owner == gone:
            changes.append(LaneChanged(lane.id))
        else:
            lanes.append(lane)
    arrangement = session.arrangement
    clips = tuple(clip for clip in arrangement.clips if clip.instrument_id != gone)
    if len(clips) != len(arrangement.clips):
        kept = {clip.id for clip in clips}
        placements = tuple(p for p in arrangement.placements if p.clip_id in kept)
        arrangement = replace(arrangement, clips=clips, placements=placements)
        changes.append(ArrangementChanged())
    new_session = replace(
        session,
        piano_roll=replace(roll, tracks=tracks),
        automation=replace(automation, lanes=tuple(lanes)),
        arrangement=arrangement,
    )
    instruments = replace(insts, items=tuple(items))
    return Outcome(Project(instruments, new_session), tuple(changes), FULL_SCOPE)


@handles(act.RenameInstrument)
def rename_instrument(project: Project, action: act.RenameInstrument) -> Outcome:
    inst = instrument(project, action.instrument_id)
    name = text("name", action.name)
    if not name.strip():
        raise InvalidAction("an instrument name cannot be empty")
    return Outcome(
        put_instrument(project, replace(inst, name=name)),
        (InstrumentChanged(inst.id, "name"),),
        instrument_scope(inst.id),
    )


@handles(act.SetInstrumentSource)
def set_instrument_source(project: Project, action: act.SetInstrumentSource) -> Outcome:
    inst = instrument(project, action.instrument_id)
    fresh = new_instrument(inst.id, text("source", action.source), inst.name)
    changed = replace(
        inst,
        source=fresh.source,
        source_params=fresh.source_params,
        envelope=fresh.envelope,
        voice_cap=fresh.voice_cap,
        active=fresh.active,
        kit=inst.kit if fresh.kit is not None and inst.kit is not None else fresh.kit,
        sampler=fresh.sampler,
    )
    return Outcome(
        put_instrument(project, changed),
        (RoutingChanged(inst.id, "source"),),
        instrument_scope(inst.id),
    )


@handles(act.SetSourceParam)
def set_source_param(project: Project, action: act.SetSourceParam) -> Outcome:
    inst = instrument(project, action.instrument_id)
    spec = catalog.source(inst.source)
    params, value = set_param(inst.source_params, spec.params, action.name, action.value)
    return Outcome(
        put_instrument(project, replace(inst, source_params=params)),
        (ParamChanged(inst.id, ("source", action.name), value),),
        instrument_scope(inst.id),
        f"source/{inst.id}/{action.name}",
    )


@handles(act.SetEnvelope)
def set_envelope(project: Project, action: act.SetEnvelope) -> Outcome:
    inst = instrument(project, action.instrument_id)
    stage = choice("envelope stage", action.stage, ENVELOPE_RANGES)
    low, high = ENVELOPE_RANGES[stage]
    value = real(stage, action.value, low, high)
    envelope = replace(inst.envelope, **{stage: value})
    return Outcome(
        put_instrument(project, replace(inst, envelope=envelope)),
        (ParamChanged(inst.id, ("envelope", stage), value),),
        instrument_scope(inst.id),
        f"envelope/{inst.id}/{stage}",
    )


@handles(act.SetLfoParam)
def set_lfo_param(project: Project, action: act.SetLfoParam) -> Outcome:
    inst = instrument(project, action.instrument_id)
    name = choice("LFO parameter", action.name, LFO_RANGES)
    low, high = LFO_RANGES[name]
    value = real(f"lfo {name}", action.value, low, high)
    return Outcome(
        put_instrument(project, replace(inst, lfo=replace(inst.lfo, **{name: value}))),
        (ParamChanged(inst.id, ("lfo", name), value),),
        instrument_scope(inst.id),
        f"lfo/{inst.id}/{name}",
    )


def _lfo_setting(project: Project, ident: object, field: str, value: object) -> Outcome:
    inst = instrument(project, ident)
    return Outcome(
        put_instrument(project, replace(inst, lfo=replace(inst.lfo, **{field: value}))),
        (RoutingChanged(inst.id, "chain"),),
        instrument_scope(inst.id),
    )


@handles(act.SetLfoShape)
def set_lfo_shape(project: Project, action: act.SetLfoShape) -> Outcome:
    shape = choice("LFO shape", action.shape, ("sine", "square", "saw", "triangle"))
    return _lfo_setting(project, action.instrument_id, "shape", shape)


@handles(act.SetLfoTarget)
def set_lfo_target(project: Project, action: act.SetLfoTarget) -> Outcome:
    target = choice("LFO target", action.target, LFO_TARGETS)
    return _lfo_setting(project, action.instrument_id, "target", target)


@handles(act.SetLfoEnabled)
def set_lfo_enabled(project: Project, action: act.SetLfoEnabled) -> Outcome:
    return _lfo_setting(project, action.instrument_id, "enabled", flag("enabled", action.enabled))


def _instrument_field(
    project: Project, ident: object, field: str, value: object, graph: bool
) -> Outcome:
    """Set one top-level instrument field; ``graph`` says whether the engine must rebuild."""
    inst = instrument(project, ident)
    change: Change = (
        RoutingChanged(inst.id, "chain") if graph else InstrumentChanged(inst.id, field)
    )
    return Outcome(
        put_instrument(project, replace(inst, **{field: value})),
        (change,),
        instrument_scope(inst.id),
    )


@handles(act.SetPolyphonic)
def set_polyphonic(project: Project, action: act.SetPolyphonic) -> Outcome:
    value = flag("polyphonic", action.polyphonic)
    return _instrument_field(project, action.instrument_id, "polyphonic", value, graph=False)


@handles(act.SetVoiceCap)
def set_voice_cap(project: Project, action: act.SetVoiceCap) -> Outcome:
    value = integer("voice_cap", action.voice_cap, 1, catalog.MAX_VOICE_CAP)
    return _instrument_field(project, action.instrument_id, "voice_cap", value, graph=False)


@handles(act.SetChannels)
def set_channels(project: Project, action: act.SetChannels) -> Outcome:
    value = choice("channels", action.channels, ("stereo", "mono"))
    return _instrument_field(project, action.instrument_id, "channels", value, graph=True)


@handles(act.SetInstrumentActive)
def set_instrument_active(project: Project, action: act.SetInstrumentActive) -> Outcome:
    value = flag("active", action.active)
    return _instrument_field(project, action.instrument_id, "active", value, graph=True)


@handles(act.SetArpeggiator)
def set_arpeggiator(project: Project, action: act.SetArpeggiator) -> Outcome:
    arp = action.arpeggiator
    if not isinstance(arp, Arpeggiator):
        raise InvalidAction("arpeggiator must be an Arpeggiator")
    flag("arpeggiator enabled", arp.enabled)
    choice("arpeggiator direction", arp.direction, ("up", "down", "up_down", "random"))
    choice("arpeggiator rate", arp.rate, ("quarter", "eighth", "sixteenth", "thirty_second"))
    integer("arpeggiator octaves", arp.octaves, 1, 4)
    real("arpeggiator gate", arp.gate, 0.1, 1.0)
    return _instrument_field(project, action.instrument_id, "arpeggiator", arp, graph=False)


@handles(act.SetChordShape)
def set_chord_shape(project: Project, action: act.SetChordShape) -> Outcome:
    shapes = ("major", "minor", "seventh", "minor_seventh", "sus2", "sus4", "power", "octave")
    if action.shape is not None:
        choice("chord shape", action.shape, shapes)
    return _instrument_field(
        project, action.instrument_id, "chord_shape", action.shape, graph=False
    )


@handles(act.SetGroove)
def set_groove(project: Project, action: act.SetGroove) -> Outcome:
    groove = action.groove
    if not isinstance(groove, Groove):
        raise InvalidAction("groove must be a Groove")
    for name in ("swing", "humanize_velocity", "humanize_timing"):
        value = getattr(groove, name)
        if value is not None:
            real(f"groove {name}", value, 0.0, 1.0)
    if groove.swing_grid is not None:
        choice("groove swing grid", groove.swing_grid, ("eighths", "sixteenths", "both"))
    if groove.time_signature is not None:
        if not isinstance(groove.time_signature, tuple) or len(groove.time_signature) != 2:
            raise InvalidAction("groove time signature must be (numerator, denominator)")
        numerator, denominator = groove.time_signature
        integer("groove time signature numerator", numerator, 1, 32)
        choice("groove time signature denominator", denominator, (1, 2, 4, 8, 16, 32))
    real("groove timing offset", groove.timing_offset_ms, -100.0, 100.0)
    return _instrument_field(project, action.instrument_id, "groove", groove, graph=False)


@handles(act.LinkLayer)
def link_layer(project: Project, action: act.LinkLayer) -> Outcome:
    inst = instrument(project, action.instrument_id)
    other = instrument(project, action.other_id)
    if inst.id == other.id:
        raise InvalidAction("an instrument cannot be layered with itself")
    insts = project.instruments
    group = inst.layer_group or other.layer_group
    next_group = insts.next_layer_group_id
    if group is None:
        group = LayerGroupId(next_group)
        next_group += 1
    instruments = replace(insts, next_layer_group_id=next_group)
    instruments = instruments.replaced(replace(inst, layer_group=group))
    instruments = instruments.replaced(replace(other, layer_group=group))
    return Outcome(
        replace(project, instruments=instruments),
        (InstrumentChanged(inst.id, "layer_group"), InstrumentChanged(other.id, "layer_group")),
        FULL_SCOPE,
    )


@handles(act.UnlinkLayer)
def unlink_layer(project: Project, action: act.UnlinkLayer) -> Outcome:
    inst = instrument(project, action.instrument_id)
    if inst.layer_group is None:
        raise InvalidAction(f"instrument {inst.id} is not in a layer group")
    return _instrument_field(project, inst.id, "layer_group", None, graph=False)


@handles(act.SetOctaveOffset)
def set_octave_offset(project: Project, action: act.SetOctaveOffset) -> Outcome:
    value = integer("octave offset", action.offset, -4, 4)
    return _instrument_field(project, action.instrument_id, "octave_offset", value, graph=False)


@handles(act.SetSampler)
def set_sampler(project: Project, action: act.SetSampler) -> Outcome:
    inst = instrument(project, action.instrument_id)
    sampler = action.sampler
    if inst.source not in SAMPLER_SOURCES:
        raise InvalidAction(f"instrument {inst.id} ({inst.source}) is not a sampler")
    if not isinstance(sampler, SamplerConfig):
        raise InvalidAction("sampler must be a SamplerConfig")
    text("sample path", sampler.sample_path, 4096)
    text("sample name", sampler.sample_name, 4096)
    flag("sampler loop", sampler.loop)
    flag("sampler pitch tracking", sampler.pitch_tracking)
    if not isinstance(sampler.slices, tuple):
        raise InvalidAction("sampler slices must be a tuple of Slice")
    integer("selected slice", sampler.selected_slice, 0, max(len(sampler.slices) - 1, 0))
    for piece in sampler.slices:
        if not isinstance(piece, Slice):
            raise InvalidAction("sampler slices must be Slice values")
        integer("slice id", piece.id, 0, 2**31)
        text("slice name", piece.name)
        real("slice start", piece.start, 0.0, 1.0)
        real("slice end", piece.end, piece.start, 1.0)
        integer("slice root note", piece.root_note, 0, 127)
    return Outcome(
        put_instrument(project, replace(inst, sampler=sampler)),
        (RoutingChanged(inst.id, "source"),),
        instrument_scope(inst.id),
    )
