"""Specification of instrument-level actions: add, delete, source, envelope, LFO, note input."""

from __future__ import annotations

import math

import pytest
from apply_helpers import build

from imbolc.core import catalog
from imbolc.core.actions import (
    AddInstrument,
    AddLane,
    AddNote,
    CreateClip,
    DeleteInstrument,
    LinkLayer,
    PlaceClip,
    RenameInstrument,
    SetArpeggiator,
    SetChannels,
    SetChordShape,
    SetDrumPad,
    SetEnvelope,
    SetGroove,
    SetInstrumentActive,
    SetInstrumentSource,
    SetLfoEnabled,
    SetLfoParam,
    SetLfoShape,
    SetLfoTarget,
    SetOctaveOffset,
    SetPolyphonic,
    SetSampler,
    SetSourceParam,
    SetVoiceCap,
    UnlinkLayer,
)
from imbolc.core.actions.base import Action
from imbolc.core.apply import apply
from imbolc.core.automation import AutomationTarget
from imbolc.core.effects import (
    FULL_SCOPE,
    ArrangementChanged,
    Effects,
    InstrumentChanged,
    LaneChanged,
    ParamChanged,
    RoutingChanged,
    TrackChanged,
    instrument_scope,
)
from imbolc.core.errors import (
    InvalidAction,
    UnknownCatalogEntry,
    UnknownId,
    ValueOutOfRange,
    WrongType,
)
from imbolc.core.instrument import Arpeggiator, Envelope, Groove, Instrument, SamplerConfig, Slice
from imbolc.core.kit import DrumPad
from imbolc.core.notes import Note
from imbolc.core.project import Project
from imbolc.core.store import Store


def inst(project: Project, ident: int) -> Instrument:
    found = project.instruments.get(ident)
    assert found is not None
    return found


def assert_rejected(setup: tuple[Action, ...], action: Action, error: type[Exception]) -> None:
    """The action raises ``error`` and neither the state nor the history moves."""
    store = Store(clock=lambda: 0.0)
    for step in setup:
        store.dispatch(step)
    before = store.state
    undo_before = list(store.history.undo_stack)
    redo_before = list(store.history.redo_stack)
    with pytest.raises(error):
        store.dispatch(action)
    assert store.state is before
    assert list(store.history.undo_stack) == undo_before
    assert list(store.history.redo_stack) == redo_before


SAW = (AddInstrument("saw"),)
TWO = (AddInstrument("saw"), AddInstrument("sine"))


# --- AddInstrument ------------------------------------------------------------------------


def test_add_instrument_appends_an_instrument_with_the_catalog_defaults() -> None:
    project, _ = apply(Project(), AddInstrument("saw"))
    spec = catalog.source("saw")
    added = inst(project, 1)
    assert added.source == "saw"
    assert added.name == "saw-1"
    assert [(p.name, p.value) for p in added.source_params] == [
        (p.name, p.default) for p in spec.params
    ]
    assert added.envelope == Envelope(
        spec.envelope.attack, spec.envelope.decay, spec.envelope.sustain, spec.envelope.release
    )
    assert added.voice_cap == spec.voice_cap
    assert project.instruments.next_id == 2


def test_add_instrument_reports_the_new_graph_and_track_with_full_undo_scope() -> None:
    _, effects = apply(Project(), AddInstrument("saw"))
    assert effects == Effects((RoutingChanged(1, "added"), TrackChanged(1)), FULL_SCOPE, None)


def test_add_instrument_gives_the_instrument_an_empty_piano_roll_track() -> None:
    project = build(*TWO)
    track = project.session.piano_roll.track(2)
    assert track is not None
    assert track.notes == ()


def test_add_instrument_keeps_a_given_name() -> None:
    project = build(AddInstrument("sine", name="Lead"))
    assert inst(project, 1).name == "Lead"


def test_add_instrument_finds_sources_by_display_name() -> None:
    display = catalog.source("fm_bell").display
    project = build(AddInstrument(display))
    assert inst(project, 1).source == "fm_bell"


def test_add_kit_instrument_gets_a_drum_kit() -> None:
    assert inst(build(AddInstrument("kit")), 1).kit is not None


def test_add_sampler_instrument_gets_a_sampler_config() -> None:
    assert inst(build(AddInstrument("pitched_sampler")), 1).sampler == SamplerConfig()


