"""The bus manager (Ctrl+O, or b in the mixer): add, rename and remove buses, and edit a
bus's level, pan and effect chain with the same rows and keys as an instrument's chain."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from imbolc.core.actions import (
    AddBus,
    AddBusEffect,
    MoveBusEffect,
    RemoveBus,
    RemoveBusEffect,
    RenameBus,
    SetBusEffectEnabled,
    SetBusEffectParam,
    SetMixerLevel,
    SetMixerMute,
    SetMixerPan,
)
from imbolc.core.actions.base import Action
from imbolc.core.actions.mixer import bus_strip
from imbolc.core.catalog import ParamSpec
from imbolc.core.ids import BusId, StageId
from imbolc.core.mixer import Bus
from imbolc.core.project import Project
from imbolc.core.targets import MIXER_RANGES
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.panes.editor import effect_items
from imbolc.tui.panes.editor_rows import Row, stage_specs, stage_title
from imbolc.tui.panes.rows import RowsPane
from imbolc.tui.screens.picker import PickerScreen
from imbolc.tui.screens.prompts import Choice, ChoiceScreen, PromptScreen


def bus_rows(bus: Bus) -> tuple[Row, ...]:
    """The bus strip's level, pan and mute, then each effect's bypass and parameters."""
    strip, ident = bus_strip(bus.id), bus.id
    level = ParamSpec("level", 0.8, *MIXER_RANGES["level"])
    pan = ParamSpec("pan", 0.0, -1.0, 1.0)
    mute = ParamSpec("mute", 0.0, 0.0, 1.0, kind="bool")
    enabled = ParamSpec("enabled", 1.0, 0.0, 1.0, kind="bool")
    rows = [
        Row("Strip", "level", bus.level, level, lambda v: SetMixerLevel(strip, v)),
        Row("Strip", "pan", bus.pan, pan, lambda v: SetMixerPan(strip, v)),
        Row("Strip", "mute", float(bus.mute), mute, lambda v: SetMixerMute(strip, v >= 0.5)),
    ]
    for number, stage in enumerate(bus.effects, start=1):
        section, sid = f"{number}. {stage_title(stage)}", stage.id

        def bypass(v: float, sid: StageId = sid) -> Action:
            return SetBusEffectEnabled(ident, sid, v >= 0.5)

        rows.append(Row(section, "enabled", float(stage.enabled), enabled, bypass, sid))
        values = {param.name: param.value for param in stage.params}
        for spec in stage_specs(stage):

            def build(v: float, name: str = spec.name, sid: StageId = sid) -> Action:
                return SetBusEffectParam(ident, sid, name, v)

            rows.append(Row(section, spec.name, values.get(spec.name, spec.default), spec,
                            build, sid))  # fmt: skip
    return tuple(rows)


def bus_feeds(project: Project, bus: Bus) -> list[str]:
    """The instruments playing into ``bus``: "Lead (output)", "Pad (send post)"."""
    feeds = []
    for inst in project.instruments.items:
        send = inst.mixer.send(bus.id)
        if inst.mixer.output_bus == bus.id:
            feeds.append(f"{inst.name} (output)")
        elif send is not None and send.enabled:
            feeds.append(f"{inst.name} (send {send.tap})")
    return feeds


def removal_consequences(project: Project, bus: Bus) -> str:
    """What removing ``bus`` re-routes, in words (for the confirmation)."""
    outputs = [i.name for i in project.instruments.items if i.mixer.output_bus == bus.id]
    sends = [i.name for i in project.instruments.items if i.mixer.send(bus.id) is not None]
    lanes = [
        lane
        for lane in project.session.automation.lanes
        if lane.target.scope == "bus" and lane.target.owner == bus.id
    ]
    parts = []
    if outputs:
        parts.append(f"{', '.join(outputs)} will play to master instead")
    if sends:
        parts.append(f"the sends from {', '.join(sends)} are switched off")
    if lanes:
        parts.append(f"{len(lanes)} automation lane(s) of the bus go")
    if bus.effects:
        parts.append(f"its {len(bus.effects)} effect(s) go")
    return "; ".join(parts) if parts else "nothing is routed to it"


class BusesPane(RowsPane):
    """One bus at a time: [ ] choose it, rows edit its strip and effects."""

    LAYER = "buses"
    TITLE = "Buses"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("buses")

    @property
    def bus(self) -> Bus | None:
        """The bus being edited (the workspace's selected bus, else the first one)."""
        buses = self.ws.project.session.mixer.buses
        if not buses:
            return None
        chosen = self.ws.selected_bus
        found = None if chosen is None else self.ws.project.session.mixer.bus(chosen)
        return found or buses[0]

    def watched(self, project: Project) -> tuple[object, ...]:
        return (project.session.mixer, self.ws.selected_bus, project.instruments)

    def rows_source(self) -> tuple[object, ...]:
        return (self.bus,)

    def build_rows(self) -> tuple[Row, ...]:
        bus = self.bus
        return () if bus is None else bus_rows(bus)

    def heading(self, text: Text) -> None:
        bus = self.bus
        if bus is None:
            text.append("No buses: n adds one.", style="italic")
            return
        for other in self.ws.project.session.mixer.buses:
            style = "bold reverse" if other.id == bus.id else "dim"
            text.append(f" {other.name} ", style=style)
        text.append("\n")
        text.append(f"{bus.name}", style="bold")
        feeds = ", ".join(bus_feeds(self.ws.project, bus)) or "nothing yet"
        text.append(f"  fed by {feeds}\n", style="dim")

    def _choose(self, bus_id: BusId | None) -> None:
        self.ws.selected_bus = bus_id
        self.cursor = 0
        self.sync_all()

    def action_bus(self, step: int) -> None:
        buses, bus = self.ws.project.session.mixer.buses, self.bus
        if bus is not None:
            here = buses.index(bus)
            self._choose(buses[max(0, min(len(buses) - 1, here + step))].id)

    def action_add_bus(self) -> None:
        before = {bus.id for bus in self.ws.project.session.mixer.buses}
        if self.ws.dispatch(AddBus()):
            added = [b.id for b in self.ws.project.session.mixer.buses if b.id not in before]
            self._choose(added[0] if added else None)

    def action_rename_bus(self) -> None:
        bus = self.bus
        if bus is not None:
            prompt = PromptScreen("Rename bus", bus.name, "Type a name (1 to 64 characters)")
            self.app.push_screen(prompt, lambda name: self._rename(bus.id, name))

    def _rename(self, bus_id: BusId, name: str | None) -> None:
        if name is None:
            return
        if not name.strip():
            self.ws.notify("Bus name: it cannot be empty; type 1 to 64 characters", "error")
            return
        self.ws.dispatch(RenameBus(bus_id, name.strip()))

    def action_remove_bus(self) -> None:
        bus = self.bus
        if bus is None:
            return
        question = f"Remove {bus.name}? {removal_consequences(self.ws.project, bus)}."
        choices = [Choice("y", "Remove", "yes"), Choice("n", "Keep it", "no")]
        self.app.push_screen(
            ChoiceScreen(question, choices), lambda answer: self._remove(bus.id, answer)
        )

    def _remove(self, bus_id: BusId, answer: str | None) -> None:
        if answer == "yes" and self.ws.dispatch(RemoveBus(bus_id)):
            self._choose(None)

    def _stage_position(self) -> int | None:
        row, bus = self.row, self.bus
        if row is None or bus is None or row.stage_id is None:
            return None
        return bus.effect_position(row.stage_id)

    def _focus_stage(self, position: int) -> None:
        bus = self.bus
        if bus is None or not 0 <= position < len(bus.effects):
            return
        stage_id = bus.effects[position].id
        for index, row in enumerate(self.rows):
            if row.stage_id == stage_id:
                self.cursor = index
                break
        self.refresh()

    def action_add_effect(self) -> None:
        self.app.push_screen(PickerScreen("Add bus effect", effect_items()), self._add_effect)

    def _add_effect(self, name: str | None) -> None:
        bus, position = self.bus, self._stage_position()
        at = -1 if position is None else position + 1
        if name is None or bus is None or not self.ws.dispatch(AddBusEffect(bus.id, name, at)):
            return
        added = self.bus
        if added is not None:
            self._focus_stage(len(added.effects) - 1 if at < 0 else at)

    def action_remove_stage(self) -> None:
        row, bus = self.row, self.bus
        if row is None or bus is None or row.stage_id is None:
            self.ws.notify("Move the cursor onto an effect first", "warning")
            return
        self.ws.dispatch(RemoveBusEffect(bus.id, row.stage_id))

    def action_bypass(self) -> None:
        position, bus = self._stage_position(), self.bus
        if position is not None and bus is not None:
            stage = bus.effects[position]
            self.ws.dispatch(SetBusEffectEnabled(bus.id, stage.id, not stage.enabled))

    def action_move_stage(self, step: int) -> None:
        position, bus = self._stage_position(), self.bus
        if position is None or bus is None:
            return
        target = position + step
        moved = 0 <= target < len(bus.effects) and self.ws.dispatch(
            MoveBusEffect(bus.id, bus.effects[position].id, target)
        )
        if moved:
            self._focus_stage(target)

    def action_leave(self) -> None:
        self.show_pane("mixer")
