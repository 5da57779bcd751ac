"""The arrangement (F3): one lane per instrument with its clips placed on the song timeline."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from imbolc.core.actions import (
    CaptureClip,
    CreateClip,
    DeleteClip,
    DuplicatePlacement,
    MovePlacement,
    PlaceClip,
    RemovePlacement,
    RenameClip,
    ResizePlacement,
    SetPlayMode,
)
from imbolc.core.arrangement import Clip, Placement, placed_length
from imbolc.core.ids import ClipId, InstrumentId
from imbolc.core.instrument import Instrument
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import Meters, Transport
from imbolc.core.project import Project
from imbolc.core.timemap import time_map
from imbolc.tui import format as fmt
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.panes.tempo import tempo_lane
from imbolc.tui.prompt_values import whole_number
from imbolc.tui.screens.prompts import PromptScreen
from imbolc.tui.widgets.state_view import Pane, visible_window
from imbolc.tui.workspace import Workspace

STEPS = tuple(TICKS_PER_BEAT * n // 2 for n in (1, 2, 4, 8, 16))
"""Zoom levels: ticks per column, from an eighth note to two bars."""
NAME_WIDTH = 12
MAX_CLIP_BEATS = 4096
CLIP_COLORS = ("dark_blue", "dark_green", "dark_magenta", "dark_cyan", "dark_red", "purple4")


class ArrangementPane(Pane):
    """Lanes of placed clips; capture clips from the piano roll and place them."""

    LAYER = "arrangement"
    TITLE = "Arrangement"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("arrangement")

    def __init__(self, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(workspace, id=id)
        self.step = TICKS_PER_BEAT
        self.lane = 0
        self.column = 0
        self.left = 0
        self.brush: dict[InstrumentId, ClipId] = {}
        """The clip ``p`` places, per instrument."""
        self.playhead: int | None = None

    def watched(self, project: Project) -> tuple[object, ...]:
        session = project.session
        return (project.instruments, session.arrangement, session.settings, session.tempo_map)

    def state_changed(self) -> None:
        count = len(self.ws.project.instruments.items)
        self.lane = max(0, min(self.lane, count - 1))

    @property
    def cursor_tick(self) -> int:
        """The tick under the cursor."""
        return self.column * self.step

    @property
    def lane_instrument(self) -> Instrument | None:
        """The instrument of the lane under the cursor."""
        items = self.ws.project.instruments.items
        return items[self.lane] if 0 <= self.lane < len(items) else None

    def lane_clips(self, instrument_id: int) -> list[Clip]:
        """The clips that belong to an instrument."""
        clips = self.ws.project.session.arrangement.clips
        return [clip for clip in clips if clip.instrument_id == instrument_id]

    def brush_clip(self) -> Clip | None:
        """The clip ``p`` would place on the current lane (the newest one by default)."""
        inst = self.lane_instrument
        if inst is None:
            return None
        clips = self.lane_clips(inst.id)
        chosen = self.brush.get(inst.id)
        for clip in clips:
            if clip.id == chosen:
                return clip
        return clips[-1] if clips else None

    def placement_under_cursor(self) -> tuple[Placement, Clip] | None:
        """The placement on the current lane that covers the cursor."""
        inst = self.lane_instrument
        if inst is None:
            return None
        arrangement = self.ws.project.session.arrangement
        tick = self.cursor_tick
        found = None
        for placement in arrangement.placements:
            clip = arrangement.clip(placement.clip_id)
            if clip is None or clip.instrument_id != inst.id:
                continue
            if placement.start_tick <= tick < placement.start_tick + placed_length(placement, clip):
                found = (placement, clip)
        return found

    def render(self) -> Text:
        project = self.ws.project
        arrangement = project.session.arrangement
        text = Text(no_wrap=True, overflow="crop")
        text.append("Arrangement", style="bold")
        mode = "SONG" if arrangement.play_mode == "song" else "PATTERN"
        text.append(f"  {mode} mode", style="bold yellow" if mode == "SONG" else "dim")
        brush = self.brush_clip()
        brush_text = (
            f"{brush.name} ({brush.length_ticks // TICKS_PER_BEAT} beats)" if brush else "—"
        )
        text.append(f"  · clip: {brush_text}")
        sig = time_map(project.session)
        text.append(f"  · cursor {fmt.position(self.cursor_tick, sig)}\n")
        columns = max(1, self.size.width - NAME_WIDTH)
        if self.column < self.left:
            self.left = self.column
        elif self.column >= self.left + columns:
            self.left = self.column - columns + 1
        text.append(self._ruler(columns))
        text.append("\n")
        text.append(tempo_lane(project.session, self.left, self.step, columns, NAME_WIDTH,
                               playhead=self.playhead))  # fmt: skip
        items = project.instruments.items
        if not items:
            text.append("\nNo instruments.", style="italic")
            return text
        spans = self._spans(columns)
        for lane in visible_window(self.lane, len(items), self.size.height - 3):
            text.append("\n")
            text.append(self._lane(lane, items[lane], columns, spans.get(items[lane].id, [])))
        return text

    def _ruler(self, columns: int) -> Text:
        tmap = time_map(self.ws.project.session)
        bars = tmap.bar_starts(self.left * self.step, (self.left + columns) * self.step)
        ruler = Text(" " * NAME_WIDTH)
        column = 0
        while column < columns:
            tick = (self.left + column) * self.step
            if tick in bars:
                label = str(tmap.bar_of(tick) + 1)
                ruler.append(label[: columns - column], style="bold")
                column += len(label)
            else:
                ruler.append("·" if self.step < tmap.bar_length(0) else " ", style="dim")
                column += 1
        return ruler

    def _spans(self, columns: int) -> dict[int, list[tuple[int, int, Clip]]]:
        """Per instrument, the visible (first column, last column, clip) of each placement."""
        arrangement = self.ws.project.session.arrangement
        start = self.left * self.step
        end = start + columns * self.step
        spans: dict[int, list[tuple[int, int, Clip]]] = {}
        for placement in arrangement.placements:
            clip = arrangement.clip(placement.clip_id)
            if clip is None:
                continue
            length = placed_length(placement, clip)
            if placement.start_tick >= end or placement.start_tick + length <= start:
                continue
            first = placement.start_tick // self.step - self.left
            last = (placement.start_tick + length - 1) // self.step - self.left
            spans.setdefault(clip.instrument_id, []).append((first, last, clip))
        return spans

    def _lane(
        self, lane: int, inst: Instrument, columns: int, spans: list[tuple[int, int, Clip]]
    ) -> Text:
        selected = lane == self.lane
        line = Text(f"{inst.name[: NAME_WIDTH - 1]:<{NAME_WIDTH - 1}} ",
                    style="bold reverse" if selected else "")  # fmt: skip
        cells: list[tuple[str, str]] = [("·", "grey30")] * columns
        for first, last, clip in spans:
            color = CLIP_COLORS[clip.id % len(CLIP_COLORS)]
            label = clip.name
            for column in range(max(0, first), min(columns, last + 1)):
                offset = column - first
                char = "▕" if offset == 0 else label[offset - 1] if offset - 1 < len(label) else " "
                cells[column] = (char, f"white on {color}")
        for column, (char, style) in enumerate(cells):
            shown = "black on dark_goldenrod" if column + self.left == self.playhead else style
            if selected and column + self.left == self.column:
                shown += " reverse"
            line.append(char, style=shown)
        return line

    def live(self, transport: Transport, meters: Meters) -> None:
        playhead = int(transport.tick) // self.step if transport.playing else None
        if playhead != self.playhead:
            self.playhead = playhead
            self.refresh()

    def action_move(self, dx: int, dy: int) -> None:
        count = len(self.ws.project.instruments.items)
        self.column = max(0, self.column + dx)
        self.lane = max(0, min(count - 1, self.lane + dy))
        self.refresh()

    def action_capture(self) -> None:
        inst = self.lane_instrument
        if inst is None:
            return
        roll = self.ws.project.session.piano_roll
        clip_id = self.ws.project.session.arrangement.next_clip_id
        if self.ws.dispatch(CaptureClip(inst.id, roll.loop_start, roll.loop_end)):

            def captured(project: Project) -> None:
                clip = project.session.arrangement.clip(clip_id)
                if clip is not None:
                    self.brush[inst.id] = clip.id
                    self.ws.notify(f"Captured {clip.name}: p places it", "information")

            self.ws.when(lambda p: p.session.arrangement.clip(clip_id) is not None, captured)

    def action_next_clip(self) -> None:
        inst = self.lane_instrument
        if inst is None:
            return
        clips = self.lane_clips(inst.id)
        if not clips:
            self.ws.notify(f"{inst.name} has no clips: n captures one", "warning")
            return
        current = self.brush_clip()
        index = clips.index(current) + 1 if current in clips else 0
        self.brush[inst.id] = clips[index % len(clips)].id
        self.refresh()

    def action_place(self) -> None:
        clip = self.brush_clip()
        if clip is None:
            self.ws.notify("This lane has no clip yet: n captures one", "warning")
            return
        self.ws.dispatch(PlaceClip(clip.id, self.cursor_tick))

    def _under_cursor(self) -> tuple[Placement, Clip] | None:
        found = self.placement_under_cursor()
        if found is None:
            self.ws.notify("No clip under the cursor", "warning")
        return found

    def action_shift(self, direction: int) -> None:
        found = self._under_cursor()
        if found is not None:
            placement, _clip = found
            start = placement.start_tick + direction * self.step
            if self.ws.project.session.settings.snap:  # lands on the grid, a step either way
                up = -(-placement.start_tick // self.step)
                grid = placement.start_tick // self.step + 1 if direction > 0 else up - 1
                start = grid * self.step
            if start >= 0 and self.ws.dispatch(MovePlacement(placement.id, start)):
                self.column = max(0, self.column + direction)
                self.refresh()

    def action_duplicate(self) -> None:
        found = self._under_cursor()
        if found is not None:
            self.ws.dispatch(DuplicatePlacement(found[0].id))

    def action_remove(self) -> None:
        found = self._under_cursor()
        if found is not None:
            self.ws.dispatch(RemovePlacement(found[0].id))

    def action_delete_clip(self) -> None:
        found = self.placement_under_cursor()
        clip = found[1] if found is not None else self.brush_clip()
        if clip is not None and self.ws.dispatch(DeleteClip(clip.id)):
            self.ws.notify(f"Deleted clip {clip.name} and its placements", "information")

    def action_tempo_map(self) -> None:
        """Edit the tempo lane in the tempo map pane."""
        self.show_pane("tempo")

    def action_toggle_mode(self) -> None:
        mode = self.ws.project.session.arrangement.play_mode
        self.ws.dispatch(SetPlayMode("pattern" if mode == "song" else "song"))

    def action_zoom(self, direction: int) -> None:
        tick = self.cursor_tick
        index = max(0, min(len(STEPS) - 1, STEPS.index(self.step) - direction))
        self.step = STEPS[index]
        self.column = tick // self.step
        self.left = self.column
        self.refresh()

    # clips: new, rename, resize, edit the notes

    def _clip_here(self) -> Clip | None:
        """The clip under the cursor, else the one ``p`` places."""
        found = self.placement_under_cursor()
        clip = found[1] if found is not None else self.brush_clip()
        if clip is None:
            self.ws.notify("This lane has no clip yet: a makes an empty one", "warning")
        return clip

    def action_new_clip(self) -> None:
        inst = self.lane_instrument
        if inst is None:
            return
        bar = time_map(self.ws.project.session).bar_length(0) // TICKS_PER_BEAT
        prompt = PromptScreen(f"New empty clip for {inst.name}: length in beats", str(bar),
                              f"1..{MAX_CLIP_BEATS} beats")  # fmt: skip
        self.app.push_screen(prompt, lambda text: self._new_clip(inst.id, text))

    def _new_clip(self, instrument_id: InstrumentId, text: str | None) -> None:
        if text is None:
            return
        try:
            beats = whole_number(text, "clip length in beats", 1, MAX_CLIP_BEATS)
        except ValueError as error:
            self.ws.notify(str(error), "error")
            return
        clip_id = ClipId(self.ws.project.session.arrangement.next_clip_id)
        if self.ws.dispatch(CreateClip(instrument_id, beats * TICKS_PER_BEAT)):

            def created(project: Project) -> None:
                clip = project.session.arrangement.clip(clip_id)
                if clip is not None:
                    self.brush[instrument_id] = clip.id
                    self.ws.notify(f"Made {clip.name}: p places it, Enter edits it", "information")
                    self.refresh()

            self.ws.when(lambda p: p.session.arrangement.clip(clip_id) is not None, created)

    def action_rename_clip(self) -> None:
        clip = self._clip_here()
        if clip is not None:
            prompt = PromptScreen(f"Rename clip {clip.name}", clip.name)
            self.app.push_screen(prompt, lambda name: self._rename(clip, name))

    def _rename(self, clip: Clip, name: str | None) -> None:
        if name is None:
            return
        if not name.strip():
            self.ws.notify("clip name: type at least one character", "error")
            return
        if name.strip() != clip.name:
            self.ws.dispatch(RenameClip(clip.id, name.strip()))

    def action_resize(self, steps: int) -> None:
        found = self._under_cursor()
        if found is not None:
            placement, clip = found
            length = placed_length(placement, clip) + steps * self.step
            if length < 1:
                self.ws.notify("A placement cannot be shorter than one tick", "warning")
                return
            self.ws.dispatch(ResizePlacement(placement.id, length))

    def action_natural_length(self) -> None:
        found = self._under_cursor()
        if found is not None and found[0].length_override is not None:
            self.ws.dispatch(ResizePlacement(found[0].id, None))

    def action_edit_clip(self) -> None:
        """Open the clip's notes in the piano roll (Esc there comes back here)."""
        clip = self._clip_here()
        if clip is not None:
            self.ws.select(clip.instrument_id)
            self.ws.open_clip = clip.id
            self.show_pane("piano_roll")