def test_add_audio_input_instrument_starts_inactive() -> None:
    assert inst(build(AddInstrument("audio_in")), 1).active is False


def test_instrument_ids_are_never_reused_after_delete() -> None:
    project = build(*TWO, DeleteInstrument(2), AddInstrument("saw"))
    assert [i.id for i in project.instruments.items] == [1, 3]


def test_add_instrument_with_an_unknown_source_is_rejected() -> None:
    assert_rejected((), AddInstrument("theremin"), UnknownCatalogEntry)


def test_add_instrument_with_a_non_string_source_is_rejected() -> None:
    assert_rejected((), AddInstrument(3), WrongType)  # type: ignore[arg-type]


def test_add_instrument_with_a_too_long_name_is_rejected() -> None:
    assert_rejected((), AddInstrument("saw", name="x" * 65), InvalidAction)


# --- DeleteInstrument ---------------------------------------------------------------------


def test_delete_instrument_removes_it_and_its_track() -> None:
    project, effects = apply(build(*TWO), DeleteInstrument(1))
    assert 1 not in project.instruments
    assert project.session.piano_roll.track(1) is None
    assert effects == Effects((RoutingChanged(1, "deleted"), TrackChanged(1)), FULL_SCOPE)


def test_delete_instrument_removes_its_automation_lanes() -> None:
    lane = AddLane(AutomationTarget("instrument", 1, "mixer.level"))
    project, effects = apply(build(*TWO, lane), DeleteInstrument(1))
    assert project.session.automation.lanes == ()
    assert LaneChanged(1) in effects.changes


def test_delete_instrument_removes_its_clips_and_their_placements() -> None:
    setup = (*TWO, CreateClip(1, 960), CreateClip(2, 960), PlaceClip(1, 0), PlaceClip(2, 0))
    project, effects = apply(build(*setup), DeleteInstrument(1))
    arrangement = project.session.arrangement
    assert [c.id for c in arrangement.clips] == [2]
    assert [p.clip_id for p in arrangement.placements] == [2]
    assert ArrangementChanged() in effects.changes


def test_delete_instrument_unhooks_kit_pads_that_trigger_it() -> None:
    pad = DrumPad(name="Stab", instrument_id=1)  # type: ignore[arg-type]
    setup = (AddInstrument("saw"), AddInstrument("kit"), SetDrumPad(2, 0, pad))
    project, effects = apply(build(*setup), DeleteInstrument(1))
    kit = inst(project, 2).kit
    assert kit is not None
    assert kit.pads[0].instrument_id is None
    assert InstrumentChanged(2, "kit") in effects.changes


def test_delete_unknown_instrument_is_rejected() -> None:
    assert_rejected(SAW, DeleteInstrument(9), UnknownId)


# --- RenameInstrument ---------------------------------------------------------------------


def test_rename_instrument_sets_the_name() -> None:
    project, effects = apply(build(*SAW), RenameInstrument(1, "Bass"))
    assert inst(project, 1).name == "Bass"
    assert effects == Effects((InstrumentChanged(1, "name"),), instrument_scope(1))


def test_rename_to_a_blank_name_is_rejected() -> None:
    assert_rejected(SAW, RenameInstrument(1, "   "), InvalidAction)


def test_rename_to_a_name_with_control_characters_is_rejected() -> None:
    assert_rejected(SAW, RenameInstrument(1, "a\nb"), InvalidAction)


# --- SetInstrumentSource ------------------------------------------------------------------


def test_set_source_swaps_the_source_and_resets_its_params() -> None:
    project, effects = apply(build(*SAW), SetInstrumentSource(1, "fm"))
    changed = inst(project, 1)
    assert changed.source == "fm"
    assert [p.name for p in changed.source_params] == [p.name for p in catalog.source("fm").params]
    assert changed.name == "saw-1"
    assert effects == Effects((RoutingChanged(1, "source"),), instrument_scope(1))


def test_set_source_to_kit_adds_a_kit() -> None:
    project, _ = apply(build(*SAW), SetInstrumentSource(1, "kit"))
    assert inst(project, 1).kit is not None


def test_set_source_to_an_unknown_source_is_rejected() -> None:
    assert_rejected(SAW, SetInstrumentSource(1, "kazoo"), UnknownCatalogEntry)


# --- SetSourceParam -----------------------------------------------------------------------


