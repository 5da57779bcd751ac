"""The footer: the hinted keys of the current pane and the global ones, from the keymap.

One line of text that is rebuilt only when the pane or the mode changes (cheaper than a
widget per key, and it always shows the user's own bindings).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

from imbolc.tui.keymap import Keymap, display_key


def hints(keymap: Keymap, layers: Sequence[str]) -> Text:
    """ "key description" for every hinted binding of ``layers``, in order."""
    text = Text()
    for layer in layers:
        for binding in keymap.layer(layer):
            if not binding.hint:
                continue
            text.append(f" {display_key(binding.keys[0])} ", style="bold reverse")
            text.append(f" {binding.description}  ")
    return text


class KeyHints(Widget):
    """A one-line key reference at the bottom of the screen."""

    DEFAULT_CSS = """
    KeyHints {
        dock: bottom;
        height: 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, keymap: Keymap) -> None:
        super().__init__()
        self.keymap = keymap
        self._layers: tuple[str, ...] = ()
        self._text = Text()

    def show(self, layers: Sequence[str]) -> None:
        """Show the hints of ``layers`` (no-op when they are already shown)."""
        wanted = tuple(layers)
        if wanted != self._layers:
            self._layers = wanted
            self._text = hints(self.keymap, wanted)
            self.refresh()

    def render(self) -> Text:
        return self._text
