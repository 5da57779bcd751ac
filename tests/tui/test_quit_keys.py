"""Ctrl+Q: the save-before-quitting question is on screen and answers keys, on the piano roll
too; a joined musician is told their edits already live on the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_session_pane import FakeSession
from tui_fakes import DEMO, AppFactory, FakeEngine, MemoryIO

from imbolc.core.store import Store
from imbolc.tui import ImbolcApp
from imbolc.tui.screens.prompts import ChoiceScreen
from imbolc.tui.session_link import PeerView, SessionView

pytestmark = pytest.mark.asyncio

SONG = Path("/songs/demo.imbolc")


def on_screen(app: ImbolcApp) -> str:
    """The text the terminal shows (the composited screen, modal on top)."""
    svg = app.export_screenshot()
    return svg.replace("&#160;", " ").replace("&#x27;", "'")


async def test_ctrl_q_on_the_piano_roll_shows_the_question_and_s_saves_and_quits(
    make_app: AppFactory, store: Store, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "f2", "right", "enter", "right", "enter", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        assert "Save the changes to demo.imbolc before quitting?" in on_screen(app)
        await pilot.press("s")
        await pilot.pause()
    assert store.state.session.piano_roll != DEMO.session.piano_roll
    assert io.files[SONG] is store.state
    assert app.return_code == 0


async def test_escape_on_the_question_gives_the_keys_back_to_the_piano_roll(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "f2", "right", "enter", "ctrl+q", "escape", "f1")
        assert not isinstance(app.screen, ChoiceScreen)
        assert app.current_pane.LAYER == "instruments"
        assert app.is_running


def joined(session: FakeSession) -> tuple[ImbolcApp, MemoryIO]:
    io = MemoryIO()
    app = ImbolcApp(Store(DEMO, clock=lambda: 0.0), FakeEngine(), io, Path("127.0.0.1:9000"),
                    None, session)  # fmt: skip
    return app, io


async def test_a_joined_musician_is_told_their_edits_are_on_the_server() -> None:
    session = FakeSession()  # ben, not privileged
    app, io = joined(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("down", "f2", "enter", "ctrl+q")
        await pilot.pause()
        shown = on_screen(app)
        assert "Leave the session on studio?" in shown
        assert "already on the server" in str(app.screen.query_one(".title").render())
        assert "[l] Leave" in shown
        assert "Save" not in shown
        await pilot.press("s")  # no save offered to a musician without the privilege
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("l")
        await pilot.pause()
    assert io.files == {}
    assert app.return_code == 0


async def test_the_privileged_joined_musician_may_save_on_the_server_before_leaving() -> None:
    session = FakeSession()
    session.current = SessionView(
        role="client", server="studio", state="connected",
        peers=(PeerView(2, "ben", (3,), True, True, me=True),),
    )  # fmt: skip
    app, io = joined(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("down", "f2", "enter", "ctrl+q")
        await pilot.pause()
        assert "[s] Save on the server and leave" in on_screen(app)
        await pilot.press("s")
        await pilot.pause()
    assert list(io.files) == [Path("127.0.0.1:9000")]


class HostSession(FakeSession):
    """The hosting musician's link: it has the web remote switch."""

    def toggle_web_remote(self) -> str:
        return ""


async def test_the_hosting_musician_is_still_asked_to_save() -> None:
    app, io = joined(HostSession())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("down", "f2", "enter", "ctrl+q")
        await pilot.pause()
        assert "Save the changes to 127.0.0.1:9000 before quitting?" in on_screen(app)
        await pilot.press("s")
        await pilot.pause()
    assert list(io.files) == [Path("127.0.0.1:9000")]
