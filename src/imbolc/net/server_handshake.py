"""The server side of the handshake: Hello → (Challenge → Proof) → Welcome + Snapshot.

A reconnecting client presents its token and gets its id, ownership, privilege and undo
history back, plus a fresh token; anyone else becomes a new client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imbolc import __version__
from imbolc.net import auth
from imbolc.net.events import ClientJoined
from imbolc.net.history import ClientHistory
from imbolc.net.messages import PROTOCOL_VERSION, Challenge, Hello, Proof, Welcome

if TYPE_CHECKING:
    from imbolc.net.server_session import Connection, ServerSession


class Handshake:
    """Admits or refuses new connections."""

    def __init__(self, session: ServerSession) -> None:
        self.session = session

    def problem(self, hello: Hello) -> str | None:
        """Why this Hello cannot join (version, name), or None."""
        if hello.protocol != PROTOCOL_VERSION:
            return (
                f"protocol version {hello.protocol} is not supported; this server "
                f"(imbolc {__version__}) speaks version {PROTOCOL_VERSION}"
            )
        if hello.app_version != __version__:
            return (
                f"imbolc {hello.app_version} cannot join a server running imbolc "
                f"{__version__}; run the same version on every machine"
            )
        name = hello.name.strip()
        limit = self.session.config.max_name_length
        if not name or len(name) > limit or not name.isprintable():
            return f"the client name must be 1 to {limit} printable characters"
        if self.session.secret is not None and len(hello.nonce) != auth.NONCE_BYTES:
            return f"this server needs a {auth.NONCE_BYTES}-byte nonce in Hello"
        return None

    def hello(self, conn: Connection, hello: Hello) -> None:
        """Answer a Hello: refuse it, challenge it, or admit it."""
        s = self.session
        problem = self.problem(hello)
        if problem is not None:
            s.refuse(conn, problem)
            return
        conn.hello = hello
        if s.secret is None:
            self.admit(conn, hello)
            return
        conn.nonce = auth.new_nonce()
        conn.phase = "auth"
        proof = auth.server_proof(s.secret, hello.nonce, conn.nonce)
        s.reply(conn, Challenge(conn.nonce, proof))

    def proof(self, conn: Connection, proof: Proof) -> None:
        """Check the client's HMAC; admit or refuse."""
        s = self.session
        hello = conn.hello
        if s.secret is None or hello is None:
            s.fail(conn, "unexpected Proof")
            return
        expected = auth.client_proof(s.secret, hello.nonce, conn.nonce, hello.name)
        if not auth.proofs_match(expected, proof.mac):
            s.refuse(conn, "authentication failed: the shared secret does not match")
            return
        self.admit(conn, hello)

    def admit(self, conn: Connection, hello: Hello) -> None:
        """Welcome the client (resuming its session if the token is known) and sync it."""
        s = self.session
        roster = s.roster
        client = roster.find_token(hello.token)
        resumed = client is not None
        if client is None:
            config = s.config
            history = ClientHistory(s.clock, config.history_depth, config.coalesce_window)
            client = roster.add(hello.name.strip(), history)
        else:
            old = s.connection_of(client)
            if old is not None and old is not conn:
                s.replace_connection(old, "replaced by a new connection")
        client.connection = conn.id
        client.suspended_at = None
        conn.client = client
        s.mark_ready(conn)
        conn.reader.limit = s.config.max_frame
        token = roster.rotate_token(client)
        _granted, denied = roster.claim(client.id, hello.own, s.store.state)
        if hello.want_privilege and roster.privileged is None:
            roster.privileged = client.id
        welcome = Welcome(
            client.id,
            token,
            s.name,
            __version__,
            PROTOCOL_VERSION,
            resumed,
            client.last_seq,
            s.config.hash_interval,
            roster.owned_by(client.id),
            roster.privileged == client.id,
            tuple(denied),
        )
        s.reply(conn, welcome)
        s.send_snapshot(conn, "reconnect" if resumed else "join")
        s.history_changed(client.id)
        s.peers_changed()
        s.emit(ClientJoined(client.id, client.name, resumed))
