"""The realtime server lifecycle against real jackd (dummy driver) and scsynth processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from supriya import synthdef
from supriya.ugens import Out, SinOsc

from imbolc.engine.osc import OscMessage, encode_bundle
from imbolc.engine.processes import (
    EngineUnavailable,
    PortInUse,
    ServerBootError,
    jack_leftovers,
    pick_free_udp_port,
    start_scsynth,
)
from imbolc.engine.server import (
    InvalidServerOptions,
    ScsynthServer,
    ServerOptions,
    ServerStatus,
)

needs_scsynth = pytest.mark.skipif(
    shutil.which("scsynth") is None or shutil.which("jackd") is None,
    reason="scsynth/jackd not installed (CI installs them)",
)
SHM = Path("/dev/shm")
HEADLESS = ServerOptions(dummy_audio=True)


@synthdef()
def tone(freq: float = 440.0, amp: float = 0.05) -> None:
    Out.ar(bus=0, source=SinOsc.ar(frequency=freq) * amp)


def is_alive(pid: int, program: str) -> bool:
    """True while ``pid`` is a live (not zombie) process running ``program``."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    comm, state = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2]
    return comm == program and state != "Z"


def first_arg_is(value: object) -> Callable[[OscMessage], bool]:
    return lambda message: bool(message.contents) and message.contents[0] == value


@pytest.fixture(scope="module")
def server() -> Iterator[ScsynthServer]:
    """One headless server shared by the read-mostly tests of this module."""
    if shutil.which("scsynth") is None or shutil.which("jackd") is None:
        pytest.skip("scsynth/jackd not installed (CI installs them)")
    shared = ScsynthServer()
    try:
        shared.start(HEADLESS)
        yield shared
    finally:
        shared.stop()


ServerFactory = Callable[..., ScsynthServer]


@pytest.fixture
def start_server() -> Iterator[ServerFactory]:
    """Start private servers for tests that stop, kill or restart them; all stopped after."""
    servers: list[ScsynthServer] = []

    def start(
        options: ServerOptions = HEADLESS,
        on_crash: Callable[[str], None] | None = None,
        on_ready: Callable[[], None] | None = None,
    ) -> ScsynthServer:
        started = ScsynthServer(on_crash=on_crash, on_ready=on_ready)
        servers.append(started)
        started.start(options)
        return started

    try:
        yield start
    finally:
        for started in servers:
            started.stop()


class CrashRecorder:
    """Collects on_crash reasons and on_ready calls from the watchdog thread."""

    def __init__(self) -> None:
        self.reasons: list[str] = []
        self.crashed = threading.Event()
        self.ready_count = 0

    def on_crash(self, reason: str) -> None:
        self.reasons.append(reason)
        self.crashed.set()

    def on_ready(self) -> None:
        self.ready_count += 1


# --- options and replies (no processes) ------------------------------------------------------


def test_options_give_scsynth_a_quiet_headless_command_line() -> None:
    args = ServerOptions(max_nodes=2048, output_channels=4).to_args(port=57_999)

    assert args[:8] == ["-u", "57999", "-R", "0", "-D", "0", "-l", "4"]
    assert args[args.index("-n") + 1] == "2048"
    assert args[args.index("-o") + 1] == "4"


def test_a_jack_period_that_is_not_a_power_of_two_is_refused() -> None:
    with pytest.raises(InvalidServerOptions, match="jack_period"):
        ServerOptions(jack_period=300)


def test_a_port_out_of_range_is_refused() -> None:
    with pytest.raises(InvalidServerOptions, match=r"port must be an integer in \[0, 65535\]"):
        ServerOptions(port=70_000)


def test_status_reply_is_parsed_field_by_field() -> None:
    reply = OscMessage("/status.reply", 1, 12, 3, 2, 7, 1.5, 2.5, 48000.0, 48003.5)

    assert ServerStatus.from_reply(reply) == ServerStatus(
        ugens=12,
        synths=3,
        groups=2,
        synthdefs=7,
        avg_cpu=1.5,
        peak_cpu=2.5,
        sample_rate=48000.0,
        actual_sample_rate=48003.5,
    )


def test_missing_scsynth_on_path_raises_engine_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    unstarted = ScsynthServer()

    with pytest.raises(EngineUnavailable) as caught:
        unstarted.start(HEADLESS)

    assert str(caught.value) == (
        "scsynth not found: install SuperCollider (supercollider-server) or use the embedded engine"
    )
    assert unstarted.scsynth_pid is None
    assert unstarted.jackd_pid is None


def test_an_explicit_scsynth_path_that_does_not_exist_raises_engine_unavailable() -> None:
    with pytest.raises(EngineUnavailable, match="scsynth not found at /nonexistent/scsynth"):
        ScsynthServer().start(ServerOptions(scsynth_path="/nonexistent/scsynth"))


