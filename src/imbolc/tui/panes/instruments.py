"""The instrument list (F1): select, add from the catalog, delete, rename, layer."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from imbolc.core import catalog
from imbolc.core.actions import (
    AddInstrument,
    DeleteInstrument,
    LinkLayer,
    RenameInstrument,
    SetOctaveOffset,
    UnlinkLayer,
)
from imbolc.core.ids import InstrumentId
from imbolc.core.instrument import EffectStage, FilterStage, Instrument, Stage
from imbolc.core.project import Project
from imbolc.tui.format import source_label
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.screens.picker import PickerScreen, PickItem
from imbolc.tui.screens.prompts import PromptScreen
from imbolc.tui.widgets.state_view import Pane, visible_window


def stage_name(stage: Stage) -> str:
    """A chain stage's short name: its filter or effect type, or "eq"."""
    if isinstance(stage, FilterStage):
        return stage.filter_type
    if isinstance(stage, EffectStage):
        return stage.effect_type
    return "eq"


def source_items() -> list[PickItem[str]]:
    """Every catalog source as a pick item, grouped by category."""
    return [
        PickItem(spec.display, spec.name, category, spec.name)
        for category, specs in catalog.sources_by_category().items()
        for spec in specs
    ]


class InstrumentsPane(Pane):
    """Every instrument with its source, notes, chain and layer group."""

    LAYER = "instruments"
    TITLE = "Instruments"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("instruments")

    def watched(self, project: Project) -> tuple[object, ...]:
        return (project.instruments, project.session.piano_roll, self.ws.selected_id)

    def render(self) -> Text:
        project = self.ws.project
        items = project.instruments.items
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"Instruments ({len(items)})", style="bold")
        text.append("   a add · d delete · Enter edit · l layer\n", style="dim")
        if not items:
            text.append("No instruments yet: press a to add one.", style="italic")
            return text
        selected = project.instruments.position(self.ws.selected_id or 0) or 0
        roll = project.session.piano_roll
        for row in visible_window(selected, len(items), self.size.height - 1):
            inst = items[row]
            text.append(self._row(inst, roll.track(inst.id), row == selected))
            text.append("\n")
        text.rstrip()
        return text

    def _row(self, inst: Instrument, track: object, selected: bool) -> Text:
        notes = len(getattr(track, "notes", ()))
        chain = " → ".join(stage_name(stage) for stage in inst.chain) or "·"
        layer = f"L{inst.layer_group}" if inst.layer_group is not None else ""
        if inst.octave_offset:
            layer += f" {inst.octave_offset:+d}oct"
        flags = ("M" if inst.mixer.mute else " ") + ("S" if inst.mixer.solo else " ")
        line = Text("▸ " if selected else "  ", style="bold" if selected else "")
        line.append(f"{inst.id:>3} ")
        line.append(f"{inst.name[:16]:<16} ", style="bold" if selected else "")
        line.append(f"{source_label(inst.source)[:16]:<16} ", style="cyan")
        line.append(f"{notes:>5} notes  {flags} {layer:<8} ")
        line.append(chain, style="dim")
        if not inst.active:
            line.append("  (off)", style="red")
        if selected:
            line.stylize("reverse")
        return line

    def action_move(self, step: int) -> None:
        self.ws.select_step(step)

    def action_edit(self) -> None:
        if self.ws.selected is not None:
            self.show_pane("editor")

    def action_add(self) -> None:
        self.app.push_screen(PickerScreen("Add instrument", source_items()), self._add)

    def _add(self, source: str | None) -> None:
        before = self.ws.project.instruments.next_id
        if source is not None and self.ws.dispatch(AddInstrument(source)):
            self.ws.when(
                lambda project: project.instruments.get(before) is not None,
                lambda _project: self.ws.select(InstrumentId(before)),
            )

    def action_delete(self) -> None:
        inst = self.ws.selected
        if inst is not None and self.ws.dispatch(DeleteInstrument(inst.id)):
            self.ws.notify(f"Deleted {inst.name} (Ctrl+z brings it back)", "information")

    def action_rename(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            self.app.push_screen(PromptScreen(f"Rename {inst.name}", inst.name), self._rename)

    def _rename(self, name: str | None) -> None:
        inst = self.ws.selected
        if name and name.strip() and inst is not None and name != inst.name:
            self.ws.dispatch(RenameInstrument(inst.id, name.strip()))

    def action_link(self) -> None:
        instruments = self.ws.project.instruments
        inst = self.ws.selected
        if inst is None:
            return
        position = instruments.position(inst.id) or 0
        if position + 1 >= len(instruments.items):
            self.ws.notify("Select an instrument that has another one below it", "warning")
            return
        self.ws.dispatch(LinkLayer(inst.id, instruments.items[position + 1].id))

    def action_unlink(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            self.ws.dispatch(UnlinkLayer(inst.id))

    def action_octave(self, step: int) -> None:
        inst = self.ws.selected
        if inst is not None:
            self.ws.dispatch(SetOctaveOffset(inst.id, inst.octave_offset + step))
