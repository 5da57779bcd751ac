"""The server's list of clients: names, tokens, ownership, the privilege and suspensions."""

from __future__ import annotations

from collections.abc import Iterable

from imbolc.core.project import Project
from imbolc.net.auth import new_token
from imbolc.net.history import ClientHistory
from imbolc.net.messages import HOST_ID, NOBODY, Peer, Peers
from imbolc.net.permissions import Authority


class ClientRecord:
    """One client, connected or suspended; survives reconnects under its token."""

    def __init__(self, client_id: int, name: str, history: ClientHistory) -> None:
        self.id = client_id
        self.name = name
        self.token = ""
        self.connection: int | None = None
        self.suspended_at: float | None = None
        self.history = history
        self.last_seq = 0


class Roster:
    """Clients by id and token, instrument owners and the privileged client."""

    def __init__(self, host_name: str = "host") -> None:
        self.clients: dict[int, ClientRecord] = {}
        self._by_token: dict[str, int] = {}
        self.owners: dict[int, int] = {}
        self.privileged: int | None = None
        self._next_id = HOST_ID + 1
        self.host_name = host_name

    def add(self, name: str, history: ClientHistory) -> ClientRecord:
        """A new client with a fresh id."""
        client = ClientRecord(self._next_id, name, history)
        self._next_id += 1
        self.clients[client.id] = client
        return client

    def find_token(self, token: str) -> ClientRecord | None:
        """The client a reconnect token belongs to."""
        ident = self._by_token.get(token) if token else None
        return None if ident is None else self.clients.get(ident)

    def rotate_token(self, client: ClientRecord) -> str:
        """Give the client a new token; the old one stops working."""
        self._by_token.pop(client.token, None)
        client.token = new_token()
        self._by_token[client.token] = client.id
        return client.token

    def name_of(self, client_id: int) -> str:
        """A client's name for messages."""
        if client_id == HOST_ID:
            return self.host_name
        client = self.clients.get(client_id)
        return client.name if client is not None else f"client {client_id}"

    def authority(self) -> Authority:
        """The ownership and privilege view the permission check needs."""
        return Authority(self.owners, self.privileged, self.name_of)

    def owned_by(self, client_id: int) -> tuple[int, ...]:
        """The instruments a client owns, in id order."""
        return tuple(sorted(i for i, owner in self.owners.items() if owner == client_id))

    def claim(
        self, client_id: int, ids: Iterable[int], project: Project
    ) -> tuple[list[int], list[str]]:
        """Grant the free, existing instruments; returns (granted, reasons for the rest)."""
        granted: list[int] = []
        denied: list[str] = []
        for ident in dict.fromkeys(ids):
            owner = self.owners.get(ident)
            if ident not in project.instruments:
                denied.append(f"instrument {ident} does not exist")
            elif owner is not None and owner != client_id:
                denied.append(f"instrument {ident} belongs to {self.name_of(owner)}")
            else:
                self.owners[ident] = client_id
                granted.append(ident)
        return granted, denied

    def release(self, client_id: int, ids: Iterable[int]) -> list[int]:
        """Give up the listed instruments the client owns; returns those released."""
        released = [i for i in ids if self.owners.get(i) == client_id]
        for ident in released:
            del self.owners[ident]
        return released

    def forget(self, client: ClientRecord) -> None:
        """Remove a client for good: its token, its ownership and its privilege."""
        self.clients.pop(client.id, None)
        self._by_token.pop(client.token, None)
        self.release(client.id, list(self.owners))
        if self.privileged == client.id:
            self.privileged = None

    def drop_missing(self, project: Project) -> bool:
        """Forget ownership of instruments that no longer exist; True if any went."""
        gone = [i for i in self.owners if i not in project.instruments]
        for ident in gone:
            del self.owners[ident]
        return bool(gone)

    def peers(self) -> Peers:
        """The Peers message for the current roster."""
        listed = tuple(
            Peer(c.id, c.name, self.owned_by(c.id), c.connection is not None)
            for c in sorted(self.clients.values(), key=lambda c: c.id)
        )
        return Peers(listed, self.privileged if self.privileged is not None else NOBODY)
