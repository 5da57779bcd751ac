"""What the interface may ask of live MIDI input: ports, MIDI learn, recorded takes, sync status.

The composition root realizes it over real devices (``imbolc.live_wiring``); the TUI sees only
this protocol, so it never imports the device layer. ``NoLive`` stands in without MIDI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from imbolc.core.actions.base import Action
from imbolc.core.ids import InstrumentId
from imbolc.core.live_take import TakeOptions

CallSoon = Callable[[Callable[[], None]], None]
"""Schedules a function on the store's owner thread (thread-safe, never blocks)."""
Learned = Callable[[int, int], None]
"""Told (controller, channel) of the first controller moved while learning."""


class StoreHooks(Protocol):
    """The store owner's side: how live input reaches the store without owning it."""

    def call_soon(self, function: Callable[[], None]) -> None: ...

    def dispatch(self, action: Action) -> bool: ...

    def dispatch_all(self, actions: Sequence[Action], label: str) -> bool: ...

    def selected(self) -> InstrumentId | None: ...


class LiveControl(Protocol):
    """Live MIDI as the interface sees it."""

    def ports(self) -> list[str]:
        """Input ports there are now."""
        ...

    def opened(self) -> list[str]:
        """Input ports listened to now."""
        ...

    def choose(self, selection: str | list[str]) -> list[str]:
        """Listen to these ports (``"all"``: every port); returns the ports opened."""
        ...

    def bind(self, hooks: StoreHooks) -> None:
        """Route moves, learned controllers and takes through the store owner's ``hooks``."""
        ...

    def learn(self, then: Learned | None) -> None:
        """Report the next controller moved to ``then`` (on the owner's thread); None cancels."""
        ...

    def start_take(self, options: TakeOptions) -> int:
        """Arm and record from the playhead; returns the tick recording starts at."""
        ...

    def stop_take(self) -> int:
        """Stop recording and keep the take as one undo step; returns the notes recorded."""
        ...

    @property
    def recording(self) -> bool:
        """Whether a take is being recorded."""
        ...

    def sync_status(self) -> str:
        """One line on tempo sync (Link peers, MIDI clock in and out)."""
        ...

    def start_delay(self) -> float:
        """Seconds to wait before starting playback so it starts in phase (Link), else 0."""
        ...

    def play_key(self, instrument_id: InstrumentId, note: int, velocity: int) -> bool:
        """Play a computer-keyboard key as a live key (layers, chord shape, arpeggiator, the
        take being recorded); False when there is no live path and the caller plays it."""
        ...

    def release_key(self, instrument_id: InstrumentId, note: int) -> None:
        """Let go of a key ``play_key`` pressed."""
        ...


class NoLive:
    """No MIDI here: no ports, nothing to learn, takes record nothing."""

    def __init__(self, reason: str = "MIDI input is not available") -> None:
        self.reason = reason

    def ports(self) -> list[str]:
        return []

    def opened(self) -> list[str]:
        return []

    def choose(self, selection: str | list[str]) -> list[str]:
        return []

    def bind(self, hooks: StoreHooks) -> None:
        return None

    def learn(self, then: Learned | None) -> None:
        return None

    def start_take(self, options: TakeOptions) -> int:
        return 0

    def stop_take(self) -> int:
        return 0

    @property
    def recording(self) -> bool:
        return False

    def sync_status(self) -> str:
        return self.reason

    def start_delay(self) -> float:
        return 0.0

    def play_key(self, instrument_id: InstrumentId, note: int, velocity: int) -> bool:
        return False

    def release_key(self, instrument_id: InstrumentId, note: int) -> None:
        return None
