"""The engine turns store commits into the fewest server requests (recorded, not sent)."""

from __future__ import annotations

import pytest

from imbolc.core.actions import (
    AddEffect,
    AddFilter,
    AddInstrument,
    DeleteInstrument,
    SetEnvelope,
    SetMixerLevel,
    SetMixerMute,
    SetMixerSolo,
    SetSendEnabled,
    SetSendLevel,
    SetSourceParam,
    SetStageEnabled,
    SetStageParam,
)
from imbolc.core.actions.base import Action
from imbolc.core.actions.mixer import MASTER, instrument_strip
from imbolc.core.store import Commit, Store
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.engine import Engine
from imbolc.engine.requests import FreeNode, NewGroup, NewSynth, SetControls


def rig(instruments: int = 4) -> tuple[Store, Engine, RecordingBackend]:
    store = Store()
    for n in range(instruments):
        store.dispatch(AddInstrument("saw" if n % 2 else "sine"))
        store.dispatch(AddFilter(store.state.instruments.items[-1].id, "lpf"))
    backend = RecordingBackend()
    engine = Engine(backend)
    engine.start(store.state)

    def forward(commit: Commit) -> None:
        engine.apply(commit.new, commit.effects)

    store.subscribe(forward)
    backend.clear()
    return store, engine, backend


def sent_after(store: Store, backend: RecordingBackend, action: Action) -> list[object]:
    backend.clear()
    store.dispatch(action)
    return list(backend.requests())


@pytest.mark.parametrize("count", [16, 64])
def test_a_level_change_sends_exactly_one_n_set_for_that_strip(count: int) -> None:
    store, engine, backend = rig(count)
    sent = sent_after(store, backend, SetMixerLevel(instrument_strip(7), 0.5))
    output = engine.graph.instruments[7].output_node
    assert sent == [SetControls(output, {"level": 0.5})]
    assert len(backend.messages()) == 1


def test_a_filter_cutoff_change_is_one_n_set_on_that_stage() -> None:
    store, engine, backend = rig()
    stage = store.state.instruments.get(2).chain[0].id  # type: ignore[union-attr]
    sent = sent_after(store, backend, SetStageParam(2, stage, "cutoff", 900.0))
    assert sent == [SetControls(engine.graph.instruments[2].stage_nodes[stage], {"cutoff": 900.0})]


def test_a_source_parameter_reaches_every_voice_through_the_voice_group() -> None:
    store, engine, backend = rig()
    sent = sent_after(store, backend, SetSourceParam(1, "amp", 0.3))
    assert sent == [SetControls(engine.graph.instruments[1].voice_group, {"amp": 0.3})]


def test_an_envelope_change_uses_the_prefixed_contract_name() -> None:
    store, engine, backend = rig()
    sent = sent_after(store, backend, SetEnvelope(1, "release", 1.5))
    assert sent == [SetControls(engine.graph.instruments[1].voice_group, {"env_release": 1.5})]


def test_bypass_is_a_control_change_not_a_rebuild() -> None:
    store, engine, backend = rig()
    stage = store.state.instruments.get(1).chain[0].id  # type: ignore[union-attr]
    sent = sent_after(store, backend, SetStageEnabled(1, stage, False))
    assert sent == [SetControls(engine.graph.instruments[1].stage_nodes[stage], {"enabled": 0.0})]


def test_adding_an_effect_rebuilds_only_that_instrument() -> None:
    store, engine, backend = rig()
    others = {i: engine.graph.instruments[i].voice_group for i in (1, 2, 4)}
    sent = sent_after(store, backend, AddEffect(3, "reverb"))
    created = [r for r in sent if isinstance(r, NewSynth)]
    freed = [r for r in sent if isinstance(r, FreeNode)]
    assert all(
        r.target
        in (engine.graph.instruments[3].processing_group, engine.graph.instruments[3].output_group)
        for r in created
    )
    assert {r.synthdef for r in created} >= {"imbolc_reverb", "imbolc_lpf", "imbolc_output"}
    assert all(engine.graph.instruments[3].voice_group not in r.node_ids for r in freed)
    assert {i: engine.graph.instruments[i].voice_group for i in (1, 2, 4)} == others


def test_deleting_an_instrument_frees_its_groups_only() -> None:
    store, engine, backend = rig()
    groups = engine.graph.instruments[2]
    sent = sent_after(store, backend, DeleteInstrument(2))
    assert sent == [FreeNode((groups.voice_group, groups.processing_group, groups.output_group))]
    assert 2 not in engine.graph.instruments


def test_adding_an_instrument_builds_its_three_groups_and_strip() -> None:
    store, _engine, backend = rig()
    sent = sent_after(store, backend, AddInstrument("square"))
    assert sum(isinstance(r, NewGroup) for r in sent) == 3
    assert any(isinstance(r, NewSynth) and r.synthdef == "imbolc_output" for r in sent)


