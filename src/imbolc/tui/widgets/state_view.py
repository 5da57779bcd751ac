"""A widget that repaints only when the part of the project it draws was replaced.

The project is immutable and edits replace exactly the subtrees they touch, so "did what I
draw change?" is a handful of identity comparisons against the references kept from the
last paint. Nothing is diffed and nothing is copied.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget

from imbolc.core.ports import Meters, Transport
from imbolc.core.project import Project
from imbolc.tui.workspace import Workspace

_SCALARS = (int, float, str, bool, type(None))


def unchanged(old: tuple[object, ...] | None, new: tuple[object, ...]) -> bool:
    """Whether ``new`` holds the very same subtrees (and equal plain values) as ``old``."""
    if old is None or len(old) != len(new):
        return False
    for before, now in zip(old, new, strict=True):
        if before is now:
            continue
        if type(before) in _SCALARS and type(before) is type(now) and before == now:
            continue
        return False
    return True


def visible_window(selected: int, count: int, height: int) -> range:
    """The rows to draw so that row ``selected`` stays in a window of ``height`` rows."""
    height = max(1, height)
    start = max(0, min(selected - height // 2, count - height))
    return range(start, min(count, start + height))


class StateView(Widget):
    """Draws some subtrees of the project; ``sync`` repaints only if one was replaced."""

    DEFAULT_CSS = """
    StateView {
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def __init__(self, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ws = workspace
        self._shown: tuple[object, ...] | None = None

    def watched(self, project: Project) -> tuple[object, ...]:
        """The subtrees (by reference) and plain values this view draws."""
        return (project,)

    def state_changed(self) -> None:
        """Called when something this view draws was replaced, before it repaints."""

    def sync(self) -> bool:
        """Repaint if anything this view draws changed since it last drew; True if so."""
        refs = self.watched(self.ws.project)
        if unchanged(self._shown, refs):
            return False
        self._shown = refs
        self.state_changed()
        self.refresh()
        return True

    def live(self, transport: Transport, meters: Meters) -> None:
        """Show the engine's playhead and meters (called only while they move)."""


class Pane(StateView, can_focus=True):
    """A full-screen view with its own keymap layer; subclasses set LAYER and TITLE."""

    LAYER = ""
    """The keymap layer holding this pane's keys."""
    TITLE = ""
    """The name shown in the header, the pane switcher and help."""

    DEFAULT_CSS = """
    Pane {
        height: 1fr;
        width: 1fr;
        padding: 0 1;
    }
    """

    def views(self) -> Iterable[StateView]:
        """Every view inside this pane that draws state (the pane itself by default)."""
        yield self

    def sync_all(self) -> None:
        """Bring every view of this pane up to date with the project."""
        for view in self.views():
            view.sync()

    def show_pane(self, name: str) -> None:
        """Switch to pane ``name``."""
        self.ws.show_pane(name)
