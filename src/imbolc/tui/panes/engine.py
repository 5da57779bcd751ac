"""The engine pane (F5): the audio engine's status, and starting or stopping it."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from imbolc.core.ports import EngineStatus, Meters, Transport
from imbolc.core.project import Project
from imbolc.core.timemap import time_map
from imbolc.tui import format as fmt
from imbolc.tui.errors import ENGINE_ERRORS
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.widgets.state_view import Pane
from imbolc.tui.workspace import Workspace


class EnginePane(Pane):
    """Backend, state, CPU, sample rate, block size and latency of the engine."""

    LAYER = "engine"
    TITLE = "Engine"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("engine")

    def __init__(self, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(workspace, id=id)
        self.status = EngineStatus()
        self.transport = Transport()
        self.on_engine_change: Callable[[], None] = lambda: None
        """Called after this pane started or stopped the engine."""

    def watched(self, project: Project) -> tuple[object, ...]:
        return (project.session.settings,)

    def poll(self) -> None:
        """Read the engine's status; repaint only if it changed."""
        try:
            status = self.ws.engine.status()
        except ENGINE_ERRORS as error:
            status = EngineStatus(state="error", message=str(error))
        if status != self.status:
            self.status = status
            self.refresh()

    def sync(self) -> bool:
        changed = super().sync()
        self.poll()
        return changed

    def live(self, transport: Transport, meters: Meters) -> None:
        if transport != self.transport:
            self.transport = transport
            self.refresh()
        self.poll()

    def render(self) -> Text:
        s = self.status
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Audio engine\n\n", style="bold")
        state_style = "bold green" if s.state == "running" else "bold yellow"
        rows: list[tuple[str, str, str]] = [
            ("backend", s.backend, ""),
            ("state", s.state, state_style),
            ("message", s.message or "—", ""),
            ("CPU", f"{s.cpu_percent:.1f} %", ""),
            ("sample rate", f"{s.sample_rate} Hz" if s.sample_rate else "—", ""),
            ("block size", f"{s.block_size} frames" if s.block_size else "—", ""),
            ("latency", f"{s.latency_ms:.1f} ms" if s.latency_ms else "—", ""),
        ]
        for label, value, style in rows:
            text.append(f"  {label:<14}", style="dim")
            text.append(f"{value}\n", style=style)
        t = self.transport
        where = fmt.position(t.tick, time_map(self.ws.project.session))
        text.append("\nTransport\n\n", style="bold")
        text.append(f"  {'playing' if t.playing else 'stopped'} at {where}, {t.bpm:g} BPM\n")
        text.append("\n  r start / restart · s stop the engine", style="dim")
        return text

    def _call(self, what: str, call: Callable[[], None]) -> None:
        try:
            call()
        except ENGINE_ERRORS as error:
            self.ws.notify(f"Engine {what} failed: {error}", "error")
        self.poll()
        self.on_engine_change()

    def action_restart(self) -> None:
        self._call("restart", self.ws.engine.restart)

    def action_shutdown(self) -> None:
        self._call("stop", self.ws.engine.shutdown)
