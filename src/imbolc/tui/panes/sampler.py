"""The sampler pane (o in the editor): a sampler instrument's sample file, loop, pitch
tracking and slices; every change is one ``SetSampler``."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from msgspec.structs import replace
from rich.text import Text
from textual.binding import BindingType

from imbolc.core.actions import SetSampler
from imbolc.core.instrument import SAMPLER_SOURCES, Instrument, SamplerConfig, Slice
from imbolc.core.project import Project
from imbolc.tui.format import source_label
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.prompt_values import whole_number
from imbolc.tui.screens.prompts import PromptScreen
from imbolc.tui.sound_files import FORMATS, sound_file
from imbolc.tui.widgets.state_view import Pane, visible_window
from imbolc.tui.workspace import Workspace

MAX_SLICES = 128
ROOT_NOTE = 60


def equal_slices(count: int, root_note: int = ROOT_NOTE) -> tuple[Slice, ...]:
    """``count`` slices of equal length covering the sample, on consecutive notes."""
    return tuple(
        Slice(n, n / count, (n + 1) / count, f"slice {n + 1}", min(127, root_note + n))
        for n in range(count)
    )


class SamplerPane(Pane):
    """Load a sample, loop it, track pitch, cut it into slices and pick one."""

    LAYER = "sampler"
    TITLE = "Sampler"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("sampler")

    def __init__(self, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(workspace, id=id)

    def watched(self, project: Project) -> tuple[object, ...]:
        return (self.ws.selected,)

    def sampler_instrument(self) -> tuple[Instrument, SamplerConfig] | None:
        """The selected instrument and its sampler settings, if it is a sampler."""
        inst = self.ws.selected
        if inst is None or inst.source not in SAMPLER_SOURCES:
            return None
        return inst, inst.sampler or SamplerConfig()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        found = self.sampler_instrument()
        if found is None:
            inst = self.ws.selected
            what = "No instrument selected" if inst is None else f"{inst.name} is not a sampler"
            text.append(f"{what}: in the editor, i changes the source to Pitched Sampler or "
                        "Time Stretch.", style="italic")  # fmt: skip
            return text
        inst, sampler = found
        text.append(inst.name, style="bold")
        text.append(f"  {source_label(inst.source)}\n", style="cyan")
        if sampler.sample_path:
            text.append("Sample  ")
            text.append(sampler.sample_name or Path(sampler.sample_path).name, style="bold")
            text.append(f"  {sampler.sample_path}\n", style="dim")
        else:
            text.append("Sample  none yet: o loads a sound file\n", style="yellow")
        text.append(f"Loop    {'on' if sampler.loop else 'off'}", style="bold")
        text.append(f"    Pitch tracking {'on' if sampler.pitch_tracking else 'off'}\n",
                    style="bold")  # fmt: skip
        count = len(sampler.slices)
        if count:
            text.append(f"\nSlices ({count})\n", style="bold underline")
        else:
            text.append("\nSlices: none, the whole sample plays (n cuts it)\n", style="dim")
        rows = max(1, self.size.height - 7)
        for index in visible_window(sampler.selected_slice, count, rows):
            piece = sampler.slices[index]
            line = Text(f"  {index + 1:>3}  {piece.start:6.3f}-{piece.end:6.3f}  "
                        f"note {piece.root_note:>3}  {piece.name}")  # fmt: skip
            if index == sampler.selected_slice:
                line.stylize("reverse")
            text.append(line)
            text.append("\n")
        text.rstrip()
        return text

    def _change(self, **fields: object) -> None:
        found = self.sampler_instrument()
        if found is None:
            self.ws.notify("The selected instrument is not a sampler", "warning")
            return
        inst, sampler = found
        self.ws.dispatch(SetSampler(inst.id, replace(sampler, **fields)))

    def action_load(self) -> None:
        found = self.sampler_instrument()
        if found is None:
            self._change()
            return
        inst, sampler = found
        prompt = PromptScreen(f"Sample file for {inst.name}", sampler.sample_path,
                              f"a {FORMATS} file; Escape cancels")  # fmt: skip
        self.app.push_screen(prompt, self._load)

    def _load(self, answer: str | None) -> None:
        if answer is None:
            return
        try:
            path = sound_file(answer)
        except ValueError as error:
            self.ws.notify(str(error), "error")
            return
        self._change(sample_path=str(path), sample_name=path.stem)

    def action_toggle_loop(self) -> None:
        found = self.sampler_instrument()
        if found is None:
            self._change()
        else:
            self._change(loop=not found[1].loop)

    def action_toggle_tracking(self) -> None:
        found = self.sampler_instrument()
        if found is None:
            self._change()
        else:
            self._change(pitch_tracking=not found[1].pitch_tracking)

    def action_select_slice(self, step: int) -> None:
        found = self.sampler_instrument()
        if found is None or not found[1].slices:
            self.ws.notify("No slices: n cuts the sample into slices", "warning")
            return
        sampler = found[1]
        index = max(0, min(len(sampler.slices) - 1, sampler.selected_slice + step))
        if index != sampler.selected_slice:
            self._change(selected_slice=index)

    def action_slice_count(self) -> None:
        found = self.sampler_instrument()
        if found is None:
            self._change()
            return
        prompt = PromptScreen("Cut the sample into equal slices: how many?",
                              str(len(found[1].slices) or 8),
                              f"0..{MAX_SLICES}; 0 plays the whole sample")  # fmt: skip
        self.app.push_screen(prompt, self._slice_count)

    def _slice_count(self, answer: str | None) -> None:
        if answer is None:
            return
        try:
            count = whole_number(answer, "slice count", 0, MAX_SLICES)
        except ValueError as error:
            self.ws.notify(str(error), "error")
            return
        self._change(slices=equal_slices(count), selected_slice=0)

    def action_leave(self) -> None:
        self.show_pane("editor")
