"""Fuzzing the decoders and both sessions with hypothesis: no crash, no hang, nothing lost.

Well over 10,000 cases in all, sized to finish in well under 30 s.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imbolc import __version__
from imbolc.core import actions as act
from imbolc.core.actions import ACTION_TYPES, AddNote
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.net.client_session import ClientSession
from imbolc.net.codec import Codec, FrameReader, ProtocolError
from imbolc.net.messages import PROTOCOL_VERSION, Hello
from imbolc.net.server_session import Close, Send, ServerSession

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CODECS = (Codec("msgpack"), Codec("json"))
TAGS = [cls.__name__ for cls in ACTION_TYPES]
MESSAGE_TAGS = ["Act", "ActBatch", "Undo", "Redo", "Claim", "Release", "RequestPrivilege"]
MESSAGE_TAGS += ["HandOver", "TransportCommand", "Save", "Shutdown", "RequestSnapshot", "Ping"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.binary(max_size=12),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3))
actions = st.builds(
    lambda tag, args: [tag, *args], st.sampled_from(TAGS), st.lists(values, max_size=6)
)
envelopes = st.builds(
    lambda tag, args: [tag, *args],
    st.sampled_from(MESSAGE_TAGS),
    st.lists(st.one_of(values, actions, st.lists(actions, max_size=2)), max_size=4),
)


def framed(payload: bytes) -> bytes:
    return len(payload).to_bytes(4, "big") + payload


def decode_everything(codec: Codec, payload: bytes) -> None:
    for decode in (codec.decode_client, codec.decode_server, codec.decode_action):
        with contextlib.suppress(ProtocolError):
            decode(payload)


@settings(FUZZ, max_examples=4000)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash_a_decoder(data: bytes) -> None:
    reader = FrameReader(limit=64)
    try:
        payloads = reader.feed(data)
    except ProtocolError:
        payloads = []
    for codec in CODECS:
        decode_everything(codec, data)
        for payload in payloads:
            decode_everything(codec, payload)


@settings(FUZZ, max_examples=2000)
@given(envelopes)
def test_random_messages_of_the_right_shape_never_crash_a_decoder(message: list[Any]) -> None:
    for codec, encode in zip(CODECS, (msgspec.msgpack.encode, msgspec.json.encode), strict=True):
        try:
            payload = encode(message)
        except (TypeError, ValueError, OverflowError):
            continue
        decode_everything(codec, payload)


class Harness:
    """A server with one honest client joined, for the session fuzzers."""

    def __init__(self, project: Project) -> None:
        self.store = Store(project, clock=lambda: 0.0)
        self.server = ServerSession(self.store, clock=lambda: 0.0)
        self.honest = ClientSession(name="ana", own=(1,), clock=lambda: 0.0)
        self.server.open(1)
        self.honest.start()
        self.server.receive(1, self.honest.data_to_send())
        self.route()

    def route(self) -> list[Close]:
        closed: list[Close] = []
        for _ in range(50):
            self.server.tick()
            self.server.flush()
            outputs = self.server.outputs()
            if not outputs:
                break
            for output in outputs:
                if isinstance(output, Send) and 1 in output.targets:
                    self.honest.receive(output.frame)
                elif isinstance(output, Close):
                    closed.append(output)
            data = self.honest.data_to_send()
            if data:
                self.server.receive(1, data)
        return closed

    def check_intact(self) -> None:
        before = self.store.state.session.piano_roll.track(1)
        assert before is not None
        tick = 1 + max((note.tick for note in before.notes), default=0)
        self.honest.act(AddNote(1, tick, 1, 60))
        self.server.receive(1, self.honest.data_to_send())
        self.route()
        assert self.honest.ready
        encoded = {msgspec.msgpack.encode(p) for p in (self.store.state, self.honest.project)}
        assert len(encoded) == 1


@settings(FUZZ, max_examples=1500)
@given(chunks=st.lists(st.binary(max_size=64), max_size=6), joined=st.booleans())
def test_a_server_fed_random_bytes_stays_up_for_everyone_else(
    chunks: list[bytes], joined: bool, make_project: Callable[[int], Project]
) -> None:
    harness = Harness(make_project(2))
    harness.server.open(2)
    if joined:
        harness.server.receive(2, Codec().frame(Hello(PROTOCOL_VERSION, __version__, "mallory")))
    for chunk in chunks:
        harness.server.receive(2, chunk)
    harness.route()
    harness.check_intact()


@settings(FUZZ, max_examples=1500)
@given(messages=st.lists(envelopes, min_size=1, max_size=4))
def test_a_joined_client_sending_random_requests_never_breaks_the_server(
    messages: list[list[Any]], make_project: Callable[[int], Project]
) -> None:
    harness = Harness(make_project(2))
    harness.server.open(2)
    harness.server.receive(
        2, Codec().frame(Hello(PROTOCOL_VERSION, __version__, "mallory", (2,), True))
    )
    for message in messages:
        try:
            payload = msgspec.msgpack.encode(message)
        except (TypeError, ValueError, OverflowError):
            continue
        harness.server.receive(2, framed(payload))
    harness.route()
    if not harness.server.stopped:
        harness.check_intact()


@settings(FUZZ, max_examples=1000)
@given(st.lists(st.binary(max_size=80), max_size=6))
def test_a_client_fed_random_bytes_never_crashes(chunks: list[bytes]) -> None:
    client = ClientSession(name="ana", clock=lambda: 0.0)
    client.start()
    for chunk in chunks:
        client.receive(chunk)
    client.events()
    assert client.phase in ("hello", "lost", "failed", "closed", "auth", "syncing", "ready")


def _typed_action(cls: type) -> st.SearchStrategy[Any]:
    """Well-typed actions of one class, with ids small enough to hit real things."""
    small = st.integers(min_value=1, max_value=3)
    fields = {name: small for name in cls.__struct_fields__ if name.endswith("_id")}
    if "tick" in cls.__struct_fields__:
        fields["tick"] = st.integers(min_value=0, max_value=4000)
    return st.builds(cls, **fields)


typed_actions = st.one_of([_typed_action(cls) for cls in ACTION_TYPES])
ids = st.integers(min_value=1, max_value=4)
unit = st.floats(min_value=0.0, max_value=1.0)
plausible = st.one_of(
    st.builds(act.AddNote, ids, st.integers(0, 3840), st.integers(1, 960), st.integers(0, 127)),
    st.builds(act.RemoveNote, ids, st.integers(0, 3840), st.integers(0, 127)),
    st.builds(act.SetSourceParam, ids, st.just("amp"), unit),
    st.builds(act.SetMixerLevel, st.builds(act.instrument_strip, ids), unit),
    st.builds(act.SetBpm, st.floats(min_value=20, max_value=300)),
    st.builds(act.AddInstrument, st.just("saw")),
    st.builds(act.DeleteInstrument, ids),
    st.builds(act.AddFilter, ids, st.just("lpf")),
    st.builds(act.LinkLayer, ids, ids),
    st.builds(act.AddBus),
    st.builds(act.SetLoop, st.integers(0, 960), st.integers(961, 7680)),
)
requests = st.one_of(typed_actions, plausible, plausible, st.sampled_from(["undo", "redo"]))


@settings(FUZZ, max_examples=600)
@given(script=st.lists(st.tuples(st.booleans(), requests), max_size=8))
def test_random_well_typed_edits_from_two_clients_leave_every_replica_identical(
    script: list[tuple[bool, Any]], make_project: Callable[[int], Project]
) -> None:
    harness = Harness(make_project(3))
    mallory = ClientSession(name="mallory", own=(2, 3), want_privilege=True, clock=lambda: 0.0)
    harness.server.open(2)
    mallory.start()
    clients = {1: harness.honest, 2: mallory}

    def route() -> None:
        for _ in range(50):
            for conn, client in clients.items():
                data = client.data_to_send()
                if data:
                    harness.server.receive(conn, data)
            harness.server.tick()
            harness.server.flush()
            outputs = harness.server.outputs()
            if not outputs:
                return
            for output in outputs:
                if isinstance(output, Send):
                    for conn in output.targets:
                        clients[conn].receive(output.frame)

    route()
    for by_mallory, request in script:
        client = mallory if by_mallory else harness.honest
        if request == "undo":
            client.undo()
        elif request == "redo":
            client.redo()
        else:
            client.act(request)
        route()
    encoded = {
        msgspec.msgpack.encode(p)
        for p in (harness.store.state, *(c.project for c in clients.values()))
    }
    assert len(encoded) == 1
