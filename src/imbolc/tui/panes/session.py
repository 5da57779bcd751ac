"""The session pane (F9): who is connected, who owns what, the connection state."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.timer import Timer

from imbolc.core.project import Project
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.session_link import SessionLink, SessionView, WebRemoteSwitch
from imbolc.tui.widgets.state_view import Pane
from imbolc.tui.workspace import Workspace

POLL_SECONDS = 0.5


class SessionPane(Pane):
    """The roster of a shared session, polled only while the pane is on screen."""

    LAYER = "session"
    TITLE = "Session"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("session")

    def __init__(
        self, workspace: Workspace, link: SessionLink | None, *, id: str | None = None
    ) -> None:
        super().__init__(workspace, id=id)
        self.link = link
        self.view = SessionView()
        self._timer: Timer | None = None

    def watched(self, project: Project) -> tuple[object, ...]:
        return (project.instruments,)

    def on_show(self) -> None:
        self.poll()
        if self.link is not None and self._timer is None:
            self._timer = self.set_interval(POLL_SECONDS, self.poll)

    def on_hide(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def poll(self) -> None:
        """Read the roster; repaint only when it changed."""
        view = self.link.view() if self.link is not None else SessionView()
        if view != self.view:
            self.view = view
            self.refresh()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        view = self.view
        if view.role == "solo":
            text.append("Solo session\n\n", style="bold")
            text.append("  Nobody else is connected. To play together on a LAN:\n")
            text.append("    imbolc serve song.imbolc          (this machine plays the sound)\n")
            text.append("    imbolc join HOST[:PORT] --own 3   (on the others)\n", style="dim")
            return text
        title = "Hosting" if view.role == "host" else f"Joined {view.server}"
        text.append(f"{title}", style="bold")
        text.append(
            f"  · {view.state}\n\n", style="green" if view.state == "connected" else "yellow"
        )
        names: dict[int, str] = {i.id: i.name for i in self.ws.project.instruments.items}
        for peer in view.peers:
            marks = ("★ " if peer.privileged else "  ") + ("you · " if peer.me else "")
            owned = ", ".join(names.get(i, str(i)) for i in peer.owned) or "nothing"
            style = "" if peer.connected else "dim"
            state = "" if peer.connected else " (away)"
            text.append(f"  {marks}{peer.name}{state}: owns {owned}\n", style=style)
        owners = {i for peer in view.peers for i in peer.owned}
        free = [name for ident, name in names.items() if ident not in owners]
        text.append(f"\n  unowned: {', '.join(free) or 'none'}\n", style="dim")
        if isinstance(self.link, WebRemoteSwitch):
            if view.web:
                text.append(f"\n  web remote on {view.web}", style="green")
                text.append("  (w turns it off)\n", style="dim")
            else:
                text.append(
                    "\n  web remote off (w serves it to phones and browsers)\n", style="dim"
                )
        if view.role == "client":
            text.append(
                "\n  c claim the selected instrument · r release it · p ask for the privilege"
                " · P take it",
                style="dim",
            )
        return text

    def _ask(self, what: str, call: Callable[[SessionLink], None]) -> None:
        if self.link is None:
            self.ws.notify("This is a solo session: nothing to share.", "warning")
            return
        try:
            call(self.link)
        except Exception as error:
            self.ws.notify(f"{what} failed: {error}", "error")
        self.poll()

    def action_claim(self) -> None:
        ident = self.ws.selected_id
        if ident is None:
            self.ws.notify("Select an instrument first (F1).", "warning")
            return
        self._ask("Claiming", lambda link: link.claim(ident))

    def action_release(self) -> None:
        ident = self.ws.selected_id
        if ident is None:
            self.ws.notify("Select an instrument first (F1).", "warning")
            return
        self._ask("Releasing", lambda link: link.release(ident))

    def action_privilege(self, force: bool = False) -> None:
        self._ask("Asking for the privilege", lambda link: link.request_privilege(force))

    def action_web_remote(self) -> None:
        link = self.link
        if not isinstance(link, WebRemoteSwitch):
            self.ws.notify(
                "Only the machine that serves the session runs the web remote.", "warning"
            )
            return
        try:
            address = link.toggle_web_remote()
        except Exception as error:
            self.ws.notify(f"Web remote failed: {error}", "error")
            return
        if address:
            self.ws.notify(f"Web remote on {address}", "information")
        else:
            self.ws.notify("Web remote off", "information")
        self.poll()
