"""The mixer (F4): a strip per instrument, per bus and the master.

A meter bridge above the strip controls: the controls repaint when a strip changes, the
bridge when a meter moves by a visible amount, and only while the mixer is on screen.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType

from imbolc.core.actions import (
    SetMixerLevel,
    SetMixerMute,
    SetMixerPan,
    SetMixerSolo,
    SetOutput,
    SetSendEnabled,
    SetSendLevel,
    SetSendTap,
)
from imbolc.core.actions.mixer import MASTER, Strip, bus_strip, instrument_strip
from imbolc.core.ids import BusId, InstrumentId
from imbolc.core.instrument import Send, SendTap
from imbolc.core.mixer import Bus
from imbolc.core.ports import Meters, Transport
from imbolc.core.project import Project
from imbolc.core.targets import MIXER_RANGES
from imbolc.tui import format as fmt
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.widgets.state_view import Pane, StateView
from imbolc.tui.workspace import Workspace

STRIP_WIDTH = 9
CONTROL_LINES = 8
KIND_LABELS = {"instrument": "inst", "bus": "bus", "master": "main"}
LEVEL_LOW, LEVEL_HIGH = MIXER_RANGES["level"]


class StripState(NamedTuple):
    """What one strip shows, read from the project."""

    strip: Strip
    name: str
    level: float
    pan: float | None
    mute: bool
    solo: bool
    output: str
    send: Send | None
    """The instrument's send to the bus chosen with g (None: no such send)."""


def strip_states(project: Project, send_bus: int | None) -> list[StripState]:
    """Every strip in mixer order: instruments, buses, master."""
    mixer = project.session.mixer
    states = []
    for inst in project.instruments.items:
        strip = inst.mixer
        out = strip.output_bus
        target = mixer.bus(out) if out is not None else None
        output = "master" if target is None else target.name
        send = None if send_bus is None else strip.send(send_bus)
        states.append(
            StripState(
                instrument_strip(inst.id), inst.name, strip.level, strip.pan,
                strip.mute, strip.solo, output, send,
            )
        )  # fmt: skip
    for bus in mixer.buses:
        states.append(
            StripState(bus_strip(bus.id), bus.name, bus.level, bus.pan, bus.mute, bus.solo,
                       "master", None)
        )  # fmt: skip
    states.append(
        StripState(
            MASTER, "Master", mixer.master_level, None, mixer.master_mute, False, "out", None
        )
    )
    return states


