"""The header line: project, pane, selection, transport, master meter and engine status.

Each part is a ``Readout`` that repaints only when its text changes, so a moving playhead
repaints the position and nothing else.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget

from imbolc.core.ports import EngineStatus, Meters, Transport
from imbolc.core.timemap import time_map
from imbolc.tui import format as fmt
from imbolc.tui.document import Document
from imbolc.tui.workspace import Workspace

METER_WIDTH = 10
ENGINE_WIDTH = 14


class Readout(Widget):
    """A one-line label that repaints only when given different text (its width is fixed
    by CSS, so new text never changes the layout)."""

    DEFAULT_CSS = """
    Readout {
        height: 1;
        width: auto;
        padding: 0 0 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()
        self._key = ""

    def show(self, text: Text) -> None:
        """Display ``text`` (a no-op when it reads and looks the same as now)."""
        key = text.markup
        if key != self._key:
            self._key = key
            self.text = text
            self.refresh()

    def render(self) -> Text:
        return self.text


class HeaderBar(Horizontal):
    """Project name, current pane, selected instrument, transport, meter and engine."""

    DEFAULT_CSS = """
    HeaderBar {
        height: 1;
        dock: top;
        background: $panel;
    }
    HeaderBar #song {
        width: 1fr;
        min-width: 32;
    }
    HeaderBar #transport {
        width: 20;
    }
    HeaderBar #meter {
        width: 11;
    }
    HeaderBar #engine {
        width: 14;
    }
    """

    def __init__(self, workspace: Workspace, document: Document) -> None:
        super().__init__()
        self.ws = workspace
        self.document = document
        self.pane_title = ""
        self.performance: str | None = None
        """Shown while performance mode is on, e.g. "PERF C4"."""
        self.song = Readout(id="song")
        self.transport = Readout(id="transport")
        self.meter = Readout(id="meter")
        self.engine = Readout(id="engine")
        self._transport = Transport()

    def compose(self) -> ComposeResult:
        yield self.song
        yield self.transport
        yield self.meter
        yield self.engine

    def sync(self) -> None:
        """Show the current project, selection and pane (cheap: builds a few strings)."""
        doc = self.document
        song = Text("imbolc ", style="bold")
        song.append(doc.name + ("*" if doc.dirty else ""), style="bold cyan")
        if doc.recovered:
            song.append(" (recovered)", style="yellow")
        if self.pane_title:
            song.append(f" · {self.pane_title}")
        inst = self.ws.selected
        if inst is not None:
            song.append(f" · ♪ {inst.name}", style="green")
        if self.performance:
            song.append(f" · {self.performance}", style="bold magenta")
        self.song.show(song)
        self._show_transport()

    def _show_transport(self) -> None:
        tmap = time_map(self.ws.project.session)
        t = self._transport
        text = Text("▶ " if t.playing else "■ ", style="bold green" if t.playing else "dim")
        text.append(f"{round(tmap.bpm_at(t.tick), 2):g} BPM ")
        text.append(fmt.position(t.tick, tmap), style="bold")
        self.transport.show(text)

    def live(self, transport: Transport, meters: Meters) -> None:
        """Show the playhead and the master meter."""
        self._transport = transport
        self._show_transport()
        level = max(meters.master)
        style = "red" if level >= 0.9 else "yellow" if level >= 0.7 else "green"
        self.meter.show(Text(fmt.horizontal_bar(level, METER_WIDTH), style=f"{style} on grey15"))

    def show_status(self, status: EngineStatus) -> None:
        """Show the engine's state and CPU load (the readout widens for a longer state)."""
        running = status.state == "running"
        text = Text("● " if running else "○ ", style="green" if running else "yellow")
        text.append(f"{status.cpu_percent:.0f}% CPU" if running else engine_state(status))
        width = max(ENGINE_WIDTH, text.cell_len + 1)
        if self.engine.styles.width is None or self.engine.styles.width.value != width:
            self.engine.styles.width = width
        self.engine.show(text)


def engine_state(status: EngineStatus) -> str:
    """The engine's state in words; the embedded engine without an output device still renders."""
    if status.backend == "embedded" and status.state == "unavailable":
        return "no audio device — render only"
    return status.state
