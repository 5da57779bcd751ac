"""Network benchmarks: codec sizes and speeds, edit payloads, loopback latency, broadcast cost.

Every comparison is a ratio taken in the same run.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import random
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from bench.projects import build_project
from bench.timing import median_us, percentile, table, time_each
from imbolc import __version__
from imbolc.core.actions import AddNote, AddNotes, SetBpm, SetSourceParam
from imbolc.core.instrument import Instrument
from imbolc.core.notes import Note, PianoRoll
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.net import ClientConfig, ServerConfig, connect, start_server_thread
from imbolc.net.client_session import ClientSession
from imbolc.net.codec import Codec, FrameReader
from imbolc.net.events import Committed, ServerClosed
from imbolc.net.messages import (
    PROTOCOL_VERSION,
    Act,
    CommitRecord,
    Commits,
    Error,
    Hello,
    Meter,
    Peak,
    Ping,
    Pong,
    Rejected,
    Snapshot,
)
from imbolc.net.outbox import Outbox
from imbolc.net.server_session import Send, ServerSession

PACES = ((200, 0.01), (100, 0.05))
"""(edits, seconds between edits): 100 edits/s are batched; 20 edits/s go out one by one."""


def _timed(run: Callable[[], object]) -> float:
    """Median µs of ``run``, with the loop count calibrated to ~2 ms per sample."""
    start = time.perf_counter()
    run()
    once = max(time.perf_counter() - start, 1e-7)
    loops = max(1, int(0.002 / once))
    samples = []
    for _ in range(9):
        start = time.perf_counter()
        for _ in range(loops):
            run()
        samples.append((time.perf_counter() - start) / loops)
    return statistics.median(samples) * 1e6


# --- (1) codecs ---------------------------------------------------------------------------


def codec_rows(project: Project) -> list[list[object]]:
    """Bytes, encode and typed decode µs of msgpack against JSON for four payloads."""
    meter = Meter(True, 1234.5, 120.0, (0.5, 0.4), tuple(Peak(i, 0.1 * i, 0.2) for i in range(64)))
    payloads: list[tuple[str, object, Any]] = [
        ("full snapshot", Snapshot(1, project), Snapshot),
        ("one instrument", project.instruments.items[0], Instrument),
        ("piano roll (10,000 notes)", project.session.piano_roll, PianoRoll),
        ("meter frame (64 peaks)", meter, Meter),
    ]
    rows: list[list[object]] = []
    for name, value, kind in payloads:
        sizes, enc, dec = {}, {}, {}
        for wire, module in (("msgpack", msgspec.msgpack), ("json", msgspec.json)):
            encoder = module.Encoder()
            decoder = module.Decoder(kind)
            data = encoder.encode(value)
            sizes[wire] = len(data)
            enc[wire] = _timed(lambda e=encoder, v=value: e.encode(v))
            dec[wire] = _timed(lambda d=decoder, b=data: d.decode(b))
        rows.append(
            [name, f"{sizes['msgpack']:,}", f"{sizes['json']:,}",
             f"{sizes['json'] / sizes['msgpack']:.2f}×",
             f"{enc['msgpack']:.1f}", f"{enc['json']:.1f}", f"{enc['json'] / enc['msgpack']:.1f}×",
             f"{dec['msgpack']:.1f}", f"{dec['json']:.1f}", f"{dec['json'] / dec['msgpack']:.1f}×"]
        )  # fmt: skip
    rows.append(packed_snapshot_row(project))
    return rows


def packed_snapshot_row(project: Project) -> list[object]:
    """The snapshot as each wire sends it: deflated msgpack against plain JSON (frames)."""
    packer, plain = Codec("msgpack"), Codec("json")
    packed_message = packer.snapshot(1, project, "")
    packed = packer.frame(packed_message)
    json_frame = plain.frame(plain.snapshot(1, project, ""))
    decoded = packer.decode_server(packed[4:])
    enc_p = _timed(lambda: packer.frame(packer.snapshot(1, project, "")))
    enc_j = _timed(lambda: plain.frame(plain.snapshot(1, project, "")))
    dec_p = _timed(lambda: packer.unpack(packer.decode_server(packed[4:]), 1 << 28))
    dec_j = _timed(lambda: plain.decode_server(json_frame[4:]))
    assert packer.unpack(decoded, 1 << 28).project == project
    return [
        "full snapshot as sent (msgpack deflated)", f"{len(packed):,}", f"{len(json_frame):,}",
        f"{len(json_frame) / len(packed):.2f}×", f"{enc_p:.1f}", f"{enc_j:.1f}",
        f"{enc_j / enc_p:.1f}×", f"{dec_p:.1f}", f"{dec_j:.1f}", f"{dec_j / dec_p:.1f}×",
    ]  # fmt: skip


# --- (2) one note against the whole roll -----------------------------------------------------


def edit_rows(project: Project) -> list[list[object]]:
    """Bytes of a one-note commit frame against resending the 10,000-note piano roll."""
    ident = project.instruments.items[0].id
    record = CommitRecord(1_000_000, 17, 50_000, AddNote(ident, 1_843_200, 240, 64))
    rows: list[list[object]] = []
    for wire in ("msgpack", "json"):
        codec = Codec(wire)  # type: ignore[arg-type]
        edit = len(codec.frame(Commits((record,))))
        roll = len(codec.frame(project.session.piano_roll))
        rows.append([wire, edit, f"{roll:,}", f"{roll / edit:,.0f}×"])
    return rows


# --- (3) loopback latency -----------------------------------------------------------------


class _Stalled:
    """A client that joins and then never reads again."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        self.sock.connect(("127.0.0.1", port))
        session = ClientSession(name="stalled")
        session.start()
        self.sock.sendall(session.data_to_send())

    def close(self) -> None:
        self.sock.close()