class MixerPane(Pane):
    """Strips side by side; ←/→ choose a strip, ↑/↓ its level."""

    LAYER = "mixer"
    TITLE = "Mixer"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("mixer")
    DEFAULT_CSS = """
    MixerPane {
        layout: vertical;
    }
    MeterBridge {
        height: 1fr;
        min-height: 4;
    }
    StripControls {
        height: 9;
    }
    """

    def __init__(self, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(workspace, id=id)
        self.index = 0
        self.first = 0
        buses = workspace.project.session.mixer.buses
        self.send_bus: BusId | None = buses[0].id if buses else None
        self._watched: tuple[frozenset[int], frozenset[int]] | None = None
        self.bridge = MeterBridge(workspace, self)
        self.controls = StripControls(workspace, self)

    def compose(self) -> ComposeResult:
        yield self.bridge
        yield self.controls

    def views(self) -> list[StateView]:
        return [self.bridge, self.controls]  # the pane draws nothing itself

    def sync_all(self) -> None:
        mixer = self.ws.project.session.mixer
        count = len(self.ws.project.instruments.items) + len(mixer.buses)
        self.index = max(0, min(self.index, count))
        if mixer.buses and (self.send_bus is None or mixer.bus(self.send_bus) is None):
            self.send_bus = mixer.buses[0].id
        super().sync_all()

    def render(self) -> str:
        return ""

    def visible_strips(self) -> list[tuple[int, StripState]]:
        """The strips that fit the width, scrolled so the selected one shows."""
        states = strip_states(self.ws.project, self.send_bus)
        fit = max(1, self.size.width // STRIP_WIDTH)
        if self.index < self.first:
            self.first = self.index
        elif self.index >= self.first + fit:
            self.first = self.index - fit + 1
        return list(enumerate(states))[self.first : self.first + fit]

    def selected_state(self) -> StripState:
        """The strip under the cursor."""
        states = strip_states(self.ws.project, self.send_bus)
        return states[min(self.index, len(states) - 1)]

    def live(self, transport: Transport, meters: Meters) -> None:
        self._watch_visible()
        self.bridge.show_meters(meters)

    def _watch_visible(self) -> None:
        """Ask the engine to meter the instrument and bus strips on screen (it meters only
        what it is asked to), whenever that set changes."""
        strips = [state.strip for _index, state in self.visible_strips()]
        wanted = (
            frozenset(s.id for s in strips if s.kind == "instrument"),
            frozenset(s.id for s in strips if s.kind == "bus"),
        )
        if wanted == self._watched:
            return
        watch = getattr(self.ws.engine, "watch_meters", None)  # an extra of metering engines
        if callable(watch):  # not yet while a deferred engine starts: asked again next tick
            watch(set(wanted[0]), set(wanted[1]))
            self._watched = wanted

    def action_move(self, step: int) -> None:
        count = len(strip_states(self.ws.project, self.send_bus))
        self.index = max(0, min(count - 1, self.index + step))
        self.sync_all()

    def action_level(self, change: float) -> None:
        state = self.selected_state()
        level = round(max(LEVEL_LOW, min(LEVEL_HIGH, state.level + change)), 4)
        if level != state.level:
            self.ws.dispatch(SetMixerLevel(state.strip, level))

    def action_pan(self, change: float) -> None:
        state = self.selected_state()
        if state.pan is None:
            self.ws.notify("The master strip has no pan", "warning")
            return
        pan = round(max(-1.0, min(1.0, state.pan + change)), 4)
        if pan != state.pan:
            self.ws.dispatch(SetMixerPan(state.strip, pan))

    def action_mute(self) -> None:
        state = self.selected_state()
        self.ws.dispatch(SetMixerMute(state.strip, not state.mute))

    def action_solo(self) -> None:
        state = self.selected_state()
        self.ws.dispatch(SetMixerSolo(state.strip, not state.solo))

    def _instrument(self) -> InstrumentId | None:
        strip = self.selected_state().strip
        if strip.kind != "instrument":
            self.ws.notify("Outputs and sends belong to instrument strips", "warning")
            return None
        return InstrumentId(strip.id)

    def action_output(self, step: int) -> None:
        ident = self._instrument()
        inst = None if ident is None else self.ws.project.instruments.get(ident)
        if inst is None:
            return
        targets: list[BusId | None] = [None, *(bus.id for bus in self._buses())]
        here = targets.index(inst.mixer.output_bus) if inst.mixer.output_bus in targets else 0
        self.ws.dispatch(SetOutput(inst.id, targets[(here + step) % len(targets)]))

    def _buses(self) -> tuple[Bus, ...]:
        return self.ws.project.session.mixer.buses

    def action_send_bus(self, step: int) -> None:
        ids = [bus.id for bus in self._buses()]
        if not ids:
            return
        here = ids.index(self.send_bus) if self.send_bus in ids else 0
        self.send_bus = ids[(here + step) % len(ids)]
        self.sync_all()

    def action_send_level(self, change: float) -> None:
        ident = self._instrument()
        if ident is None or self.send_bus is None:
            return
        send = self.selected_state().send
        current = 0.0 if send is None else send.level
        level = round(max(LEVEL_LOW, min(LEVEL_HIGH, current + change)), 4)
        if send is None or not send.enabled:
            actions = [
                SetSendLevel(ident, self.send_bus, level),
                SetSendEnabled(ident, self.send_bus, True),
            ]
            self.ws.dispatch_all(actions, "send")
        elif level != current:
            self.ws.dispatch(SetSendLevel(ident, self.send_bus, level))

    def action_send_tap(self) -> None:
        ident = self._instrument()
        if ident is None or self.send_bus is None:
            return
        send = self.selected_state().send
        tap: SendTap = "pre" if send is None or send.tap == "post" else "post"
        self.ws.dispatch(SetSendTap(ident, self.send_bus, tap))

    def action_buses(self) -> None:
        strip = self.selected_state().strip
        if strip.kind == "bus":
            self.ws.selected_bus = BusId(strip.id)
        elif self.send_bus is not None:
            self.ws.selected_bus = self.send_bus
        self.show_pane("buses")

    def action_toggle_send(self) -> None:
        ident = self._instrument()
        if ident is None or self.send_bus is None:
            return
        send = self.selected_state().send
        self.ws.dispatch(SetSendEnabled(ident, self.send_bus, send is None or not send.enabled))


class MeterBridge(StateView):
    """Vertical peak meters above each strip, with the strip names underneath."""

    def __init__(self, workspace: Workspace, pane: MixerPane) -> None:
        super().__init__(workspace)
        self.pane = pane
        self.meters = Meters()
        self._levels: tuple[tuple[int, int], ...] = ()

    def watched(self, project: Project) -> tuple[object, ...]:
        names = [inst.name for inst in project.instruments.items]
        names += [bus.name for bus in project.session.mixer.buses]
        return (self.pane.index, self.pane.first, *names)

    def _quantized(self, meters: Meters) -> tuple[tuple[int, int], ...]:
        height = max(1, self.size.height - 1) * 8
        levels = []
        for _index, state in self.pane.visible_strips():
            pair = self._pair(state, meters)
            levels.append((round(min(1.0, pair[0]) * height), round(min(1.0, pair[1]) * height)))
        return tuple(levels)

    def _pair(self, state: StripState, meters: Meters) -> tuple[float, float]:
        if state.strip.kind == "master":
            return meters.master
        if state.strip.kind == "instrument":
            return meters.instruments.get(state.strip.id, (0.0, 0.0))
        return meters.buses.get(state.strip.id, (0.0, 0.0))

    def show_meters(self, meters: Meters) -> None:
        """Take new meter values; repaint only if a bar grew or shrank visibly."""
        self.meters = meters
        levels = self._quantized(meters)
        if levels != self._levels:
            self._levels = levels
            self.refresh()

    def render(self) -> Text:
        strips = self.pane.visible_strips()
        height = max(1, self.size.height - 1)
        text = Text(no_wrap=True, overflow="crop")
        for row in range(height):
            from_bottom = height - 1 - row
            zone = (
                "red"
                if from_bottom >= height * 0.9
                else "yellow"
                if from_bottom >= height * 0.7
                else "green"
            )
            for _index, state in strips:
                left, right = self._pair(state, self.meters)
                cells = fmt.vertical_cell(left, from_bottom, height) + fmt.vertical_cell(
                    right, from_bottom, height
                )
                text.append("   ")
                text.append(cells, style=f"{zone} on grey15")
                text.append("    ")
            text.append("\n")
        for index, state in strips:
            style = "bold reverse" if index == self.pane.index else "bold"
            text.append(f"{state.name[: STRIP_WIDTH - 1]:^{STRIP_WIDTH - 1}}", style=style)
            text.append(" ")
        return text


class StripControls(StateView):
    """Level, pan, mute/solo, output and one send of each visible strip."""

    def __init__(self, workspace: Workspace, pane: MixerPane) -> None:
        super().__init__(workspace)
        self.pane = pane

    def watched(self, project: Project) -> tuple[object, ...]:
        return (
            project.instruments, project.session.mixer,
            self.pane.index, self.pane.first, self.pane.send_bus,
        )  # fmt: skip

    def render(self) -> Text:
        mixer = self.ws.project.session.mixer
        bus = None if self.pane.send_bus is None else mixer.bus(self.pane.send_bus)
        bus_name = "—" if bus is None else bus.name[:3]
        columns = [
            self._column(state, bus_name, index == self.pane.index)
            for index, state in self.pane.visible_strips()
        ]
        text = Text(no_wrap=True, overflow="crop")
        for line in range(CONTROL_LINES):
            if line:
                text.append("\n")
            for column in columns:
                text.append(column[line])
                text.append(" ")
        return text

    def _column(self, state: StripState, bus_name: str, selected: bool) -> list[Text]:
        """The strip's cells, one per line, each exactly one strip wide."""
        width = STRIP_WIDTH - 1
        base = " reverse" if selected else ""
        half = width // 2
        pan = "—" if state.pan is None else fmt.pan(state.pan)
        flags = Text("M".center(half), style=("bold red" if state.mute else "dim") + base)
        solo = "" if state.strip.kind == "master" else "S"  # the master cannot be soloed
        solo_style = ("bold yellow" if state.solo else "dim") + base
        flags.append(solo.center(width - half), style=solo_style)
        return [
            Text(f"{fmt.decibels(state.level)} dB".center(width), style="bold" + base),
            Text(_fader(state.level, width), style="cyan" + base),
            Text(f"pan {pan}".center(width), style=base.strip()),
            flags,
            Text(f"→{state.output[: width - 1]}".center(width), style="dim" + base),
            Text(_send_text(state, bus_name).center(width)[:width], style=base.strip()),
            Text(_tap_text(state).center(width), style="dim" + base),
            Text(KIND_LABELS[state.strip.kind].center(width), style="dim" + base),
        ]


def _fader(level: float, width: int) -> str:
    filled = round(level / LEVEL_HIGH * width)
    return "━" * filled + "─" * (width - filled)


def _tap_text(state: StripState) -> str:
    send = state.send
    return "" if send is None or not send.enabled else f"{send.tap} fader"


def _send_text(state: StripState, bus_name: str) -> str:
    if state.strip.kind != "instrument":
        return ""
    send = state.send
    state_text = "off" if send is None or not send.enabled else f"{send.level:.2f}"
    return f"{_fit(bus_name, STRIP_WIDTH - len(state_text) - 1)} {state_text}"


def _fit(name: str, width: int) -> str:
    """``name`` in ``width`` cells (spaces dropped first, then an ellipsis), so the send's
    level stays readable: "Bus 9" at 0.25 reads "Bus9 0.25"."""
    if len(name) <= width:
        return name
    name = name.replace(" ", "")
    return name if len(name) <= width else name[: max(0, width - 1)] + "…"
