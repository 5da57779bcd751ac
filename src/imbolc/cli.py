"""The composition root: parses the command line and wires core, persist and the rest.

``imbolc [PROJECT]`` opens a project (until the TUI lands: prints its summary);
subcommands create, inspect, check, import and export projects.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import shutil
import signal
import ssl
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from imbolc import __version__
from imbolc.core.config import Config
from imbolc.core.errors import ImbolcError
from imbolc.core.midifile import export_midi, import_midi_report
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.summary import summarize, tempo_lines
from imbolc.core.templates import blank_project, demo_project
from imbolc.exits import (
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    exit_now,
    quiet_stdout,
    unknown_word,
)
from imbolc.persist import (
    ProjectSaver,
    create_checkpoint,
    delete_checkpoint,
    find_recovery,
    list_checkpoints,
    load_project,
    restore_checkpoint,
)
from imbolc.persist.files import create_project_file
from imbolc.persist.lock import ProjectLock
from imbolc.persist.salvage import check_file, salvage
from imbolc.userdirs import config_dir, read_config, state_dir

COMMANDS = (
    "new",
    "info",
    "check",
    "import-midi",
    "export-midi",
    "render",
    "catalog",
    "serve",
    "join",
    "checkpoint",
    "recover",
    "midi-ports",
    "protocol-schema",
)
ENGINES = ("auto", "scsynth", "embedded", "supernova")
DEFAULT_NET_PORT = 9999  # as the original; imbolc.net.DEFAULT_PORT
SAMPLE_FORMATS: dict[str, Literal["float", "int24", "int16"]] = {
    "16": "int16", "24": "int24", "float": "float",
}  # fmt: skip


class CliError(ImbolcError):
    """A command cannot do what was asked; the message says why."""


def _save(project: Project, path: Path) -> None:
    saver = ProjectSaver(path)
    try:
        saver.save(project)
        result = saver.flush(60.0)
    finally:
        saver.close()
    if result is not None and not result.ok:
        raise CliError(f"saving {path} failed: {result.error}")


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise CliError(f"{path} already exists (use --force to replace it)")


def _print_summary(name: str, project: Project) -> None:
    info = summarize(project)
    print(
        f"{name}: {info['bpm']:g} BPM, {info['key']} {info['scale']}, "
        f"{info['length_beats']:g} beats ({info['length_seconds']:g} s), {info['notes']} notes"
    )
    for inst in info["instruments"]:
        chain = " → ".join(inst["chain"]) or "no processing"
        name, source, notes = inst["name"], inst["source"], inst["notes"]
        print(f"  {inst['id']:>3} {name:<16} {source:<16} {notes:>5} notes  {chain}")
    buses = [bus for bus in info["buses"] if bus["effects"]]
    for bus in buses:
        print(f"  bus {bus['id']} {bus['name']}: {', '.join(bus['effects'])}")
    for line in tempo_lines(project):
        print(f"  {line}")


def cmd_launch(args: argparse.Namespace, config: Config) -> int:
    """Open a project (or the demo song) in the terminal interface.

    Without a terminal (a pipe, CI) or with ``--summary`` it prints what it would open.
    """
    path = Path(args.project) if args.project is not None else None
    if path is not None and path.exists():
        project = load_project(path)
    elif path is not None:
        project = blank_project(config.defaults)
    else:
        project = demo_project(config.defaults)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if args.summary or not interactive:
        if path is not None and find_recovery(path, state_dir()) is not None:
            print(f"An autosave of {path} newer than the file exists: imbolc recover {path}")
        _print_summary(str(path) if path is not None else "demo song (not saved)", project)
        if not interactive:
            print("\n(not a terminal: the interface opens when imbolc runs in one)")
        return 0
    from imbolc.compose import run_app

    engine = args.engine or config.runtime.engine
    read_only = bool(args.read_only)
    return run_app(project, path, config, engine, state_dir(), config_dir(), read_only)


def cmd_new(args: argparse.Namespace, config: Config) -> int:
    path = Path(args.project)
    _refuse_overwrite(path, args.force)
    project = demo_project(config.defaults) if args.demo else blank_project(config.defaults)
    create_project_file(path, project, replace=args.force)
    print(f"created {path}" + (" with the demo song" if args.demo else ""))
    return 0


def cmd_info(args: argparse.Namespace, _config: Config) -> int:
    project = load_project(args.project)
    if args.json:
        print(json.dumps(summarize(project), indent=2))
    else:
        _print_summary(args.project, project)
    return 0


def cmd_check(args: argparse.Namespace, _config: Config) -> int:
    """Every problem in the file; with ``--salvage OUT`` a new file of what is readable."""
    if args.salvage is not None:
        out = Path(args.salvage)
        if out.resolve() == Path(args.project).resolve():
            raise CliError(f"{out}: --salvage writes a new file, not the one being checked")
        found = salvage(args.project, out, replace_out=args.force)
    else:
        found = check_file(args.project)
    for problem in found.problems:
        print(f"{args.project}: {problem}")
    if args.salvage is not None:
        print(f"wrote what was readable to {args.salvage}")
    if found.problems:
        return 1
    print(f"{args.project}: ok")
    return 0


def cmd_import_midi(args: argparse.Namespace, _config: Config) -> int:
    path = Path(args.project)
    _refuse_overwrite(path, args.force)
    project, report = import_midi_report(args.midi, args.source, args.controllers)
    create_project_file(path, project, replace=args.force)
    info = summarize(project)
    changes = len(project.session.tempo_map.tempos)
    meters = len(project.session.tempo_map.meters)
    print(
        f"imported {args.midi}: {len(info['instruments'])} instruments, {info['notes']} notes, "
        f"{changes} tempo changes, {meters} meter changes"
    )
    for line in report:
        print(f"  {line}")
    return 0


def cmd_export_midi(args: argparse.Namespace, _config: Config) -> int:
    report = export_midi(load_project(args.project), args.midi)
    print(f"wrote {args.midi}")
    for line in report:
        print(f"  {line}")
    return 0


def _progress_bar(fraction: float) -> None:
    width = 30
    filled = round(width * max(0.0, min(1.0, fraction)))
    sys.stderr.write(f"\rrendering [{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%}")
    sys.stderr.flush()


def choose_engine(asked: str) -> str:
    """``auto`` picks scsynth when it is installed, otherwise the embedded engine."""
    if asked != "auto":
        return asked
    return "scsynth" if shutil.which("scsynth") else "embedded"


def cmd_render(args: argparse.Namespace, config: Config) -> int:
    from imbolc.engine.embedded import render_embedded
    from imbolc.engine.export import default_bit_depth
    from imbolc.engine.render import render

    engine = choose_engine(args.engine or config.runtime.engine)
    legacy_depth = args.format in ("float", "24")  # before --bit-depth, --format chose it
    file_format = "" if legacy_depth else args.format or ""
    depth = args.format if legacy_depth else args.bit_depth
    depth = depth or default_bit_depth(Path(args.output), file_format)
    project = load_project(args.project)
    options = RenderOptions(
        sample_rate=args.sample_rate,
        sample_format=SAMPLE_FORMATS[depth],
        from_beat=args.from_beat,
        to_beat=args.to_beat,
        file_format=file_format,
        normalize_lufs=args.normalize,
        dither=not args.no_dither,
    )
    show = _progress_bar if sys.stderr.isatty() else None
    supernova = engine == "supernova"
    try:  # the renderer writes beside the target and renames; Ctrl+C removes its partial file
        if engine in ("scsynth", "supernova"):
            result = render(project, args.output, options, stems_dir=args.stems, progress=show,
                            supernova=supernova)  # fmt: skip
        else:
            result = render_embedded(project, args.output, options, stems_dir=args.stems,
                                     progress=show)  # fmt: skip
    finally:
        if show is not None:
            sys.stderr.write("\n")
    for problem in result.problems:
        print(f"imbolc: warning: {problem}", file=sys.stderr)
    print(
        f"wrote {result.path} ({engine}): {result.seconds:.2f} s at {options.sample_rate} Hz "
        f"in {result.wall_seconds:.2f} s"
        + (f", {len(result.stems)} stems in {args.stems}" if result.stems else "")
    )
    if result.loudness is not None:
        print(f"loudness: {result.loudness.summary()}")
    return 0


def cmd_catalog(args: argparse.Namespace, _config: Config) -> int:
    """Every source, filter and effect; with the embedded engine, what needs SuperCollider."""
    from imbolc.core import catalog

    needs: dict[str, str] = {}
    if choose_engine(args.engine) == "embedded":
        from imbolc.engine.embedded import needs_scsynth_message

        entries: list[catalog.SourceSpec | catalog.FilterSpec | catalog.EffectSpec] = [
            *catalog.SOURCES.values(),
            *catalog.FILTERS.values(),
            *catalog.EFFECTS.values(),
        ]
        for spec in entries:
            message = needs_scsynth_message(spec.synthdef)
            if message is not None:
                needs[spec.synthdef] = message
    groups = (
        ("sources", catalog.SOURCES.values()),
        ("filters", catalog.FILTERS.values()),
        ("effects", catalog.EFFECTS.values()),
    )
    for title, specs in groups:
        print(f"{title}:")
        for spec in specs:
            kind = getattr(spec, "category", "filter")
            params = ", ".join(p.name for p in spec.params)
            note = f"  [{needs[spec.synthdef]}]" if spec.synthdef in needs else ""
            print(f"  {spec.name:<18} {kind:<12} {params}{note}")
    if needs:
        print(f"\n{len(needs)} entries need SuperCollider with the embedded engine.")
    return 0


def _secret(args: argparse.Namespace) -> bytes | None:
    if args.secret_file is None:
        return None
    from imbolc.net import load_secret

    return load_secret(args.secret_file)


def cmd_serve(args: argparse.Namespace, config: Config) -> int:
    from imbolc.session_wiring import (
        DEFAULT_WEB_PORT,
        HostSessionLink,
        WebRemote,
        join,
        run_client_app,
        save_before_stopping,
        start_host,
    )

    path = Path(args.project)
    project = load_project(path) if path.exists() else blank_project(config.defaults)
    engine = args.engine or config.runtime.engine
    secret = _secret(args)

    def report(message: str) -> None:
        print(f"imbolc: {message}", file=sys.stderr)

    hosted = start_host(
        project, path, config, engine, state_dir(), host=args.host, port=args.port,
        secret=secret, wire=args.wire, report=report, on_thread=not args.headless,
    )  # fmt: skip
    handle = hosted.handle
    print(f"serving {path} on {args.host}:{handle.port} ({hosted.engine.status().backend})")
    web = WebRemote(handle, args.host, args.web or DEFAULT_WEB_PORT, args.wire)
    try:
        if args.web is not None:
            print(f"web remote on {web.start()} (ws:// on the same port joins from a terminal)")
    except ImbolcError:
        handle.stop()
        if args.headless:
            hosted.io.close()
            hosted.engine.shutdown()
        raise
    if args.headless:
        # Ctrl+C stops the server even when a shell started it with SIGINT ignored.
        signal.signal(signal.SIGINT, _exit_on)
        try:
            handle.serve_forever()
        except (KeyboardInterrupt, SystemExit):
            print("stopping")
        finally:
            web.stop()
            said = save_before_stopping(hosted, path, project)
            handle.stop(f"the server is stopping ({said})")
            hosted.engine.shutdown()
        print(said)
        exit_now(0)
    everything = [inst.id for inst in project.instruments.items]
    joined = join(
        "127.0.0.1", handle.port, name=args.name, own=everything, secret=secret,
        want_privilege=True, wire=args.wire,
    )  # fmt: skip

    def leave() -> None:
        joined.client.close()
        web.stop()
        handle.stop()

    def save_and_stop(signum: int, _frame: object) -> None:
        """A kill or a closed terminal: save what the server holds, tell the clients, exit
        (the interface unwinds on the way out)."""
        said = save_before_stopping(hosted, path, project)
        web.stop()
        handle.stop(f"the server is stopping ({said})")
        raise SystemExit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, save_and_stop)
    return run_client_app(
        joined, path, config_dir(), leave, config.midi, HostSessionLink(joined.client, web)
    )


def cmd_join(args: argparse.Namespace, config: Config) -> int:
    from imbolc.net import parse_address
    from imbolc.net.ws_client import is_websocket_url
    from imbolc.session_wiring import (
        discover_servers,
        join,
        join_websocket,
        pick_server,
        run_client_app,
    )

    own = [int(part) for part in args.own.split(",") if part.strip()] if args.own else []
    if args.address and is_websocket_url(args.address):
        tls = ssl.create_default_context(cafile=args.ca_file) if args.ca_file else None
        joined = join_websocket(
            args.address, name=args.name, own=own, secret=_secret(args), wire=args.wire, tls=tls
        )
        return run_client_app(
            joined, Path(args.address), config_dir(), joined.client.close, config.midi
        )
    if args.discover:
        info = pick_server(discover_servers(args.timeout))
        if not info.addresses:
            raise CliError(f"{info.label()} announced no address")
        host, port = info.addresses[0], info.port
    elif args.address:
        host, port = parse_address(args.address)
    else:
        raise CliError("join needs HOST[:PORT], ws://HOST:PORT/PATH or --discover")
    joined = join(host, port, name=args.name, own=own, secret=_secret(args), wire=args.wire)
    title = Path(f"{host}:{port}")
    return run_client_app(joined, title, config_dir(), joined.client.close, config.midi)


def cmd_midi_ports(_args: argparse.Namespace, config: Config) -> int:
    """The MIDI input ports there are now (ALSA sequencer and JACK), marking the chosen ones."""
    from imbolc.live import PortWatcher, RtMidiInput, midi_available

    problem = midi_available()
    if problem is not None:
        raise CliError(problem)
    midi = RtMidiInput()
    try:
        ports = midi.ports()
        chosen = set(
            PortWatcher(midi, lambda _event: None, selection=config.midi.input).wanted(ports)
        )
    finally:
        midi.close()
    if not ports:
        print("no MIDI input ports (is a device plugged in, or a JACK server running?)")
        return 0
    for name in ports:
        print(f"{'*' if name in chosen else ' '} {name}")
    print(f"\n* listened to with [midi] input = {config.midi.input!r}")
    return 0


def cmd_checkpoint(args: argparse.Namespace, _config: Config) -> int:
    path = Path(args.project)
    if args.action == "list":
        for info in list_checkpoints(path):
            print(f"{info.id:>4}  {info.created_at}  {info.name}")
        return 0
    with _editing(path):
        return _change_checkpoints(args, path)


def _editing(path: Path) -> contextlib.AbstractContextManager[object]:
    """Hold the project's lock while a command writes to it (refused if another edits it)."""
    return ProjectLock.acquire(path) if path.is_file() else contextlib.nullcontext()


