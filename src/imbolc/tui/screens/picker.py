"""A searchable list to pick one item from: sources, effects, targets, panes.

Typing narrows the list (every word must appear in the item's label, group or detail);
up/down move, Enter picks, Escape cancels. Items may be grouped under headings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, NamedTuple, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from imbolc.tui.screens.prompts import modal_css

T = TypeVar("T")


class PickItem(NamedTuple, Generic[T]):
    """One choice: what it says, what it returns, its heading and a note beside it."""

    label: str
    value: T
    group: str = ""
    detail: str = ""


def matches(item: PickItem[T], query: str) -> bool:
    """Whether every word of ``query`` occurs in the item's label, group or detail."""
    haystack = f"{item.label} {item.group} {item.detail}".lower()
    return all(word in haystack for word in query.lower().split())


class PickerScreen(ModalScreen[T | None], Generic[T]):
    """Pick one of ``items``; dismisses with its value, or None on Escape."""

    DEFAULT_CSS = (
        modal_css("PickerScreen")
        + """
    PickerScreen OptionList {
        height: auto;
        max-height: 20;
        border: none;
    }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "cursor('down')", show=False),
        Binding("up", "cursor('up')", show=False),
        Binding("pagedown", "cursor('page_down')", show=False),
        Binding("pageup", "cursor('page_up')", show=False),
    ]

    def __init__(self, title: str, items: Sequence[PickItem[T]]) -> None:
        super().__init__()
        self.title_text = title
        self.items = tuple(items)
        self.shown: list[PickItem[T]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Input(placeholder="type to search", id="query")
            yield OptionList(id="choices")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        options: list[Option] = []
        self.shown = []
        group = None
        for item in self.items:
            if not matches(item, query):
                continue
            if item.group and item.group != group:
                group = item.group
                options.append(Option(Text(f"── {group} ──", style="bold"), disabled=True))
            line = Text(item.label)
            if item.detail:
                line.append(f"  {item.detail}", style="dim")
            options.append(Option(line, id=str(len(self.shown))))
            self.shown.append(item)
        choices = self.query_one(OptionList)
        choices.set_options(options)
        first = next((n for n, option in enumerate(options) if not option.disabled), None)
        choices.highlighted = first

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose(self.query_one(OptionList).highlighted_option)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option)

    def _choose(self, option: Option | None) -> None:
        if option is None or option.id is None:
            return
        self.dismiss(self.shown[int(option.id)].value)

    def action_cursor(self, how: str) -> None:
        choices = self.query_one(OptionList)
        getattr(choices, f"action_cursor_{how}" if how in ("up", "down") else f"action_{how}")()

    def action_cancel(self) -> None:
        self.dismiss(None)
