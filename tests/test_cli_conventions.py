"""Command-line conventions: closed pipes, Ctrl+C, exit statuses, unknown words, new files
that appear whole or not at all, and ``check`` that reports every problem."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imbolc.cli import COMMANDS, main
from imbolc.core.actions import AddInstrument, AddNotes, SetLoop
from imbolc.core.notes import Note
from imbolc.core.store import Store
from imbolc.persist import load_project, save_project

IMBOLC = [sys.executable, "-m", "imbolc"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_closed_pipe_ends_quietly_with_the_sigpipe_status(tmp_path: Path) -> None:
    song = tmp_path / "song.imbolc"
    assert main(["new", "--demo", str(song)]) == 0
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -1` having exited: every write fails with EPIPE
    try:
        done = subprocess.run(
            [*IMBOLC, "info", str(song)],
            check=False,
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 128 + signal.SIGPIPE
    assert done.stderr == b""


def test_an_unknown_word_is_a_usage_error_listing_the_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "midi-portz")
    assert code == 2
    assert "'midi-portz' is not a command or an existing file" in err
    for command in COMMANDS:
        assert command in err
    assert out == ""
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_without_a_suffix_still_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "--demo", "mysong"]) == 0
    code, out, _err = run(capsys, "mysong", "--summary")
    assert code == 0
    assert "mysong" in out


def test_exit_statuses_follow_the_documented_convention(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    song = tmp_path / "song.imbolc"
    assert run(capsys, "new", str(song))[0] == 0
    assert run(capsys, "info", str(tmp_path / "missing.imbolc"))[0] == 1
    with pytest.raises(SystemExit) as caught:
        main(["info"])  # a required argument is missing
    assert caught.value.code == 2
    capsys.readouterr()


def _damage(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE instruments SET envelope = '[0.1' WHERE position = 0")
    conn.execute("UPDATE instruments SET name = CAST(x'41ff' AS TEXT) WHERE position = 1")
    conn.commit()
    conn.close()


def test_check_reports_every_problem_and_salvages_what_is_readable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    song = tmp_path / "song.imbolc"
    main(["new", "--demo", str(song)])
    before_count = len(load_project(song).instruments.items)
    _damage(song)
    before = song.read_bytes()
    out_file = tmp_path / "rescued.imbolc"
    code, out, err = run(capsys, "check", str(song), "--salvage", str(out_file))
    assert code == 1
    assert err == ""
    problems = [line for line in out.splitlines() if line.startswith(f"{song}: ")]
    unreadable = [line for line in problems if "table instruments" in line]
    assert len(unreadable) == 2, out
    assert any("column envelope" in line for line in unreadable)
    assert any("column name: text that is not valid UTF-8" in line for line in unreadable)
    # ...and what follows from losing them: their tracks now belong to no instrument.
    assert len([line for line in problems if "track of missing instrument" in line]) == 2
    assert song.read_bytes() == before
    rescued = load_project(out_file)
    assert len(rescued.instruments.items) == before_count - 2
    assert run(capsys, "check", str(out_file))[0] == 0
    code, _out, err = run(capsys, "info", str(song))
    assert code == 1
    assert str(song) in err


def test_salvage_never_writes_over_the_file_being_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    song = tmp_path / "song.imbolc"
    main(["new", "--demo", str(song)])
    before = song.read_bytes()
    code, _out, err = run(capsys, "check", str(song), "--salvage", str(song), "--force")
    assert code == 1
    assert "new file" in err
    assert song.read_bytes() == before


# --- new files appear whole or not at all ---------------------------------------------------

WRITER = """
import sys
from pathlib import Path
from imbolc.core.templates import demo_project
from imbolc.persist.files import create_project_file
project = demo_project()
folder = Path(sys.argv[1])
print("ready", flush=True)
for n in range(100000):
    create_project_file(folder / f"song{n}.imbolc", project)
