"""The piano roll (F2): a pitch x time grid of the selected instrument's notes.

Only the visible window is drawn: notes are found by binary search on the track, so the
cost of a repaint follows the size of the screen, not the length of the song.
"""

from __future__ import annotations

from typing import ClassVar

from msgspec.structs import replace
from rich.text import Text
from textual.binding import BindingType

from imbolc.core.actions import (
    AddNote,
    AddNotes,
    RemoveNote,
    RemoveNotesInRange,
    ReplaceNote,
    SetClipNotes,
    SetLoop,
    SetLooping,
)
from imbolc.core.actions.base import Action
from imbolc.core.apply import apply
from imbolc.core.arrangement import Clip
from imbolc.core.errors import ImbolcError
from imbolc.core.notes import TICKS_PER_BEAT, Note, Track
from imbolc.core.ports import Meters, Transport
from imbolc.core.project import Project
from imbolc.core.timemap import TimeMap, time_map
from imbolc.tui import format as fmt
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.widgets.state_view import Pane
from imbolc.tui.workspace import Workspace

STEPS = tuple(TICKS_PER_BEAT // n for n in (16, 8, 4, 2, 1))
"""Zoom levels: ticks per column, from a 64th note to a quarter note."""
STEP_NAMES = dict(zip(STEPS, ("1/64", "1/32", "1/16", "1/8", "1/4"), strict=True))
GUTTER = 5
LOOKBACK = 16 * 4 * TICKS_PER_BEAT
"""How far before the window to look for notes that are still sounding in it."""
BLACK_KEYS = frozenset({1, 3, 6, 8, 10})


def note_at(track: Track | None, tick: int, pitch: int) -> Note | None:
    """The note of ``pitch`` sounding at ``tick`` (the latest one to start), if any."""
    if track is None:
        return None
    for note in reversed(track.in_window(max(0, tick - LOOKBACK), tick + 1)):
        if note.pitch == pitch and note.tick <= tick < note.end:
            return note
    return None


class PianoRollPane(Pane):
    """Cursor, notes, loop, selection and clipboard for one pitched instrument."""

    LAYER = "piano_roll"
    TITLE = "Piano roll"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("piano_roll")

    def __init__(self, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(workspace, id=id)
        self.step = TICKS_PER_BEAT // 4
        self.cursor_tick = 0
        self.cursor_pitch = 60
        self.selection_anchor: tuple[int, int] | None = None
        self.velocity = 100
        self.left = 0
        """First visible column (in steps)."""
        self.top = 72
        """Highest visible pitch."""
        self.playhead: int | None = None
        self._instrument_id: int | None = None
        self._clip_id: int | None = None
        self._clip_track: tuple[Clip, Track] | None = None

    @property
    def clip(self) -> Clip | None:
        """The arrangement clip being edited (it must belong to the selected instrument)."""
        if self.ws.open_clip is None:
            return None
        clip = self.ws.project.session.arrangement.clip(self.ws.open_clip)
        return clip if clip is not None and clip.instrument_id == self.ws.selected_id else None

    @property
    def track(self) -> Track | None:
        """The notes being edited: the open clip's, else the selected instrument's track."""
        clip = self.clip
        if clip is not None:
            if self._clip_track is None or self._clip_track[0] is not clip:
                self._clip_track = (clip, Track(clip.instrument_id, clip.notes))
            return self._clip_track[1]
        inst = self.ws.selected_id
        return None if inst is None else self.ws.project.session.piano_roll.track(inst)

    def watched(self, project: Project) -> tuple[object, ...]:
        roll = project.session.piano_roll
        inst = self.ws.selected_id
        track = None if inst is None else roll.track(inst)
        settings = project.session.settings
        tempo_map = project.session.tempo_map
        looping = (roll.looping, roll.loop_start, roll.loop_end)
        return (inst, track, *looping, settings, tempo_map, self.clip)

    def state_changed(self) -> None:
        clip = self.clip
        if clip is None:
            self.ws.open_clip = None
        clip_id = None if clip is None else clip.id
        if self.ws.selected_id == self._instrument_id and clip_id == self._clip_id:
            return
        self._instrument_id = self.ws.selected_id
        self._clip_id = clip_id
        self.selection_anchor = None
        track = self.track
        if track is not None and track.notes:
            pitches = sorted(note.pitch for note in track.notes)
            self.cursor_pitch = pitches[len(pitches) // 2]
        self.cursor_tick = 0

    def note_under_cursor(self) -> Note | None:
        """The note the cursor sits on."""
        return note_at(self.track, self.cursor_tick, self.cursor_pitch)

    def selection(self) -> tuple[int, int, int, int] | None:
        """The selected (start tick, end tick, low pitch, high pitch), end exclusive."""
        if self.selection_anchor is None:
            return None
        tick, pitch = self.selection_anchor
        start, last = sorted((tick, self.cursor_tick))
        low, high = sorted((pitch, self.cursor_pitch))
        return start, last + self.step, low, high

    # drawing

    def _scroll_into_view(self, columns: int, rows: int) -> None:
        column = self.cursor_tick // self.step
        if column < self.left:
            self.left = column
        elif column >= self.left + columns:
            self.left = column - columns + 1
        if not self.top - rows < self.cursor_pitch <= self.top:
            self.top = self.cursor_pitch + rows // 2
        self.top = max(min(127, self.top), min(127, rows - 1))

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        inst = self.ws.selected
        if inst is None:
            text.append("No instrument selected (F1 to pick or add one).", style="italic")
            return text
        columns = max(1, self.size.width - GUTTER)
        rows = max(1, self.size.height - 2)
        self._scroll_into_view(columns, rows)
        text.append(self._title(inst.name))
        text.append(self._ruler(columns))
        cells = self._note_cells(columns, rows)
        for row in range(rows):
            pitch = self.top - row
            if pitch < 0:
                break
            text.append("\n")
            text.append(self._pitch_row(pitch, columns, cells.get(pitch, {})))
        return text

    def _title(self, name: str) -> Text:
        roll = self.ws.project.session.piano_roll
        sig = time_map(self.ws.project.session)
        loop = f"loop {fmt.position(roll.loop_start, sig)}-{fmt.position(roll.loop_end, sig)}"
        title = Text(f"{name}", style="bold")
        clip = self.clip
        if clip is not None:
            beats = clip.length_ticks / TICKS_PER_BEAT
            title.append(f"  clip {clip.name!r} ({beats:g} beats, Esc back)", style="bold yellow")
        title.append(f"  {fmt.pitch(self.cursor_pitch)} @ {fmt.position(self.cursor_tick, sig)}")
        note = self.note_under_cursor()
        if note is not None:
            title.append(f"  vel {note.velocity} len {note.duration}", style="cyan")
        title.append(f"  · grid {STEP_NAMES[self.step]} · {loop} {'on' if roll.looping else 'off'}")
        if self.selection_anchor is not None:
            title.append("  · selecting", style="yellow")
        title.append("\n")
        return title

    def meter_map(self) -> TimeMap:
        """The bars the grid draws: the selected instrument's own time signature (its groove)
        when it has one, else the session's tempo map."""
        project = self.ws.project
        ident = self.ws.selected_id
        inst = None if ident is None else project.instruments.get(ident)
        if inst is not None and inst.groove.time_signature is not None:
            own = inst.groove.time_signature
            return TimeMap.constant(project.session.settings.bpm, (own[0], own[1]))
        return time_map(project.session)

    def _ruler(self, columns: int) -> Text:
        tmap = self.meter_map()
        bars = tmap.bar_starts(self.left * self.step, (self.left + columns) * self.step)
        roll = self.ws.project.session.piano_roll
        ruler = Text(" " * GUTTER)
        column = 0
        while column < columns:
            tick = (self.left + column) * self.step
            in_loop = roll.loop_start <= tick < roll.loop_end
            style = "bold" if in_loop and roll.looping else "dim"
            if tick in bars:
                label = str(tmap.bar_of(tick) + 1)
                ruler.append(label[: columns - column], style=style)
                column += len(label)
                continue
            ruler.append("·" if tick % TICKS_PER_BEAT == 0 else " ", style=style)
            column += 1
        return ruler

    def _note_cells(self, columns: int, rows: int) -> dict[int, dict[int, tuple[bool, int]]]:
        """pitch -> column -> (is the note's first cell, velocity) for the visible window."""
        track = self.track
        cells: dict[int, dict[int, tuple[bool, int]]] = {}
        if track is None:
            return cells
        start = self.left * self.step
        end = start + columns * self.step
        low = self.top - rows + 1
        for note in track.in_window(max(0, start - LOOKBACK), end):
            if note.end <= start or not low <= note.pitch <= self.top:
                continue
            row = cells.setdefault(note.pitch, {})
            first = max(note.tick, start) // self.step - self.left
            last = min(note.end - 1, end - 1) // self.step - self.left
            for column in range(first, last + 1):
                row[column] = (column == note.tick // self.step - self.left, note.velocity)
        return cells

    def _pitch_row(self, pitch: int, columns: int, notes: dict[int, tuple[bool, int]]) -> Text:
        black = pitch % 12 in BLACK_KEYS
        label = fmt.pitch(pitch) if pitch % 12 == 0 or pitch == self.cursor_pitch else ""
        line = Text(f"{label:<{GUTTER - 1}} ", style="dim" if black else "")
        bars = self.meter_map().bar_starts(self.left * self.step, (self.left + columns) * self.step)
        selection = self.selection()
        cursor_column = self.cursor_tick // self.step - self.left
        playhead = None if self.playhead is None else self.playhead // self.step - self.left
        # Cells of one style are joined into one span: a row is a few spans, not one per cell.
        run_chars: list[str] = []
        run_style = ""
        for column in range(columns):
            tick = (self.left + column) * self.step
            cell = notes.get(column)
            if cell is not None:
                first, velocity = cell
                char = "█" if first else "▆"
                style = (
                    "bright_green"
                    if velocity >= 96
                    else "green"
                    if velocity >= 64
                    else "dark_green"
                )
            else:
                char = "│" if tick in bars else "·" if tick % TICKS_PER_BEAT == 0 else " "
                style = "grey30" if black else "grey42"
            if selection is not None:
                start, end, low, high = selection
                if start <= tick < end and low <= pitch <= high:
                    style += " on blue"
            if column == playhead:
                style += " on dark_goldenrod"
            if column == cursor_column and pitch == self.cursor_pitch:
                style += " reverse"
            if style == run_style:
                run_chars.append(char)
            else:
                if run_chars:
                    line.append("".join(run_chars), style=run_style)
                run_chars, run_style = [char], style
        if run_chars:
            line.append("".join(run_chars), style=run_style)
        return line

    def live(self, transport: Transport, meters: Meters) -> None:
        playhead = int(transport.tick) // self.step * self.step if transport.playing else None
        if playhead != self.playhead:
            self.playhead = playhead
            self.refresh()

    # editing

    def _move_cursor(self, dx: int, dy: int) -> None:
        """Move by grid steps; with snap on the cursor lands on the grid, with it off it keeps
        its offset from the grid (left there by a finer grid)."""
        if dx and self.ws.project.session.settings.snap:
            self.cursor_tick = max(0, (self.cursor_tick // self.step + dx) * self.step)
        else:
            self.cursor_tick = max(0, self.cursor_tick + dx * self.step)
        self.cursor_pitch = max(0, min(127, self.cursor_pitch + dy))
        self.refresh()

    def action_move(self, dx: int, dy: int) -> None:
        self.selection_anchor = None
        self._move_cursor(dx, dy)

    def action_select(self, dx: int, dy: int) -> None:
        if self.selection_anchor is None:
            self.selection_anchor = (self.cursor_tick, self.cursor_pitch)
        self._move_cursor(dx, dy)

    def action_clear_selection(self) -> None:
        if self.selection_anchor is None and self.clip is not None:
            self.ws.open_clip = None
            self.show_pane("arrangement")
            return
        self.selection_anchor = None
        self.refresh()

    def _edit(self, action: Action) -> bool:
        """Apply a note edit: to the instrument's track, or to the open clip's notes (the
        same edit applied to the clip's notes, then stored with ``SetClipNotes``)."""
        clip = self.clip
        if clip is None:
            return self.ws.dispatch(action)
        project = self.ws.project
        session = project.session
        roll = session.piano_roll.replaced(Track(clip.instrument_id, clip.notes))
        scratch = replace(project, session=replace(session, piano_roll=roll))
        try:
            edited, _effects = apply(scratch, action)
        except ImbolcError as error:
            self.ws.notify(str(error), "error")
            return False
        track = edited.session.piano_roll.track(clip.instrument_id)
        notes = () if track is None else track.notes
        return self.ws.dispatch(SetClipNotes(clip.id, notes))

    def action_toggle_note(self) -> None:
        inst = self.ws.selected_id
        if inst is None:
            return
        note = self.note_under_cursor()
        if note is not None:
            self._edit(RemoveNote(inst, note.tick, note.pitch))
        else:
            self.cursor_pitch = self.ws.entry_pitch(self.cursor_pitch)
            action = AddNote(inst, self.cursor_tick, self.step, self.cursor_pitch, self.velocity)
            self._edit(action)

    def _replace(self, note: Note, changed: Note) -> None:
        inst = self.ws.selected_id
        if inst is not None and changed != note:
            self._edit(ReplaceNote(inst, note.tick, note.pitch, changed))

    def action_velocity(self, change: int) -> None:
        note = self.note_under_cursor()
        if note is None:
            self.velocity = max(1, min(127, self.velocity + change))
            self.refresh()
            return
        velocity = max(1, min(127, note.velocity + change))
        self.velocity = velocity
        self._replace(note, Note(note.tick, note.duration, note.pitch, velocity, note.probability))

    def action_duration(self, steps: int) -> None:
        note = self.note_under_cursor()
        if note is not None:
            duration = max(min(note.duration, self.step), note.duration + steps * self.step)
            self._replace(
                note, Note(note.tick, duration, note.pitch, note.velocity, note.probability)
            )

    def action_loop_start(self) -> None:
        roll = self.ws.project.session.piano_roll
        self.ws.dispatch(SetLoop(self.cursor_tick, roll.loop_end))

    def action_loop_end(self) -> None:
        roll = self.ws.project.session.piano_roll
        self.ws.dispatch(SetLoop(roll.loop_start, self.cursor_tick + self.step))

    def action_toggle_loop(self) -> None:
        self.ws.dispatch(SetLooping(not self.ws.project.session.piano_roll.looping))

    def action_zoom(self, direction: int) -> None:
        index = max(0, min(len(STEPS) - 1, STEPS.index(self.step) - direction))
        self.step = STEPS[index]
        if self.ws.project.session.settings.snap:
            self.cursor_tick = self.cursor_tick // self.step * self.step
        self.left = self.cursor_tick // self.step
        self.refresh()

    def action_octave(self, direction: int) -> None:
        self._move_cursor(0, 12 * direction)

    def _selected_notes(self) -> tuple[tuple[int, int, int, int], tuple[Note, ...]] | None:
        area = self.selection()
        track = self.track
        if area is None or track is None:
            self.ws.notify("Select notes first (Shift+arrows)", "warning")
            return None
        start, end, low, high = area
        notes = tuple(n for n in track.in_window(start, end) if low <= n.pitch <= high)
        return area, notes

    def action_copy(self) -> None:
        found = self._selected_notes()
        if found is not None:
            (start, _end, _low, _high), notes = found
            self.ws.clipboard = tuple(
                Note(n.tick - start, n.duration, n.pitch, n.velocity, n.probability) for n in notes
            )
            self.ws.notify(f"Copied {len(notes)} notes", "information")

    def action_cut(self) -> None:
        found = self._selected_notes()
        inst = self.ws.selected_id
        if found is None or inst is None:
            return
        (start, end, low, high), notes = found
        self.ws.clipboard = tuple(
            Note(n.tick - start, n.duration, n.pitch, n.velocity, n.probability) for n in notes
        )
        if self._edit(RemoveNotesInRange(inst, start, end, low, high)):
            self.selection_anchor = None

    def action_paste(self) -> None:
        inst = self.ws.selected_id
        if inst is None or not self.ws.clipboard:
            self.ws.notify("The clipboard is empty", "warning")
            return
        at = self.cursor_tick
        notes = tuple(
            Note(n.tick + at, n.duration, n.pitch, n.velocity, n.probability)
            for n in self.ws.clipboard
        )
        self._edit(AddNotes(inst, notes))

    def action_delete(self) -> None:
        inst = self.ws.selected_id
        area = self.selection()
        if inst is None:
            return
        if area is not None:
            if self._edit(RemoveNotesInRange(inst, *area)):
                self.selection_anchor = None
            return
        note = self.note_under_cursor()
        if note is not None:
            self._edit(RemoveNote(inst, note.tick, note.pitch))