def _arrived(event: object, arrivals: dict[int, float]) -> None:
    if isinstance(event, Committed):
        arrivals[event.revision] = time.perf_counter()


def latency(clients: int, edits: int, interval: float) -> tuple[float, float, float]:
    """p50 and p99 ms from one client's dispatch to every other client applying it."""
    project = build_project(clients, 0)
    config = ServerConfig(send_buffer=8192, stall_timeout=2.0)
    server = start_server_thread(project, host="127.0.0.1", port=0, config=config)
    fast = ClientConfig(tick_interval=0.05)
    joined = []
    stalled = None
    try:
        editor = connect("127.0.0.1", server.port, name="editor", own=[1], config=fast)
        joined.append(editor)
        received: list[dict[int, float]] = []
        for n in range(clients - 2):
            client = connect("127.0.0.1", server.port, name=f"listener{n}", config=fast)
            arrivals: dict[int, float] = {}
            client.on_event(lambda event, a=arrivals: _arrived(event, a))
            received.append(arrivals)
            joined.append(client)
        stalled = _Stalled(server.port)
        sent: list[float] = []
        notes = [AddNote(1, n * 120, 60, 60 + n % 24) for n in range(edits)]
        for action in notes:
            sent.append(time.perf_counter())
            editor.dispatch(action)
            time.sleep(interval)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(len(a) < edits for a in received):
            time.sleep(0.01)
        delays = [
            (arrivals[n + 1] - sent[n]) * 1e3
            for arrivals in received
            for n in range(edits)
            if n + 1 in arrivals
        ]
        late = sum(edits - len(arrivals) for arrivals in received)
    finally:
        for client in joined:
            client.close()
        if stalled is not None:
            stalled.close()
        server.stop()
    return percentile(delays, 50), percentile(delays, 99), float(late)


# --- (3b) latency while another client floods ---------------------------------------------


