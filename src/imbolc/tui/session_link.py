"""What the TUI shows and asks of a shared (LAN) session; ``cli.py`` passes the real thing.

The TUI never imports ``imbolc.net``: a host or a client hands it an object with this shape,
and a solo session hands it nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Role = Literal["solo", "host", "client"]


@dataclass(frozen=True)
class PeerView:
    """One connected musician as the session pane lists them."""

    client_id: int
    name: str
    owned: tuple[int, ...]
    connected: bool
    privileged: bool
    me: bool = False


@dataclass(frozen=True)
class SessionView:
    """Everything the session pane draws."""

    role: Role = "solo"
    server: str = ""
    state: str = ""
    peers: tuple[PeerView, ...] = field(default_factory=tuple)
    web: str = ""
    """The web remote's address while it is on (host only)."""


class SessionLink(Protocol):
    """A shared session: read its roster, claim and release instruments, take the privilege."""

    def view(self) -> SessionView:
        """The roster and connection state right now."""
        ...

    def claim(self, instrument_id: int) -> None:
        """Ask to own an instrument nobody owns."""
        ...

    def release(self, instrument_id: int) -> None:
        """Give an instrument up."""
        ...

    def request_privilege(self, force: bool) -> None:
        """Ask for the privilege (transport, session, buses, saving); ``force`` takes it."""
        ...


@runtime_checkable
class WebRemoteSwitch(Protocol):
    """A hosted session's web remote, switched on and off from the session pane."""

    def toggle_web_remote(self) -> str:
        """Switch the remote on (returns its address) or off (returns "")."""
        ...