@needs_scsynth
def test_missing_jackd_raises_engine_unavailable_before_anything_starts() -> None:
    unstarted = ScsynthServer()

    with pytest.raises(EngineUnavailable, match="jackd not found at /nonexistent/jackd"):
        unstarted.start(ServerOptions(dummy_audio=True, jackd_path="/nonexistent/jackd"))

    assert unstarted.scsynth_pid is None


# --- a running server ------------------------------------------------------------------------


@needs_scsynth
def test_status_round_trip_reports_the_jack_sample_rate(server: ScsynthServer) -> None:
    status = server.status()

    assert status.sample_rate == 48_000.0
    assert status.groups >= 1


@needs_scsynth
def test_version_reports_scsynth_3(server: ScsynthServer) -> None:
    version = server.version()

    assert (version.program, version.major) == ("scsynth", 3)


@needs_scsynth
def test_a_loaded_synthdef_plays_and_frees_with_n_go_and_n_end(server: ScsynthServer) -> None:
    client = server.client
    client.request(
        OscMessage("/d_recv", tone.compile()), "/done", timeout=2.0, match=first_arg_is("/d_recv")
    )

    went = client.request(
        OscMessage("/s_new", "tone", 1000, 0, 0, "freq", 330.0),
        "/n_go",
        timeout=2.0,
        match=first_arg_is(1000),
    )
    ended = client.request(
        OscMessage("/n_free", 1000), "/n_end", timeout=2.0, match=first_arg_is(1000)
    )

    assert went.contents[0] == ended.contents[0] == 1000


@needs_scsynth
def test_a_timed_bundle_starts_its_synth_near_the_timetag(server: ScsynthServer) -> None:
    client = server.client
    client.request(
        OscMessage("/d_recv", tone.compile()), "/done", timeout=2.0, match=first_arg_is("/d_recv")
    )
    went = threading.Event()
    remove = client.add_handler("/n_go", lambda m: went.set() if m.contents[0] == 1001 else None)
    try:
        sent = time.time()
        client.send(encode_bundle([OscMessage("/s_new", "tone", 1001, 0, 0)], at=sent + 0.2))
        assert went.wait(2.0)
        elapsed = time.time() - sent
    finally:
        remove()
        client.send_message("/n_free", 1001)

    assert elapsed > 0.1


@needs_scsynth
def test_scsynth_reports_a_taken_port_as_port_in_use(server: ScsynthServer) -> None:
    env = dict(os.environ, JACK_DEFAULT_SERVER=str(server.jack_server_name))
    env["JACK_NO_START_SERVER"] = "1"
    scsynth = shutil.which("scsynth")
    assert scsynth is not None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        busy = squatter.getsockname()[1]

        with pytest.raises(PortInUse, match=f"UDP port {busy}"):
            start_scsynth(scsynth, HEADLESS.to_args(busy), busy, env)


@needs_scsynth
def test_connect_existing_then_stop_leaves_the_server_running(server: ScsynthServer) -> None:
    connected = ScsynthServer()
    try:
        connected.connect_existing("127.0.0.1", server.port)
        assert not connected.owns_processes
        assert connected.status().sample_rate == 48_000.0
    finally:
        connected.stop()

    assert server.scsynth_pid is not None and is_alive(server.scsynth_pid, "scsynth")
    assert server.status().sample_rate == 48_000.0


# --- servers of their own --------------------------------------------------------------------


@needs_scsynth
def test_stop_ends_both_processes_and_removes_their_shared_memory(
    start_server: ServerFactory,
) -> None:
    own = start_server()
    scsynth_pid, jackd_pid = own.scsynth_pid, own.jackd_pid
    port, jack_name = own.port, own.jack_server_name
    assert scsynth_pid is not None and jackd_pid is not None and jack_name is not None
    assert (SHM / f"SuperColliderServer_{port}").exists()
    assert jack_leftovers(jack_name)

    own.stop()

    assert not is_alive(scsynth_pid, "scsynth")
    assert not is_alive(jackd_pid, "jackd")
    assert not (SHM / f"SuperColliderServer_{port}").exists()
    assert jack_leftovers(jack_name) == []


@needs_scsynth
def test_a_busy_requested_port_is_replaced_by_a_free_one(start_server: ServerFactory) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        busy = squatter.getsockname()[1]

        own = start_server(ServerOptions(dummy_audio=True, port=busy))

        assert own.port != busy
        assert own.status().sample_rate == 48_000.0


@needs_scsynth
def test_a_boot_failure_is_reported_and_leaves_nothing_behind() -> None:
    port = pick_free_udp_port()
    failing = ScsynthServer()
    options = ServerOptions(dummy_audio=False, jack_server="imbolc-no-such-server", port=port)

    with pytest.raises(ServerBootError, match="exited with code"):
        failing.start(options)

    assert failing.scsynth_pid is None
    assert not (SHM / f"SuperColliderServer_{port}").exists()


