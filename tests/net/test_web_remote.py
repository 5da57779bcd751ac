"""The web remote in a real headless Chromium on a phone-sized screen, against a real server.

The server's store drives an engine over a recording backend, so the test sees exactly the
OSC a fader move costs. The page speaks the same protocol as the terminal (secret, ownership,
privilege); a message that is not an operation is refused and changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from browser import Chromium, find_chromium, until
from websockets.sync.client import connect as ws_connect

from imbolc.core.actions import AddInstrument, AddNote, SetMeterChange
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import Meters, NullEngine
from imbolc.core.store import Commit, Store
from imbolc.core.templates import demo_project
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.engine import Engine
from imbolc.engine.requests import SetControls
from imbolc.net import ServerHandle, connect, start_server_thread
from imbolc.net.codec import Codec, WireName, frame_bytes
from imbolc.net.messages import Error
from imbolc.net.ws_server import WebGateway, run_web_gateway

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(
        CHROMIUM is None and not os.environ.get("CI"),
        reason="chromium not installed (CI installs it)",
    ),
]


class MeteredEngine(NullEngine):
    """Transport as NullEngine keeps it, and meters the test sets."""

    def __init__(self) -> None:
        super().__init__()
        self.levels = Meters()

    def meters(self) -> Meters:
        return self.levels


class Rig:
    """A served demo project whose engine records every request, and its web endpoint."""

    def __init__(self, secret: bytes | None = None, wire: WireName = "msgpack") -> None:
        self.backend = RecordingBackend()
        self.engine = MeteredEngine()
        self.server: ServerHandle = start_server_thread(
            demo_project(), setup=self._setup, host="127.0.0.1", port=0, engine=self.engine,
            secret=secret, wire=wire,
        )  # fmt: skip
        self.web: WebGateway = run_web_gateway(self.server.address, host="127.0.0.1", wire=wire)

    def _setup(self, store: Store) -> None:
        engine = Engine(self.backend)
        engine.start(store.state)
        self.audio = engine

        def forward(commit: Commit) -> None:
            engine.apply(commit.new, commit.effects)

        store.subscribe(forward)

    def url(self, query: str = "") -> str:
        return f"http://127.0.0.1:{self.web.port}/{query}"

    def close(self) -> None:
        self.web.stop()
        self.server.stop()


@pytest.fixture
def rig() -> Iterator[Rig]:
    made = Rig()
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def browser() -> Iterator[Chromium]:
    assert CHROMIUM is not None, "CI must install chromium"
    chromium = Chromium(CHROMIUM)
    try:
        chromium.phone()
        yield chromium
    finally:
        chromium.close()


def joined(browser: Chromium) -> None:
    browser.wait_for("window.imbolcRemote && window.imbolcRemote.phase === 'ready'")
    browser.wait_for("document.querySelectorAll('#strips .strip').length === 5")


def test_moving_a_fader_changes_the_project_and_sends_one_n_set(
    rig: Rig, browser: Chromium, tmp_path: Path
) -> None:
    browser.open(rig.url("?name=phone&own=2"))
    joined(browser)
    browser.wait_for("document.querySelector('.strip[data-id=\"2\"] .level').disabled === false")
    before = rig.server.state.instruments.get(2).mixer.level
    output_node = rig.audio.graph.instruments[2].output_node
    rig.backend.clear()

    left, top, width, height = browser.center_of('.strip[data-id="2"] .level')
    browser.click(left + width * 0.25, top + height / 2)

    assert until(lambda: rig.server.state.instruments.get(2).mixer.level != before)
    level = rig.server.state.instruments.get(2).mixer.level
    assert 0.2 < level < 0.55  # a quarter of the way along 0..1.5
    assert until(lambda: len(rig.backend.messages()) >= 1)
    sent = rig.backend.requests()
    assert sent == [SetControls(output_node, {"level": level})]
    assert [message.address for message in rig.backend.messages()] == ["/n_set"]
    # The page shows what the server committed.
    shown = browser.wait_for("Number(document.querySelector('.strip[data-id=\"2\"] .level').value)")
    assert shown == pytest.approx(level)
    shot = browser.screenshot(tmp_path / "web-remote-phone.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone


def test_mute_solo_pan_and_the_transport_from_the_page(rig: Rig, browser: Chromium) -> None:
    browser.open(rig.url("?name=phone&own=3&control=1"))
    joined(browser)
    browser.wait_for("document.getElementById('play').disabled === false")

    for selector in ('.strip[data-id="3"] .mute', '.strip[data-id="3"] .solo', "#play"):
        left, top, width, height = browser.center_of(selector)
        browser.click(left + width / 2, top + height / 2)
    left, top, width, height = browser.center_of('.strip[data-id="3"] .pan')
    browser.click(left + width * 0.9, top + height / 2)

    strip = lambda: rig.server.state.instruments.get(3).mixer  # noqa: E731
    assert until(lambda: strip().mute and strip().solo and strip().pan > 0.5)
    assert until(lambda: rig.engine.transport().playing)
    browser.wait_for("document.getElementById('transport').dataset.playing === 'true'")
    bpm = rig.server.state.session.settings.bpm
    left, top, width, height = browser.center_of("#bpm-up")
    browser.click(left + width / 2, top + height / 2)
    assert until(lambda: rig.server.state.session.settings.bpm == round(bpm) + 1)
    browser.wait_for(f"document.getElementById('bpm').textContent === '{round(bpm) + 1}'")
    rig.engine.seek(8 * TICKS_PER_BEAT)
    browser.wait_for("document.getElementById('position').textContent === '3.1'")
    for selector in ("#stop", "#rewind"):
        left, top, width, height = browser.center_of(selector)
        browser.click(left + width / 2, top + height / 2)
    assert until(lambda: not rig.engine.transport().playing and rig.engine.transport().tick == 0)
    browser.wait_for("document.getElementById('position').textContent === '1.1'")
    browser.wait_for("document.getElementById('transport').dataset.playing === 'false'")


def test_the_page_follows_ownership_it_cannot_move_anothers_strip(
    rig: Rig, browser: Chromium
) -> None:
    browser.open(rig.url("?name=phone"))
    joined(browser)
    # Nobody owns instrument 1: the page offers to claim it and keeps its fader locked.
    assert browser.evaluate("document.querySelector('.strip[data-id=\"1\"] .level').disabled")
    left, top, width, height = browser.center_of('.strip[data-id="1"] .claim')
    browser.click(left + width / 2, top + height / 2)
    assert until(lambda: 1 in dict(_owners(rig.server)))
    browser.wait_for("document.querySelector('.strip[data-id=\"1\"] .level').disabled === false")
    browser.wait_for(
        "document.querySelector('.strip[data-id=\"1\"] .owner').textContent === 'yours'"
    )


def _owners(server: ServerHandle) -> list[tuple[int, int]]:
    return [(ident, peer.client_id) for peer in server.peers.peers for ident in peer.owned]


def test_the_page_proves_the_secret_and_a_wrong_one_is_refused(browser: Chromium) -> None:
    rig = Rig(secret=b"band practice")
    try:
        browser.open(rig.url("?name=phone"))
        browser.wait_for("!document.getElementById('join').hidden")
        browser.wait_for("document.getElementById('message').textContent.includes('secret')")
        browser.evaluate("document.getElementById('secret').value = 'wrong'")
        browser.evaluate("document.querySelector('#join button').click()")
        browser.wait_for("document.getElementById('message').textContent.includes('wrong secret')")
        browser.evaluate("document.getElementById('secret').value = 'band practice'")
        browser.evaluate("document.querySelector('#join button').click()")
        joined(browser)
        assert until(lambda: any(p.name == "phone" for p in rig.server.peers.peers))
    finally:
        rig.close()


def test_a_page_message_that_is_not_an_operation_is_refused_and_changes_nothing(
    rig: Rig, browser: Chromium
) -> None:
    browser.open(rig.url("?name=phone&own=2"))
    joined(browser)
    before = rig.server.state
    rig.backend.clear()

    browser.evaluate("window.imbolcRemote.ws.send(new Uint8Array([0, 0, 0, 3, 0xc1, 0xc1, 0xc1]))")

    browser.wait_for("document.getElementById('message').textContent.includes('malformed')")
    assert rig.server.state is before
    assert rig.backend.requests() == []


def test_garbage_over_the_websocket_gets_an_error_and_changes_nothing(rig: Rig) -> None:
    before = rig.server.state
    rig.backend.clear()
    codec = Codec("msgpack")
    with ws_connect(f"ws://127.0.0.1:{rig.web.port}/session", proxy=None) as ws:
        ws.send(frame_bytes(msgspec.msgpack.encode(["SetMixerLevel", "not a hello"])))
        reply = ws.recv(timeout=5)
    assert isinstance(reply, bytes)
    message = codec.decode_server(reply[4:])
    assert isinstance(message, Error)
    assert "malformed client message" in message.message
    assert rig.server.state is before
    assert rig.backend.requests() == []


def test_the_page_lists_the_instruments_and_shows_meters_and_position(
    rig: Rig, browser: Chromium
) -> None:
    browser.open(rig.url("?name=phone"))
    joined(browser)
    names = browser.evaluate(
        "[...document.querySelectorAll('#strips .strip .name')].map(e => e.textContent)"
    )
    assert names == [inst.name for inst in rig.server.state.instruments.items]

    rig.engine.levels = Meters((0.5, 0.25), {2: (0.75, 0.5)})
    rig.engine.seek(5 * TICKS_PER_BEAT)  # bar 2, beat 2

    browser.wait_for("document.getElementById('master-meter').value === 0.5")
    browser.wait_for("document.querySelector('.strip[data-id=\"2\"] .meter').value === 0.75")
    browser.wait_for("document.getElementById('position').textContent === '2.2'")


def test_an_operation_the_server_refuses_shows_its_reason_and_changes_nothing(
    rig: Rig, browser: Chromium
) -> None:
    browser.open(rig.url("?name=phone&own=2"))
    joined(browser)
    before = rig.server.state
    rig.backend.clear()

    shown = "document.getElementById('message').textContent"
    browser.evaluate("act(message('SetMixerLevel', {strip: ['instrument', 2], level: 99}))")
    out_of_range = browser.wait_for(f"{shown}.includes('99') && {shown}")
    browser.evaluate("act(message('SetMixerLevel', {strip: ['instrument', 1], level: 0.1}))")
    not_owned = browser.wait_for(f"{shown}.includes('instrument 1') && {shown}")

    assert "SetMixerLevel" in out_of_range
    assert "not yours" in not_owned
    assert rig.server.state is before
    assert rig.backend.requests() == []


def test_a_json_session_with_a_secret_works_from_the_page(browser: Chromium) -> None:
    rig = Rig(secret=b"s3cret", wire="json")
    try:
        browser.open(rig.url("?name=phone&own=4"))
        browser.wait_for("!document.getElementById('join').hidden")
        browser.evaluate("document.getElementById('secret').value = 's3cret'")
        browser.evaluate("document.querySelector('#join button').click()")
        joined(browser)
        left, top, width, height = browser.center_of('.strip[data-id="4"] .mute')
        browser.click(left + width / 2, top + height / 2)
        assert until(lambda: rig.server.state.instruments.get(4).mixer.mute)
        browser.wait_for(
            "document.querySelector('.strip[data-id=\"4\"] .mute')"
            ".getAttribute('aria-pressed') === 'true'"
        )
    finally:
        rig.close()


def test_the_page_reloads_for_a_new_instrument_and_ignores_note_edits(
    rig: Rig, browser: Chromium
) -> None:
    browser.open(rig.url("?name=phone"))
    joined(browser)
    snapshots = browser.evaluate("window.imbolcRemote.snapshots")
    bob = connect("127.0.0.1", rig.server.port, name="bob", own=[1])
    try:
        for n in range(5):
            bob.dispatch(AddNote(1, n * 240, 120, 60))
        assert bob.wait_until(lambda c: c.revision == 5, 3.0)
        browser.wait_for("window.imbolcRemote.received > 0")
        bob.dispatch(AddInstrument("pluck"))
        browser.wait_for("document.querySelectorAll('#strips .strip').length === 6")
        names = browser.evaluate(
            "[...document.querySelectorAll('#strips .strip .name')].map(e => e.textContent)"
        )
        assert names[-1] == rig.server.state.instruments.items[-1].name
        # five note commits cost no snapshot; the new instrument cost exactly one
        assert browser.evaluate("window.imbolcRemote.snapshots") == snapshots + 1
    finally:
        bob.close()


def test_the_position_counts_bars_through_the_meter_changes(rig: Rig, browser: Chromium) -> None:
    bob = connect("127.0.0.1", rig.server.port, name="bob", want_privilege=True)
    try:
        bob.dispatch(SetMeterChange(1, 3, 4))  # 4/4 for the first bar, then 3/4
        assert bob.wait_until(lambda c: c.revision == 1, 3.0)
    finally:
        bob.close()
    browser.open(rig.url("?name=phone"))
    joined(browser)
    rig.engine.seek(8 * TICKS_PER_BEAT)  # 4 beats of bar 1, 3 of bar 2, then beat 2 of bar 3
    browser.wait_for("document.getElementById('position').textContent === '3.2'")
