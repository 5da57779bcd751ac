"""Every message on the wire: tagged, array-encoded Structs, and the unions decoders use.

Fields are positional on the wire (``array_like``): new fields go at the end with a default,
and the protocol version in ``Hello`` changes when a message changes incompatibly.
"""

from __future__ import annotations

from typing import Any, Literal, Union

import msgspec

from imbolc.core.actions import ACTION_TYPES
from imbolc.core.project import Project
from imbolc.net.restore import Restore

PROTOCOL_VERSION = 2
"""2: the project's structs are positional and msgpack snapshots are deflated (issue 14)."""

HOST_ID = 0
"""The origin of changes made on the server's own machine (its TUI, its scripts)."""
NOBODY = 0
"""``Peers.privileged`` when no client holds the privilege."""

Op: Any = Union[(*ACTION_TYPES, Restore)]
"""What a commit carries: a core action, or a restore op (undo, redo, rollback)."""
ActionUnion: Any = Union[ACTION_TYPES]  # noqa: UP007


class Message(msgspec.Struct, frozen=True, tag=True, array_like=True):
    """Base of every message; the class name is its tag."""


# --- both directions ----------------------------------------------------------------------


class Ping(Message, frozen=True):
    """Are you there? Answered with a Pong carrying the same nonce."""

    nonce: int = 0


class Pong(Message, frozen=True):
    """The answer to a Ping."""

    nonce: int = 0


class Goodbye(Message, frozen=True):
    """A clean close: a client leaving (its ownership is released) or the server stopping."""

    reason: str = ""


# --- client → server ----------------------------------------------------------------------


class Hello(Message, frozen=True):
    """The first frame a client sends; ``token`` resumes a session after a reconnect."""

    protocol: int
    app_version: str
    name: str
    own: tuple[int, ...] = ()
    want_privilege: bool = False
    token: str = ""
    nonce: bytes = b""
    """32 random bytes the server must sign to prove it knows the secret."""


class Proof(Message, frozen=True):
    """The client's answer to a Challenge: HMAC-SHA256 over the two nonces and its name."""

    mac: bytes


class Act(Message, frozen=True):
    """Apply one action; ``seq`` is the client's own request number."""

    seq: int
    action: ActionUnion


class ActBatch(Message, frozen=True):
    """Apply several actions atomically, as one undo step named ``label``."""

    seq: int
    label: str
    actions: tuple[ActionUnion, ...]


class Undo(Message, frozen=True):
    """Undo this client's own last change."""

    seq: int


class Redo(Message, frozen=True):
    """Redo this client's own last undone change."""

    seq: int


class Claim(Message, frozen=True):
    """Take ownership of instruments nobody owns."""

    seq: int
    ids: tuple[int, ...]


class Release(Message, frozen=True):
    """Give up ownership of instruments."""

    seq: int
    ids: tuple[int, ...]


class RequestPrivilege(Message, frozen=True):
    """Become the privileged client; ``force`` takes it from the current holder."""

    seq: int
    force: bool = False


class HandOver(Message, frozen=True):
    """Give the privilege to another client (holder only)."""

    seq: int
    client_id: int


class ReleasePrivilege(Message, frozen=True):
    """Give up the privilege."""

    seq: int


TransportVerb = Literal["play", "stop", "seek"]


class TransportCommand(Message, frozen=True):
    """Play, stop or seek the server's engine (privileged)."""

    seq: int
    command: TransportVerb
    tick: float = 0.0


class PlayNote(Message, frozen=True):
    """Sound a note now on an instrument one owns (velocity 0 releases it): a live controller.

    Only a refusal is answered, so a played note costs one small frame and no reply.
    """

    seq: int
    instrument_id: int
    pitch: int
    velocity: int


class Save(Message, frozen=True):
    """Save the project on the server (privileged)."""

    seq: int


class Shutdown(Message, frozen=True):
    """Stop the server (privileged)."""

    seq: int


class RequestSnapshot(Message, frozen=True):
    """Send me the whole project (after a gap or a hash mismatch)."""

    reason: str = ""


class ActIn(Message, frozen=True, tag="Act"):
    """How the server decodes Act: the action stays raw until the envelope is known good."""

    seq: int
    action: msgspec.Raw


