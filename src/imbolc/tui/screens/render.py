"""The render dialog: where to, which format and bit depth, and an optional loudness target.

The same choices as ``imbolc render``: the format follows the file's extension (and changing
the format renames the extension), FLAC has no float samples, and 16 bits are dithered.
Enter in a text field renders; Escape cancels.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import ClassVar, Literal, NamedTuple

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from imbolc.core.ports import RenderOptions
from imbolc.tui.screens.prompts import modal_css

SampleFormat = Literal["float", "int24", "int16"]
FORMATS: tuple[tuple[str, str], ...] = (("WAV", "wav"), ("FLAC", "flac"), ("OGG Vorbis", "ogg"))
DEPTHS: tuple[tuple[str, SampleFormat], ...] = (
    ("32-bit float", "float"),
    ("24-bit", "int24"),
    ("16-bit, dithered", "int16"),
)
EXTENSIONS = {".wav": "wav", ".flac": "flac", ".ogg": "ogg", ".oga": "ogg"}
LOUDNESS_RANGE = (-70.0, -1.0)


class RenderRequest(NamedTuple):
    """What the dialog answered: the file and the options to render it with."""

    target: Path
    options: RenderOptions


class RenderScreen(ModalScreen[RenderRequest | None]):
    """Ask where and how to render."""

    DEFAULT_CSS = modal_css("RenderScreen", width=72)
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, suggestion: str) -> None:
        super().__init__()
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        chosen = EXTENSIONS.get(Path(self.suggestion).suffix.lower(), "wav")
        with Vertical():
            yield Label("Render", classes="title")
            yield Input(self.suggestion, id="target")
            yield Select(FORMATS, value=chosen, allow_blank=False, id="format")
            depth: SampleFormat = "int24" if chosen == "flac" else "float"
            yield Select(DEPTHS, value=depth, allow_blank=False, id="depth")
            yield Input("", placeholder="normalize to LUFS (empty: off; e.g. -14)", id="lufs")
            yield Label("Enter renders · Tab moves · Esc cancels", classes="hint", id="problem")

    def on_mount(self) -> None:
        self.query_one("#target", Input).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "format" or not isinstance(event.value, str):
            return
        target = self.query_one("#target", Input)
        path = Path(target.value)
        if path.name and EXTENSIONS.get(path.suffix.lower()) != event.value:
            suffix = {"wav": ".wav", "flac": ".flac", "ogg": ".ogg"}[event.value]
            target.value = str(path.with_suffix(suffix))
        depth = self.query_one("#depth", Select)
        if event.value == "flac" and depth.value == "float":
            depth.value = "int24"
        depth.disabled = event.value == "ogg"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        request = self.request()
        if request is not None:
            self.dismiss(request)

    def request(self) -> RenderRequest | None:
        """The answer, or None after showing why the fields cannot be rendered."""
        target = self.query_one("#target", Input).value.strip()
        if not target:
            self._problem("name the file to render to")
            return None
        file_format = self.query_one("#format", Select).value
        depth = self.query_one("#depth", Select).value
        text = self.query_one("#lufs", Input).value.strip()
        target_lufs: float | None = None
        if text:
            try:
                target_lufs = float(text)
            except ValueError:
                self._problem(f"{text!r} is not a loudness: type a number like -14")
                return None
            low, high = LOUDNESS_RANGE
            if not math.isfinite(target_lufs) or not low <= target_lufs <= high:
                self._problem(f"the loudness target must be between {low:g} and {high:g}")
                return None
        sample: SampleFormat = "float"
        for _label, value in DEPTHS:
            if value == depth:
                sample = value
        by_extension = Path(target).suffix.lower() in EXTENSIONS  # the name wins, as on the CLI
        options = RenderOptions(
            sample_format=sample,
            file_format="" if by_extension else str(file_format),
            normalize_lufs=target_lufs,
        )
        return RenderRequest(Path(target).expanduser(), options)

    def _problem(self, message: str) -> None:
        self.query_one("#problem", Label).update(message)

    def action_cancel(self) -> None:
        self.dismiss(None)
