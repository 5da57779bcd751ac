"""A real headless Chromium driven over the DevTools protocol (a WebSocket, with ``websockets``).

The browser runs with a temporary profile that is removed afterwards, and is stopped by its
own PID. Only what the tests need: open a page, evaluate script, press the mouse, emulate a
phone screen, take a screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""Opens loopback URLs directly, whatever proxy the environment names."""

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--no-proxy-server",
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
)  # fmt: skip


def find_chromium() -> str | None:
    """The browser binary (Debian's /usr/bin/chromium in CI), or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(AssertionError):
    """The browser did not do what the test asked."""


class Chromium:
    """One headless browser with one page."""

    def __init__(self, binary: str, timeout: float = 30.0) -> None:
        self._profile = tempfile.mkdtemp(prefix="imbolc-chromium-")
        self._process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        self._ids = 0
        self.console: list[str] = []
        try:
            port = self._devtools_port(timeout)
            self._ws = self._page_socket(port, timeout)
            self.call("Runtime.enable")
            self.call("Page.enable")
        except BaseException:
            self.close()
            raise

    def _devtools_port(self, timeout: float) -> int:
        marker = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrowserError(f"chromium exited with {self._process.returncode}")
            with contextlib.suppress(OSError, ValueError, IndexError):
                return int(marker.read_text().splitlines()[0])
            time.sleep(0.05)
        raise BrowserError("chromium did not open its DevTools port")

    def _page_socket(self, port: int, timeout: float) -> ClientConnection:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with LOOPBACK.open(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
                pages = [t for t in json.load(r) if t.get("type") == "page"]
            if pages:
                url = pages[0]["webSocketDebuggerUrl"]
                return connect(url, max_size=None, proxy=None, legacy=True)
            time.sleep(0.05)
        raise BrowserError("chromium has no page to drive")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result (events in between are kept)."""
        self._ids += 1
        ident = self._ids
        self._ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            reply = json.loads(self._ws.recv(timeout=30))
            if reply.get("id") == ident:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if reply.get("method") == "Runtime.consoleAPICalled":
                args = reply["params"].get("args", [])
                self.console.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in args)
                )
            elif reply.get("method") == "Runtime.exceptionThrown":
                details = reply["params"]["exceptionDetails"]
                self.console.append(f"exception: {details.get('exception', {}).get('description')}")

    def evaluate(self, expression: str) -> Any:
        """The value of a script expression in the page."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0) -> Any:
        """Evaluate ``expression`` until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise BrowserError(f"{expression} stayed false; console: {self.console[-10:]}")

    def phone(self, width: int = 390, height: int = 844) -> None:
        """Emulate a phone-sized touch screen."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width, height=height, deviceScaleFactor=2, mobile=True,
        )  # fmt: skip

    def open(self, url: str) -> None:
        """Load a page and wait until it finished loading."""
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'")

    def click(self, x: float, y: float) -> None:
        """Press and release the left mouse button at page coordinates."""
        for kind in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                type=kind, x=x, y=y, button="left", buttons=1, clickCount=1,
            )  # fmt: skip

    def center_of(self, selector: str) -> tuple[float, float, float, float]:
        """The box of the first element matching ``selector``: (left, top, width, height),
        scrolled into view first."""
        box = self.evaluate(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            " el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();"
            " return [r.left, r.top, r.width, r.height]; })()"
        )
        if not box:
            raise BrowserError(f"no element {selector}")
        left, top, width, height = box
        return left, top, width, height

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the page."""
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        """Stop the browser (by its process group) and remove its profile."""
        with contextlib.suppress(Exception):
            self._ws.close()
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait(5)
        shutil.rmtree(self._profile, ignore_errors=True)


def until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``condition`` until it holds or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
