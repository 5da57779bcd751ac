"""The session pane (F9): the roster of a shared session, and claiming from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_fakes import FakeEngine, MemoryIO

from imbolc.core.store import Store
from imbolc.tui import ImbolcApp
from imbolc.tui.session_link import PeerView, SessionView


class FakeSession:
    """A SessionLink that records requests and serves a fixed roster."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, object]] = []
        self.current = SessionView(
            role="client",
            server="studio",
            state="connected",
            peers=(
                PeerView(1, "ana", (1, 2), True, True),
                PeerView(2, "ben", (3,), True, False, me=True),
                PeerView(3, "cy", (), False, False),
            ),
        )

    def view(self) -> SessionView:
        return self.current

    def claim(self, instrument_id: int) -> None:
        self.requests.append(("claim", instrument_id))

    def release(self, instrument_id: int) -> None:
        self.requests.append(("release", instrument_id))

    def request_privilege(self, force: bool) -> None:
        self.requests.append(("privilege", force))


def app_with(store: Store, session: FakeSession | None) -> ImbolcApp:
    return ImbolcApp(store, FakeEngine(), MemoryIO(), Path("/songs/demo.imbolc"), None, session)


async def test_f9_lists_who_is_connected_and_what_they_own(store: Store) -> None:
    app = app_with(store, FakeSession())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        shown = str(app.query_one("#session").render())
    assert "Joined studio" in shown
    assert "★ ana: owns Drums, Bass" in shown
    assert "you · ben: owns Chords" in shown
    assert "cy (away): owns nothing" in shown
    assert "unowned: Lead, Bell" in shown


async def test_c_claims_the_selected_instrument(store: Store) -> None:
    session = FakeSession()
    app = app_with(store, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "down", "down", "f9", "c", "r", "p", "P")
        await pilot.pause()
    assert session.requests == [
        ("claim", 4),
        ("release", 4),
        ("privilege", False),
        ("privilege", True),
    ]


async def test_a_solo_session_explains_how_to_share(store: Store) -> None:
    app = app_with(store, None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f9", "c")
        await pilot.pause()
        shown = str(app.query_one("#session").render())
    assert "Solo session" in shown
    assert "imbolc serve" in shown


def test_the_session_pane_matches_its_snapshot(
    snap_compare: Callable[..., bool], store: Store
) -> None:
    assert snap_compare(app_with(store, FakeSession()), press=("f9",), terminal_size=(120, 40))
