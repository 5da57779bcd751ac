"""WebSocket against raw TCP on loopback: the same session, the same edits, one run.

Two clients join one server, one over TCP and one over the WebSocket endpoint, and take
turns: each sends a one-note edit and waits until its own commit comes back (edit → server
→ commit applied on the replica). Turns alternate so both transports see the same machine
load; edits are spaced past the 30 Hz commit batching so each is flushed on its own.
"""

from __future__ import annotations

import gc
import threading
import time

from bench.projects import build_project
from bench.timing import percentile, table
from imbolc.core.actions import AddNote
from imbolc.net import ClientConfig, ClientStore, connect, start_server_thread
from imbolc.net.codec import WireName
from imbolc.net.events import ClientEvent, Committed
from imbolc.net.ws_client import connect_websocket
from imbolc.net.ws_server import run_web_gateway

EDITS = 300
SPACING = 0.04
"""Seconds between turns: longer than one commit batch (1/30 s)."""


class _Waiter:
    """Signals when the client's replica reaches a revision."""

    def __init__(self, client: ClientStore) -> None:
        self.revision = -1
        self.reached = threading.Event()
        client.on_event(self._on_event)

    def _on_event(self, event: ClientEvent) -> None:
        if isinstance(event, Committed) and event.revision >= self.revision:
            self.reached.set()


def round_trips(edits: int = EDITS, wire: WireName = "msgpack") -> dict[str, list[float]]:
    """Milliseconds from dispatch to the own commit applied, per transport."""
    server = start_server_thread(build_project(4, 0), host="127.0.0.1", port=0, wire=wire)
    gateway = run_web_gateway(server.address, host="127.0.0.1", wire=wire)
    config = ClientConfig(tick_interval=0.05)
    clients: dict[str, ClientStore] = {}
    try:
        clients["tcp"] = connect(
            "127.0.0.1", server.port, name="tcp", own=[1], config=config, wire=wire
        )
        clients["websocket"] = connect_websocket(
            f"ws://127.0.0.1:{gateway.port}/session", name="ws", own=[2], config=config,
            wire=wire,
        )  # fmt: skip
        waiters = {name: _Waiter(client) for name, client in clients.items()}
        samples: dict[str, list[float]] = {name: [] for name in clients}
        revision = server.session.revision
        for n in range(edits):
            for name, ident in (("tcp", 1), ("websocket", 2)):
                waiter = waiters[name]
                revision += 1
                waiter.revision = revision
                waiter.reached.clear()
                start = time.perf_counter()
                clients[name].dispatch(AddNote(ident, n * 120, 60, 60 + n % 24))
                if waiter.reached.wait(5.0):
                    samples[name].append((time.perf_counter() - start) * 1e3)
                time.sleep(SPACING)
        return samples
    finally:
        for client in clients.values():
            client.close()
        gateway.stop()
        server.stop()


def run() -> str:
    """The Markdown report."""
    gc.collect()
    rows = []
    wires: tuple[WireName, ...] = ("msgpack", "json")
    for wire in wires:
        samples = round_trips(wire=wire)
        tcp, ws = samples["tcp"], samples["websocket"]
        tcp50, ws50 = percentile(tcp, 50), percentile(ws, 50)
        for name, values in (("TCP", tcp), ("WebSocket", ws)):
            rows.append(
                [wire, name, len(values), f"{percentile(values, 50):.3f}",
                 f"{percentile(values, 90):.3f}", f"{percentile(values, 99):.3f}",
                 "" if name == "TCP" else f"{ws50 - tcp50:+.3f}"]
            )  # fmt: skip
    return table(
        f"Edit round trip on loopback, TCP against WebSocket in turns ({EDITS} edits each; ms)",
        ["wire", "transport", "edits", "p50", "p90", "p99", "p50 − TCP p50"],
        rows,
    )


if __name__ == "__main__":
    print(run())
