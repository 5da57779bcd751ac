"""The instrument editor (Enter on an instrument): source, envelope, LFO, voice and chain."""

from __future__ import annotations

import math
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from imbolc.core import catalog
from imbolc.core.actions import (
    AddEffect,
    AddEq,
    AddFilter,
    MoveStage,
    RemoveStage,
    SetChannels,
    SetFilterType,
    SetInstrumentActive,
    SetInstrumentSource,
    SetLfoEnabled,
    SetLfoShape,
    SetLfoTarget,
    SetPolyphonic,
    SetStageEnabled,
)
from imbolc.core.apply.instrument import SAMPLER_SOURCES
from imbolc.core.instrument import LFO_TARGETS, FilterStage, Instrument
from imbolc.core.project import Project
from imbolc.tui.format import source_label
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.panes.editor_rows import (
    LFO_SHAPES,
    Row,
    StepSize,
    adjusted,
    editor_rows,
    parse_value,
)
from imbolc.tui.panes.instruments import source_items
from imbolc.tui.recording import recorded_move
from imbolc.tui.screens.picker import PickerScreen, PickItem
from imbolc.tui.screens.prompts import PromptScreen
from imbolc.tui.widgets.state_view import Pane, visible_window
from imbolc.tui.workspace import Workspace


def effect_items() -> list[PickItem[str]]:
    """Every catalog effect as a pick item, grouped by category."""
    return [
        PickItem(spec.display, spec.name, category, spec.name)
        for category, specs in catalog.effects_by_category().items()
        for spec in specs
    ]


def filter_items() -> list[PickItem[str]]:
    """Every catalog filter as a pick item."""
    return [PickItem(spec.display, spec.name, "", spec.name) for spec in catalog.FILTERS.values()]


