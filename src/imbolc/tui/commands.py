"""The command palette (`:`): every action of the current pane and every global one.

Entries come from the keymap, so the palette, the help screen and the keys always agree;
besides them, every session setting can be found by its usual names ("bpm", "tuning").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from typing import NamedTuple, Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from imbolc.tui.keymap import Keymap, display_key


class PaletteEntry(NamedTuple):
    """One command: its text, the key that also runs it, and where the action runs."""

    title: str
    keys: str
    action: str
    target: DOMNode


class PaletteHost(Protocol):
    """What the provider needs from the app."""

    keymap: Keymap

    def palette_layers(self) -> list[tuple[str, str, DOMNode]]:
        """(section title, keymap layer, node that runs its actions), current pane first."""
        ...

    async def run_palette_action(self, action: str, target: DOMNode) -> None:
        """Run an action chosen in the palette."""
        ...

    def palette_extras(self) -> list[PaletteEntry]:
        """Commands found from any pane besides the keymap's (each session setting)."""
        ...


def palette_entries(host: PaletteHost) -> Iterator[PaletteEntry]:
    """Every action the palette offers right now."""
    for title, layer, target in host.palette_layers():
        for binding in host.keymap.layer(layer):
            keys = ", ".join(display_key(key) for key in binding.keys)
            text = binding.description or binding.action
            yield PaletteEntry(f"{title}: {text}", keys, binding.action, target)
    yield from host.palette_extras()


class PaneCommands(Provider):
    """Fuzzy search over the current pane's actions and the global ones."""

    def _host(self) -> PaletteHost:
        return cast(PaletteHost, self.app)

    def _command(self, entry: PaletteEntry) -> Callable[[], Awaitable[None]]:
        return partial(self._host().run_palette_action, entry.action, entry.target)

    async def discover(self) -> Hits:
        for entry in palette_entries(self._host()):
            yield DiscoveryHit(entry.title, self._command(entry), help=entry.keys)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in palette_entries(self._host()):
            score = matcher.match(entry.title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(entry.title), self._command(entry), help=entry.keys
                )
