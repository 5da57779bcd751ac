"""Small modal questions: type a line of text, or choose one of a few answers by key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, NamedTuple

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


def modal_css(screen: str, width: int = 64) -> str:
    """The look every modal shares: a framed box in the middle, for screen class ``screen``.

    Textual scopes a widget's DEFAULT_CSS to the widget, so each screen gets its own copy.
    """
    return f"""
    {screen} {{
        align: center middle;
    }}
    {screen} > Vertical {{
        width: {width};
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }}
    {screen} .title {{
        text-style: bold;
        width: 1fr;
    }}
    {screen} .hint {{
        color: $text-muted;
        width: 1fr;
    }}
    """


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; Enter answers, Escape cancels (None)."""

    DEFAULT_CSS = modal_css("PromptScreen")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "", hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.initial = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Input(self.initial, id="answer")
            if self.hint:
                yield Label(self.hint, classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Choice(NamedTuple):
    """One answer: the key that picks it, what it says and the value it returns."""

    key: str
    label: str
    value: str


class ChoiceScreen(ModalScreen[str | None]):
    """Ask a question answered by one key press; Escape answers None (cancel)."""

    DEFAULT_CSS = modal_css("ChoiceScreen")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, choices: Sequence[Choice]) -> None:
        super().__init__()
        self.question = question
        self.choices = tuple(choices)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, classes="title")
            answers = "   ".join(f"[{choice.key}] {choice.label}" for choice in self.choices)
            yield Label(f"{answers}   [Esc] cancel", classes="hint", markup=False)

    def on_key(self, event: events.Key) -> None:
        for choice in self.choices:
            if choice.key in (event.key, event.character):
                event.stop()
                self.dismiss(choice.value)
                return

    def action_cancel(self) -> None:
        self.dismiss(None)