def test_set_source_param_sets_one_value_and_names_it() -> None:
    project, effects = apply(build(*SAW), SetSourceParam(1, "freq", 220.0))
    assert inst(project, 1).source_param("freq") == 220.0
    assert effects == Effects(
        (ParamChanged(1, ("source", "freq"), 220.0),), instrument_scope(1), "source/1/freq"
    )


def test_set_source_param_leaves_the_other_params_identical() -> None:
    before = build(*SAW)
    project, _ = apply(before, SetSourceParam(1, "freq", 220.0))
    assert inst(project, 1).source_params[1] is inst(before, 1).source_params[1]


def test_set_source_param_out_of_range_is_rejected() -> None:
    assert_rejected(SAW, SetSourceParam(1, "freq", 5.0), ValueOutOfRange)


def test_set_source_param_with_a_string_value_is_rejected() -> None:
    assert_rejected(SAW, SetSourceParam(1, "freq", "440"), WrongType)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_set_source_param_with_a_non_finite_value_is_rejected(value: float) -> None:
    assert_rejected(SAW, SetSourceParam(1, "freq", value), WrongType)


def test_set_source_param_with_an_unknown_name_is_rejected() -> None:
    assert_rejected(SAW, SetSourceParam(1, "wobble", 0.5), UnknownId)


def test_set_source_param_on_an_unknown_instrument_is_rejected() -> None:
    assert_rejected(SAW, SetSourceParam(7, "freq", 220.0), UnknownId)


def test_an_instrument_id_given_as_bool_is_rejected() -> None:
    assert_rejected(SAW, SetSourceParam(True, "freq", 220.0), WrongType)  # type: ignore[arg-type]


# --- SetEnvelope --------------------------------------------------------------------------


def test_set_envelope_sets_one_stage() -> None:
    project, effects = apply(build(*SAW), SetEnvelope(1, "attack", 0.5))
    assert inst(project, 1).envelope.attack == 0.5
    assert effects == Effects(
        (ParamChanged(1, ("envelope", "attack"), 0.5),), instrument_scope(1), "envelope/1/attack"
    )


def test_set_envelope_with_an_unknown_stage_is_rejected() -> None:
    assert_rejected(SAW, SetEnvelope(1, "hold", 0.5), InvalidAction)


def test_set_envelope_sustain_above_one_is_rejected() -> None:
    assert_rejected(SAW, SetEnvelope(1, "sustain", 1.5), ValueOutOfRange)


# --- LFO ----------------------------------------------------------------------------------


def test_set_lfo_param_sets_rate() -> None:
    project, effects = apply(build(*SAW), SetLfoParam(1, "rate", 6.0))
    assert inst(project, 1).lfo.rate == 6.0
    assert effects == Effects(
        (ParamChanged(1, ("lfo", "rate"), 6.0),), instrument_scope(1), "lfo/1/rate"
    )


def test_set_lfo_depth_above_one_is_rejected() -> None:
    assert_rejected(SAW, SetLfoParam(1, "depth", 1.2), ValueOutOfRange)


def test_set_lfo_shape_rebuilds_the_chain() -> None:
    project, effects = apply(build(*SAW), SetLfoShape(1, "square"))
    assert inst(project, 1).lfo.shape == "square"
    assert effects == Effects((RoutingChanged(1, "chain"),), instrument_scope(1))


def test_set_lfo_shape_to_an_unknown_shape_is_rejected() -> None:
    assert_rejected(SAW, SetLfoShape(1, "wobble"), InvalidAction)  # type: ignore[arg-type]


def test_set_lfo_target_rebuilds_the_chain() -> None:
    project, effects = apply(build(*SAW), SetLfoTarget(1, "pan"))
    assert inst(project, 1).lfo.target == "pan"
    assert effects == Effects((RoutingChanged(1, "chain"),), instrument_scope(1))


def test_set_lfo_enabled_rebuilds_the_chain() -> None:
    project, effects = apply(build(*SAW), SetLfoEnabled(1, True))
    assert inst(project, 1).lfo.enabled is True
    assert effects == Effects((RoutingChanged(1, "chain"),), instrument_scope(1))


def test_set_lfo_enabled_with_an_int_is_rejected() -> None:
    assert_rejected(SAW, SetLfoEnabled(1, 1), WrongType)  # type: ignore[arg-type]


# --- voices and channels ------------------------------------------------------------------


