"""Actions on the arrangement and on automation."""

from __future__ import annotations

from imbolc.core.actions.base import Action
from imbolc.core.arrangement import PlayMode
from imbolc.core.automation import AutomationTarget, Curve
from imbolc.core.ids import ClipId, InstrumentId, LaneId, PlacementId
from imbolc.core.notes import Note


class CreateClip(Action, frozen=True):
    """Create a clip for an instrument from the given notes."""

    instrument_id: InstrumentId
    length_ticks: int
    name: str = ""
    notes: tuple[Note, ...] = ()


class CaptureClip(Action, frozen=True):
    """Create a clip from the instrument's piano-roll notes (and lanes) in [start, end)."""

    instrument_id: InstrumentId
    start_tick: int
    end_tick: int
    name: str = ""


class DeleteClip(Action, frozen=True):
    """Delete a clip and every placement of it."""

    clip_id: ClipId


class RenameClip(Action, frozen=True):
    """Give a clip a new name."""

    clip_id: ClipId
    name: str


class SetClipNotes(Action, frozen=True):
    """Replace a clip's notes (ticks relative to the clip start): clip editing in the roll."""

    clip_id: ClipId
    notes: tuple[Note, ...]


class PlaceClip(Action, frozen=True):
    """Place a clip on the timeline."""

    clip_id: ClipId
    start_tick: int


class MovePlacement(Action, frozen=True):
    """Move a placement to a new start tick."""

    placement_id: PlacementId
    start_tick: int


class ResizePlacement(Action, frozen=True):
    """Trim or loop a placement (None: the clip's own length)."""

    placement_id: PlacementId
    length: int | None


class DuplicatePlacement(Action, frozen=True):
    """Place the same clip again right after this placement."""

    placement_id: PlacementId


class RemovePlacement(Action, frozen=True):
    """Take a placement off the timeline (the clip stays)."""

    placement_id: PlacementId


class SetPlayMode(Action, frozen=True):
    """Loop the piano roll ("pattern") or play the arrangement ("song")."""

    mode: PlayMode


class AddLane(Action, frozen=True):
    """Add an automation lane for a target; the range defaults to the parameter's own."""

    target: AutomationTarget
    min_value: float | None = None
    max_value: float | None = None


class RemoveLane(Action, frozen=True):
    """Remove an automation lane."""

    lane_id: LaneId


class SetLaneEnabled(Action, frozen=True):
    """Play a lane, or ignore it."""

    lane_id: LaneId
    enabled: bool


class SetLaneArmed(Action, frozen=True):
    """Arm a lane for recording parameter moves."""

    lane_id: LaneId
    armed: bool


class SetLaneRange(Action, frozen=True):
    """Set the range the 0..1 point values are scaled into."""

    lane_id: LaneId
    min_value: float
    max_value: float


class AddPoint(Action, frozen=True):
    """Add a point (a point on the same tick is replaced)."""

    lane_id: LaneId
    tick: int
    value: float
    curve: Curve = "linear"


class RemovePoint(Action, frozen=True):
    """Remove the point at a tick."""

    lane_id: LaneId
    tick: int


class MovePoint(Action, frozen=True):
    """Move the point at ``tick`` to ``new_tick`` with ``value``."""

    lane_id: LaneId
    tick: int
    new_tick: int
    value: float


class SetPointCurve(Action, frozen=True):
    """Set the curve from the point at ``tick`` to the next."""

    lane_id: LaneId
    tick: int
    curve: Curve


class ClearLane(Action, frozen=True):
    """Remove every point of a lane."""

    lane_id: LaneId


ACTIONS: tuple[type[Action], ...] = (
    CreateClip,
    CaptureClip,
    DeleteClip,
    RenameClip,
    SetClipNotes,
    PlaceClip,
    MovePlacement,
    ResizePlacement,
    DuplicatePlacement,
    RemovePlacement,
    SetPlayMode,
    AddLane,
    RemoveLane,
    SetLaneEnabled,
    SetLaneArmed,
    SetLaneRange,
    AddPoint,
    RemovePoint,
    MovePoint,
    SetPointCurve,
    ClearLane,
)
