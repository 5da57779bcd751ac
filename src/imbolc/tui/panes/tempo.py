"""The tempo map (ctrl+t): a bar ruler that follows the meter map, a tempo lane and a meter lane.

The cursor walks the grid; keys add, move, change, ramp and delete tempo changes at the cursor
and set or delete the meter from the cursor's bar on. Every edit is an action, so undo works.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from imbolc.core.actions import (
    AddTempoChange,
    DeleteMeterChange,
    DeleteTempoChange,
    MoveTempoChange,
    SetMeterChange,
    SetTempoChange,
)
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import Meters, Transport
from imbolc.core.project import Project
from imbolc.core.session import Session
from imbolc.core.targets import BPM_RANGE
from imbolc.core.timemap import TempoChange, TimeMap, time_map
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.widgets.state_view import Pane
from imbolc.tui.workspace import Workspace

STEPS = tuple(TICKS_PER_BEAT * n // 4 for n in (1, 2, 4, 8, 16))
"""Zoom levels: ticks per column, from a 16th note to a bar of 4/4."""
GUTTER = 8
METERS = ((4, 4), (3, 4), (6, 8), (2, 4), (5, 4), (7, 8), (12, 8), (3, 8))
"""The meters ``m`` steps through."""


def tempo_lane(
    session: Session,
    left: int,
    step: int,
    columns: int,
    gutter: int,
    *,
    cursor: int | None = None,
    playhead: int | None = None,
) -> Text:
    """One row: ◆ a tempo step, ◢ the start of a ramp (╱ while it glides), each followed by its
    BPM, for ``columns`` columns of ``step`` ticks from column ``left``. The arrangement draws
    it under its ruler; the tempo map pane edits it."""
    line = Text(f"{'tempo':<{gutter}}", style="bold")
    starting = TempoChange(0, session.settings.bpm, session.tempo_map.ramp_start)
    changes = (starting, *session.tempo_map.tempos)
    marks: dict[int, TempoChange] = {}
    for change in changes:
        marks.setdefault(change.tick // step - left, change)
    prior = [c for c in changes if c.tick <= left * step]
    ramping = bool(prior) and prior[-1].ramp
    label = ""
    for column in range(columns):
        mark = marks.get(column)
        if mark is not None:
            ramping = mark.ramp
            label = f"{mark.bpm:g}"
            char, style = ("◢" if mark.ramp else "◆"), "bold yellow"
        elif label:
            char, style = label[0], "yellow"
            label = label[1:]
        else:
            char, style = ("╱" if ramping else "─"), "grey50"
        if column + left == cursor:
            style += " reverse"
        elif column + left == playhead:
            style = "black on dark_goldenrod"
        line.append(char, style=style)
    return line


class TempoPane(Pane):
    """Tempo and meter changes on a timeline, edited at the cursor."""

    LAYER = "tempo"
    TITLE = "Tempo map"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("tempo")

    def __init__(self, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(workspace, id=id)
        self.step = TICKS_PER_BEAT
        self.column = 0
        self.left = 0
        self.playhead: int | None = None

    def watched(self, project: Project) -> tuple[object, ...]:
        session = project.session
        return (session.settings, session.tempo_map)

    @property
    def cursor_tick(self) -> int:
        """The tick under the cursor."""
        return self.column * self.step

    @property
    def timemap(self) -> TimeMap:
        return time_map(self.ws.project.session)

    def change_at_cursor(self) -> TempoChange | None:
        """The tempo change in the cursor's column (tick 0: the starting tempo)."""
        session = self.ws.project.session
        low, high = self.cursor_tick, self.cursor_tick + self.step
        if low == 0:
            return TempoChange(0, session.settings.bpm, session.tempo_map.ramp_start)
        for change in session.tempo_map.tempos:
            if low <= change.tick < high:
                return change
        return None

    # --- drawing ------------------------------------------------------------------------------

    def render(self) -> Text:
        session = self.ws.project.session
        tmap = self.timemap
        text = Text(no_wrap=True, overflow="crop")
        at = tmap.position(self.cursor_tick)
        num, den = tmap.meter_at(self.cursor_tick)
        text.append("Tempo map", style="bold")
        text.append(
            f"  · cursor {at.bar + 1}.{at.beat + 1} · {tmap.bpm_at(self.cursor_tick):.2f} BPM"
            f" · {num}/{den} · {tmap.seconds_at(self.cursor_tick):.3f} s\n"
        )
        columns = max(1, self.size.width - GUTTER)
        if self.column < self.left:
            self.left = self.column
        elif self.column >= self.left + columns:
            self.left = self.column - columns + 1
        text.append(self._ruler(tmap, columns))
        text.append("\n")
        text.append(self._tempo_lane(columns))
        text.append("\n")
        text.append(self._meter_lane(columns))
        text.append("\n\n")
        text.append(self._listing(session.tempo_map.tempos, tmap))
        return text

    def _ruler(self, tmap: TimeMap, columns: int) -> Text:
        ruler = Text(f"{'bar':<{GUTTER}}", style="dim")
        column = 0
        while column < columns:
            tick = (self.left + column) * self.step
            bar = tmap.bar_of(tick)
            start = tmap.bar_start(bar)
            if start >= tick and start < tick + self.step:
                label = str(bar + 1)
                ruler.append(label[: columns - column], style="bold")
                column += len(label)
            else:
                ruler.append("·" if tick % tmap.beat_length(tick) == 0 else " ", style="dim")
                column += 1
        return ruler

    def _cell_style(self, column: int, base: str) -> str:
        if column + self.left == self.column:
            return base + " reverse"
        if column + self.left == self.playhead:
            return "black on dark_goldenrod"
        return base

    def _tempo_lane(self, columns: int) -> Text:
        return tempo_lane(
            self.ws.project.session, self.left, self.step, columns, GUTTER,
            cursor=self.column, playhead=self.playhead,
        )  # fmt: skip

    def _meter_lane(self, columns: int) -> Text:
        session = self.ws.project.session
        tmap = self.timemap
        line = Text(f"{'meter':<{GUTTER}}", style="bold")
        num, den = session.settings.time_signature
        changes = {0: f"{num}/{den}"}
        for meter in session.tempo_map.meters:
            changes[tmap.bar_start(meter.bar)] = f"{meter.numerator}/{meter.denominator}"
        label = ""
        for column in range(columns):
            tick = (self.left + column) * self.step
            found = [text for start, text in changes.items() if tick <= start < tick + self.step]
            if found:
                label = found[0]
            if label:
                line.append(label[0], style=self._cell_style(column, "bold cyan"))
                label = label[1:]
            else:
                line.append(" ", style=self._cell_style(column, ""))
        return line

    def _listing(self, tempos: tuple[TempoChange, ...], tmap: TimeMap) -> Text:
        session = self.ws.project.session
        text = Text()
        start = "ramp" if session.tempo_map.ramp_start else "step"
        text.append(f"start      {session.settings.bpm:g} BPM ({start})\n", style="dim")
        height = max(0, self.size.height - 7)
        for change in tempos[:height]:
            at = tmap.position(change.tick)
            kind = "ramp" if change.ramp else "step"
            text.append(f"{at.bar + 1:>4}.{at.beat + 1:<4} {change.bpm:g} BPM ({kind})\n")
        if len(tempos) > height:
            text.append(f"… {len(tempos) - height} more", style="dim")
        return text

    def live(self, transport: Transport, meters: Meters) -> None:
        playhead = int(transport.tick) // self.step if transport.playing else None
        if playhead != self.playhead:
            self.playhead = playhead
            self.refresh()

    # --- keys ---------------------------------------------------------------------------------

    def action_move(self, dx: int) -> None:
        self.column = max(0, self.column + dx)
        self.refresh()

    def action_add(self) -> None:
        """A tempo change at the cursor, at the tempo sounding there."""
        tick = self.cursor_tick
        if tick == 0 or self.change_at_cursor() is not None:
            self.ws.notify("A tempo change is already here: +/- change it", "warning")
            return
        bpm = round(self.timemap.bpm_at(tick), 2)
        self.ws.dispatch(AddTempoChange(tick, bpm))

    def action_tempo(self, delta: float) -> None:
        change = self.change_at_cursor()
        if change is None:
            self.ws.notify("No tempo change here: a adds one", "warning")
            return
        low, high = BPM_RANGE
        bpm = min(high, max(low, round(change.bpm + delta, 2)))
        self.ws.dispatch(SetTempoChange(change.tick, bpm, change.ramp))

    def action_ramp(self) -> None:
        change = self.change_at_cursor()
        if change is None:
            self.ws.notify("No tempo change here: a adds one", "warning")
            return
        self.ws.dispatch(SetTempoChange(change.tick, change.bpm, not change.ramp))

    def action_shift(self, direction: int) -> None:
        change = self.change_at_cursor()
        if change is None or change.tick == 0:
            self.ws.notify("No tempo change here to move (the start stays)", "warning")
            return
        target = change.tick + direction * self.step
        if target > 0 and self.ws.dispatch(MoveTempoChange(change.tick, target)):
            self.column = max(0, self.column + direction)
            self.refresh()

    def action_delete(self) -> None:
        change = self.change_at_cursor()
        if change is None or change.tick == 0:
            self.ws.notify("No tempo change here to delete", "warning")
            return
        self.ws.dispatch(DeleteTempoChange(change.tick))

    def action_meter(self) -> None:
        """Step the meter from the cursor's bar on to the next common one."""
        tmap = self.timemap
        bar = tmap.bar_of(self.cursor_tick)
        current = tmap.meter_at(tmap.bar_start(bar))
        index = METERS.index(current) + 1 if current in METERS else 0
        numerator, denominator = METERS[index % len(METERS)]
        self.ws.dispatch(SetMeterChange(bar, numerator, denominator))

    def action_delete_meter(self) -> None:
        bar = self.timemap.bar_of(self.cursor_tick)
        if not any(m.bar == bar for m in self.ws.project.session.tempo_map.meters):
            self.ws.notify("No meter change on this bar", "warning")
            return
        self.ws.dispatch(DeleteMeterChange(bar))

    def action_zoom(self, direction: int) -> None:
        tick = self.cursor_tick
        index = max(0, min(len(STEPS) - 1, STEPS.index(self.step) - direction))
        self.step = STEPS[index]
        self.column = tick // self.step
        self.left = self.column
        self.refresh()