def test_set_polyphonic_changes_a_non_graph_setting() -> None:
    project, effects = apply(build(*SAW), SetPolyphonic(1, False))
    assert inst(project, 1).polyphonic is False
    assert effects == Effects((InstrumentChanged(1, "polyphonic"),), instrument_scope(1))


def test_set_voice_cap_changes_a_non_graph_setting() -> None:
    project, effects = apply(build(*SAW), SetVoiceCap(1, 8))
    assert inst(project, 1).voice_cap == 8
    assert effects == Effects((InstrumentChanged(1, "voice_cap"),), instrument_scope(1))


@pytest.mark.parametrize("cap", [0, catalog.MAX_VOICE_CAP + 1])
def test_set_voice_cap_out_of_range_is_rejected(cap: int) -> None:
    assert_rejected(SAW, SetVoiceCap(1, cap), ValueOutOfRange)


def test_set_voice_cap_given_as_bool_is_rejected() -> None:
    assert_rejected(SAW, SetVoiceCap(1, True), WrongType)


def test_set_voice_cap_given_as_float_is_rejected() -> None:
    assert_rejected(SAW, SetVoiceCap(1, 8.0), WrongType)  # type: ignore[arg-type]


def test_set_channels_rebuilds_the_chain() -> None:
    project, effects = apply(build(*SAW), SetChannels(1, "mono"))
    assert inst(project, 1).channels == "mono"
    assert effects == Effects((RoutingChanged(1, "chain"),), instrument_scope(1))


def test_set_channels_to_surround_is_rejected() -> None:
    assert_rejected(SAW, SetChannels(1, "surround"), InvalidAction)  # type: ignore[arg-type]


def test_set_instrument_active_rebuilds_the_chain() -> None:
    project, effects = apply(build(*SAW), SetInstrumentActive(1, False))
    assert inst(project, 1).active is False
    assert effects == Effects((RoutingChanged(1, "chain"),), instrument_scope(1))


# --- note input ---------------------------------------------------------------------------


def test_set_arpeggiator_replaces_the_settings() -> None:
    arp = Arpeggiator(enabled=True, direction="down", rate="sixteenth", octaves=2, gate=0.8)
    project, effects = apply(build(*SAW), SetArpeggiator(1, arp))
    assert inst(project, 1).arpeggiator == arp
    assert effects == Effects((InstrumentChanged(1, "arpeggiator"),), instrument_scope(1))


def test_set_arpeggiator_with_five_octaves_is_rejected() -> None:
    assert_rejected(SAW, SetArpeggiator(1, Arpeggiator(octaves=5)), ValueOutOfRange)


def test_set_chord_shape_sets_and_clears_the_shape() -> None:
    project, effects = apply(build(*SAW), SetChordShape(1, "minor"))
    assert inst(project, 1).chord_shape == "minor"
    assert effects == Effects((InstrumentChanged(1, "chord_shape"),), instrument_scope(1))
    cleared, _ = apply(project, SetChordShape(1, None))
    assert inst(cleared, 1).chord_shape is None


def test_set_chord_shape_to_an_unknown_shape_is_rejected() -> None:
    assert_rejected(SAW, SetChordShape(1, "ninth"), InvalidAction)  # type: ignore[arg-type]


def test_set_groove_replaces_the_overrides() -> None:
    groove = Groove(swing=0.3, swing_grid="sixteenths", time_signature=(7, 8))
    project, effects = apply(build(*SAW), SetGroove(1, groove))
    assert inst(project, 1).groove == groove
    assert effects == Effects((InstrumentChanged(1, "groove"),), instrument_scope(1))


def test_set_groove_with_swing_above_one_is_rejected() -> None:
    assert_rejected(SAW, SetGroove(1, Groove(swing=1.5)), ValueOutOfRange)


def test_set_groove_with_a_float_meter_denominator_is_rejected() -> None:
    groove = Groove(time_signature=(3, 4.0))  # type: ignore[arg-type]
    assert_rejected(SAW, SetGroove(1, groove), WrongType)


def test_set_octave_offset_shifts_the_instrument() -> None:
    project, effects = apply(build(*SAW), SetOctaveOffset(1, -2))
    assert inst(project, 1).octave_offset == -2
    assert effects == Effects((InstrumentChanged(1, "octave_offset"),), instrument_scope(1))


def test_set_octave_offset_beyond_four_is_rejected() -> None:
    assert_rejected(SAW, SetOctaveOffset(1, 5), ValueOutOfRange)


