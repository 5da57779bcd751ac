"""Automation (F7): lanes with their targets, and the selected lane's points as a graph."""

from __future__ import annotations

from contextlib import suppress
from typing import ClassVar, get_args

from rich.text import Text
from textual.binding import BindingType

from imbolc.core import catalog
from imbolc.core.actions import (
    AddLane,
    AddPoint,
    ClearLane,
    MovePoint,
    RemoveLane,
    RemovePoint,
    SetLaneArmed,
    SetLaneEnabled,
    SetLaneRange,
    SetPointCurve,
)
from imbolc.core.actions.base import Action
from imbolc.core.automation import AutomationLane, AutomationPoint, AutomationTarget, Curve
from imbolc.core.errors import ImbolcError, UnknownCatalogEntry
from imbolc.core.instrument import EffectStage, FilterStage, Instrument
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.core.targets import target_range
from imbolc.core.timemap import time_map
from imbolc.tui import format as fmt
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.panes.editor_rows import stage_specs
from imbolc.tui.prompt_values import decimal
from imbolc.tui.screens.picker import PickerScreen, PickItem
from imbolc.tui.screens.prompts import PromptScreen
from imbolc.tui.widgets.state_view import Pane, visible_window
from imbolc.tui.workspace import Workspace

CURVES: tuple[Curve, ...] = get_args(Curve)
STEPS = (TICKS_PER_BEAT // 4, TICKS_PER_BEAT // 2, TICKS_PER_BEAT, 2 * TICKS_PER_BEAT,
         4 * TICKS_PER_BEAT)  # fmt: skip
LANE_ROWS = 4
GUTTER = 6


def target_label(project: Project, target: AutomationTarget) -> str:
    """A lane target as people read it: "Bass chain.3.cutoff", "Reverb level", "BPM"."""
    if target.scope == "instrument":
        inst = project.instruments.get(target.owner)
        owner = inst.name if inst is not None else f"instrument {target.owner}"
        return f"{owner} {target.parameter}"
    if target.scope == "bus":
        bus = project.session.mixer.bus(target.owner)
        return f"{bus.name if bus else f'bus {target.owner}'} {target.parameter}"
    if target.scope == "master":
        return f"Master {target.parameter}"
    return target.parameter.upper()


def instrument_targets(inst: Instrument) -> list[str]:
    """Every automatable parameter path of an instrument."""
    paths = ["mixer.level", "mixer.pan"]
    with suppress(UnknownCatalogEntry):
        paths += [f"source.{spec.name}" for spec in catalog.source(inst.source).params]
    paths += [f"envelope.{stage}" for stage in ("attack", "decay", "sustain", "release")]
    paths += ["lfo.rate", "lfo.depth"]
    for stage in inst.chain:
        if isinstance(stage, FilterStage | EffectStage):
            paths += [f"chain.{stage.id}.{spec.name}" for spec in stage_specs(stage)]
    paths += [f"send.{send.bus_id}.level" for send in inst.mixer.sends]
    return paths


def target_items(project: Project, selected: Instrument | None) -> list[PickItem[AutomationTarget]]:
    """Targets to add a lane for: the selected instrument's, each bus's, master and tempo."""
    items: list[PickItem[AutomationTarget]] = []
    if selected is not None:
        for path in instrument_targets(selected):
            target = AutomationTarget("instrument", selected.id, path)
            items.append(PickItem(path, target, f"instrument {selected.name}"))
    for bus in project.session.mixer.buses:
        paths = ["level", "pan"]
        for effect in bus.effects:
            paths += [f"effect.{effect.id}.{spec.name}" for spec in stage_specs(effect)]
        for path in paths:
            items.append(
                PickItem(f"{bus.name} {path}", AutomationTarget("bus", bus.id, path), "buses")
            )
    items.append(PickItem("Master level", AutomationTarget("master", 0, "level"), "master"))
    items.append(PickItem("Tempo (BPM)", AutomationTarget("global", 0, "bpm"), "master"))
    return items


def _between(row: int, before: int | None, after: int | None) -> bool:
    """Whether ``row`` lies strictly between two neighbouring graph rows (a steep slope)."""
    if before is None or after is None:
        return False
    return min(before, after) < row < max(before, after)


