"""Tempo and meter changes as actions: sorted, validated, undoable, shared by reference."""

from __future__ import annotations

import pytest
from apply_helpers import assert_rejected, build

from imbolc.core.actions import (
    AddTempoChange,
    DeleteMeterChange,
    DeleteTempoChange,
    MoveTempoChange,
    SetMeterChange,
    SetTempoChange,
    action_decoder,
)
from imbolc.core.apply import apply
from imbolc.core.effects import SESSION_SCOPE, SessionChanged
from imbolc.core.errors import Conflict, UnknownId, ValueOutOfRange, WrongType
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.store import Store
from imbolc.core.timemap import MeterChange, TempoChange, time_map


def test_tempo_changes_are_kept_sorted_by_tick() -> None:
    project = build(AddTempoChange(1920, 90.0), AddTempoChange(960, 140.0, ramp=True))
    assert project.session.tempo_map.tempos == (
        TempoChange(960, 140.0, True),
        TempoChange(1920, 90.0, False),
    )
    _, effects = apply(project, AddTempoChange(480, 100.0))
    assert effects.changes == (SessionChanged("tempo_map"),)
    assert effects.undo == SESSION_SCOPE


def test_set_move_and_delete_a_tempo_change() -> None:
    project = build(AddTempoChange(960, 140.0), AddTempoChange(1920, 90.0))
    project, _ = apply(project, SetTempoChange(960, 150.0, ramp=True))
    assert project.session.tempo_map.tempos[0] == TempoChange(960, 150.0, True)
    project, _ = apply(project, MoveTempoChange(960, 2880))
    assert [c.tick for c in project.session.tempo_map.tempos] == [1920, 2880]
    assert project.session.tempo_map.tempos[1] == TempoChange(2880, 150.0, True)
    project, _ = apply(project, DeleteTempoChange(1920))
    assert project.session.tempo_map.tempos == (TempoChange(2880, 150.0, True),)


def test_tick_zero_is_the_starting_tempo() -> None:
    project = build(AddTempoChange(TICKS_PER_BEAT, 60.0), SetTempoChange(0, 100.0, ramp=True))
    assert project.session.settings.bpm == 100.0
    assert project.session.tempo_map.ramp_start
    assert time_map(project.session).bpm_at(TICKS_PER_BEAT // 2) == pytest.approx(80.0)


def test_the_map_follows_the_edits() -> None:
    beat = TICKS_PER_BEAT
    project = build(AddTempoChange(2 * beat, 60.0))
    assert time_map(project.session).seconds_at(4 * beat) == pytest.approx(1.0 + 2.0)
    project, _ = apply(project, DeleteTempoChange(2 * beat))
    assert time_map(project.session).seconds_at(4 * beat) == pytest.approx(4 * 0.5)


def test_meter_changes_replace_on_their_bar_and_bar_zero_is_the_session_meter() -> None:
    project = build(SetMeterChange(4, 3, 4), SetMeterChange(2, 7, 8), SetMeterChange(4, 5, 4))
    assert project.session.tempo_map.meters == (MeterChange(2, 7, 8), MeterChange(4, 5, 4))
    project, _ = apply(project, SetMeterChange(0, 6, 8))
    assert project.session.settings.time_signature == (6, 8)
    project, _ = apply(project, DeleteMeterChange(2))
    assert project.session.tempo_map.meters == (MeterChange(4, 5, 4),)


@pytest.mark.parametrize(
    ("setup", "action", "error"),
    [
        ((), AddTempoChange(0, 120.0), ValueOutOfRange),
        ((), AddTempoChange(480, 10.0), ValueOutOfRange),
        ((), AddTempoChange(480, float("nan")), WrongType),
        ((AddTempoChange(480, 90.0),), AddTempoChange(480, 100.0), Conflict),
        ((), SetTempoChange(480, 100.0), UnknownId),
        (
            (AddTempoChange(480, 90.0), AddTempoChange(960, 90.0)),
            MoveTempoChange(480, 960),
            Conflict,
        ),
        ((), DeleteTempoChange(480), UnknownId),
        ((), SetMeterChange(2, 0, 4), ValueOutOfRange),
        ((), SetMeterChange(2, 3, 5), Exception),
        ((), SetMeterChange(-1, 3, 4), ValueOutOfRange),
        ((), DeleteMeterChange(3), UnknownId),
        ((), AddTempoChange(480, 100.0, ramp=1), WrongType),  # type: ignore[arg-type]
    ],
)
def test_bad_tempo_and_meter_edits_are_rejected(setup: tuple, action: object, error: type) -> None:
    assert_rejected(setup, action, error)  # type: ignore[arg-type]


def test_undo_and_redo_put_the_map_back() -> None:
    store = Store(clock=lambda: 0.0)
    store.dispatch(AddTempoChange(960, 60.0))
    before = store.state.session.tempo_map
    store.dispatch(SetTempoChange(960, 75.0, ramp=True))
    store.dispatch(SetMeterChange(1, 3, 4))
    store.undo()
    store.undo()
    assert store.state.session.tempo_map is before
    store.redo()
    assert store.state.session.tempo_map.tempos == (TempoChange(960, 75.0, True),)


def test_tempo_actions_survive_the_wire() -> None:
    decoder = action_decoder()
    import msgspec

    for action in (
        AddTempoChange(960, 90.5, True),
        MoveTempoChange(960, 1440),
        SetMeterChange(3, 6, 8),
    ):
        assert decoder.decode(msgspec.msgpack.encode(action)) == action


def test_imbolc_check_names_a_broken_tempo_map() -> None:
    from msgspec.structs import replace

    from imbolc.core.project import Project
    from imbolc.core.summary import check_project
    from imbolc.core.timemap import TempoMap

    project = Project()
    broken = TempoMap((TempoChange(960, 90.0), TempoChange(480, 5000.0)))
    project = replace(project, session=replace(project.session, tempo_map=broken))
    assert any(p.startswith("tempo map: ") for p in check_project(project))
    assert check_project(Project()) == []


def test_the_tempo_shared_over_link_is_the_maps_tempo_at_the_tick() -> None:
    from imbolc.core.tempo_sync import session_tempo

    project = build(AddTempoChange(4 * TICKS_PER_BEAT, 90.0))
    assert session_tempo(project, 0) == project.session.settings.bpm
    assert session_tempo(project, 5 * TICKS_PER_BEAT) == 90.0
