"""The MIDI pane (F10): input ports, MIDI learn and CC mappings, pitch wheel, channel routing,
and recording takes from a controller.

Port choice and takes go to ``LiveControl`` (the composition's live input); every setting that
belongs to the project is an action through the workspace (``SetMidiInput``, ``AddCcMapping``,
``RemoveCcMapping``, ``SetPitchBend``, ``SetChannelInstrument``).
"""

from __future__ import annotations

from typing import ClassVar

import msgspec
from rich.text import Text
from textual.binding import BindingType
from textual.timer import Timer

from imbolc.core.actions import (
    AddCcMapping,
    RemoveCcMapping,
    SetChannelInstrument,
    SetMidiInput,
    SetPitchBend,
)
from imbolc.core.automation import AutomationTarget
from imbolc.core.errors import ImbolcError
from imbolc.core.live import AFTERTOUCH_CC
from imbolc.core.live_control import LiveControl, NoLive
from imbolc.core.live_take import TakeMode, TakeOptions
from imbolc.core.midi_map import CcMapping, PitchBendConfig
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.core.targets import target_range
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.panes.automation import target_items, target_label
from imbolc.tui.screens.picker import PickerScreen
from imbolc.tui.widgets.state_view import Pane
from imbolc.tui.workspace import Workspace