class ActBatchIn(Message, frozen=True, tag="ActBatch"):
    """How the server decodes ActBatch."""

    seq: int
    label: str
    actions: tuple[msgspec.Raw, ...]


# --- server → client ----------------------------------------------------------------------


class Challenge(Message, frozen=True):
    """Prove you know the secret: sign ``nonce``. ``proof`` is the server's own signature."""

    nonce: bytes
    proof: bytes


class Welcome(Message, frozen=True):
    """The handshake succeeded; a Snapshot follows at once."""

    client_id: int
    token: str
    server_name: str
    app_version: str
    protocol: int
    resumed: bool
    last_seq: int
    """The last request of this client the server handled (for a resumed session)."""
    hash_interval: int
    owned: tuple[int, ...]
    privileged: bool
    denied: tuple[str, ...] = ()


class Refused(Message, frozen=True):
    """The handshake failed; the server closes the connection."""

    reason: str


class Snapshot(Message, frozen=True):
    """The whole project at ``revision``."""

    revision: int
    project: Project
    reason: str = ""


class PackedSnapshot(Message, frozen=True):
    """The msgpack wire's Snapshot: the project as msgpack, deflated with zlib (RFC 1950).

    Snapshots are mostly numbers that repeat in shape, so they deflate to under half."""

    revision: int
    packed: bytes
    reason: str = ""


class CommitRecord(msgspec.Struct, frozen=True, array_like=True):
    """One change: its revision, who made it (0: the host) with which request, and the op."""

    revision: int
    origin: int
    seq: int
    op: Op


class Commits(Message, frozen=True):
    """Commits in revision order (a batch, at most 30 a second)."""

    commits: tuple[CommitRecord, ...]


class StateHash(Message, frozen=True):
    """BLAKE2b-128 of ``msgspec.msgpack.encode(project)`` at ``revision``."""

    revision: int
    digest: bytes


class Peak(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One instrument's peak levels."""

    instrument_id: int
    left: float
    right: float


class Meter(Message, frozen=True):
    """Transport and peak meters, about 30 times a second while they change."""

    playing: bool
    tick: float
    bpm: float
    master: tuple[float, float]
    peaks: tuple[Peak, ...] = ()


class Peer(msgspec.Struct, frozen=True, array_like=True):
    """One client as the others see it."""

    client_id: int
    name: str
    owned: tuple[int, ...]
    connected: bool


class Peers(Message, frozen=True):
    """Who is here, who owns what, and who holds the privilege (0: nobody)."""

    peers: tuple[Peer, ...]
    privileged: int


class Rejected(Message, frozen=True):
    """Request ``seq`` was not carried out, and why; nothing changed."""

    seq: int
    reason: str


class Accepted(Message, frozen=True):
    """Request ``seq`` (other than an action) was carried out."""

    seq: int
    detail: str = ""


class HistoryState(Message, frozen=True):
    """This client's own undo and redo depth and the labels on top."""

    undo_depth: int
    undo_label: str
    redo_depth: int
    redo_label: str


class Notice(Message, frozen=True):
    """Something the user should know (privilege taken, instrument released...)."""

    message: str


class Error(Message, frozen=True):
    """A protocol violation; the server closes the connection after it."""

    message: str


_CLIENT_REQUESTS = (
    Undo,
    Redo,
    Claim,
    Release,
    RequestPrivilege,
    HandOver,
    ReleasePrivilege,
    TransportCommand,
    Save,
    Shutdown,
    RequestSnapshot,
    PlayNote,
    Ping,
    Pong,
    Goodbye,
)
"""Client messages that carry no action, shared by both views of the client's union."""

ClientMessage: Any = Union[(Hello, Proof, Act, ActBatch, *_CLIENT_REQUESTS)]
"""What a client sends."""

ClientInbound: Any = Union[(Hello, Proof, ActIn, ActBatchIn, *_CLIENT_REQUESTS)]
"""What the server decodes: the same tags, with actions left raw."""

ServerMessage: Any = Union[  # noqa: UP007
    Challenge,
    Welcome,
    Refused,
    Snapshot,
    PackedSnapshot,
    Commits,
    StateHash,
    Meter,
    Peers,
    Rejected,
    Accepted,
    HistoryState,
    Notice,
    Error,
    Ping,
    Pong,
    Goodbye,
]
"""What a server sends."""
