"""Framing and codecs: ``[u32 big-endian length][payload]``, payload msgpack or JSON.

One encoder and one typed decoder per direction are built once and reused. The frame
length is checked against the limit as soon as its four bytes arrive, before any payload
is buffered.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import Any, Literal

import msgspec

from imbolc.core.errors import ImbolcError
from imbolc.core.project import Project
from imbolc.net.messages import (
    ActionUnion,
    ClientInbound,
    PackedSnapshot,
    ServerMessage,
    Snapshot,
)

WireName = Literal["msgpack", "json"]
WIRES: tuple[WireName, ...] = ("msgpack", "json")
HEADER = 4
SNAPSHOT_LEVEL = 1
"""zlib level for snapshots: level 1 gets nearly all of level 6's saving at a quarter of the
time (docs/benchmarks.md, issue 14)."""


class NetError(ImbolcError):
    """Base of the errors the network layer raises."""


class ProtocolError(NetError):
    """A frame or message that breaks the protocol; the message says what is wrong."""


class FrameTooLarge(ProtocolError):
    """A frame header announced more bytes than the receiver allows."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"frame of {size:,} bytes exceeds the limit of {limit:,} bytes")
        self.size = size
        self.limit = limit


class Codec:
    """Encodes frames and decodes payloads for one wire format."""

    def __init__(self, wire: WireName = "msgpack") -> None:
        if wire not in WIRES:
            raise NetError(f"unknown wire format {wire!r}; choose msgpack or json")
        self.wire: WireName = wire
        if wire == "msgpack":
            self._encoder: Any = msgspec.msgpack.Encoder()
            self._server: Any = msgspec.msgpack.Decoder(ServerMessage)
            self._client: Any = msgspec.msgpack.Decoder(ClientInbound)
            self._action: Any = msgspec.msgpack.Decoder(ActionUnion)
            self._project: Any = msgspec.msgpack.Decoder(Project)
        else:
            self._encoder = msgspec.json.Encoder()
            self._server = msgspec.json.Decoder(ServerMessage)
            self._client = msgspec.json.Decoder(ClientInbound)
            self._action = msgspec.json.Decoder(ActionUnion)
            self._project = msgspec.msgpack.Decoder(Project)  # packed snapshots hold msgpack

    def payload(self, message: object) -> bytes:
        """The encoded message without the length prefix."""
        data: bytes = self._encoder.encode(message)
        return data

    def frame(self, message: object) -> bytes:
        """The message as one frame: length prefix and payload, encoded once."""
        buf = bytearray()
        self._encoder.encode_into(message, buf, HEADER)
        buf[:HEADER] = (len(buf) - HEADER).to_bytes(HEADER, "big")
        return bytes(buf)

    def decode_server(self, payload: bytes) -> Any:
        """A server message (client side)."""
        return _decode(self._server, payload, "server message")

    def decode_client(self, payload: bytes) -> Any:
        """A client message (server side); actions stay raw."""
        return _decode(self._client, payload, "client message")

    def decode_action(self, raw: bytes | msgspec.Raw) -> Any:
        """One action carried raw inside an Act or ActBatch."""
        return _decode(self._action, raw, "action")

    def snapshot(self, revision: int, project: Project, reason: str) -> Snapshot | PackedSnapshot:
        """The snapshot message for this wire: deflated on msgpack, plain (readable) on JSON."""
        if self.wire == "json":
            return Snapshot(revision, project, reason)
        packed = zlib.compress(msgspec.msgpack.encode(project), SNAPSHOT_LEVEL)
        return PackedSnapshot(revision, packed, reason)

    def unpack(self, message: PackedSnapshot, limit: int) -> Snapshot:
        """The Snapshot inside a PackedSnapshot; ProtocolError if it is corrupt or would
        inflate beyond ``limit`` bytes."""
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(message.packed, limit)
        except zlib.error as error:
            raise ProtocolError(f"malformed snapshot: {error}") from None
        if inflater.unconsumed_tail:
            raise ProtocolError(f"snapshot inflates beyond the limit of {limit:,} bytes")
        project = _decode(self._project, data, "snapshot")
        return Snapshot(message.revision, project, message.reason)


def _decode(decoder: Any, payload: bytes | msgspec.Raw, what: str) -> Any:
    try:
        return decoder.decode(payload)
    except (msgspec.MsgspecError, ValueError) as error:  # ValueError: bad UTF-8 in a string
        raise ProtocolError(f"malformed {what}: {error}") from None


def frame_bytes(payload: bytes) -> bytes:
    """A ready payload with its length prefix."""
    return len(payload).to_bytes(HEADER, "big") + payload


class FrameReader:
    """Splits a byte stream into frame payloads, refusing oversized frames up front."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Payloads completed by ``data``; raises FrameTooLarge as soon as a header says so."""
        buf = self._buf
        buf += data
        out: list[bytes] = []
        start = 0
        while len(buf) - start >= HEADER:
            size = int.from_bytes(buf[start : start + HEADER], "big")
            if size > self.limit:
                del buf[:start]
                raise FrameTooLarge(size, self.limit)
            end = start + HEADER + size
            if len(buf) < end:
                break
            out.append(bytes(buf[start + HEADER : end]))
            start = end
        if start:
            del buf[:start]
        return out

    @property
    def buffered(self) -> int:
        """Bytes held for an incomplete frame."""
        return len(self._buf)


def sniff_wire(payload: bytes) -> WireName | None:
    """Which wire format a first payload is in: JSON starts with '[', msgpack with an array."""
    head = payload.lstrip()[:1]
    if head == b"[":
        return "json"
    if head and (0x90 <= head[0] <= 0x9F or head[0] in (0xDC, 0xDD)):
        return "msgpack"
    return None


def state_digest(project: Project) -> bytes:
    """BLAKE2b-128 of the project's msgpack encoding: equal replicas have equal digests."""
    return hashlib.blake2b(msgspec.msgpack.encode(project), digest_size=16).digest()