class AutomationPane(Pane):
    """Lane list, then a value-over-time graph of the selected lane with a cursor."""

    LAYER = "automation"
    TITLE = "Automation"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("automation")

    def __init__(self, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(workspace, id=id)
        self._lane_index = 0
        self.step = TICKS_PER_BEAT
        self.column = 0
        self.left = 0
        self.value = 0.5
        self.mark: int | None = None
        """Where a range of points starts (m), the cursor ends it."""
        self.clipboard: tuple[AutomationPoint, ...] = ()
        """Points copied from a range, ticks relative to its start."""

    def watched(self, project: Project) -> tuple[object, ...]:
        session = project.session
        return (
            session.automation,
            project.instruments,
            session.mixer,
            session.settings,
            session.tempo_map,
        )

    @property
    def lane_index(self) -> int:
        """The position of the selected lane (kept inside the current lanes)."""
        lanes = self.ws.project.session.automation.lanes
        return max(0, min(self._lane_index, len(lanes) - 1))

    @lane_index.setter
    def lane_index(self, index: int) -> None:
        self._lane_index = index

    @property
    def lane(self) -> AutomationLane | None:
        """The selected lane."""
        lanes = self.ws.project.session.automation.lanes
        return lanes[self.lane_index] if lanes else None

    @property
    def cursor_tick(self) -> int:
        """The tick under the cursor."""
        return self.column * self.step

    def point_under_cursor(self) -> AutomationPoint | None:
        """The first point inside the cursor's column."""
        lane = self.lane
        if lane is None:
            return None
        start = self.cursor_tick
        return next((p for p in lane.points if start <= p.tick < start + self.step), None)

    def render(self) -> Text:
        project = self.ws.project
        lanes = project.session.automation.lanes
        text = Text(no_wrap=True, overflow="crop")
        text.append(f"Automation ({len(lanes)} lane{'' if len(lanes) == 1 else 's'})", style="bold")
        text.append("   a add lane · Enter place point · c curve\n", style="dim")
        if not lanes:
            text.append("No lanes: press a to automate a parameter.", style="italic")
            return text
        for index in visible_window(self.lane_index, len(lanes), LANE_ROWS):
            text.append(self._lane_row(project, lanes[index], index == self.lane_index))
            text.append("\n")
        lane = lanes[self.lane_index]
        height = max(2, self.size.height - min(LANE_ROWS, len(lanes)) - 4)
        columns = max(1, self.size.width - GUTTER)
        if self.column < self.left:
            self.left = self.column
        elif self.column >= self.left + columns:
            self.left = self.column - columns + 1
        text.append(self._graph(lane, height, columns))
        text.append(self._ruler(columns))
        text.append("\n")
        text.append(self._status(lane))
        return text

    def _lane_row(self, project: Project, lane: AutomationLane, selected: bool) -> Text:
        row = Text("▸ " if selected else "  ")
        row.append(
            f"{target_label(project, lane.target)[:36]:<36}", style="bold" if selected else ""
        )
        row.append(" on " if lane.enabled else " off", style="green" if lane.enabled else "dim")
        row.append(" ● armed" if lane.armed else "        ", style="red")
        span = f"{fmt.number(lane.min_value)}..{fmt.number(lane.max_value)}"
        row.append(f"  {len(lane.points):>3} points  {span}", style="dim")
        if selected:
            row.stylize("reverse")
        return row

    def _graph(self, lane: AutomationLane, height: int, columns: int) -> Text:
        values: list[float | None] = []
        points: dict[int, AutomationPoint] = {}
        for column in range(columns):
            tick = (self.left + column) * self.step
            values.append(lane.normalized_at(tick + self.step / 2))
        for each in lane.points:
            column = each.tick // self.step - self.left
            if 0 <= column < columns:
                points.setdefault(column, each)
        cursor_row = round((1.0 - self.value) * (height - 1))
        cursor_column = self.column - self.left
        rows = [None if v is None else round((1.0 - v) * (height - 1)) for v in values]
        line_style = "cyan" if lane.enabled else "dim"
        graph = Text()
        for row in range(height):
            level = 1.0 - row / (height - 1)
            graph.append(f"{level:>4.2f}  "[:GUTTER], style="dim")
            for column, value_row in enumerate(rows):
                before = rows[column - 1] if column else None
                point = points.get(column)
                if point is not None and round((1.0 - point.value) * (height - 1)) == row:
                    char, style = "◆", "bold yellow"
                elif value_row == row:
                    char, style = "•", line_style
                elif _between(row, before, value_row):
                    char, style = "│", line_style
                else:
                    char, style = "·" if row == height - 1 else " ", "grey30"
                if column == cursor_column and row == cursor_row:
                    style += " reverse"
                elif column == cursor_column or row == cursor_row:
                    style += " on grey15"
                graph.append(char, style=style)
            graph.append("\n")
        return graph

    def _ruler(self, columns: int) -> Text:
        tmap = time_map(self.ws.project.session)
        bars = tmap.bar_starts(self.left * self.step, (self.left + columns) * self.step)
        ruler = Text(" " * GUTTER)
        column = 0
        while column < columns:
            tick = (self.left + column) * self.step
            if tick in bars:
                label = str(tmap.bar_of(tick) + 1)
                ruler.append(label[: columns - column], style="bold")
                column += len(label)
            else:
                ruler.append("·" if tick % TICKS_PER_BEAT == 0 else " ", style="dim")
                column += 1
        return ruler

    def _status(self, lane: AutomationLane) -> Text:
        sig = time_map(self.ws.project.session)
        scaled = lane.min_value + (lane.max_value - lane.min_value) * self.value
        status = Text(
            f"cursor {fmt.position(self.cursor_tick, sig)} value {self.value:.2f}", style="dim"
        )
        status.append(f" (= {fmt.number(scaled)})", style="dim")
        point = self.point_under_cursor()
        if point is not None:
            status.append(f"  point {point.value:.2f} {point.curve}", style="yellow")
        span = self.range()
        if span is not None:
            inside = len(self._points_in(lane, *span))
            where = f"{fmt.position(span[0], sig)}-{fmt.position(span[1], sig)}"
            status.append(f"  range {where} ({inside} points)", style="bold magenta")
        if self.clipboard:
            status.append(f"  clipboard {len(self.clipboard)} points", style="dim")
        return status

    def range(self) -> tuple[int, int] | None:
        """The marked range [start, end) of ticks, from the mark to the cursor's column."""
        if self.mark is None:
            return None
        start, last = sorted((self.mark, self.cursor_tick))
        return start, last + self.step

    @staticmethod
    def _points_in(lane: AutomationLane, start: int, end: int) -> list[AutomationPoint]:
        return [point for point in lane.points if start <= point.tick < end]

    def action_lane(self, step: int) -> None:
        lanes = self.ws.project.session.automation.lanes
        self.lane_index = max(0, min(len(lanes) - 1, self.lane_index + step))
        self.refresh()

    def action_move(self, step: int) -> None:
        self.column = max(0, self.column + step)
        self.refresh()

    def action_value(self, change: float) -> None:
        self.value = round(max(0.0, min(1.0, self.value + change)), 4)
        self.refresh()

    def action_zoom(self, direction: int) -> None:
        tick = self.cursor_tick
        index = max(0, min(len(STEPS) - 1, STEPS.index(self.step) - direction))
        self.step = STEPS[index]
        self.column = tick // self.step
        self.left = self.column
        self.refresh()

    def _with_lane(self) -> AutomationLane | None:
        lane = self.lane
        if lane is None:
            self.ws.notify("No lane: press a to add one", "warning")
        return lane

    def action_add_point(self) -> None:
        lane = self._with_lane()
        if lane is not None:
            self.ws.dispatch(AddPoint(lane.id, self.cursor_tick, self.value))

    def action_remove_point(self) -> None:
        lane, point = self._with_lane(), self.point_under_cursor()
        if lane is not None and point is not None:
            self.ws.dispatch(RemovePoint(lane.id, point.tick))

    def action_curve(self) -> None:
        lane, point = self._with_lane(), self.point_under_cursor()
        if lane is not None and point is not None:
            following = CURVES[(CURVES.index(point.curve) + 1) % len(CURVES)]
            self.ws.dispatch(SetPointCurve(lane.id, point.tick, following))

    def action_clear(self) -> None:
        lane = self._with_lane()
        if lane is not None:
            self.ws.dispatch(ClearLane(lane.id))

    def action_toggle_enabled(self) -> None:
        lane = self._with_lane()
        if lane is not None:
            self.ws.dispatch(SetLaneEnabled(lane.id, not lane.enabled))

    def action_toggle_armed(self) -> None:
        lane = self._with_lane()
        if lane is not None:
            self.ws.dispatch(SetLaneArmed(lane.id, not lane.armed))

    def action_add_lane(self) -> None:
        items = target_items(self.ws.project, self.ws.selected)
        self.app.push_screen(PickerScreen("Automate", items), self._add_lane)

    def _add_lane(self, target: AutomationTarget | None) -> None:
        if target is not None and self.ws.dispatch(AddLane(target)):
            self.lane_index = len(self.ws.project.session.automation.lanes) - 1
            self.refresh()

    def action_remove_lane(self) -> None:
        lane = self._with_lane()
        if lane is not None:
            self.ws.dispatch(RemoveLane(lane.id))

    # points: move, range; lane range

    def action_move_point(self, steps: int) -> None:
        lane, point = self._with_lane(), self.point_under_cursor()
        if lane is None or point is None:
            return
        tick = point.tick + steps * self.step
        if tick < 0:
            return
        if self.ws.dispatch(MovePoint(lane.id, point.tick, tick, point.value)):
            self.column = max(0, self.column + steps)
            self.refresh()

    def action_point_value(self, change: float) -> None:
        lane, point = self._with_lane(), self.point_under_cursor()
        if lane is None or point is None:
            return
        value = round(max(0.0, min(1.0, point.value + change)), 4)
        if value != point.value and self.ws.dispatch(
            MovePoint(lane.id, point.tick, point.tick, value)
        ):
            self.value = value
            self.refresh()

    def action_mark(self) -> None:
        self.mark = None if self.mark is not None else self.cursor_tick
        self.refresh()

    def _marked(self) -> tuple[AutomationLane, int, int] | None:
        lane, span = self._with_lane(), self.range()
        if lane is None:
            return None
        if span is None:
            self.ws.notify("Mark a range first: m at its start, then move the cursor", "warning")
            return None
        return lane, *span

    def action_copy_points(self) -> None:
        marked = self._marked()
        if marked is not None:
            lane, start, end = marked
            points = self._points_in(lane, start, end)
            self.clipboard = tuple(
                AutomationPoint(p.tick - start, p.value, p.curve) for p in points
            )
            self.ws.notify(f"Copied {len(points)} points", "information")
            self.refresh()

    def action_delete_points(self) -> None:
        marked = self._marked()
        if marked is not None:
            lane, start, end = marked
            removals: list[Action] = [
                RemovePoint(lane.id, p.tick) for p in self._points_in(lane, start, end)
            ]
            if self.ws.dispatch_all(removals, "delete points"):
                self.mark = None
                self.refresh()

    def action_cut_points(self) -> None:
        if self._marked() is not None:
            self.action_copy_points()
            self.action_delete_points()

    def action_paste_points(self) -> None:
        lane = self._with_lane()
        if lane is None:
            return
        if not self.clipboard:
            self.ws.notify("No points copied: m marks a range, Ctrl+C copies it", "warning")
            return
        at = self.cursor_tick
        points: list[Action] = [
            AddPoint(lane.id, at + p.tick, p.value, p.curve) for p in self.clipboard
        ]
        self.ws.dispatch_all(points, "paste points")

    def action_lane_range(self) -> None:
        lane = self._with_lane()
        if lane is None:
            return
        try:
            low, high = target_range(self.ws.project, lane.target)
        except ImbolcError as error:
            self.ws.notify(str(error), "error")
            return
        label = target_label(self.ws.project, lane.target)
        current = f"{fmt.number(lane.min_value)} {fmt.number(lane.max_value)}"
        prompt = PromptScreen(
            f"Range of {label}: low and high",
            current,
            f"two numbers within {fmt.number(low)}..{fmt.number(high)}",
        )
        self.app.push_screen(prompt, lambda text: self._set_range(lane, low, high, text))

    def _set_range(self, lane: AutomationLane, low: float, high: float, text: str | None) -> None:
        if text is None:
            return
        parts = text.replace(",", " ").replace("..", " ").split()
        try:
            if len(parts) != 2:
                raise ValueError(f"lane range: type a low and a high value ({low:g}..{high:g})")
            lo = decimal(parts[0], "lane range low", low, high)
            hi = decimal(parts[1], "lane range high", lo, high)
        except ValueError as error:
            self.ws.notify(str(error), "error")
            return
        self.ws.dispatch(SetLaneRange(lane.id, lo, hi))
