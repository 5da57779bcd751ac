"""Specification of the permission table: owners edit their instruments, one client leads."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from imbolc.core import actions as act
from imbolc.core.actions import ACTION_TYPES
from imbolc.core.automation import AutomationTarget
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.net.permissions import RULES, Authority, check

ANA, BOB = 1, 2


def authority(owners: dict[int, int], privileged: int | None = ANA) -> Authority:
    names = {ANA: "ana", BOB: "bob"}
    return Authority(owners, privileged, lambda ident: names.get(ident, "?"))


def test_every_action_has_a_rule() -> None:
    assert set(RULES) == set(ACTION_TYPES)


def test_anyone_may_add_an_instrument(make_project: Callable[[int], Project]) -> None:
    assert check(act.AddInstrument("saw"), make_project(1), BOB, authority({})) is None


def test_an_owner_may_edit_its_instrument(make_project: Callable[[int], Project]) -> None:
    action = act.AddNote(1, 0, 240, 60)
    assert check(action, make_project(1), BOB, authority({1: BOB})) is None


def test_another_clients_instrument_is_refused_with_the_owners_name(
    make_project: Callable[[int], Project],
) -> None:
    reason = check(act.AddNote(1, 0, 240, 60), make_project(1), BOB, authority({1: ANA}))
    assert reason == "instrument 1 belongs to ana"


def test_an_unowned_instrument_must_be_claimed_first(
    make_project: Callable[[int], Project],
) -> None:
    reason = check(act.SetSourceParam(1, "amp", 0.3), make_project(1), ANA, authority({}))
    assert reason == "instrument 1 is not yours (claim it first)"


def test_linking_layers_needs_both_instruments(make_project: Callable[[int], Project]) -> None:
    reason = check(act.LinkLayer(1, 2), make_project(2), BOB, authority({1: BOB, 2: ANA}))
    assert reason == "instrument 2 belongs to ana"


def test_an_instrument_strip_follows_ownership_and_the_master_needs_privilege(
    make_project: Callable[[int], Project],
) -> None:
    project = make_project(1)
    rights = authority({1: BOB})
    assert check(act.SetMixerLevel(act.instrument_strip(1), 0.5), project, BOB, rights) is None
    reason = check(act.SetMixerLevel(act.MASTER, 0.5), project, BOB, rights)
    assert reason == "SetMixerLevel on the master strip needs the privilege, held by ana"


@pytest.mark.parametrize(
    "action",
    [act.SetBpm(90.0), act.AddBus(), act.SetLoop(0, 960), act.SetPlayMode("song")],
    ids=lambda a: type(a).__name__,
)
def test_session_and_bus_actions_need_the_privilege(
    action: act.Action, make_project: Callable[[int], Project]
) -> None:
    project = make_project(1)
    assert check(action, project, ANA, authority({})) is None
    assert "needs the privilege" in (check(action, project, BOB, authority({})) or "")


def test_without_a_privileged_client_the_reason_says_so(
    make_project: Callable[[int], Project],
) -> None:
    reason = check(act.SetBpm(90.0), make_project(1), BOB, authority({}, privileged=None))
    assert reason == "SetBpm needs the privilege; nobody holds it (request it)"


def test_clips_placements_and_lanes_follow_their_instruments_owner() -> None:
    store = Store(clock=lambda: 0.0)
    store.dispatch(act.AddInstrument("saw"))
    store.dispatch(act.CreateClip(1, 960, "riff"))
    store.dispatch(act.PlaceClip(1, 0))
    store.dispatch(act.AddLane(AutomationTarget("instrument", 1, "mixer.level")))
    project = store.state
    rights = authority({1: BOB})
    mine = [act.RenameClip(1, "x"), act.MovePlacement(1, 960), act.AddPoint(1, 0, 0.5)]
    assert [check(a, project, BOB, rights) for a in mine] == [None, None, None]
    assert [check(a, project, ANA, rights) for a in mine] == ["instrument 1 belongs to bob"] * 3


def test_a_global_lane_needs_the_privilege(make_project: Callable[[int], Project]) -> None:
    action = act.AddLane(AutomationTarget("global", 0, "bpm"))
    reason = check(action, make_project(1), BOB, authority({}))
    assert reason == "AddLane on a global lane needs the privilege, held by ana"