"""


def test_a_writer_killed_at_any_moment_leaves_whole_files_or_none(tmp_path: Path) -> None:
    kills = 0
    for attempt in range(6):
        folder = tmp_path / f"run{attempt}"
        folder.mkdir()
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.05 + 0.037 * attempt)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        kills += 1
        targets = sorted(folder.glob("song*.imbolc"))
        for target in targets:  # every file at a target name is a whole project
            assert len(load_project(target).instruments.items) > 0
        partials = [p for p in folder.iterdir() if ".partial-" in p.name]
        assert all(p.name.startswith(".") for p in partials)
        # The next attempt at the name after the last whole one is not blocked.
        assert main(["new", str(folder / f"song{len(targets)}.imbolc")]) == 0
    assert kills == 6


def test_new_and_import_refuse_an_existing_file_and_leave_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    song = tmp_path / "song.imbolc"
    song.write_bytes(b"keep me")
    code, _out, err = run(capsys, "new", str(song))
    assert code == 1
    assert "already exists" in err
    assert song.read_bytes() == b"keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["song.imbolc"]


def test_new_with_force_replaces_the_file_whole(tmp_path: Path) -> None:
    song = tmp_path / "song.imbolc"
    song.write_bytes(b"old")
    assert main(["new", "--demo", "--force", str(song)]) == 0
    assert len(load_project(song).instruments.items) > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --- Ctrl+C during render -------------------------------------------------------------------


def _long_song(path: Path) -> None:
    store = Store()
    for n in range(6):
        store.dispatch(AddInstrument("saw", f"Saw {n}"))
        notes = tuple(Note(k * 240, 240, 48 + (k + n) % 24) for k in range(2000))
        store.dispatch(AddNotes(n + 1, notes))
    store.dispatch(SetLoop(0, 480 * 1000))
    save_project(path, store.state)


def test_ctrl_c_during_render_stops_and_removes_the_partial_file(tmp_path: Path) -> None:
    song = tmp_path / "long.imbolc"
    _long_song(song)
    out = tmp_path / "out.wav"
    child = subprocess.Popen(
        [*IMBOLC, "render", str(song), "-o", str(out), "--engine", "embedded"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(".part" in p.name for p in tmp_path.iterdir()):
        time.sleep(0.005)
    assert child.poll() is None, "the render finished before it could be interrupted"
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=30)
    assert child.returncode == 128 + signal.SIGINT, err
    assert b"interrupted" in err, err
    assert b"Traceback" not in err, err
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm")))
    assert left == ["long.imbolc"]


def _big_midi(path: Path) -> None:
    import mido

    song = mido.MidiFile(ticks_per_beat=96)
    for channel in range(8):
        track = mido.MidiTrack()
        for k in range(3000):
            pitch = 36 + (k * 7 + channel) % 48
            track.append(mido.Message("note_on", channel=channel, note=pitch, velocity=90, time=12))
            track.append(mido.Message("note_off", channel=channel, note=pitch, velocity=0, time=12))
        song.tracks.append(track)
    song.save(path)


def test_import_midi_killed_at_any_moment_never_leaves_a_half_file(tmp_path: Path) -> None:
    song = tmp_path / "big.mid"
    _big_midi(song)
    outcomes = []
    for attempt, delay in enumerate((0.4, 0.8, 1.2, 1.6, 2.4)):
        target = tmp_path / f"take{attempt}.imbolc"
        child = subprocess.Popen(
            [*IMBOLC, "import-midi", str(song), str(target)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        if target.exists():  # finished before the kill: then it is whole
            outcomes.append("whole")
            assert len(load_project(target).instruments.items) == 8
        else:  # killed mid-way: nothing at the target, and the rerun is not blocked
            outcomes.append("absent")
            assert main(["import-midi", str(song), str(target)]) == 0
            assert len(load_project(target).instruments.items) == 8
    assert len(outcomes) == 5