class EditorPane(Pane):
    """Every value of the selected instrument as rows; arrows adjust, Enter types a value."""

    LAYER = "editor"
    TITLE = "Instrument"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("editor")

    def __init__(self, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(workspace, id=id)
        self._cursor = 0
        self._rows: tuple[Row, ...] = ()
        self._rows_of: Instrument | None = None

    def watched(self, project: Project) -> tuple[object, ...]:
        return (self.ws.selected,)

    @property
    def rows(self) -> tuple[Row, ...]:
        """The rows of the selected instrument, rebuilt only when that instrument changed."""
        inst = self.ws.selected
        if inst is not self._rows_of:
            self._rows_of = inst
            self._rows = () if inst is None else editor_rows(inst)
        return self._rows

    @property
    def cursor(self) -> int:
        """The index of the row under the cursor (kept inside the current rows)."""
        return max(0, min(self._cursor, len(self.rows) - 1))

    @cursor.setter
    def cursor(self, index: int) -> None:
        self._cursor = index

    @property
    def row(self) -> Row | None:
        """The row under the cursor."""
        rows = self.rows
        return rows[self.cursor] if rows else None

    def render(self) -> Text:
        inst = self.ws.selected
        text = Text(no_wrap=True, overflow="ellipsis")
        if inst is None:
            text.append("No instrument selected (F1 to pick or add one).", style="italic")
            return text
        text.append(f"{inst.name}", style="bold")
        text.append(f"  {source_label(inst.source)}", style="cyan")
        poly = f"poly {inst.voice_cap}" if inst.polyphonic else "mono"
        text.append(f"  {poly} · {inst.channels}{'' if inst.active else ' · off'}\n", style="dim")
        lines = self._lines()
        if not lines:
            return text
        cursor = self.cursor
        cursor_line = next(n for n, (index, _) in enumerate(lines) if index == cursor)
        for line in visible_window(cursor_line, len(lines), self.size.height - 1):
            text.append(lines[line][1])
            text.append("\n")
        text.rstrip()
        return text

    def _lines(self) -> list[tuple[int | None, Text]]:
        lines: list[tuple[int | None, Text]] = []
        section = None
        for index, row in enumerate(self.rows):
            if row.section != section:
                section = row.section
                lines.append((None, Text(section, style="bold underline")))
            line = Text("  ")
            line.append(f"{row.label:<20}")
            line.append(f"{row.text:>14}", style="bold")
            fraction = gauge_fraction(row)
            if fraction is not None:
                line.append("  " + _gauge(fraction, 20), style="green")
            if index == self.cursor:
                line.stylize("reverse")
            lines.append((index, line))
        return lines

    def action_move(self, step: int) -> None:
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + step))
        self.refresh()

    def _set(self, row: Row, value: float) -> None:
        if row.build is not None and value != row.value:
            self.ws.dispatch(row.build(value))

    def action_adjust(self, direction: int, size: StepSize) -> None:
        row = self.row
        if row is not None:
            self._set(row, adjusted(row, direction, size))

    def action_reset(self) -> None:
        row = self.row
        if row is not None and row.spec is not None:
            self._set(row, row.spec.default)

    def action_type_value(self) -> None:
        row = self.row
        if row is None or row.spec is None:
            return
        spec = row.spec
        hint = f"{spec.min:g} … {spec.max:g} {spec.unit}".rstrip()
        if spec.choices:
            hint = ", ".join(spec.choices)
        title = f"{row.section} · {row.label}"
        self.app.push_screen(PromptScreen(title, row.text.split(" ")[0], hint), self._typed)

    def _typed(self, answer: str | None) -> None:
        row = self.row
        if answer is None or row is None or row.spec is None:
            return
        try:
            value = parse_value(answer, row.spec)
        except ValueError as error:
            self.ws.notify(str(error), "error")
            return
        if row.build is not None:
            self.ws.dispatch(row.build(value))

    def _stage_position(self) -> int | None:
        row, inst = self.row, self.ws.selected
        if row is None or inst is None or row.stage_id is None:
            return None
        return inst.stage_position(row.stage_id)

    def _insert_at(self) -> int:
        position = self._stage_position()
        return -1 if position is None else position + 1

    def _focus_stage(self, position: int) -> None:
        inst = self.ws.selected
        if inst is None or not inst.chain:
            return
        stage_id = inst.chain[position].id
        for index, row in enumerate(self.rows):
            if row.stage_id == stage_id:
                self.cursor = index
                break
        self.refresh()

    def _added(self, position: int) -> None:
        inst = self.ws.selected
        if inst is not None:
            self._focus_stage(len(inst.chain) - 1 if position < 0 else position)

    def action_add_filter(self) -> None:
        self.app.push_screen(PickerScreen("Add filter", filter_items()), self._add_filter)

    def _add_filter(self, name: str | None) -> None:
        inst, at = self.ws.selected, self._insert_at()
        if name is not None and inst is not None and self.ws.dispatch(AddFilter(inst.id, name, at)):
            self._added(at)

    def action_add_eq(self) -> None:
        inst, at = self.ws.selected, self._insert_at()
        if inst is not None and self.ws.dispatch(AddEq(inst.id, at)):
            self._added(at)

    def action_add_effect(self) -> None:
        self.app.push_screen(PickerScreen("Add effect", effect_items()), self._add_effect)

    def _add_effect(self, name: str | None) -> None:
        inst, at = self.ws.selected, self._insert_at()
        if name is not None and inst is not None and self.ws.dispatch(AddEffect(inst.id, name, at)):
            self._added(at)

    def action_remove_stage(self) -> None:
        row, inst = self.row, self.ws.selected
        if row is None or inst is None or row.stage_id is None:
            self.ws.notify("Move the cursor onto a filter, EQ or effect first", "warning")
            return
        self.ws.dispatch(RemoveStage(inst.id, row.stage_id))

    def action_bypass(self) -> None:
        position, inst = self._stage_position(), self.ws.selected
        if position is not None and inst is not None:
            stage = inst.chain[position]
            self.ws.dispatch(SetStageEnabled(inst.id, stage.id, not stage.enabled))

    def action_move_stage(self, step: int) -> None:
        position, inst = self._stage_position(), self.ws.selected
        if position is None or inst is None:
            return
        target = position + step
        moved = 0 <= target < len(inst.chain) and self.ws.dispatch(
            MoveStage(inst.id, inst.chain[position].id, target)
        )
        if moved:
            self._focus_stage(target)

    def action_filter_type(self) -> None:
        position, inst = self._stage_position(), self.ws.selected
        if position is None or inst is None:
            return
        stage = inst.chain[position]
        if not isinstance(stage, FilterStage):
            self.ws.notify("Move the cursor onto a filter first", "warning")
            return
        names = list(catalog.FILTERS)
        following = names[(names.index(stage.filter_type) + 1) % len(names)]
        self.ws.dispatch(SetFilterType(inst.id, stage.id, following))

    def action_toggle_lfo(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            self.ws.dispatch(SetLfoEnabled(inst.id, not inst.lfo.enabled))

    def action_lfo_shape(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            following = LFO_SHAPES[(LFO_SHAPES.index(inst.lfo.shape) + 1) % len(LFO_SHAPES)]
            self.ws.dispatch(SetLfoShape(inst.id, following))

    def action_lfo_target(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            index = (LFO_TARGETS.index(inst.lfo.target) + 1) % len(LFO_TARGETS)
            self.ws.dispatch(SetLfoTarget(inst.id, LFO_TARGETS[index]))

    def action_toggle_poly(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            self.ws.dispatch(SetPolyphonic(inst.id, not inst.polyphonic))

    def action_toggle_channels(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            self.ws.dispatch(
                SetChannels(inst.id, "mono" if inst.channels == "stereo" else "stereo")
            )

    def action_toggle_active(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            self.ws.dispatch(SetInstrumentActive(inst.id, not inst.active))

    def action_midi_learn(self) -> None:
        """Map the next knob moved on a MIDI controller to the parameter under the cursor."""
        row = self.row
        move = None if row is None or row.build is None else recorded_move(row.build(row.value))
        if move is None:
            self.ws.notify("This row cannot follow a knob (pick a numeric parameter).", "warning")
            return
        self.ws.midi_learn(move[0])

    def action_leave(self) -> None:
        self.show_pane("instruments")

    def action_change_source(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            title = f"Source of {inst.name} (now {source_label(inst.source)}); its settings reset"
            self.app.push_screen(PickerScreen(title, source_items()), self._change_source)

    def _change_source(self, source: str | None) -> None:
        inst = self.ws.selected
        if source is None or inst is None or source == inst.source:
            return
        if self.ws.dispatch(SetInstrumentSource(inst.id, source)):
            hint = ": o loads a sample" if source in SAMPLER_SOURCES else ""
            self.ws.notify(f"{inst.name} now plays {source_label(source)}{hint}", "information")

    def action_sampler(self) -> None:
        inst = self.ws.selected
        if inst is not None and inst.source not in SAMPLER_SOURCES:
            self.ws.notify(f"{inst.name} is not a sampler: i changes its source", "warning")
            return
        self.show_pane("sampler")


def gauge_fraction(row: Row) -> float | None:
    """Where a continuous value sits in its range, 0..1 (log scale for frequencies)."""
    spec = row.spec
    if spec is None or spec.kind != "float" or spec.max <= spec.min:
        return None
    if spec.unit == "Hz" and spec.min > 0 and row.value > 0:
        return math.log(row.value / spec.min) / math.log(spec.max / spec.min)
    return (row.value - spec.min) / (spec.max - spec.min)


def _gauge(fraction: float, width: int) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "━" * filled + "─" * (width - filled)