def test_solo_mutes_only_the_strips_whose_state_flipped() -> None:
    store, engine, backend = rig()
    sent = sent_after(store, backend, SetMixerSolo(instrument_strip(1), True))
    muted = {r.node_id for r in sent if isinstance(r, SetControls)}
    expected = {engine.graph.instruments[i].output_node for i in (2, 3, 4)}
    assert muted == expected
    assert all(r.controls == {"mute": 1.0} for r in sent if isinstance(r, SetControls))


def test_mute_sets_the_effective_mute_of_the_strip() -> None:
    store, _engine, backend = rig()
    sent = sent_after(store, backend, SetMixerMute(instrument_strip(2), True))
    assert len(sent) == 1
    assert isinstance(sent[0], SetControls)
    assert sent[0].controls["mute"] == 1.0


def test_master_level_is_one_n_set_on_the_master_strip() -> None:
    store, engine, backend = rig()
    sent = sent_after(store, backend, SetMixerLevel(MASTER, 0.5))
    assert len(sent) == 1
    assert sent[0] == SetControls(engine.graph.master_node, {"level": 0.5, "mute": 0.0})


def test_enabling_a_send_creates_one_send_node_to_that_bus() -> None:
    store, engine, backend = rig()
    store.dispatch(SetSendLevel(1, 3, 0.4))
    sent = sent_after(store, backend, SetSendEnabled(1, 3, True))
    sends = [r for r in sent if isinstance(r, NewSynth) and r.synthdef == "imbolc_send"]
    assert len(sends) == 1
    assert sends[0].controls["out_bus"] == engine.graph.buses[3].input_bus
    assert sends[0].controls["level"] == 0.4


def test_undo_of_an_instrument_step_rebuilds_only_that_instrument() -> None:
    store, engine, backend = rig()
    store.dispatch(AddEffect(2, "delay"))
    backend.clear()
    store.undo()
    targets = {r.target for r in backend.requests() if isinstance(r, NewSynth)}
    mine = {engine.graph.instruments[2].processing_group, engine.graph.instruments[2].output_group}
    assert targets <= mine


def test_a_voice_starts_on_the_instruments_bus_with_its_envelope() -> None:
    store, engine, backend = rig()
    node = engine.note_on(1, 69, 0.8)
    new = [r for r in backend.requests() if isinstance(r, NewSynth)][-1]
    assert new.node_id == node
    assert new.target == engine.graph.instruments[1].voice_group
    assert new.controls["out"] == engine.graph.instruments[1].source_bus
    assert new.controls["freq"] == pytest.approx(440.0)
    assert new.controls["env_attack"] == store.state.instruments.get(1).envelope.attack  # type: ignore[union-attr]


def test_note_off_releases_the_gate() -> None:
    _store, engine, backend = rig()
    node = engine.note_on(1, 60, 0.8)
    backend.clear()
    assert engine.note_off(1, 60) == node
    assert backend.requests() == [SetControls(node, {"gate": 0.0})]  # type: ignore[arg-type]


def test_an_unknown_source_is_reported_and_the_rest_plays() -> None:
    import msgspec

    store = Store()
    store.dispatch(AddInstrument("saw"))
    store.dispatch(AddInstrument("sine"))
    broken = msgspec.structs.replace(store.state.instruments.items[0], source="theremin")
    project = msgspec.structs.replace(
        store.state, instruments=store.state.instruments.replaced(broken)
    )
    reports: list[str] = []
    engine = Engine(RecordingBackend(), reports.append)
    engine.start(project)
    assert any("theremin" in message for message in reports)
    assert engine.note_on(1, 60, 0.8) is None
    assert engine.note_on(2, 60, 0.8) is not None


def test_a_send_level_change_is_one_n_set_on_that_send_node() -> None:
    store, engine, backend = rig()
    store.dispatch(SetSendEnabled(1, 3, True))
    sent = sent_after(store, backend, SetSendLevel(1, 3, 0.7))
    assert sent == [SetControls(engine.graph.instruments[1].send_nodes[3], {"level": 0.7})]


def test_a_level_change_reaches_the_post_fader_sends_of_that_strip_only() -> None:
    from imbolc.core.actions import SetSendTap

    store, engine, backend = rig(8)
    store.dispatch(SetSendEnabled(1, 3, True))
    store.dispatch(SetSendTap(1, 3, "pre"))
    store.dispatch(SetSendTap(1, 3, "post"))  # re-tapped: a new node, now post-fader
    send = engine.graph.instruments[1].send_nodes[3]
    sent = sent_after(store, backend, SetMixerLevel(instrument_strip(1), 0.25))
    assert sent == [
        SetControls(engine.graph.instruments[1].output_node, {"level": 0.25}),
        SetControls(send, {"strip": 0.25}),
    ]
