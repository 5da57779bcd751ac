"""The drum sequencer (F2 on a kit, F8): pads x steps of the current pattern."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar, get_args

from msgspec.structs import replace
from rich.text import Text
from textual.binding import BindingType

from imbolc.core.actions import (
    ApplyEuclidean,
    ClearPattern,
    SelectPattern,
    SetDrumPad,
    SetDrumStep,
    SetKitSwing,
    SetPatternChain,
    SetPatternLength,
    SetStepResolution,
    ToggleDrumStep,
)
from imbolc.core.actions.base import Action
from imbolc.core.ids import InstrumentId
from imbolc.core.instrument import Instrument
from imbolc.core.kit import PATTERN_LENGTHS, STEPS_PER_BEAT, DrumStep, StepResolution
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import Meters, Transport
from imbolc.core.project import Project
from imbolc.tui.format import BLOCKS
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.screens.prompts import PromptScreen
from imbolc.tui.widgets.state_view import Pane
from imbolc.tui.workspace import Workspace

PATTERN_NAMES = "ABCD"
PROBABILITIES = (1.0, 0.75, 0.5, 0.25)
MAX_CHAIN = 64
SWING_STEP = 0.05
LEVEL_STEP = 0.05
PAD_LEVEL = (0.0, 1.5)
PAD_PITCH = (-24, 24)
RESOLUTIONS: tuple[StepResolution, ...] = get_args(StepResolution)
NAME_WIDTH = 11


def sample_file(text: str) -> Path:
    """The absolute path of an existing file typed at a prompt; raises ValueError naming it."""
    if not text.strip():
        raise ValueError("no file given: type the path of a sound file")
    path = Path(text.strip()).expanduser()
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    return path.resolve()


def parse_chain(text: str) -> tuple[int, ...]:
    """A pattern chain typed at a prompt ("A A B C", "aabc"); raises ValueError naming it."""
    letters = [char for char in text.upper() if not char.isspace() and char != ","]
    unknown = sorted({char for char in letters if char not in PATTERN_NAMES})
    if unknown:
        raise ValueError(
            f"pattern chain: {', '.join(map(repr, unknown))} is not a pattern "
            f"(use {', '.join(PATTERN_NAMES)}, at most {MAX_CHAIN})"
        )
    if len(letters) > MAX_CHAIN:
        raise ValueError(f"pattern chain: {len(letters)} patterns is too long (1..{MAX_CHAIN})")
    return tuple(PATTERN_NAMES.index(char) for char in letters)


def parse_euclid(text: str) -> tuple[int, int]:
    """ "5" or "5 2" (pulses, rotation) from a prompt; raises ValueError with a reason."""
    parts = text.replace(",", " ").split()
    if not 1 <= len(parts) <= 2 or not all(part.isdigit() for part in parts):
        raise ValueError(f"{text!r}: type the number of hits, then optionally a rotation")
    pulses = int(parts[0])
    return pulses, int(parts[1]) if len(parts) == 2 else 0


class DrumsPane(Pane):
    """Steps of the current pattern with velocity and probability, patterns and lengths."""

    LAYER = "drums"
    TITLE = "Drums"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("drums")

    def __init__(self, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(workspace, id=id)
        self.pad = 0
        self._step = 0
        self.playhead: int | None = None
        self.clipboard: tuple[DrumStep, ...] = ()
        """A pad's row of steps copied with Ctrl+C."""

    @property
    def kit_instrument(self) -> Instrument | None:
        """The selected instrument if it is a kit, else the first kit of the project."""
        inst = self.ws.selected
        if inst is not None and inst.kit is not None:
            return inst
        return next((i for i in self.ws.project.instruments.items if i.kit is not None), None)

    def watched(self, project: Project) -> tuple[object, ...]:
        return (self.kit_instrument,)

    @property
    def step(self) -> int:
        """The step under the cursor (kept inside the current pattern)."""
        inst = self.kit_instrument
        if inst is None or inst.kit is None:
            return 0
        return min(self._step, inst.kit.patterns[inst.kit.current_pattern].length - 1)

    @step.setter
    def step(self, index: int) -> None:
        self._step = index

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        inst = self.kit_instrument
        if inst is None or inst.kit is None:
            text.append("No drum kit: add a Kit instrument (F1, then a).", style="italic")
            return text
        kit = inst.kit
        pattern = kit.patterns[kit.current_pattern]
        text.append(f"{inst.name}", style="bold")
        text.append("  pattern ")
        for n, name in enumerate(PATTERN_NAMES):
            text.append(f"[{name}]" if n == kit.current_pattern else f" {name} ",
                        style="bold reverse" if n == kit.current_pattern else "dim")  # fmt: skip
        text.append(f"  {pattern.length} steps · {kit.resolution} · swing {kit.swing:.0%}\n")
        per_beat = STEPS_PER_BEAT[kit.resolution]
        width = 2 if NAME_WIDTH + 2 * pattern.length <= self.size.width else 1
        ruler = Text(" " * NAME_WIDTH)
        for step_no in range(pattern.length):
            beat_start = step_no % per_beat == 0
            if width == 2:
                label = str(step_no + 1) if beat_start else ""
                ruler.append(label.ljust(2)[:2], style="dim")
            else:
                ruler.append("|" if beat_start else " ", style="dim")
        text.append(ruler)
        for pad_no, (pad, row) in enumerate(zip(kit.pads, pattern.steps, strict=True)):
            text.append("\n")
            name_style = "bold reverse" if pad_no == self.pad else ""
            text.append(f"{pad.name[: NAME_WIDTH - 1]:<{NAME_WIDTH - 1}}", style=name_style)
            text.append(" ")
            for step_no, step in enumerate(row):
                text.append(self._cell(step, step_no, pad_no, per_beat, width))
        text.append("\n")
        text.append(self._status(inst))
        return text

    def _cell(self, step: DrumStep, step_no: int, pad_no: int, per_beat: int, width: int) -> Text:
        if step.active:
            char = BLOCKS[max(3, round(step.velocity / 127 * 8))]
            style = "green" if step.probability >= 1.0 else "yellow"
        else:
            char = "·"
            style = "grey50" if step_no % per_beat == 0 else "grey30"
        if step_no == self.playhead:
            style += " on dark_goldenrod"
        if step_no == self.step and pad_no == self.pad:
            style += " reverse"
        return Text(char + " " * (width - 1), style=style)

    def _status(self, inst: Instrument) -> Text:
        assert inst.kit is not None
        kit = inst.kit
        step = kit.patterns[kit.current_pattern].steps[self.pad][self.step]
        pad = kit.pads[self.pad]
        state = (
            f"on · velocity {step.velocity} · probability {step.probability:.0%}"
            if step.active
            else "off"
        )
        sample = f" · sample {Path(pad.sample_path).name}" if pad.sample_path else ""
        sound = f"level {pad.level:.2f} · pitch {pad.pitch:+d}" + (
            " · reversed" if pad.reverse else ""
        )
        status = Text(f"{pad.name}{sample} ({sound}) step {self.step + 1}: {state}", style="dim")
        chain = " ".join(PATTERN_NAMES[n] for n in kit.chain) or "none"
        status.append(f"\nchain {chain} ({'on' if kit.chain_enabled else 'off'})", style="dim")
        if self.clipboard:
            status.append(f" · clipboard {len(self.clipboard)} steps", style="dim")
        return status

    def live(self, transport: Transport, meters: Meters) -> None:
        inst = self.kit_instrument
        playhead = None
        if transport.playing and inst is not None and inst.kit is not None:
            kit = inst.kit
            ticks_per_step = TICKS_PER_BEAT / STEPS_PER_BEAT[kit.resolution]
            length = kit.patterns[kit.current_pattern].length
            playhead = int(transport.tick / ticks_per_step) % length
        if playhead != self.playhead:
            self.playhead = playhead
            self.refresh()

    def _where(self) -> tuple[Instrument, int] | None:
        inst = self.kit_instrument
        if inst is None or inst.kit is None:
            self.ws.notify("There is no drum kit", "warning")
            return None
        return inst, inst.kit.current_pattern

    def _current_step(self) -> DrumStep | None:
        inst = self.kit_instrument
        if inst is None or inst.kit is None:
            return None
        return inst.kit.patterns[inst.kit.current_pattern].steps[self.pad][self.step]

    def action_move(self, dx: int, dy: int) -> None:
        inst = self.kit_instrument
        if inst is None or inst.kit is None:
            return
        length = inst.kit.patterns[inst.kit.current_pattern].length
        self.step = (self.step + dx) % length
        self.pad = (self.pad + dy) % len(inst.kit.pads)
        self.refresh()

    def action_toggle_step(self) -> None:
        where = self._where()
        if where is not None:
            inst, pattern = where
            self.ws.dispatch(ToggleDrumStep(inst.id, pattern, self.pad, self.step))

    def _set_step(self, **fields: object) -> None:
        where, step = self._where(), self._current_step()
        if where is not None and step is not None:
            inst, pattern = where
            changed = replace(step, active=True, **fields)
            self.ws.dispatch(SetDrumStep(inst.id, pattern, self.pad, self.step, changed))

    def action_velocity(self, change: int) -> None:
        step = self._current_step()
        if step is not None:
            self._set_step(velocity=max(1, min(127, step.velocity + change)))

    def action_probability(self) -> None:
        step = self._current_step()
        if step is not None:
            nearest = min(PROBABILITIES, key=lambda p: abs(p - step.probability))
            following = PROBABILITIES[(PROBABILITIES.index(nearest) + 1) % len(PROBABILITIES)]
            self._set_step(probability=following)

    def action_pattern(self, step: int) -> None:
        where = self._where()
        if where is not None:
            inst, pattern = where
            self.ws.dispatch(SelectPattern(inst.id, (pattern + step) % len(PATTERN_NAMES)))

    def action_length(self, direction: int) -> None:
        where = self._where()
        if where is None:
            return
        inst, pattern = where
        assert inst.kit is not None
        length = inst.kit.patterns[pattern].length
        if direction > 0:
            choices = [n for n in PATTERN_LENGTHS if n > length]
            target = choices[0] if choices else length
        else:
            choices = [n for n in PATTERN_LENGTHS if n < length]
            target = choices[-1] if choices else length
        if target != length:
            self.ws.dispatch(SetPatternLength(inst.id, pattern, target))

    def action_euclidean(self) -> None:
        if self._where() is not None:
            prompt = PromptScreen("Euclidean fill: hits [rotation]", "4", "e.g. 5 or 5 2")
            self.app.push_screen(prompt, self._euclid)

    def _euclid(self, answer: str | None) -> None:
        where = self._where()
        if answer is None or where is None:
            return
        try:
            pulses, rotation = parse_euclid(answer)
        except ValueError as error:
            self.ws.notify(str(error), "error")
            return
        inst, pattern = where
        self.ws.dispatch(ApplyEuclidean(inst.id, pattern, self.pad, pulses, rotation))

    def action_clear_pad(self) -> None:
        where = self._where()
        if where is not None:
            inst, pattern = where
            self.ws.dispatch(ApplyEuclidean(inst.id, pattern, self.pad, 0))

    def action_clear_pattern(self) -> None:
        where = self._where()
        if where is not None:
            inst, pattern = where
            self.ws.dispatch(ClearPattern(inst.id, pattern))

    def action_resolution(self) -> None:
        inst = self.kit_instrument
        if inst is not None and inst.kit is not None:
            index = (RESOLUTIONS.index(inst.kit.resolution) + 1) % len(RESOLUTIONS)
            self.ws.dispatch(SetStepResolution(inst.id, RESOLUTIONS[index]))

    def action_pad_sample(self) -> None:
        where = self._where()
        if where is None:
            return
        inst = where[0]
        assert inst.kit is not None
        pad = inst.kit.pads[self.pad]
        prompt = PromptScreen(
            f"Sample file for pad {self.pad + 1} ({pad.name})", pad.sample_path,
            "a WAV, AIFF or FLAC file; Escape cancels",
        )  # fmt: skip
        self.app.push_screen(prompt, partial(self._set_sample, inst.id, self.pad))

    def _set_sample(self, ident: InstrumentId, pad_no: int, answer: str | None) -> None:
        if answer is None:
            return
        try:
            path = sample_file(answer)
        except ValueError as error:
            self.ws.notify(str(error), "error")
            return
        self._replace_pad(ident, pad_no, sample_path=str(path))

    def action_clear_pad_sample(self) -> None:
        where = self._where()
        if where is not None:
            self._replace_pad(where[0].id, self.pad, sample_path="")

    def _replace_pad(self, ident: InstrumentId, pad_no: int, **fields: object) -> None:
        inst = self.ws.project.instruments.get(ident)
        if inst is None or inst.kit is None:
            self.ws.notify("The drum kit is gone", "warning")
            return
        pad = replace(inst.kit.pads[pad_no], **fields)
        self.ws.dispatch(SetDrumPad(ident, pad_no, pad))

    # pad sound, kit swing, pattern chain, step clipboard

    def action_pad_level(self, steps: int) -> None:
        where = self._where()
        if where is not None:
            assert where[0].kit is not None
            pad = where[0].kit.pads[self.pad]
            level = round(max(PAD_LEVEL[0], min(PAD_LEVEL[1], pad.level + steps * LEVEL_STEP)), 4)
            if level != pad.level:
                self._replace_pad(where[0].id, self.pad, level=level)

    def action_pad_pitch(self, semitones: int) -> None:
        where = self._where()
        if where is not None:
            assert where[0].kit is not None
            pad = where[0].kit.pads[self.pad]
            pitch = max(PAD_PITCH[0], min(PAD_PITCH[1], pad.pitch + semitones))
            if pitch != pad.pitch:
                self._replace_pad(where[0].id, self.pad, pitch=pitch)

    def action_pad_reverse(self) -> None:
        where = self._where()
        if where is not None:
            assert where[0].kit is not None
            reverse = not where[0].kit.pads[self.pad].reverse
            self._replace_pad(where[0].id, self.pad, reverse=reverse)

    def action_kit_swing(self, steps: int) -> None:
        where = self._where()
        if where is not None:
            assert where[0].kit is not None
            swing = round(max(0.0, min(1.0, where[0].kit.swing + steps * SWING_STEP)), 4)
            if swing != where[0].kit.swing:
                self.ws.dispatch(SetKitSwing(where[0].id, swing))

    def action_chain(self) -> None:
        where = self._where()
        if where is not None:
            assert where[0].kit is not None
            current = " ".join(PATTERN_NAMES[n] for n in where[0].kit.chain)
            prompt = PromptScreen(
                "Pattern chain: the order patterns play",
                current,
                f"e.g. A A B C ({', '.join(PATTERN_NAMES)}); empty: no chain",
            )
            self.app.push_screen(prompt, partial(self._set_chain, where[0].id))

    def _set_chain(self, ident: InstrumentId, answer: str | None) -> None:
        if answer is None:
            return
        try:
            chain = parse_chain(answer)
        except ValueError as error:
            self.ws.notify(str(error), "error")
            return
        self.ws.dispatch(SetPatternChain(ident, chain, bool(chain)))

    def action_toggle_chain(self) -> None:
        where = self._where()
        if where is not None:
            kit = where[0].kit
            assert kit is not None
            if not kit.chain:
                self.ws.notify("No pattern chain yet: c types one", "warning")
                return
            self.ws.dispatch(SetPatternChain(where[0].id, kit.chain, not kit.chain_enabled))

    def action_copy_steps(self) -> None:
        inst = self.kit_instrument
        if inst is not None and inst.kit is not None:
            self.clipboard = inst.kit.patterns[inst.kit.current_pattern].steps[self.pad]
            self.ws.notify(f"Copied {inst.kit.pads[self.pad].name}'s steps", "information")
            self.refresh()

    def action_paste_steps(self) -> None:
        where = self._where()
        if where is None:
            return
        if not self.clipboard:
            self.ws.notify("No steps copied: Ctrl+C copies a pad's row", "warning")
            return
        inst, pattern = where
        assert inst.kit is not None
        row = inst.kit.patterns[pattern].steps[self.pad]
        changes: list[Action] = [
            SetDrumStep(inst.id, pattern, self.pad, step_no, copied)
            for step_no, copied in enumerate(self.clipboard[: len(row)])
            if row[step_no] != copied
        ]
        self.ws.dispatch_all(changes, "paste steps")
