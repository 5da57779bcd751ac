"""What every pane shares: the store, the engine, the selected instrument and the clipboard.

Panes never change the project themselves: they build actions and hand them to
``Workspace.dispatch``, which applies them through the store and turns any ``ImbolcError``
into a notification instead of a crash.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Literal

from imbolc.core.actions.base import Action
from imbolc.core.automation import AutomationTarget
from imbolc.core.errors import ImbolcError
from imbolc.core.ids import BusId, ClipId, InstrumentId
from imbolc.core.instrument import Instrument
from imbolc.core.music import snap_to_scale
from imbolc.core.notes import Note
from imbolc.core.ports import EnginePort
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.tui.recording import Recorder

Severity = Literal["information", "warning", "error"]
Notify = Callable[[str, Severity], None]


def _ignore(_message: str, _severity: Severity) -> None:
    return None


class Workspace:
    """Shared UI state around the store; lives on the app's thread like the store."""

    def __init__(self, store: Store, engine: EnginePort, notify: Notify = _ignore) -> None:
        self.store = store
        self.engine = engine
        self.notify: Notify = notify
        self.selected_bus: BusId | None = None
        """The bus the bus manager edits (the mixer sets it when opening the manager)."""
        self.clipboard: tuple[Note, ...] = ()
        """Notes copied in the piano roll, ticks relative to the selection start."""
        self.open_clip: ClipId | None = None
        """The arrangement clip the piano roll edits instead of the instrument's own notes."""
        items = store.state.instruments.items
        self._selected: InstrumentId | None = items[0].id if items else None
        self._selected_position = 0
        self.on_select: Callable[[], None] = lambda: None
        """Called after the selected instrument changed."""
        self.show_pane: Callable[[str], None] = lambda _name: None
        """Put a pane on screen at once (set by the app; keys typed next go to that pane)."""
        self._pending: list[tuple[Callable[[Project], bool], Callable[[Project], None]]] = []
        self.recorder = Recorder()
        """Writes parameter moves onto armed automation lanes while the transport plays."""
        self.midi_learn: Callable[[AutomationTarget], None] = lambda _target: None
        """Map the next knob moved on a controller to this target (set by the app)."""
        self.scale_lock = False
        """Entered notes snap to the session's scale (the config's ``runtime.scale_lock``)."""

    def entry_pitch(self, pitch: int) -> int:
        """The pitch a note entered at ``pitch`` gets: the nearest tone of the session's key and
        scale while the scale lock is on, else ``pitch`` itself."""
        if not self.scale_lock:
            return pitch
        settings = self.project.session.settings
        return snap_to_scale(pitch, settings.key, settings.scale)

    @property
    def project(self) -> Project:
        """The current project (immutable)."""
        return self.store.state

    @property
    def selected_id(self) -> InstrumentId | None:
        """The id of the instrument the panes edit."""
        return self._selected

    @property
    def selected(self) -> Instrument | None:
        """The instrument the panes edit, if any."""
        if self._selected is None:
            return None
        return self.project.instruments.get(self._selected)

    def select(self, instrument_id: InstrumentId | None) -> None:
        """Make ``instrument_id`` the selected instrument."""
        if instrument_id == self._selected:
            return
        self._selected = instrument_id
        position = (
            None if instrument_id is None else self.project.instruments.position(instrument_id)
        )
        self._selected_position = position or 0
        self.on_select()

    def select_step(self, step: int) -> None:
        """Select the instrument ``step`` places after (or before) the selected one."""
        items = self.project.instruments.items
        if not items:
            return
        here = self.project.instruments.position(self._selected or 0)
        target = 0 if here is None else max(0, min(len(items) - 1, here + step))
        self.select(items[target].id)

    def when(self, ready: Callable[[Project], bool], then: Callable[[Project], None]) -> None:
        """Run ``then`` once the project satisfies ``ready``: at once with a local store, or
        when the commit arrives from a server (a networked store applies edits later)."""
        if ready(self.project):
            then(self.project)
        else:
            self._pending = [*self._pending[-7:], (ready, then)]

    def reconcile(self) -> None:
        """Keep the selection valid after instruments were added, deleted or reloaded, and run
        follow-ups whose edit has now arrived."""
        if self._pending:
            waiting = self._pending
            self._pending = []
            for ready, then in waiting:
                self.when(ready, then)
        instruments = self.project.instruments
        if self._selected is not None and self._selected in instruments:
            self._selected_position = instruments.position(self._selected) or 0
            return
        items = instruments.items
        if not items:
            self.select(None)
            return
        self.select(items[min(self._selected_position, len(items) - 1)].id)

    def dispatch(self, action: Action) -> bool:
        """Apply ``action``; an invalid one becomes an error notification. True on success.

        A parameter move made while playing also writes a point on each armed lane of that
        parameter, in the same undo step as the move."""
        points = self.recorder.points(self.project, action, self.engine.transport)
        try:
            if points:
                with self.store.transaction(f"record {type(action).__name__}"):
                    self.store.dispatch(action)
                    for point in points:
                        self.store.dispatch(point)
            else:
                self.store.dispatch(action)
        except ImbolcError as error:
            self.notify(str(error), "error")
            return False
        self.recorder.remember(points)
        return True

    def dispatch_all(self, actions: Sequence[Action], label: str) -> bool:
        """Apply several actions as one undo step; on any error none of them stays."""
        if not actions:
            return True
        try:
            with self.store.transaction(label):
                for action in actions:
                    self.store.dispatch(action)
        except ImbolcError as error:
            self.notify(str(error), "error")
            return False
        return True


class WorkspaceHooks:
    """How live MIDI reaches the store from its own threads: scheduled onto the app's loop,
    then dispatched like a key press (armed lanes record, errors become notifications)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, workspace: Workspace) -> None:
        self.loop = loop
        self.ws = workspace

    def call_soon(self, function: Callable[[], None]) -> None:
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(function)

    def dispatch(self, action: Action) -> bool:
        return self.ws.dispatch(action)

    def dispatch_all(self, actions: Sequence[Action], label: str) -> bool:
        return self.ws.dispatch_all(actions, label)

    def selected(self) -> InstrumentId | None:
        return self.ws.selected_id
