"""Context help: the keys of the current pane and the global ones, read from the keymap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from imbolc.tui.keymap import Keymap, display_key
from imbolc.tui.screens.prompts import modal_css


def help_text(keymap: Keymap, sections: Sequence[tuple[str, str]]) -> Text:
    """The keys of each (title, layer) section as aligned "keys  description" lines."""
    text = Text()
    for title, layer in sections:
        bindings = keymap.layer(layer)
        if not bindings:
            continue
        if text:
            text.append("\n")
        text.append(f"{title}\n", style="bold underline")
        for binding in bindings:
            keys = ", ".join(display_key(key) for key in binding.keys)
            text.append(f"  {keys:<18}", style="bold")
            text.append(f" {binding.description or binding.action}\n")
    text.rstrip()
    return text


class HelpScreen(ModalScreen[None]):
    """Shows the keys; Escape, q or ? closes it."""

    DEFAULT_CSS = (
        modal_css("HelpScreen", width=72)
        + """
    HelpScreen > Vertical {
        height: 90%;
    }
    HelpScreen VerticalScroll {
        height: 1fr;
    }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def __init__(self, keymap: Keymap, sections: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.body = help_text(keymap, sections)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Keys  (Esc closes)", classes="title")
            with VerticalScroll():
                yield Static(self.body, id="help-body")

    def action_close(self) -> None:
        self.dismiss(None)
