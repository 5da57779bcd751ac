"""Typed identifiers. Plain ints on the wire and on disk; distinct types for mypy."""

from __future__ import annotations

from typing import NewType

InstrumentId = NewType("InstrumentId", int)
BusId = NewType("BusId", int)
StageId = NewType("StageId", int)
"""A processing stage (filter, EQ or effect), unique within one chain."""
LaneId = NewType("LaneId", int)
ClipId = NewType("ClipId", int)
PlacementId = NewType("PlacementId", int)
LayerGroupId = NewType("LayerGroupId", int)
