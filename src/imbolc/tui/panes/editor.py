"""The instrument editor (Enter on an instrument): source, envelope, LFO, voice and chain."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

import soundfile
from rich.text import Text
from textual.binding import BindingType

from imbolc.core import catalog
from imbolc.core.actions import (
    AddEffect,
    AddEq,
    AddFilter,
    MoveStage,
    RemoveStage,
    SetChannels,
    SetFilterType,
    SetImpulseResponse,
    SetInstrumentActive,
    SetInstrumentSource,
    SetLfoEnabled,
    SetLfoShape,
    SetLfoTarget,
    SetPolyphonic,
    SetStageEnabled,
)
from imbolc.core.ids import InstrumentId, StageId
from imbolc.core.instrument import LFO_TARGETS, SAMPLER_SOURCES, EffectStage, FilterStage
from imbolc.core.project import Project
from imbolc.tui.format import source_label
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.panes.drums import sample_file
from imbolc.tui.panes.editor_rows import LFO_SHAPES, Row, editor_rows
from imbolc.tui.panes.instruments import source_items
from imbolc.tui.panes.play_rows import play_rows
from imbolc.tui.panes.rows import RowsPane
from imbolc.tui.recording import recorded_move
from imbolc.tui.screens.picker import PickerScreen, PickItem
from imbolc.tui.screens.prompts import PromptScreen


def effect_items() -> list[PickItem[str]]:
    """Every catalog effect as a pick item, grouped by category."""
    return [
        PickItem(spec.display, spec.name, category, spec.name)
        for category, specs in catalog.effects_by_category().items()
        for spec in specs
    ]


def filter_items() -> list[PickItem[str]]:
    """Every catalog filter as a pick item."""
    return [PickItem(spec.display, spec.name, "", spec.name) for spec in catalog.FILTERS.values()]


CONVOLUTION = "convolution_reverb"


def sound_file(text: str) -> str:
    """The sound file (an IR or a sample) typed at a prompt, checked readable ("" for an
    empty answer); raises ValueError naming the file and the problem."""
    if not text.strip():
        return ""
    path = sample_file(text)
    try:
        info = soundfile.info(str(path))
    except (RuntimeError, OSError, ValueError) as error:
        raise ValueError(f"{path} is not a sound file soundfile can read: {error}") from error
    if info.frames == 0:
        raise ValueError(f"{path} holds no audio")
    return str(path)


class EditorPane(RowsPane):
    """Every value of the selected instrument as rows; arrows adjust, Enter types a value."""

    LAYER = "editor"
    TITLE = "Instrument"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("editor")

    def watched(self, project: Project) -> tuple[object, ...]:
        return (self.ws.selected,)

    def rows_source(self) -> tuple[object, ...]:
        return (self.ws.selected,)

    def build_rows(self) -> tuple[Row, ...]:
        inst = self.ws.selected
        return () if inst is None else (*editor_rows(inst), *play_rows(inst))

    def heading(self, text: Text) -> None:
        inst = self.ws.selected
        if inst is None:
            text.append("No instrument selected (F1 to pick or add one).", style="italic")
            return
        text.append(f"{inst.name}", style="bold")
        text.append(f"  {source_label(inst.source)}", style="cyan")
        poly = f"poly {inst.voice_cap}" if inst.polyphonic else "mono"
        text.append(f"  {poly} · {inst.channels}{'' if inst.active else ' · off'}\n", style="dim")

    def _stage_position(self) -> int | None:
        row, inst = self.row, self.ws.selected
        if row is None or inst is None or row.stage_id is None:
            return None
        return inst.stage_position(row.stage_id)

    def _insert_at(self) -> int:
        position = self._stage_position()
        return -1 if position is None else position + 1

    def _focus_stage(self, position: int) -> None:
        inst = self.ws.selected
        if inst is None or not inst.chain:
            return
        stage_id = inst.chain[position].id
        for index, row in enumerate(self.rows):
            if row.stage_id == stage_id:
                self.cursor = index
                break
        self.refresh()

    def _added(self, position: int) -> None:
        inst = self.ws.selected
        if inst is not None:
            self._focus_stage(len(inst.chain) - 1 if position < 0 else position)

    def action_add_filter(self) -> None:
        self.app.push_screen(PickerScreen("Add filter", filter_items()), self._add_filter)

    def _add_filter(self, name: str | None) -> None:
        inst, at = self.ws.selected, self._insert_at()
        if name is not None and inst is not None and self.ws.dispatch(AddFilter(inst.id, name, at)):
            self._added(at)

    def action_add_eq(self) -> None:
        inst, at = self.ws.selected, self._insert_at()
        if inst is not None and self.ws.dispatch(AddEq(inst.id, at)):
            self._added(at)

    def action_add_effect(self) -> None:
        self.app.push_screen(PickerScreen("Add effect", effect_items()), self._add_effect)

    def _add_effect(self, name: str | None) -> None:
        inst, at = self.ws.selected, self._insert_at()
        if name is not None and inst is not None and self.ws.dispatch(AddEffect(inst.id, name, at)):
            self._added(at)

    def action_remove_stage(self) -> None:
        row, inst = self.row, self.ws.selected
        if row is None or inst is None or row.stage_id is None:
            self.ws.notify("Move the cursor onto a filter, EQ or effect first", "warning")
            return
        self.ws.dispatch(RemoveStage(inst.id, row.stage_id))

    def action_bypass(self) -> None:
        position, inst = self._stage_position(), self.ws.selected
        if position is not None and inst is not None:
            stage = inst.chain[position]
            self.ws.dispatch(SetStageEnabled(inst.id, stage.id, not stage.enabled))

    def action_move_stage(self, step: int) -> None:
        position, inst = self._stage_position(), self.ws.selected
        if position is None or inst is None:
            return
        target = position + step
        moved = 0 <= target < len(inst.chain) and self.ws.dispatch(
            MoveStage(inst.id, inst.chain[position].id, target)
        )
        if moved:
            self._focus_stage(target)

    def action_impulse_response(self) -> None:
        position, inst = self._stage_position(), self.ws.selected
        stage = None if position is None or inst is None else inst.chain[position]
        if inst is None or not isinstance(stage, EffectStage) or stage.effect_type != CONVOLUTION:
            self.ws.notify("Move the cursor onto a convolution reverb first", "warning")
            return
        prompt = PromptScreen(
            f"Impulse response for {inst.name}", stage.ir_path,
            "a WAV, AIFF or FLAC file; empty for the built-in room; Escape cancels",
        )  # fmt: skip
        self.app.push_screen(prompt, partial(self._set_impulse, inst.id, stage.id))

    def _set_impulse(self, ident: InstrumentId, stage_id: StageId, answer: str | None) -> None:
        if answer is None:
            return
        try:
            path = sound_file(answer)
        except ValueError as error:
            self.ws.notify(str(error), "error")
            return
        self.ws.dispatch(SetImpulseResponse(ident, stage_id, path))

    def action_filter_type(self) -> None:
        position, inst = self._stage_position(), self.ws.selected
        if position is None or inst is None:
            return
        stage = inst.chain[position]
        if not isinstance(stage, FilterStage):
            self.ws.notify("Move the cursor onto a filter first", "warning")
            return
        names = list(catalog.FILTERS)
        following = names[(names.index(stage.filter_type) + 1) % len(names)]
        self.ws.dispatch(SetFilterType(inst.id, stage.id, following))

    def action_toggle_lfo(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            self.ws.dispatch(SetLfoEnabled(inst.id, not inst.lfo.enabled))

    def action_lfo_shape(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            following = LFO_SHAPES[(LFO_SHAPES.index(inst.lfo.shape) + 1) % len(LFO_SHAPES)]
            self.ws.dispatch(SetLfoShape(inst.id, following))

    def action_lfo_target(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            index = (LFO_TARGETS.index(inst.lfo.target) + 1) % len(LFO_TARGETS)
            self.ws.dispatch(SetLfoTarget(inst.id, LFO_TARGETS[index]))

    def action_toggle_poly(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            self.ws.dispatch(SetPolyphonic(inst.id, not inst.polyphonic))

    def action_toggle_channels(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            self.ws.dispatch(
                SetChannels(inst.id, "mono" if inst.channels == "stereo" else "stereo")
            )

    def action_toggle_active(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            self.ws.dispatch(SetInstrumentActive(inst.id, not inst.active))

    def action_midi_learn(self) -> None:
        """Map the next knob moved on a MIDI controller to the parameter under the cursor."""
        row = self.row
        move = None if row is None or row.build is None else recorded_move(row.build(row.value))
        if move is None:
            self.ws.notify("This row cannot follow a knob (pick a numeric parameter).", "warning")
            return
        self.ws.midi_learn(move[0])

    def action_leave(self) -> None:
        self.show_pane("instruments")

    def action_change_source(self) -> None:
        inst = self.ws.selected
        if inst is not None:
            title = f"Source of {inst.name} (now {source_label(inst.source)}); its settings reset"
            self.app.push_screen(PickerScreen(title, source_items()), self._change_source)

    def _change_source(self, source: str | None) -> None:
        inst = self.ws.selected
        if source is None or inst is None or source == inst.source:
            return
        if self.ws.dispatch(SetInstrumentSource(inst.id, source)):
            hint = ": o loads a sample" if source in SAMPLER_SOURCES else ""
            self.ws.notify(f"{inst.name} now plays {source_label(source)}{hint}", "information")

    def action_sampler(self) -> None:
        inst = self.ws.selected
        if inst is not None and inst.source not in SAMPLER_SOURCES:
            self.ws.notify(f"{inst.name} is not a sampler: i changes its source", "warning")
            return
        self.show_pane("sampler")