@needs_scsynth
def test_a_killed_scsynth_is_reported_and_restart_brings_it_back(
    start_server: ServerFactory,
) -> None:
    events = CrashRecorder()
    own = start_server(on_crash=events.on_crash, on_ready=events.on_ready)
    old_pid, port, jackd_pid = own.scsynth_pid, own.port, own.jackd_pid
    assert old_pid is not None

    os.kill(old_pid, signal.SIGKILL)
    assert events.crashed.wait(3.0)
    own.restart()

    assert "scsynth" in events.reasons[0] and "-9" in events.reasons[0]
    assert own.scsynth_pid != old_pid
    assert (own.port, own.jackd_pid) == (port, jackd_pid)
    assert own.status().sample_rate == 48_000.0
    assert events.ready_count == 2


@needs_scsynth
def test_a_killed_jackd_is_reported_and_restart_brings_both_back(
    start_server: ServerFactory,
) -> None:
    events = CrashRecorder()
    own = start_server(on_crash=events.on_crash, on_ready=events.on_ready)
    old_scsynth, old_jackd, old_name = own.scsynth_pid, own.jackd_pid, own.jack_server_name
    assert old_scsynth is not None and old_jackd is not None and old_name is not None

    os.kill(old_jackd, signal.SIGKILL)
    assert events.crashed.wait(3.0)
    own.restart()

    assert "jackd" in events.reasons[0]
    assert own.jackd_pid != old_jackd and own.scsynth_pid != old_scsynth
    assert not is_alive(old_scsynth, "scsynth")
    assert own.jack_server_name == old_name  # reusing the name frees the crash's registry slot
    assert own.status().sample_rate == 48_000.0
    assert events.ready_count == 2


def jack_registry_names(name: str) -> bool:
    """Whether JACK's shared server registry still lists server ``name``."""
    return f":{name}:".encode() in (SHM / "jack-shm-registry").read_bytes()


@needs_scsynth
def test_stop_after_a_jackd_crash_frees_its_registry_slot_and_files(
    start_server: ServerFactory,
) -> None:
    events = CrashRecorder()
    own = start_server(on_crash=events.on_crash)
    name, jackd_pid = own.jack_server_name, own.jackd_pid
    assert name is not None and jackd_pid is not None
    os.kill(jackd_pid, signal.SIGKILL)
    assert events.crashed.wait(3.0)
    assert jack_registry_names(name)

    own.stop()

    assert not jack_registry_names(name)
    assert jack_leftovers(name) == []


@needs_scsynth
def test_restart_may_be_called_from_the_crash_callback(start_server: ServerFactory) -> None:
    ready = threading.Event()
    holder: list[ScsynthServer] = []
    own = start_server(on_crash=lambda _reason: holder[0].restart(), on_ready=ready.set)
    holder.append(own)
    ready.clear()
    old_pid = own.scsynth_pid
    assert old_pid is not None

    os.kill(old_pid, signal.SIGKILL)

    assert ready.wait(3.0)
    assert own.scsynth_pid != old_pid
    assert own.status().sample_rate == 48_000.0


@needs_scsynth
def test_handlers_registered_before_a_restart_still_receive(start_server: ServerFactory) -> None:
    events = CrashRecorder()
    own = start_server(on_crash=events.on_crash)
    ended: list[OscMessage] = []
    arrived = threading.Event()
    own.client.add_handler("/n_end", lambda m: (ended.append(m), arrived.set()))
    assert own.scsynth_pid is not None
    os.kill(own.scsynth_pid, signal.SIGKILL)
    assert events.crashed.wait(3.0)
    own.restart()

    own.client.request(
        OscMessage("/d_recv", tone.compile()), "/done", timeout=2.0, match=first_arg_is("/d_recv")
    )
    own.client.request(
        OscMessage("/s_new", "tone", 1002, 0, 0), "/n_go", timeout=2.0, match=first_arg_is(1002)
    )
    own.client.request(OscMessage("/n_free", 1002), "/n_end", timeout=2.0, match=first_arg_is(1002))

    assert arrived.wait(2.0)
    assert [m.contents[0] for m in ended] == [1002]


def test_scsynth_inputs_are_connected_to_the_jack_capture_ports(server: ScsynthServer) -> None:
    """audio_in reads the hardware inputs: each scsynth input is wired to a capture port."""
    assert server.jack_server_name is not None
    env = dict(os.environ, JACK_DEFAULT_SERVER=server.jack_server_name, JACK_NO_START_SERVER="1")
    listing = subprocess.run(
        ["jack_lsp", "-c"], env=env, capture_output=True, text=True, timeout=10, check=True
    ).stdout
    connections: dict[str, list[str]] = {}
    port = ""
    for line in listing.splitlines():
        if line.startswith(" "):
            connections[port].append(line.strip())
        else:
            port = line.strip()
            connections[port] = []
    assert connections["SuperCollider:in_1"] == ["system:capture_1"]
    assert connections["SuperCollider:in_2"] == ["system:capture_2"]