QUANTIZE_STEPS = (0, TICKS_PER_BEAT // 4, TICKS_PER_BEAT // 2, TICKS_PER_BEAT)
COUNT_INS = (0, 4, 8)
PORT_POLL_SECONDS = 1.0
"""How often the port list is read again while the pane is on screen (devices come and go)."""
RANGE_STEP = 0.05
"""How far one key moves a mapping's end or the pitch wheel's range (a share of the span)."""


def _quantize_label(ticks: int) -> str:
    return "off" if ticks == 0 else f"1/{4 * TICKS_PER_BEAT // ticks}"


def _cc_label(cc: int) -> str:
    return "aftertouch" if cc == AFTERTOUCH_CC else f"CC {cc}"


class MidiPane(Pane):
    """Ports to listen to and the project's MIDI settings, one row per port and mapping."""

    LAYER = "midi"
    TITLE = "MIDI"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("midi")

    def __init__(
        self, workspace: Workspace, live: LiveControl | None, *, id: str | None = None
    ) -> None:
        super().__init__(workspace, id=id)
        self.input: LiveControl = live or NoLive()
        self.row = 0
        self.port_names: list[str] = []
        self.learning: AutomationTarget | None = None
        self.options = TakeOptions()
        self._timer: Timer | None = None

    def watched(self, project: Project) -> tuple[object, ...]:
        return (project.session.midi, project.instruments, self.ws.selected_id)

    def on_show(self) -> None:
        self.refresh_ports()
        if self._timer is None:
            self._timer = self.set_interval(PORT_POLL_SECONDS, self.refresh_ports)

    def on_hide(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def refresh_ports(self) -> None:
        """Read the port list again (devices come and go); repaint only when it changed."""
        names = self.input.ports()
        if names != self.port_names:
            self.port_names = names
            self.row = max(0, min(self.row, self._rows() - 1))
            self.refresh()

    # --- drawing --------------------------------------------------------------------------

    def _rows(self) -> int:
        return len(self.port_names) + len(self.ws.project.session.midi.cc_mappings)

    def render(self) -> Text:
        project = self.ws.project
        midi = project.session.midi
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Input ports", style="bold")
        text.append("  (enter listen / stop · a all · g re-read)\n", style="dim")
        opened = set(self.input.opened())
        if not self.port_names:
            text.append("  no MIDI input ports found\n", style="dim")
        for n, name in enumerate(self.port_names):
            mark = "●" if name in opened else "○"
            text.append(f"{'>' if n == self.row else ' '} {mark} {name}\n")
        names = {i.id: i.name for i in project.instruments.items}
        live_in = midi.live_input_instrument
        plays = "the selected instrument" if live_in is None else names.get(live_in, "?")
        channel = "all" if midi.channel_filter is None else str(midi.channel_filter + 1)
        text.append("\nNotes play ", style="bold")
        text.append(f"{plays} · channels {channel}")
        text.append(" · passthrough " + ("on" if midi.note_passthrough else "off") + "\n")
        for route in midi.channel_routes:
            owner = names.get(route.instrument_id, "?")
            text.append(f"  channel {route.channel + 1} → {owner}\n")
        bend = midi.pitch_bend
        text.append("Pitch wheel ", style="bold")
        if bend is None:
            text.append("bends nothing\n")
        else:
            label = target_label(project, bend.target)
            text.append(f"→ {label} · range ±{bend.range:.2f} around {bend.center:.2f}\n")
        text.append("\nCC mappings", style="bold")
        text.append("  (l learn · x remove · [ ] low end · { } high end)\n", style="dim")
        if self.learning is not None:
            label = target_label(project, self.learning)
            text.append(f"  move a knob to map {label}…\n", style="yellow")
        base = len(self.port_names)
        for n, mapping in enumerate(midi.cc_mappings):
            where = "any channel" if mapping.channel is None else f"ch {mapping.channel + 1}"
            line = (
                f"{'>' if base + n == self.row else ' '} {_cc_label(mapping.cc)} ({where}) → "
                f"{target_label(project, mapping.target)} "
                f"[{mapping.min_value:g} .. {mapping.max_value:g}]\n"
            )
            text.append(line)
        options = self.options
        text.append("\nRecording ", style="bold")
        state = "● recording" if self.input.recording else "stopped"
        text.append(
            f"{state} · {options.mode} · quantize {_quantize_label(options.quantize)}"
            f" · count-in {options.count_in_beats} beats\n"
        )
        text.append(f"Tempo sync: {self.input.sync_status()}\n", style="dim")
        return text

    # --- ports ----------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.row = max(0, min(self._rows() - 1, self.row + step))
        self.refresh()

    def action_toggle_port(self) -> None:
        if self.row >= len(self.port_names):
            return
        name = self.port_names[self.row]
        opened = self.input.opened()
        chosen = [n for n in opened if n != name] if name in opened else [*opened, name]
        self.input.choose(chosen)
        self.refresh()

    def action_all_ports(self) -> None:
        opened = self.input.choose("all")
        self.ws.notify(f"Listening to {len(opened)} MIDI port(s)", "information")
        self.refresh()

    def action_rescan(self) -> None:
        self.refresh_ports()

    # --- notes ----------------------------------------------------------------------------

    def _set_input(self, **changes: object) -> None:
        midi = self.ws.project.session.midi
        current: dict[str, object] = {
            "live_input_instrument": midi.live_input_instrument,
            "note_passthrough": midi.note_passthrough,
            "channel_filter": midi.channel_filter,
        }
        current.update(changes)
        self.ws.dispatch(SetMidiInput(**current))  # type: ignore[arg-type]

    def action_input_instrument(self) -> None:
        """Pin notes to the selected instrument, or unpin them (follow the selection)."""
        selected = self.ws.selected_id
        pinned = self.ws.project.session.midi.live_input_instrument
        self._set_input(live_input_instrument=None if pinned == selected else selected)

    def action_channel_filter(self, step: int) -> None:
        """Listen to one channel, the next one, or all (after 16 comes all)."""
        current = self.ws.project.session.midi.channel_filter
        position = (-1 if current is None else current) + step
        position = (position + 1) % 17 - 1
        self._set_input(channel_filter=None if position < 0 else position)

    def action_passthrough(self) -> None:
        self._set_input(note_passthrough=not self.ws.project.session.midi.note_passthrough)

    def action_route_channel(self) -> None:
        """Route a channel to the selected instrument (again: the next channel)."""
        selected = self.ws.selected_id
        if selected is None:
            self.ws.notify("Select an instrument first (F1).", "warning")
            return
        routes = self.ws.project.session.midi.channel_routes
        mine = [r.channel for r in routes if r.instrument_id == selected]
        channel = 0 if not mine else (mine[-1] + 1) % 16
        actions = [SetChannelInstrument(c, None) for c in mine]
        actions.append(SetChannelInstrument(channel, selected))
        self.ws.dispatch_all(actions, "route MIDI channel")

    def action_unroute_channel(self) -> None:
        selected = self.ws.selected_id
        routes = self.ws.project.session.midi.channel_routes
        mine = [
            SetChannelInstrument(r.channel, None) for r in routes if r.instrument_id == selected
        ]
        if mine:
            self.ws.dispatch_all(mine, "unroute MIDI channel")

    # --- pitch wheel ----------------------------------------------------------------------

    def action_pitch_bend_target(self) -> None:
        items = target_items(self.ws.project, self.ws.selected)
        self.app.push_screen(PickerScreen("Pitch wheel bends", items), self._bend_to)

    def _bend_to(self, target: AutomationTarget | None) -> None:
        if target is not None:
            self.ws.dispatch(SetPitchBend(PitchBendConfig(target)))

    def action_pitch_bend_range(self, step: int) -> None:
        bend = self.ws.project.session.midi.pitch_bend
        if bend is None:
            self.ws.notify("Choose what the pitch wheel bends first (b).", "warning")
            return
        span = round(max(0.0, min(1.0, bend.range + step * RANGE_STEP)), 4)
        self.ws.dispatch(SetPitchBend(msgspec.structs.replace(bend, range=span)))

    def action_pitch_bend_off(self) -> None:
        self.ws.dispatch(SetPitchBend(None))

    # --- CC mappings ----------------------------------------------------------------------

    def action_learn(self) -> None:
        """Pick a parameter, then move a knob: the knob drives it over its whole range."""
        items = target_items(self.ws.project, self.ws.selected)
        self.app.push_screen(PickerScreen("Map a knob to", items), self._learn_for)

    def _learn_for(self, target: AutomationTarget | None) -> None:
        if target is not None:
            self.learn_target(target)

    def learn_target(self, target: AutomationTarget) -> None:
        """Map the next controller moved to ``target`` (from here or the editor's ``L``)."""
        self.learning = target
        self.ws.notify(f"Move a knob to map {target_label(self.ws.project, target)}", "information")
        self.input.learn(self._learned)
        self.refresh()

    def _learned(self, control: int, channel: int) -> None:
        target, self.learning = self.learning, None
        if target is not None:
            try:
                low, high = target_range(self.ws.project, target)
            except ImbolcError as error:
                self.ws.notify(str(error), "error")
            else:
                self.ws.dispatch(AddCcMapping(CcMapping(control, target, channel, low, high)))
        self.refresh()

    def action_cancel_learn(self) -> None:
        self.learning = None
        self.input.learn(None)
        self.refresh()

    def _mapping(self) -> CcMapping | None:
        index = self.row - len(self.port_names)
        mappings = self.ws.project.session.midi.cc_mappings
        return mappings[index] if 0 <= index < len(mappings) else None

    def action_remove_mapping(self) -> None:
        mapping = self._mapping()
        if mapping is not None:
            self.ws.dispatch(RemoveCcMapping(mapping.cc, mapping.channel))
            self.row = max(0, min(self.row, self._rows() - 1))

    def action_mapping_end(self, end: str, step: int) -> None:
        """Move the low (``min``) or high (``max``) end of the mapping under the cursor."""
        mapping = self._mapping()
        if mapping is None:
            return
        try:
            low, high = target_range(self.ws.project, mapping.target)
        except ImbolcError as error:
            self.ws.notify(str(error), "error")
            return
        field = "min_value" if end == "min" else "max_value"
        moved = getattr(mapping, field) + step * RANGE_STEP * (high - low)
        moved = round(max(low, min(high, moved)), 6)
        self.ws.dispatch(AddCcMapping(msgspec.structs.replace(mapping, **{field: moved})))

    # --- recording ------------------------------------------------------------------------

    def action_record(self) -> None:
        record_take(self.ws, self.input, self.options)
        self.refresh()

    def action_take_mode(self) -> None:
        mode: TakeMode = "replace" if self.options.mode == "overdub" else "overdub"
        self.options = msgspec.structs.replace(self.options, mode=mode)
        self.refresh()

    def action_quantize(self) -> None:
        steps = QUANTIZE_STEPS
        following = steps[(steps.index(self.options.quantize) + 1) % len(steps)]
        self.options = msgspec.structs.replace(self.options, quantize=following)
        self.refresh()

    def action_count_in(self) -> None:
        beats = COUNT_INS[(COUNT_INS.index(self.options.count_in_beats) + 1) % len(COUNT_INS)]
        self.options = msgspec.structs.replace(self.options, count_in_beats=beats)
        self.refresh()


def record_take(ws: Workspace, live: LiveControl, options: TakeOptions) -> None:
    """Start a take, or stop the one recording and keep it (one undo step)."""
    if live.recording:
        count = live.stop_take()
        ws.notify(f"Recorded {count} note(s)", "information")
        return
    start = live.start_take(options)
    ws.notify(f"Recording from tick {start} (count-in {options.count_in_beats})", "information")
