"""OSC for talking to scsynth: sans-IO encode/decode plus a small threaded UDP client.

Messages are supriya's ``OscMessage``/``OscBundle`` (supriya already compiles the SynthDefs
and ``requests.py`` builds these), so one object model serves every backend; supriya encodes
message arguments. Bundle framing with NTP timetags from wall time (``time.time()``) and all
decoding are done here: timetag maths lives in one place, and supriya's decoder rejects blobs
that are not themselves OSC.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import numbers
import socket
import struct
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from supriya.osc import OscBundle, OscMessage

from imbolc.core.errors import ImbolcError

__all__ = [
    "IMMEDIATELY",
    "MAX_DATAGRAM",
    "OscBundle",
    "OscClient",
    "OscCommandFailed",
    "OscDecodeError",
    "OscEncodeError",
    "OscError",
    "OscMessage",
    "OscTimeout",
    "SupportsOsc",
    "decode",
    "decode_messages",
    "encode",
    "encode_bundle",
    "encode_message",
    "from_timetag",
    "to_timetag",
]

log = logging.getLogger(__name__)

NTP_UNIX_OFFSET = 2_208_988_800
"""Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01)."""
IMMEDIATELY = 1
"""The OSC timetag that means "now"."""
MAX_DATAGRAM = 65_507
"""The largest UDP payload over IPv4."""
BUNDLE_TAG = b"#bundle\x00"


class OscError(ImbolcError):
    """Base class of OSC encoding, decoding and transport errors."""


class OscEncodeError(OscError):
    """A message argument has no OSC encoding (wrong type or out of range)."""


class OscDecodeError(OscError):
    """A datagram is not valid OSC."""


class OscTimeout(OscError):
    """A request got no reply in time."""


class OscCommandFailed(OscError):
    """scsynth answered a command with ``/fail``."""


class SupportsOsc(Protocol):
    """Anything that knows its OSC form (engine requests)."""

    def to_osc(self) -> OscMessage | OscBundle: ...


Encodable = OscMessage | OscBundle | SupportsOsc
Handler = Callable[[OscMessage], None]


# --- timetags ------------------------------------------------------------------------------


def to_timetag(unix_time: float | None) -> int:
    """The 64-bit NTP timetag for a wall-clock time (``time.time()`` scale); None is "now"."""
    if unix_time is None:
        return IMMEDIATELY
    ntp = unix_time + NTP_UNIX_OFFSET
    if ntp < 0:
        raise OscEncodeError(f"time {unix_time!r} lies before the NTP epoch (1900)")
    seconds = int(ntp)
    fraction = round((ntp - seconds) * 2**32)
    if fraction == 2**32:
        seconds, fraction = seconds + 1, 0
    return ((seconds % 2**32) << 32) | fraction


def from_timetag(timetag: int) -> float | None:
    """The wall-clock time of an NTP timetag; None for the "immediately" tag."""
    if timetag == IMMEDIATELY:
        return None
    return (timetag >> 32) + (timetag & 0xFFFFFFFF) / 2**32 - NTP_UNIX_OFFSET


# --- encoding ------------------------------------------------------------------------------


def _plain(value: object) -> Any:
    """NumPy scalars and other number-likes as the int/float OscMessage understands."""
    if isinstance(value, bool | int | float | str | bytes | bytearray | type(None)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def encode_message(address: str, *args: Any) -> bytes:
    """One OSC message as a datagram; ints are int32, floats float32, bytes blobs."""
    return _encode_osc_message(OscMessage(address, *(_plain(a) for a in args)))


def _padded(text: str) -> bytes:
    """An OSC string: ASCII, at least one NUL, padded to a multiple of four bytes."""
    raw = text.encode("ascii")
    return raw.ljust(len(raw) // 4 * 4 + 4, b"\x00")


def _plain_datagram(message: OscMessage) -> bytes | None:
    """The datagram of a message of plain ints, floats and strings (every ``/s_new`` and
    ``/n_set``), in one ``struct.pack``; None for anything else (supriya encodes those).

    The same bytes as supriya's encoder at about a third of its cost: a live note is encoded
    on the thread that played it, which holds the GIL meanwhile.
    """
    address = message.address
    if type(address) is not str:
        return None
    tags = [","]
    layout = [">"]
    values: list[object] = []
    for value in message.contents or ():
        kind = type(value)
        if kind is float or kind is int:
            tag = "f" if kind is float else "i"
            tags.append(tag)
            layout.append(tag)
            values.append(value)
        elif isinstance(value, str) and kind is str:
            raw = value.encode("ascii")
            tags.append("s")
            layout.append(f"{len(raw) // 4 * 4 + 4}s")
            values.append(raw)
        else:
            return None
    return _padded(address) + _padded("".join(tags)) + struct.pack("".join(layout), *values)


def _encode_osc_message(message: OscMessage) -> bytes:
    try:
        plain = _plain_datagram(message)
        return plain if plain is not None else message.to_datagram()
    except (struct.error, TypeError, UnicodeEncodeError) as exc:
        raise OscEncodeError(f"cannot encode OSC message {message!r}: {exc}") from exc


def encode_bundle(contents: Iterable[bytes | Encodable], at: float | None = None) -> bytes:
    """A bundle datagram to run at wall time ``at`` (None = immediately)."""
    parts = [BUNDLE_TAG, struct.pack(">Q", to_timetag(at))]
    for item in contents:
        datagram = item if isinstance(item, bytes) else encode(item)
        parts.append(struct.pack(">i", len(datagram)))
        parts.append(datagram)
    return b"".join(parts)


def encode(item: Encodable) -> bytes:
    """The datagram of a message, a bundle (its ``timestamp`` is wall time) or a request."""
    osc = item if isinstance(item, OscMessage | OscBundle) else item.to_osc()
    if isinstance(osc, OscBundle):
        return encode_bundle(osc.contents, at=osc.timestamp)
    if isinstance(osc, OscMessage):
        return _encode_osc_message(osc)
    raise OscEncodeError(f"{item!r}.to_osc() returned {osc!r}, not an OscMessage or OscBundle")


# --- decoding ------------------------------------------------------------------------------


def decode(datagram: bytes) -> OscMessage | OscBundle:
    """A datagram as a message or a bundle (bundle ``timestamp`` in wall time, None = now)."""
    if datagram.startswith(BUNDLE_TAG):
        return _decode_bundle(datagram)
    if not datagram.startswith(b"/"):
        raise OscDecodeError(f"not an OSC datagram (starts with {datagram[:8]!r})")
    try:
        return _decode_message(datagram)
    except (ValueError, struct.error, IndexError, UnicodeDecodeError) as exc:
        raise OscDecodeError(f"malformed OSC message ({len(datagram)} bytes): {exc}") from exc


def _read_string(data: bytes, offset: int) -> tuple[str, int]:
    end = data.index(b"\x00", offset)
    return data[offset:end].decode("utf-8"), (end // 4 + 1) * 4


_FIXED = {"i": ">i", "f": ">f", "d": ">d", "h": ">q", "t": ">Q"}


def _decode_message(data: bytes) -> OscMessage:
    """Decode one message; blobs stay bytes (supriya's decoder insists they hold OSC)."""
    address, offset = _read_string(data, 0)
    if offset >= len(data):
        return OscMessage(address)
    tags, offset = _read_string(data, offset)
    if not tags.startswith(","):
        raise ValueError(f"type tags {tags!r} do not start with ','")
    stack: list[list[Any]] = [[]]
    for tag in tags[1:]:
        if tag in _FIXED:
            fmt = _FIXED[tag]
            (value,) = struct.unpack_from(fmt, data, offset)
            offset += struct.calcsize(fmt)
            stack[-1].append(value)
        elif tag in "sS":
            text, offset = _read_string(data, offset)
            stack[-1].append(text)
        elif tag == "b":
            (size,) = struct.unpack_from(">i", data, offset)
            if size < 0 or offset + 4 + size > len(data):
                raise ValueError(f"blob of {size} bytes overruns the datagram")
            stack[-1].append(data[offset + 4 : offset + 4 + size])
            offset += 4 + (size + 3) // 4 * 4
        elif tag in "TFN":
            stack[-1].append({"T": True, "F": False, "N": None}[tag])
        elif tag == "[":
            stack.append([])
        elif tag == "]" and len(stack) > 1:
            array = stack.pop()
            stack[-1].append(array)
        else:
            raise ValueError(f"unsupported type tag {tag!r}")
    if len(stack) != 1:
        raise ValueError("unclosed '[' array")
    return OscMessage(address, *stack[0])


def _decode_bundle(datagram: bytes) -> OscBundle:
    if len(datagram) < 16:
        raise OscDecodeError(f"OSC bundle of {len(datagram)} bytes is shorter than its header")
    (timetag,) = struct.unpack_from(">Q", datagram, 8)
    contents: list[OscMessage | OscBundle] = []
    offset = 16
    while offset < len(datagram):
        if offset + 4 > len(datagram):
            raise OscDecodeError(f"OSC bundle truncated at byte {offset}")
        (size,) = struct.unpack_from(">i", datagram, offset)
        offset += 4
        if size <= 0 or offset + size > len(datagram):
            raise OscDecodeError(f"OSC bundle element at byte {offset} claims {size} bytes")
        contents.append(decode(datagram[offset : offset + size]))
        offset += size
    return OscBundle(timestamp=from_timetag(timetag), contents=contents)


def decode_messages(datagram: bytes) -> list[OscMessage]:
    """Every message in a datagram, bundles flattened in order."""
    return list(_flatten(decode(datagram)))


def _flatten(item: OscMessage | OscBundle) -> Iterator[OscMessage]:
    if isinstance(item, OscMessage):
        yield item
    else:
        for child in item.contents:
            yield from _flatten(child)


# --- client --------------------------------------------------------------------------------


class _Waiter:
    """One pending request: the reply it wants and, once matched, the reply or the failure."""

    def __init__(
        self,
        address: str,
        match: Callable[[OscMessage], bool] | None,
        command: str | None,
    ) -> None:
        self.address = address
        self.match = match
        self.command = command
        self.done = threading.Event()
        self.reply: OscMessage | None = None
        self.failure: OscMessage | None = None

    def wants(self, message: OscMessage) -> bool:
        return message.address == self.address and (self.match is None or self.match(message))

    def fails_on(self, message: OscMessage) -> bool:
        return (
            message.address == "/fail"
            and self.command is not None
            and bool(message.contents)
            and message.contents[0] == self.command
        )


class OscClient:
    """A UDP socket on 127.0.0.1:0 talking to one scsynth; replies go to handlers by address.

    Handlers run on the receive thread, so they must be quick and must not call ``request``.
    """

    def __init__(self, host: str, port: int, *, bind_host: str = "127.0.0.1") -> None:
        self._target = (host, port)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind((bind_host, 0))
        self._socket.settimeout(0.1)
        self._lock = threading.Lock()
        self._handlers: dict[str, list[Handler]] = {}
        self._waiters: list[_Waiter] = []
        self._sync_ids = itertools.count(1)
        self._closed = threading.Event()
        self._thread = threading.Thread(
            target=self._receive_loop, name=f"osc-recv-{port}", daemon=True
        )
        self._thread.start()

    @property
    def target(self) -> tuple[str, int]:
        """The (host, port) datagrams go to."""
        return self._target

    @property
    def local_port(self) -> int:
        """The UDP port replies arrive on."""
        port: int = self._socket.getsockname()[1]
        return port

    def retarget(self, host: str, port: int) -> None:
        """Talk to a server at a new address (after a restart); handlers stay registered."""
        self._target = (host, port)

    # sending

    def send(self, datagram: bytes) -> None:
        """Send one encoded datagram."""
        if len(datagram) > MAX_DATAGRAM:
            raise OscEncodeError(
                f"OSC datagram of {len(datagram)} bytes exceeds the UDP limit of {MAX_DATAGRAM}"
            )
        if self._closed.is_set():
            raise OscError("the OSC client is closed")
        self._socket.sendto(datagram, self._target)

    def send_message(self, address: str, *args: Any) -> None:
        """Encode and send one message."""
        self.send(encode_message(address, *args))

    def send_osc(self, item: Encodable) -> None:
        """Encode and send a message, bundle or request."""
        self.send(encode(item))

    def request(
        self,
        message: Encodable,
        reply_address: str,
        timeout: float = 1.0,
        match: Callable[[OscMessage], bool] | None = None,
    ) -> OscMessage:
        """Send ``message`` and wait for the first reply at ``reply_address`` that ``match``es.

        A ``/fail`` naming the sent command raises ``OscCommandFailed``; silence raises
        ``OscTimeout``.
        """
        osc = message if isinstance(message, OscMessage | OscBundle) else message.to_osc()
        command = osc.address if isinstance(osc, OscMessage) else None
        waiter = _Waiter(reply_address, match, command if isinstance(command, str) else None)
        with self._lock:
            self._waiters.append(waiter)
        try:
            self.send(encode(osc))
            if not waiter.done.wait(timeout):
                raise OscTimeout(
                    f"no {reply_address} reply to {_describe(osc)} from "
                    f"{self._target[0]}:{self._target[1]} within {timeout:g} s"
                )
        finally:
            with self._lock:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        if waiter.failure is not None:
            reason = ", ".join(str(c) for c in waiter.failure.contents[1:])
            raise OscCommandFailed(f"scsynth refused {_describe(osc)}: {reason}")
        assert waiter.reply is not None
        return waiter.reply

    def sync(self, timeout: float = 2.0) -> None:
        """Block until the server has finished every asynchronous command sent before."""
        sync_id = next(self._sync_ids) % 2**31
        self.request(
            OscMessage("/sync", sync_id),
            "/synced",
            timeout,
            match=lambda reply: bool(reply.contents) and reply.contents[0] == sync_id,
        )

    def notify(self, on: bool = True, timeout: float = 1.0) -> OscMessage:
        """Register (or unregister) for node notifications; returns scsynth's ``/done``."""
        return self.request(
            OscMessage("/notify", int(on)),
            "/done",
            timeout,
            match=lambda reply: bool(reply.contents) and reply.contents[0] == "/notify",
        )

    # receiving

    def add_handler(self, address: str, handler: Handler) -> Callable[[], None]:
        """Call ``handler(message)`` for every message at ``address``; returns an unsubscriber."""
        with self._lock:
            self._handlers.setdefault(address, []).append(handler)

        def remove() -> None:
            with self._lock:
                handlers = self._handlers.get(address, [])
                if handler in handlers:
                    handlers.remove(handler)

        return remove

    def dispatch(self, datagram: bytes) -> None:
        """Deliver one incoming datagram to waiters and handlers (the receive thread's work)."""
        try:
            messages = decode_messages(datagram)
        except OscDecodeError as exc:
            log.warning("dropped an undecodable datagram: %s", exc)
            return
        for message in messages:
            self._deliver(message)

    def _deliver(self, message: OscMessage) -> None:
        with self._lock:
            for waiter in self._waiters:
                if waiter.done.is_set():
                    continue
                if waiter.wants(message):
                    waiter.reply = message
                    waiter.done.set()
                    break
                if waiter.fails_on(message):
                    waiter.failure = message
                    waiter.done.set()
                    break
            handlers = list(self._handlers.get(str(message.address), ()))
        for handler in handlers:
            try:
                handler(message)
            except Exception:
                log.exception("OSC handler for %s failed", message.address)

    def _receive_loop(self) -> None:
        while not self._closed.is_set():
            try:
                datagram, _sender = self._socket.recvfrom(65_536)
            except TimeoutError:
                continue
            except OSError:
                if self._closed.is_set():
                    return
                continue
            if datagram:
                self.dispatch(datagram)

    def close(self) -> None:
        """Stop the receive thread and close the socket (idempotent)."""
        if self._closed.is_set():
            return
        self._closed.set()
        with contextlib.suppress(OSError):  # an empty datagram wakes the blocked receive
            self._socket.sendto(b"", self._socket.getsockname())
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=1.0)
        self._socket.close()

    def __enter__(self) -> OscClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _describe(osc: OscMessage | OscBundle) -> str:
    if isinstance(osc, OscMessage):
        return str(osc.address)
    addresses: Sequence[str] = [str(m.address) for m in _flatten(osc)]
    return f"bundle({', '.join(addresses)})"
