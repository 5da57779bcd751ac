"""The imbolc terminal app: header, panes, footer, and the global keys.

Every edit goes through the store (via ``Workspace.dispatch``). The app subscribes to the
store and, once per burst of commits, asks the header and the visible pane to sync; each
compares the subtrees it draws by identity and repaints only if one was replaced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher

from imbolc.core.live_control import LiveControl, NoLive
from imbolc.core.ports import EnginePort, EngineStatus, Meters, Transport
from imbolc.core.store import Commit, Store
from imbolc.tui.commands import PaletteEntry, PaneCommands
from imbolc.tui.document import Document, save_flow
from imbolc.tui.errors import ENGINE_ERRORS, IO_ERRORS
from imbolc.tui.header import HeaderBar
from imbolc.tui.keymap import (
    display_key,
    layer_bindings,
    load_keymap,
    textual_key,
    textual_keymap,
)
from imbolc.tui.live import LiveUpdates
from imbolc.tui.panes.arrangement import ArrangementPane
from imbolc.tui.panes.automation import AutomationPane
from imbolc.tui.panes.buses import BusesPane
from imbolc.tui.panes.drums import DrumsPane
from imbolc.tui.panes.editor import EditorPane
from imbolc.tui.panes.engine import EnginePane
from imbolc.tui.panes.instruments import InstrumentsPane
from imbolc.tui.panes.midi import MidiPane, record_take
from imbolc.tui.panes.mixer import MixerPane
from imbolc.tui.panes.piano_roll import PianoRollPane
from imbolc.tui.panes.project import ProjectPane
from imbolc.tui.panes.sampler import SamplerPane
from imbolc.tui.panes.session import SessionPane
from imbolc.tui.panes.settings import SETTINGS, SettingsPane
from imbolc.tui.panes.tempo import TempoPane
from imbolc.tui.performance import Performance
from imbolc.tui.project_io import ProjectIO
from imbolc.tui.screens.help import HelpScreen
from imbolc.tui.screens.picker import PickerScreen, PickItem
from imbolc.tui.screens.prompts import Choice, ChoiceScreen
from imbolc.tui.session_link import SessionLink, SessionView, WebRemoteSwitch
from imbolc.tui.widgets.key_hints import KeyHints
from imbolc.tui.widgets.state_view import Pane
from imbolc.tui.workspace import Severity, Workspace, WorkspaceHooks

PERFORMANCE_ACTIONS = frozenset({"note", "octave", "velocity", "leave_performance"})
HISTORY_DEPTH = 20
NOTIFY_SECONDS: dict[str, float] = {"information": 3.0, "warning": 5.0, "error": 8.0}


class ImbolcApp(App[None], inherit_bindings=False):
    """A keyboard-first DAW in the terminal, editing the project held by ``store``."""

    TITLE = "imbolc"
    CSS = """
    #panes {
        height: 1fr;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        *layer_bindings("global"),
        *layer_bindings("performance", priority=True),
    ]
    COMMANDS: ClassVar[set[Any]] = {PaneCommands}

    def __init__(
        self,
        store: Store,
        engine: EnginePort,
        io: ProjectIO,
        project_path: Path | None = None,
        keymap_override: Path | None = None,
        session: SessionLink | None = None,
        live: LiveControl | None = None,
        scale_lock: bool = False,
    ) -> None:
        super().__init__()
        self.store = store
        self.live_input: LiveControl = live or NoLive()
        self.engine = engine
        self.keymap, self._keymap_warnings = load_keymap(keymap_override)
        self.ws = Workspace(store, engine, self._notify)
        self.ws.scale_lock = scale_lock
        self.session = session
        self.document = Document(store, io, project_path)
        self.performance = Performance(engine, self.set_timer, lambda: store.state, self.live_input)
        self.header = HeaderBar(self.ws, self.document)
        self.hints = KeyHints(self.keymap)
        ws = self.ws
        self.engine_pane = EnginePane(ws, id="engine")
        self.panes: dict[str, Pane] = {
            "instruments": InstrumentsPane(ws, id="instruments"),
            "editor": EditorPane(ws, id="editor"),
            "piano_roll": PianoRollPane(ws, id="piano_roll"),
            "drums": DrumsPane(ws, id="drums"),
            "arrangement": ArrangementPane(ws, id="arrangement"),
            "mixer": MixerPane(ws, id="mixer"),
            "automation": AutomationPane(ws, id="automation"),
            "engine": self.engine_pane,
            "project": ProjectPane(ws, self.document, id="project"),
            "session": SessionPane(ws, session, id="session"),
            "tempo": TempoPane(ws, id="tempo"),
            "midi": MidiPane(ws, self.live_input, id="midi"),
            "settings": SettingsPane(ws, id="settings"),
            "buses": BusesPane(ws, id="buses"),
            "sampler": SamplerPane(ws, id="sampler"),
        }
        self.live = LiveUpdates(self, engine, self._show_live, lambda: self.performance.sounding)
        self._current = "instruments"
        self._history: list[str] = []
        self._sync_pending = False
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        yield self.header
        with ContentSwitcher(initial=self._current, id="panes"):
            yield from self.panes.values()
        yield self.hints

    def on_mount(self) -> None:
        overrides = textual_keymap(self.keymap)
        if overrides:
            self.set_keymap(overrides)
        for warning in self._keymap_warnings:
            self.notify(warning, severity="warning", timeout=NOTIFY_SECONDS["error"])
        self._unsubscribe = self.store.subscribe(self._on_commit)
        self.ws.on_select = self.schedule_sync
        self.ws.show_pane = self.show_pane
        self.document.on_change = self.schedule_sync
        self.engine_pane.on_engine_change = self._poll_engine
        self.show_pane(self._current, remember=False)
        self._show_live(*self._read_engine())
        self._poll_engine()
        self._offer_recovery()
        self.live_input.bind(WorkspaceHooks(asyncio.get_running_loop(), self.ws))
        midi = self.panes["midi"]
        assert isinstance(midi, MidiPane)
        self.ws.midi_learn = midi.learn_target

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.live.stop()
        self.performance.release_all()

    # state → views

    def _on_commit(self, _commit: Commit) -> None:
        self.schedule_sync()

    def schedule_sync(self) -> None:
        """Sync the views once, after every message already queued (a key-repeat burst)."""
        if not self._sync_pending:
            self._sync_pending = True
            self.call_later(self._sync)

    def _sync(self) -> None:
        self._sync_pending = False
        self.ws.reconcile()
        self.header.sync()
        self.current_pane.sync_all()

    @property
    def current_pane(self) -> Pane:
        """The pane on screen."""
        return self.panes[self._current]

    def show_pane(self, name: str, remember: bool = True) -> None:
        """Put pane ``name`` on screen and give it the keyboard."""
        if name not in self.panes:
            self.notify(f"There is no pane {name!r}", severity="error")
            return
        if name != self._current:
            if remember:
                self._history = [*self._history, self._current][-HISTORY_DEPTH:]
            self._current = name
            self.query_one("#panes", ContentSwitcher).current = name
        pane = self.panes[name]
        # Focus now rather than after the queued messages: keys typed right after a pane
        # switch must reach the new pane.
        pane.screen.set_focus(pane)
        self.header.pane_title = pane.TITLE
        self.header.sync()
        self._show_hints()
        pane.sync_all()
        if self.live.running:
            self.live.tick()

    # engine

    def _read_engine(self) -> tuple[Transport, Meters]:
        try:
            return self.engine.transport(), self.engine.meters()
        except ENGINE_ERRORS:
            return Transport(), Meters()

    def _show_live(self, transport: Transport, meters: Meters) -> None:
        self.header.live(transport, meters)
        self.current_pane.live(transport, meters)
        if transport.playing:
            self._poll_engine()

    def _poll_engine(self) -> None:
        try:
            status = self.engine.status()
        except ENGINE_ERRORS as error:
            status = EngineStatus(state="error", message=str(error))
        self.header.show_status(status)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self._performing():
            await self._perform_key(event)
        else:
            await super().on_event(event)
        if isinstance(event, events.Key):
            self._poll_engine()

    def _performing(self) -> bool:
        """Whether performance mode owns the keyboard (it is on and no dialog is open)."""
        return self.performance.active and not isinstance(self.screen, ModalScreen)

    async def _perform_key(self, event: events.Key) -> None:
        """A key in performance mode: its own keys, then the global ones; never the pane's."""
        event.stop()
        for layer in ("performance", "global"):
            for binding in self.keymap.layer(layer):
                if event.key in (textual_key(key) for key in binding.keys):
                    await self.run_action(binding.action)
                    return
        if event.is_printable:
            leave = self.keymap.binding("performance", "leave_performance")
            keys = ", ".join(display_key(key) for key in leave.keys) if leave else "Esc"
            self.notify(f"{event.character!r} plays nothing: {keys} leaves performance mode",
                        timeout=2)  # fmt: skip

    def _engine_call(self, what: str, *calls: Callable[[], object]) -> None:
        try:
            for call in calls:
                call()
        except ENGINE_ERRORS as error:
            self.notify(f"Engine {what} failed: {error}", severity="error")
        self.live.wake()

    # notifications and questions

    def _notify(self, message: str, severity: Severity) -> None:
        self.notify(message, severity=severity, timeout=NOTIFY_SECONDS[severity])

    def _offer_recovery(self) -> None:
        try:
            autosave = self.document.io.find_recovery(self.document.path)
        except IO_ERRORS as error:
            self.notify(f"Could not look for an autosave: {error}", severity="warning")
            return
        if autosave is None:
            return
        question = f"An autosave of {self.document.name} is newer than the file. Recover it?"
        choices = [Choice("r", "Recover", "recover"), Choice("i", "Ignore", "ignore")]
        self.push_screen(ChoiceScreen(question, choices), partial(self._recover, autosave))

    def _recover(self, autosave: Path, answer: str | None) -> None:
        if answer != "recover":
            return
        try:
            self.document.recover(autosave)
        except IO_ERRORS as error:
            self.notify(f"Could not recover {autosave}: {error}", severity="error")
            return
        self.notify("Recovered from the autosave: save to keep it", timeout=6)

    # global actions (names match keymap.toml's global layer)

    def action_show_pane(self, name: str) -> None:
        self.show_pane(name)

    def action_show_notes(self) -> None:
        inst = self.ws.selected
        self.show_pane("drums" if inst is not None and inst.kit is not None else "piano_roll")

    def action_previous_pane(self) -> None:
        if self._history:
            *self._history, previous = self._history
            self.show_pane(previous, remember=False)

    def action_pane_switcher(self) -> None:
        items = [
            PickItem(pane.TITLE, name, "", self._pane_keys(name))
            for name, pane in self.panes.items()
        ]
        self.push_screen(PickerScreen("Go to pane", items), self._switch_to)

    def _switch_to(self, name: str | None) -> None:
        if name is not None:
            self.show_pane(name)

    def _pane_keys(self, name: str) -> str:
        if name == "editor":
            return "Enter on an instrument"
        if name == "sampler":
            return "o in the editor"
        for binding in self.keymap.layer("global"):
            if binding.action == f"show_pane('{name}')":
                return ", ".join(display_key(key) for key in binding.keys)
        return "F2" if name == "piano_roll" else ""

    def action_help(self) -> None:
        pane = self.current_pane
        sections = [(pane.TITLE, pane.LAYER), ("Global", "global")]
        if self.performance.active:
            sections.insert(0, ("Performance mode", "performance"))
        self.push_screen(HelpScreen(self.keymap, sections))

    def action_play_stop(self) -> None:
        playing = self._read_engine()[0].playing
        delay = 0.0 if playing else self.live_input.start_delay()
        if delay > 0.0:  # a Link session is playing: start on its next bar, in phase
            self.set_timer(delay, lambda: self._engine_call("play", self.engine.play))
            return
        self._engine_call(
            "stop" if playing else "play", self.engine.stop if playing else self.engine.play
        )

    def action_rewind(self) -> None:
        session = self.ws.project.session
        start = session.piano_roll.loop_start if session.arrangement.play_mode == "pattern" else 0
        self._engine_call("seek", partial(self.engine.seek, float(start)))

    def action_undo(self) -> None:
        label = self.store.history.undo_label
        if self.store.undo():
            self.notify(f"Undid {label}", timeout=2)
        else:
            self.notify("Nothing to undo", severity="warning", timeout=2)

    def action_redo(self) -> None:
        label = self.store.history.redo_label
        if self.store.redo():
            self.notify(f"Redid {label}", timeout=2)
        else:
            self.notify("Nothing to redo", severity="warning", timeout=2)

    def action_save(self) -> None:
        save_flow(self, self.document)

    async def action_quit(self) -> None:
        joined = self.session is not None and not isinstance(self.session, WebRemoteSwitch)
        view = self.session.view() if joined and self.session is not None else None
        if view is not None and view.role == "client":  # the host saves as before
            self._leave_session(view)
            return
        if not self.document.really_dirty():
            self._leave()
            return
        question = f"Save the changes to {self.document.name} before quitting?"
        choices = [Choice("s", "Save", "save"), Choice("d", "Don't save", "discard")]
        self.push_screen(ChoiceScreen(question, choices), self._quit_answer)

    def _leave_session(self, view: SessionView) -> None:
        """A joined musician quits: their edits already live on the server; only the
        privileged musician saves the file there."""
        where = view.server or "the server"
        privileged = any(peer.me and peer.privileged for peer in view.peers)
        if privileged:
            question = (
                f"Leave the session on {where}? Your edits are already there; "
                "you hold the privilege, so you may save the file there first."
            )
            choices = [Choice("s", "Save on the server and leave", "save"),
                       Choice("l", "Leave", "discard")]  # fmt: skip
        else:
            question = (
                f"Leave the session on {where}? Your edits are already on the server "
                "and stay there for the others; the privileged musician saves the file."
            )
            choices = [Choice("l", "Leave", "discard")]
        self.push_screen(ChoiceScreen(question, choices), self._quit_answer)

    def _quit_answer(self, answer: str | None) -> None:
        if answer == "save":
            save_flow(self, self.document, then=self._leave)
        elif answer == "discard":
            self._leave()

    def _leave(self) -> None:
        self.performance.release_all()
        self.exit()

    def action_record(self) -> None:
        midi = self.panes["midi"]
        assert isinstance(midi, MidiPane)
        record_take(self.ws, self.live_input, midi.options)
        midi.refresh()
        self.live.wake()

    def action_previous_instrument(self) -> None:
        self.ws.select_step(-1)

    def action_next_instrument(self) -> None:
        self.ws.select_step(1)

    # performance mode

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in PERFORMANCE_ACTIONS:
            return self.performance.active and not isinstance(self.screen, ModalScreen)
        return True

    def _show_hints(self) -> None:
        layers = [self.current_pane.LAYER, "global"]
        if self.performance.active:
            layers.insert(0, "performance")
        self.hints.show(layers)

    def _show_performance(self) -> None:
        perf = self.performance
        self.header.performance = perf.label if perf.active else None
        self.header.sync()
        self._show_hints()

    def action_performance(self) -> None:
        if self.ws.selected_id is None:
            self.notify("Select an instrument to play first", severity="warning")
            return
        self.performance.active = True
        self._show_performance()

    def action_leave_performance(self) -> None:
        self.performance.release_all()
        self.performance.active = False
        self._show_performance()

    def action_note(self, semitone: int) -> None:
        inst = self.ws.selected_id
        if inst is not None:
            play = partial(self.performance.play, inst, semitone, self.ws.entry_pitch)
            self._engine_call("note", play)

    def action_octave(self, step: int) -> None:
        self.performance.shift(step)
        self._show_performance()

    def action_velocity(self, steps: int) -> None:
        self.performance.step_velocity(steps)
        self._show_performance()

    # command palette

    def palette_layers(self) -> list[tuple[str, str, DOMNode]]:
        """(title, keymap layer, node running its actions) for the palette, pane first."""
        pane = self.current_pane
        layers: list[tuple[str, str, DOMNode]] = [(pane.TITLE, pane.LAYER, pane)]
        layers.append(("Global", "global", self))
        if self.performance.active:
            layers.append(("Performance", "performance", self))
        return layers

    async def run_palette_action(self, action: str, target: DOMNode) -> None:
        """Run an action picked in the command palette."""
        await self.run_action(action, target)

    def palette_extras(self) -> list[PaletteEntry]:
        """Each session setting, found by its names and synonyms ("bpm", "tuning")."""
        keys = self._pane_keys("settings")
        return [
            PaletteEntry(f"Settings: set {name.label} ({name.words})", keys, action, self)
            for name in SETTINGS
            for action in (f"edit_setting({name.label!r})",)
        ]

    def action_edit_setting(self, label: str) -> None:
        """Show the settings pane with the cursor on ``label`` and ask for its value."""
        self.show_pane("settings")
        pane = self.panes["settings"]
        assert isinstance(pane, SettingsPane)
        pane.edit(label)