def _change_checkpoints(args: argparse.Namespace, path: Path) -> int:
    if args.action == "create":
        if not args.name:
            raise CliError("checkpoint create needs a NAME")
        create_checkpoint(path, args.name, load_project(path))
        print(f"checkpoint {args.name!r} created")
    elif args.action == "restore":
        project = restore_checkpoint(path, _checkpoint_id(args.name))
        _save(project, path)
        print(f"restored checkpoint {args.name}")
    else:
        delete_checkpoint(path, _checkpoint_id(args.name))
        print(f"deleted checkpoint {args.name}")
    return 0


def _checkpoint_id(text: str | None) -> int:
    if text is None or not text.isdigit():
        raise CliError(f"a checkpoint id (a number from `checkpoint list`) is needed, got {text!r}")
    return int(text)


def cmd_recover(args: argparse.Namespace, _config: Config) -> int:
    path = Path(args.project)
    recovery = find_recovery(path, state_dir())
    if recovery is None:
        raise CliError(f"no autosave newer than {path} was found")
    with _editing(path):
        _save(load_project(recovery), path)
    print(f"recovered {path} from {recovery}")
    return 0


def cmd_protocol_schema(_args: argparse.Namespace, _config: Config) -> int:
    """Print the collaboration protocol as JSON Schema (generated from the message Structs)."""
    from imbolc.net.protocol_schema import protocol_schema

    print(json.dumps(protocol_schema(), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="imbolc", description="A keyboard-first digital audio workstation for the terminal."
    )
    parser.add_argument("--version", action="version", version=f"imbolc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    new = sub.add_parser("new", help="create a project file")
    new.add_argument("project", metavar="PROJECT")
    new.add_argument("--demo", action="store_true", help="start from the demo song")
    new.add_argument("--force", action="store_true", help="replace an existing file")
    new.set_defaults(run=cmd_new)

    info = sub.add_parser("info", help="show instruments, notes, length and buses")
    info.add_argument("project", metavar="PROJECT")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(run=cmd_info)

    check = sub.add_parser("check", help="check a project file for problems")
    check.add_argument("project", metavar="PROJECT")
    check.add_argument("--salvage", metavar="OUT", help="write what is readable to a new file")
    check.add_argument("--force", action="store_true", help="replace an existing OUT")
    check.set_defaults(run=cmd_check)

    imp = sub.add_parser("import-midi", help="create a project from a MIDI file")
    imp.add_argument("midi", metavar="SONG.mid")
    imp.add_argument("project", metavar="PROJECT")
    imp.add_argument(
        "--source",
        default=None,
        metavar="TYPE",
        help="source for every melodic track (default: one per General MIDI program, else saw)",
    )
    imp.add_argument("--force", action="store_true", help="replace an existing project file")
    imp.add_argument(
        "--controllers",
        action="store_true",
        help="also carry the sustain pedal (note lengths) and mod wheel (LFO depth lane)",
    )
    imp.set_defaults(run=cmd_import_midi)

    exp = sub.add_parser("export-midi", help="write a project's notes to a MIDI file")
    exp.add_argument("project", metavar="PROJECT")
    exp.add_argument("midi", metavar="SONG.mid")
    exp.set_defaults(run=cmd_export_midi)

    ren = sub.add_parser("render", help="render a project to a WAV, FLAC or OGG file")
    ren.add_argument("project", metavar="PROJECT")
    ren.add_argument("-o", "--output", required=True, metavar="OUT.wav|.flac|.ogg")
    ren.add_argument("--stems", metavar="DIR", help="also write one file per instrument here")
    ren.add_argument("--from", dest="from_beat", type=float, metavar="BEAT")
    ren.add_argument("--to", dest="to_beat", type=float, metavar="BEAT")
    ren.add_argument("--sample-rate", type=int, choices=(44100, 48000), default=48000)
    ren.add_argument(
        "--format",
        choices=("wav", "flac", "ogg", "float", "24"),
        default=None,
        help="file format (default: from OUT's extension); float/24: old bit depth",
    )
    ren.add_argument(
        "--bit-depth",
        choices=tuple(SAMPLE_FORMATS),
        default=None,
        help="16 (dithered), 24 or float (WAV only); default float, FLAC 24",
    )
    ren.add_argument(
        "--normalize",
        type=float,
        metavar="LUFS",
        help="bring the integrated loudness to LUFS (e.g. -14)",
    )
    ren.add_argument("--no-dither", action="store_true", help="no TPDF dither at 16 bits")
    ren.add_argument("--engine", choices=ENGINES, default=None)
    ren.set_defaults(run=cmd_render)

    cat = sub.add_parser("catalog", help="list sources, filters and effects")
    cat.add_argument("--engine", choices=ENGINES, default="auto")
    cat.set_defaults(run=cmd_catalog)

    default_name = getpass.getuser() if hasattr(getpass, "getuser") else "musician"
    srv = sub.add_parser("serve", help="share a project on the LAN (this machine plays it)")
    srv.add_argument("project", metavar="PROJECT")
    srv.add_argument("--host", default="0.0.0.0", help="address to listen on")
    srv.add_argument("--port", type=int, default=DEFAULT_NET_PORT)
    srv.add_argument("--headless", action="store_true", help="no interface on this machine")
    srv.add_argument("--secret-file", metavar="F", help="clients must know this secret")
    srv.add_argument("--name", default=default_name, help="your name in the session")
    srv.add_argument("--wire", choices=("msgpack", "json"), default="msgpack")
    srv.add_argument("--web", type=int, metavar="PORT",
                     help="serve the web remote (and ws:// joins) on PORT")  # fmt: skip
    srv.add_argument("--engine", choices=ENGINES, default=None)
    srv.set_defaults(run=cmd_serve)

    jn = sub.add_parser("join", help="join a shared session")
    jn.add_argument("address", nargs="?", metavar="HOST[:PORT]|ws://HOST:PORT/PATH")
    jn.add_argument("--discover", action="store_true", help="find servers on the LAN")
    jn.add_argument("--timeout", type=float, default=3.0, help="seconds to look (--discover)")
    jn.add_argument("--name", default=default_name, help="your name in the session")
    jn.add_argument("--own", metavar="IDS", help="instrument ids to own, e.g. 2,3")
    jn.add_argument("--secret-file", metavar="F")
    jn.add_argument("--wire", choices=("msgpack", "json"), default="msgpack")
    jn.add_argument("--ca-file", metavar="PEM", help="trust this certificate for wss://")
    jn.set_defaults(run=cmd_join)

    cp = sub.add_parser("checkpoint", help="named snapshots inside a project file")
    cp.add_argument("action", choices=("create", "list", "restore", "delete"))
    cp.add_argument("project", metavar="PROJECT")
    cp.add_argument("name", nargs="?", metavar="NAME|ID")
    cp.set_defaults(run=cmd_checkpoint)

    mp = sub.add_parser("midi-ports", help="list the MIDI input ports (ALSA and JACK)")
    mp.set_defaults(run=cmd_midi_ports)

    rec = sub.add_parser("recover", help="restore a project from its autosave")
    rec.add_argument("project", metavar="PROJECT")
    rec.set_defaults(run=cmd_recover)

    schema = sub.add_parser("protocol-schema", help="print the network protocol as JSON Schema")
    schema.set_defaults(run=cmd_protocol_schema)
    return parser


def build_launch_parser() -> argparse.ArgumentParser:
    """The parser for ``imbolc [PROJECT]``."""
    parser = argparse.ArgumentParser(
        prog="imbolc",
        description="Open a project (or the demo song). Commands: " + ", ".join(COMMANDS),
    )
    parser.add_argument("--version", action="version", version=f"imbolc {__version__}")
    parser.add_argument("project", nargs="?", metavar="PROJECT")
    parser.add_argument("--engine", choices=ENGINES, default=None, help="audio engine")
    parser.add_argument("--summary", action="store_true", help="print the project and exit")
    parser.add_argument(
        "--read-only", action="store_true", help="open without saving to it (another edits it)"
    )
    parser.set_defaults(run=cmd_launch)
    return parser


def _exit_on(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run imbolc; returns the process exit status."""
    try:
        return _main(argv)
    except BrokenPipeError:
        quiet_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("imbolc: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    # A closed terminal (SIGHUP) or a kill (SIGTERM) unwinds normally, so the audio server
    # and everything else we started is stopped instead of orphaned.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on)
    args_list = list(sys.argv[1:] if argv is None else argv)
    subcommand = bool(args_list) and (args_list[0] in COMMANDS or args_list[0] in ("-h", "--help"))
    parser = build_parser() if subcommand else build_launch_parser()
    unknown = None if subcommand else unknown_word(args_list)
    if unknown is not None:
        parser.print_usage(sys.stderr)
        print(
            f"imbolc: error: {unknown!r} is not a command or an existing file; commands: "
            f"{', '.join(COMMANDS)} (a new project is named with a suffix, e.g. "
            f"{unknown}.imbolc)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    args = parser.parse_args(args_list)
    config, warnings = read_config()
    for warning in warnings:
        print(f"imbolc: warning: {warning}", file=sys.stderr)
    try:
        result = int(args.run(args, config))
        sys.stdout.flush()  # a closed pipe shows here, inside the handler in main
        return result
    except ImbolcError as error:
        print(f"imbolc: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        raise
    except OSError as error:
        print(f"imbolc: error: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
