"""The project pane (F6): file, save / save as, checkpoints, recent projects, render, tempo,
key and scale."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, get_args

from rich.text import Text
from textual.binding import BindingType
from textual.worker import get_current_worker

from imbolc.core.actions import SetBpm, SetKey, SetScale
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.session import Key, ScaleName
from imbolc.core.summary import summarize
from imbolc.core.targets import BPM_RANGE
from imbolc.tui import format as fmt
from imbolc.tui.document import Document, open_flow, save_flow
from imbolc.tui.errors import IO_ERRORS
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.project_io import CheckpointEntry
from imbolc.tui.screens.prompts import Choice, ChoiceScreen, PromptScreen
from imbolc.tui.screens.render import RenderRequest, RenderScreen
from imbolc.tui.widgets.state_view import Pane, visible_window
from imbolc.tui.workspace import Workspace

KEYS: tuple[Key, ...] = get_args(Key)
SCALES: tuple[ScaleName, ...] = get_args(ScaleName)


class ProjectPane(Pane):
    """What the project is and where it lives; its checkpoints; projects opened lately."""

    LAYER = "project"
    TITLE = "Project"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("project")

    def __init__(self, workspace: Workspace, document: Document, *, id: str | None = None) -> None:
        super().__init__(workspace, id=id)
        self.document = document
        self.cursor = 0
        self._checkpoints: Sequence[CheckpointEntry] = ()
        self._checkpoint_problem = ""
        self._read_revision: tuple[object, ...] | None = None
        self.recent_cursor = 0
        self._recent: list[Path] = []
        self.rendering: tuple[str, int] | None = None
        """The file being rendered and how far it is (percent)."""
        self._recent_revision: int | None = None

    def watched(self, project: Project) -> tuple[object, ...]:
        doc = self.document
        revisions = (doc.checkpoint_revision, doc.file_revision)
        return (project, doc.saved, str(doc.path), doc.recovered, *revisions)

    def state_changed(self) -> None:
        doc = self.document
        revision = (str(doc.path), doc.checkpoint_revision)
        if revision != self._read_revision:
            self._read_revision = revision
            try:
                self._checkpoints = doc.checkpoints()
                self._checkpoint_problem = ""
            except IO_ERRORS as error:
                self._checkpoints = ()
                self._checkpoint_problem = str(error)
        self.cursor = max(0, min(self.cursor, len(self._checkpoints) - 1))
        if doc.file_revision != self._recent_revision:
            self._recent_revision = doc.file_revision
            try:
                self._recent = doc.recent_projects()
            except IO_ERRORS:
                self._recent = []
        self.recent_cursor = max(0, min(self.recent_cursor, len(self._recent) - 1))

    def render(self) -> Text:
        doc = self.document
        project = self.ws.project
        info = summarize(project)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{doc.name}", style="bold")
        text.append(
            "  unsaved changes" if doc.dirty else "  saved",
            style="yellow" if doc.dirty else "green",
        )
        if doc.recovered:
            text.append("  (recovered from autosave)", style="yellow")
        text.append(f"\n{doc.path or 'not saved yet: S chooses a file'}\n\n", style="dim")
        settings = project.session.settings
        num, den = settings.time_signature
        text.append(f"Tempo {settings.bpm:g} BPM · {settings.key} {settings.scale} · {num}/{den}"
                    f" · tuning {settings.tuning} A4={settings.tuning_a4:g} Hz\n")  # fmt: skip
        text.append(
            f"{len(info['instruments'])} instruments · {info['notes']} notes · "
            f"{len(project.session.mixer.buses)} buses · "
            f"{len(project.session.automation.lanes)} automation lanes · "
            f"{len(project.session.arrangement.clips)} clips · "
            f"{info['length_beats']:g} beats ({info['length_seconds']:.1f} s, "
            f"{info['play_mode']} mode)\n\n"
        )
        text.append("Checkpoints\n", style="bold underline")
        if not self._checkpoints:
            hint = "none yet: c creates one" if doc.path else "save the project to keep checkpoints"
            hint = self._checkpoint_problem or hint
            text.append(f"  {hint}\n", style="dim")
        recent_rows = 2 + max(1, len(self._recent))
        rows = max(1, self.size.height - 8 - recent_rows)
        for index in visible_window(self.cursor, len(self._checkpoints), rows):
            entry = self._checkpoints[index]
            line = Text(f"  {entry.id:>4}  {fmt.moment(entry.created_at):<30}  {entry.name}")
            if index == self.cursor:
                line.stylize("reverse")
            text.append(line)
            text.append("\n")
        self._render_recent(text)
        if self.rendering is not None:
            name, percent = self.rendering
            filled = percent * 30 // 100
            bar = "#" * filled + "." * (30 - filled)
            text.append(f"\nRendering {name} [{bar}] {percent:3d} %\n", style="bold yellow")
        text.append(
            "\ns save · S save as · c checkpoint · Enter restore · [ ] o open recent · R render",
            style="dim",
        )
        return text

    def _render_recent(self, text: Text) -> None:
        text.append("\nRecent projects\n", style="bold underline")
        if not self._recent:
            text.append("  none yet: projects you save or open appear here\n", style="dim")
        for index, path in enumerate(self._recent):
            line = Text(f"  {path.name}")
            line.append(f"  {path.parent}", style="dim")
            if index == self.recent_cursor:
                line.stylize("reverse")
            text.append(line)
            text.append("\n")

    def action_move(self, step: int) -> None:
        self.cursor = max(0, min(len(self._checkpoints) - 1, self.cursor + step))
        self.refresh()

    def action_move_recent(self, step: int) -> None:
        self.recent_cursor = max(0, min(len(self._recent) - 1, self.recent_cursor + step))
        self.refresh()

    def action_open_recent(self) -> None:
        if not self._recent:
            self.ws.notify("No recent project to open", "warning")
            return
        open_flow(self.app, self.document, self._recent[self.recent_cursor])

    def action_save(self) -> None:
        save_flow(self.app, self.document)

    def action_save_as(self) -> None:
        save_flow(self.app, self.document, ask_path=True)

    def action_checkpoint(self) -> None:
        if self.document.path is None:
            self.ws.notify("Save the project first: checkpoints live in its file", "warning")
            return
        self.app.push_screen(PromptScreen("Checkpoint name", "checkpoint"), self._create)

    def _create(self, name: str | None) -> None:
        if not name:
            return
        try:
            self.document.create_checkpoint(name)
        except IO_ERRORS as error:
            self.ws.notify(f"No checkpoint made: {error}", "error")
            return
        self.cursor = len(self._checkpoints)
        self.ws.notify(f"Checkpoint {name!r} made", "information")

    def _selected(self) -> CheckpointEntry | None:
        if not self._checkpoints:
            self.ws.notify("No checkpoint selected", "warning")
            return None
        return self._checkpoints[self.cursor]

    def action_restore(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        question = f"Restore checkpoint {entry.name!r}? The undo history starts afresh."
        choices = [Choice("y", "Restore", "yes"), Choice("n", "Keep current", "no")]
        self.app.push_screen(
            ChoiceScreen(question, choices), lambda answer: self._restore(entry, answer)
        )

    def _restore(self, entry: CheckpointEntry, answer: str | None) -> None:
        if answer != "yes":
            return
        try:
            self.document.restore_checkpoint(entry.id)
        except IO_ERRORS as error:
            self.ws.notify(f"Not restored: {error}", "error")
            return
        self.ws.notify(f"Restored {entry.name!r}", "information")

    def action_delete_checkpoint(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        try:
            self.document.delete_checkpoint(entry.id)
        except IO_ERRORS as error:
            self.ws.notify(f"Not deleted: {error}", "error")

    def action_render(self) -> None:
        suggestion = str(self.document.default_render_path())
        self.app.push_screen(RenderScreen(suggestion), self._start_render)

    def _start_render(self, answer: RenderRequest | None) -> None:
        if answer is None:
            return
        target, options = answer
        project = self.ws.project
        self.ws.notify(f"Rendering to {target}…", "information")
        self.run_worker(lambda: self._render_in_thread(project, target, options), thread=True)

    def _render_in_thread(self, project: Project, target: Path, options: RenderOptions) -> None:
        worker = get_current_worker()
        shown = [-1]

        def progress(fraction: float) -> None:
            percent = int(fraction * 100)
            if percent // 5 != shown[0] // 5 and not worker.is_cancelled:
                shown[0] = percent
                self.app.call_from_thread(self._show_progress, target, percent)

        try:
            summary = self.document.io.render(project, target, progress, options)
        except IO_ERRORS as error:
            message = f"Render failed: {error}"
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_progress, target, None)
                self.app.call_from_thread(self.ws.notify, message, "error")
            return
        if not worker.is_cancelled:
            done = f"Rendered {target}" + (f": {summary}" if summary else "")
            self.app.call_from_thread(self._show_progress, target, None)
            self.app.call_from_thread(self.ws.notify, done, "information")

    def _show_progress(self, target: Path, percent: int | None) -> None:
        """Show how far the render is (None: finished) on the pane."""
        self.rendering = None if percent is None else (target.name, percent)
        self.refresh()

    def action_bpm(self, change: int) -> None:
        low, high = BPM_RANGE
        bpm = max(low, min(high, round(self.ws.project.session.settings.bpm) + change))
        self.ws.dispatch(SetBpm(float(bpm)))

    def action_key(self, step: int) -> None:
        key = self.ws.project.session.settings.key
        self.ws.dispatch(SetKey(KEYS[(KEYS.index(key) + step) % len(KEYS)]))

    def action_scale(self, step: int) -> None:
        scale = self.ws.project.session.settings.scale
        self.ws.dispatch(SetScale(SCALES[(SCALES.index(scale) + step) % len(SCALES)]))