# --- layers -------------------------------------------------------------------------------


def test_link_layer_puts_both_instruments_in_a_new_group() -> None:
    project, effects = apply(build(*TWO), LinkLayer(1, 2))
    assert inst(project, 1).layer_group == 1
    assert inst(project, 2).layer_group == 1
    assert project.instruments.next_layer_group_id == 2
    assert effects == Effects(
        (InstrumentChanged(1, "layer_group"), InstrumentChanged(2, "layer_group")), FULL_SCOPE
    )


def test_link_layer_adds_a_third_instrument_to_the_existing_group() -> None:
    project = build(*TWO, AddInstrument("square"), LinkLayer(1, 2), LinkLayer(3, 1))
    assert [i.layer_group for i in project.instruments.items] == [1, 1, 1]
    assert project.instruments.next_layer_group_id == 2


def test_link_layer_with_itself_is_rejected() -> None:
    assert_rejected(TWO, LinkLayer(1, 1), InvalidAction)


def test_link_layer_with_an_unknown_instrument_is_rejected() -> None:
    assert_rejected(TWO, LinkLayer(1, 5), UnknownId)


def test_unlink_layer_takes_the_instrument_out_of_its_group() -> None:
    project, effects = apply(build(*TWO, LinkLayer(1, 2)), UnlinkLayer(2))
    assert inst(project, 2).layer_group is None
    assert inst(project, 1).layer_group == 1
    assert effects == Effects((InstrumentChanged(2, "layer_group"),), instrument_scope(2))


def test_unlink_an_instrument_without_a_group_is_rejected() -> None:
    assert_rejected(TWO, UnlinkLayer(1), InvalidAction)


# --- SetSampler ---------------------------------------------------------------------------

SAMPLER = (AddInstrument("pitched_sampler"),)


def test_set_sampler_replaces_the_sample_and_slices() -> None:
    config = SamplerConfig("/tmp/a.wav", "a", (Slice(0, 0.0, 0.5), Slice(1, 0.5, 1.0)))
    project, effects = apply(build(*SAMPLER), SetSampler(1, config))
    assert inst(project, 1).sampler == config
    assert effects == Effects((RoutingChanged(1, "source"),), instrument_scope(1))


def test_set_sampler_on_a_synth_is_rejected() -> None:
    assert_rejected(SAW, SetSampler(1, SamplerConfig("/tmp/a.wav")), InvalidAction)


def test_set_sampler_with_a_slice_ending_before_it_starts_is_rejected() -> None:
    config = SamplerConfig("/tmp/a.wav", slices=(Slice(0, 0.6, 0.4),))
    assert_rejected(SAMPLER, SetSampler(1, config), ValueOutOfRange)


def test_set_sampler_with_a_non_bool_loop_flag_is_rejected() -> None:
    config = SamplerConfig("/tmp/a.wav", loop="yes")  # type: ignore[arg-type]
    assert_rejected(SAMPLER, SetSampler(1, config), WrongType)


# --- structural sharing -------------------------------------------------------------------


def test_an_instrument_edit_shares_every_other_instrument_and_the_session() -> None:
    before = build(*TWO, AddInstrument("square"), AddNote(1, 0, 480, 60))
    after, _ = apply(before, SetSourceParam(2, "freq", 330.0))
    assert after.session is before.session
    assert after.instruments.items[0] is before.instruments.items[0]
    assert after.instruments.items[2] is before.instruments.items[2]
    assert inst(after, 2).envelope is inst(before, 2).envelope


def test_add_instrument_shares_the_existing_instruments_and_tracks() -> None:
    before = build(*TWO, AddNote(1, 0, 480, 60))
    after, _ = apply(before, AddInstrument("square"))
    assert all(
        a is b for a, b in zip(after.instruments.items[:2], before.instruments.items, strict=True)
    )
    tracks_after = after.session.piano_roll.tracks
    assert all(
        a is b for a, b in zip(tracks_after[:2], before.session.piano_roll.tracks, strict=True)
    )
    assert after.session.mixer is before.session.mixer


def test_note_velocity_is_untouched_by_instrument_edits() -> None:
    before = build(*SAW, AddNote(1, 0, 480, 60, velocity=90))
    after, _ = apply(before, RenameInstrument(1, "Lead"))
    track = after.session.piano_roll.track(1)
    assert track is not None
    assert track.notes == (Note(0, 480, 60, 90),)
