"""Who may do what: one rule per action class, and the check the server runs before applying.

A client edits only the instruments it owns (their notes, chain, strip, sends, clips and
lanes). One privileged client controls the session, the buses, the master, transport and
saving. Adding an instrument is open to everyone; the adder becomes its owner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from imbolc.core import actions as act
from imbolc.core.actions import ACTION_TYPES
from imbolc.core.actions.base import Action
from imbolc.core.project import Project

Rule = Literal["anyone", "owner", "strip", "privileged", "clip", "placement", "lane", "target"]

_PRIVILEGED: tuple[type[Action], ...] = (
    act.AddBus,
    act.RemoveBus,
    act.RenameBus,
    act.AddBusEffect,
    act.RemoveBusEffect,
    act.MoveBusEffect,
    act.SetBusEffectEnabled,
    act.SetBusEffectParam,
    act.SetLoop,
    act.SetLooping,
    act.SetSwing,
    act.SetPlayMode,
    *act.session.ACTIONS,
    *act.tempo.ACTIONS,
)
_BY_LANE: tuple[type[Action], ...] = (
    act.RemoveLane,
    act.SetLaneEnabled,
    act.SetLaneArmed,
    act.SetLaneRange,
    act.AddPoint,
    act.RemovePoint,
    act.MovePoint,
    act.SetPointCurve,
    act.ClearLane,
)
_BY_PLACEMENT: tuple[type[Action], ...] = (
    act.MovePlacement,
    act.ResizePlacement,
    act.DuplicatePlacement,
    act.RemovePlacement,
)


def _rules() -> dict[type[Action], Rule]:
    rules: dict[type[Action], Rule] = {act.AddInstrument: "anyone"}
    rules.update(dict.fromkeys(_PRIVILEGED, "privileged"))
    rules.update(dict.fromkeys(_BY_LANE, "lane"))
    rules.update(dict.fromkeys(_BY_PLACEMENT, "placement"))
    rules.update({act.DeleteClip: "clip", act.RenameClip: "clip", act.PlaceClip: "clip"})
    rules[act.SetClipNotes] = "clip"
    rules[act.AddLane] = "target"
    for cls in ACTION_TYPES:
        fields = cls.__struct_fields__
        if cls not in rules and "strip" in fields:
            rules[cls] = "strip"
        elif cls not in rules and "instrument_id" in fields:
            rules[cls] = "owner"
    return rules


RULES: dict[type[Action], Rule] = _rules()
"""The rule of every action class (a test checks none is missing)."""


class Authority:
    """Who owns which instrument and who holds the privilege, with names for the reasons."""

    def __init__(
        self,
        owners: Mapping[int, int],
        privileged: int | None,
        name_of: Callable[[int], str],
    ) -> None:
        self.owners = owners
        self.privileged = privileged
        self.name_of = name_of

    def need_privilege(self, client_id: int, what: str) -> str | None:
        """None if ``client_id`` is privileged, else the reason it may not do ``what``."""
        if self.privileged == client_id:
            return None
        if self.privileged is None:
            return f"{what} needs the privilege; nobody holds it (request it)"
        return f"{what} needs the privilege, held by {self.name_of(self.privileged)}"

    def need_owner(self, client_id: int, instrument_id: int) -> str | None:
        """None if ``client_id`` owns the instrument, else why not."""
        owner = self.owners.get(instrument_id)
        if owner == client_id:
            return None
        if owner is None:
            return f"instrument {instrument_id} is not yours (claim it first)"
        return f"instrument {instrument_id} belongs to {self.name_of(owner)}"


def check(action: Action, project: Project, client_id: int, authority: Authority) -> str | None:
    """None if the client may apply ``action`` to ``project``, else the reason it may not.

    Ids that do not exist pass here; ``apply`` then rejects them with its own reason.
    """
    what = type(action).__name__
    rule = RULES.get(type(action), "privileged")
    if rule == "anyone":
        return None
    if rule == "privileged":
        return authority.need_privilege(client_id, what)
    if rule == "owner":
        ids = [int(getattr(action, "instrument_id"))]  # noqa: B009
        if isinstance(action, act.LinkLayer):
            ids.append(int(action.other_id))
        for ident in ids:
            reason = authority.need_owner(client_id, ident)
            if reason is not None:
                return reason
        return None
    if rule == "strip":
        strip = getattr(action, "strip")  # noqa: B009
        if isinstance(strip, act.Strip) and strip.kind == "instrument":
            return authority.need_owner(client_id, int(strip.id))
        return authority.need_privilege(client_id, f"{what} on the {strip.kind} strip")
    return _check_by_lookup(rule, action, project, client_id, authority, what)


def _check_by_lookup(
    rule: Rule, action: Action, project: Project, client_id: int, authority: Authority, what: str
) -> str | None:
    arrangement = project.session.arrangement
    if rule == "clip":
        clip = arrangement.clip(int(getattr(action, "clip_id")))  # noqa: B009
        return None if clip is None else authority.need_owner(client_id, clip.instrument_id)
    if rule == "placement":
        placement = arrangement.placement(int(getattr(action, "placement_id")))  # noqa: B009
        clip = None if placement is None else arrangement.clip(placement.clip_id)
        return None if clip is None else authority.need_owner(client_id, clip.instrument_id)
    if rule == "lane":
        lane = project.session.automation.lane(int(getattr(action, "lane_id")))  # noqa: B009
        if lane is None:
            return None
        target = lane.target
    else:
        target = getattr(action, "target")  # noqa: B009
    if target.scope == "instrument":
        return authority.need_owner(client_id, int(target.owner))
    return authority.need_privilege(client_id, f"{what} on a {target.scope} lane")