def _flooder(port: int) -> tuple[socket.socket, list[object], threading.Event]:
    """A joined raw client that reads what it is told on a thread."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5.0)
    sock.sendall(Codec().frame(Hello(PROTOCOL_VERSION, __version__, "flooder")))
    told: list[object] = []
    done = threading.Event()

    def read() -> None:
        reader, codec = FrameReader(1 << 26), Codec()
        try:
            while True:
                ready, _w, _x = select.select([sock], [], [], 5.0)
                data = sock.recv(1 << 16) if ready else b""
                if not data:
                    break
                told.extend(codec.decode_server(p) for p in reader.feed(data))
        except OSError:
            pass  # closed at the end of the run
        done.set()

    threading.Thread(target=read, daemon=True).start()
    return sock, told, done


def flood_latency(limited: bool) -> list[object]:
    """Edit → other client latency while a third sends 20,000 pings and 3,000 refused edits."""
    config = ServerConfig() if limited else ServerConfig(
        inbox_rate=1e9, inbox_burst=10**9, inbox_backlog=10**9
    )  # fmt: skip
    server = start_server_thread(build_project(4, 0), host="127.0.0.1", port=0, config=config)
    fast = ClientConfig(tick_interval=0.02)
    editor = connect("127.0.0.1", server.port, name="editor", own=[1], config=fast)
    listener = connect("127.0.0.1", server.port, name="listener", config=fast)
    arrivals: dict[int, float] = {}
    listener.on_event(lambda event: _arrived(event, arrivals))
    sock, told, done = _flooder(server.port)
    codec = Codec()
    flood = b"".join(codec.frame(Ping(n)) for n in range(20_000)) + b"".join(
        codec.frame(Act(n, AddNote(1, n, 10, 60))) for n in range(3_000)
    )
    threading.Thread(target=lambda: _send_quietly(sock, flood), daemon=True).start()
    sent = []
    try:
        for n in range(100):
            sent.append(time.perf_counter())
            editor.dispatch(AddNote(1, 10_000 + n * 120, 60, 60))
            time.sleep(0.01)
        listener.wait_until(lambda c: c.revision >= 100, 20.0)
        done.wait(10.0)
    finally:
        sock.close()
        editor.close()
        listener.close()
        server.stop()
    delays = [(arrivals[n + 1] - sent[n]) * 1e3 for n in range(100) if n + 1 in arrivals]
    answers = sum(isinstance(m, Pong | Rejected) for m in told)
    reason = next((m.message for m in told if isinstance(m, Error)), "none")
    return [
        "inbox limit" if limited else "no limit", f"{percentile(delays, 50):.2f}",
        f"{percentile(delays, 99):.2f}", f"{max(delays):.2f}", f"{answers:,}", reason[:60],
    ]  # fmt: skip


def _send_quietly(sock: socket.socket, data: bytes) -> None:
    with contextlib.suppress(OSError):  # the server dropped the flooder
        sock.sendall(data)


# --- (3c) stopping a headless server ----------------------------------------------------------


def stop_times(signum: int, runs: int = 3) -> list[object]:
    """Median seconds from the signal to the client's Goodbye and to the process's exit."""
    told_all, exited_all = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            told, exited = _one_stop(Path(folder), signum)
        told_all.append(told)
        exited_all.append(exited)
    name = signal.Signals(signum).name
    return [name, f"{statistics.median(told_all):.3f}", f"{statistics.median(exited_all):.3f}"]


def _one_stop(folder: Path, signum: int) -> tuple[float, float]:
    env = dict(os.environ, IMBOLC_CONFIG_DIR=str(folder / "c"), IMBOLC_STATE_DIR=str(folder / "s"))
    process = subprocess.Popen(
        [sys.executable, "-m", "imbolc", "serve", str(folder / "song.imbolc"), "--headless",
         "--host", "127.0.0.1", "--port", "0", "--engine", "embedded"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().split(":")[-1].split()[0])
        client = connect("127.0.0.1", port, name="ana", want_privilege=True)
        said: list[float] = []
        client.on_event(
            lambda e: said.append(time.monotonic()) if isinstance(e, ServerClosed) else None
        )
        client.dispatch(SetBpm(97.0))
        client.wait_until(lambda c: c.revision == 1, 5.0)
        start = time.monotonic()
        process.send_signal(signum)
        process.wait(timeout=10)
        exited = time.monotonic() - start
        client.wait_until(lambda c: bool(said), 2.0)
        client.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return (said[0] - start if said else math.inf), exited


# --- (4) server CPU per broadcast -----------------------------------------------------------


def broadcast_cost(
    clients: int, project: Project, edit: Callable[[int], Any]
) -> tuple[float, float, float]:
    """µs per broadcast of ``edit(i)``: protocol core (apply, log, encode once), writer
    queueing for every client, and what encoding once per client would add."""
    store = Store(project)
    server = ServerSession(store)
    for conn in range(1, clients + 1):
        session = ClientSession(name=f"c{conn}")
        server.open(conn)
        session.start()
        server.receive(conn, session.data_to_send())
    server.flush()
    server.outputs()
    outboxes = [Outbox(64, 1 << 20, 1 << 30) for _ in range(clients)]
    frames: list[Send] = []

    def core(i: int) -> None:
        store.dispatch(edit(i))
        server.flush()
        frames.extend(o for o in server.outputs() if isinstance(o, Send))

    core_us = median_us(time_each(core, 200))
    frame = frames[-1].frame

    def fan_out(_i: int) -> None:
        for outbox in outboxes:
            outbox.push(frame, "commit")
            outbox.advance(len(frame))

    writer_us = median_us(time_each(fan_out, 200))
    codec = Codec()
    message = Commits((CommitRecord(1, 1, 1, edit(0)),))
    per_client_us = _timed(lambda: codec.frame(message)) * clients
    return core_us, writer_us, per_client_us


def knob(ident: int) -> Callable[[int], Any]:
    """One parameter edit per call."""
    return lambda i: SetSourceParam(ident, "amp", (i % 100) / 100)


def paste(ident: int) -> Callable[[int], Any]:
    """A 100-note paste per call, each at a new place."""
    return lambda i: AddNotes(ident, tuple(Note(i * 48_000 + n * 120, 60, 60) for n in range(100)))


def run() -> str:
    """Run every network benchmark and return the Markdown report."""
    random.seed(7)
    project = build_project(64, 10_000, lanes=32, points=500)
    gc.collect()
    gc.freeze()
    out = [
        table(
            "Codec: msgpack (array_like) against JSON, same Structs (bytes; µs median)",
            [
                "payload",
                "msgpack B",
                "json B",
                "json / msgpack",
                "enc msgpack",
                "enc json",
                "ratio",
                "dec msgpack",
                "dec json",
                "ratio",
            ],
            codec_rows(project),
        ),
        table(
            "One-note edit against resending the piano roll (10,000 notes; frame bytes)",
            ["wire", "one-note commit", "piano roll", "roll / edit"],
            edit_rows(project),
        ),
    ]
    ident = project.instruments.items[0].id
    rows: list[list[object]] = []
    for name, edit in (("one knob edit", knob(ident)), ("a 100-note paste", paste(ident))):
        base = None
        rows = []
        for clients in (1, 8, 32, 128, 512):
            core_us, writer_us, per_client = broadcast_cost(clients, project, edit)
            base = base or core_us
            rows.append(
                [clients, f"{core_us:.1f}", f"{core_us / base:.2f}×", f"{writer_us:.1f}",
                 f"{per_client:.1f}"]
            )  # fmt: skip
        out.append(
            table(
                f"Server CPU per broadcast of {name} (µs median)",
                [
                    "clients",
                    "core: apply + log + encode once",
                    "vs 1 client",
                    "writer: queue for every client",
                    "encoding per client instead would add",
                ],
                rows,
            )
        )
    rows = []
    for edits, interval in PACES:
        for clients in (8, 32):
            p50, p99, late = latency(clients, edits, interval)
            pace = f"{1 / interval:.0f} edits/s"
            rows.append([clients, pace, f"{p50:.2f}", f"{p99:.2f}", int(late)])
    out.append(
        table(
            "Edit-to-remote-apply latency on loopback, one client stalled (ms, over every "
            "listening client and edit)",
            ["clients", "pace", "p50", "p99", "edits never applied"],
            rows,
        )
    )
    out.append(
        table(
            "Another client's edit latency while one client floods 20,000 pings and 3,000 "
            "refused edits (ms; 100 edits at 100/s)",
            ["server", "p50", "p99", "max", "answers the flooder got", "why it was dropped"],
            [flood_latency(False), flood_latency(True)],
        )
    )
    out.append(
        table(
            "Stopping `imbolc serve --headless` (seconds, median of 3; it saves first)",
            ["signal", "signal → clients told", "signal → process gone"],
            [stop_times(signal.SIGTERM), stop_times(signal.SIGINT)],
        )
    )
    return "\n".join(out)


if __name__ == "__main__":
    print(run())
