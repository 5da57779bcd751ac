"""One editor per project file: a second process gets a clear message naming the holder and
may open the file read-only; a crashed holder never leaves the file locked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from imbolc.compose import PersistIO
from imbolc.core.templates import blank_project, demo_project
from imbolc.persist import ProjectFileError, load_project, save_project
from imbolc.persist.lock import ProjectLock, ProjectLocked, lock_path

HOLDER = """
import sys, time
from pathlib import Path
from imbolc.compose import PersistIO
io = PersistIO(Path(sys.argv[2]), "embedded", print)
io.hold(Path(sys.argv[1]))
print("holding", flush=True)
time.sleep(60)
"""


@pytest.fixture
def song(tmp_path: Path) -> Path:
    path = tmp_path / "song.imbolc"
    save_project(path, demo_project())
    return path


def _holder(song: Path, tmp_path: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(song), str(tmp_path / "state")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "holding"
    return child


def test_a_second_lock_is_refused_naming_the_holder(song: Path) -> None:
    with ProjectLock.acquire(song):
        with pytest.raises(ProjectLocked) as caught:
            ProjectLock.acquire(song)
        message = str(caught.value)
        assert message.startswith(f"{song}: open in another imbolc (process {os.getpid()} on ")
        assert "--read-only" in message
    with ProjectLock.acquire(song) as again:
        assert again.held
    assert not lock_path(song).exists()


def test_another_process_editing_the_file_blocks_opening_and_saving(
    song: Path, tmp_path: Path
) -> None:
    child = _holder(song, tmp_path)
    try:
        before = song.read_bytes()
        io = PersistIO(tmp_path / "state", "embedded", print)
        with pytest.raises(ProjectLocked, match=f"process {child.pid} on "):
            io.open(song)
        with pytest.raises(ProjectLocked):
            io.save(blank_project(), song)  # never a silent last-writer-wins
        io.close()
        assert song.read_bytes() == before
    finally:
        child.kill()
        child.wait()


def test_a_crashed_holder_leaves_the_file_free(song: Path, tmp_path: Path) -> None:
    child = _holder(song, tmp_path)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert lock_path(song).exists()  # the kernel released the lock; the stale file is harmless
    with ProjectLock.acquire(song):
        pass


def test_read_only_never_saves_to_the_file_but_save_as_works(song: Path, tmp_path: Path) -> None:
    child = _holder(song, tmp_path)
    try:
        io = PersistIO(tmp_path / "state", "embedded", print)
        io.read_only = song
        assert load_project(song) is not None  # reading needs no lock
        with pytest.raises(ProjectFileError, match="opened read-only"):
            io.save(demo_project(), song)
        copy = tmp_path / "copy.imbolc"
        io.save(demo_project(), copy)
        result = io.close()
        assert result is not None and result.ok
        assert load_project(copy) == demo_project()
    finally:
        child.kill()
        child.wait()


def test_serving_a_file_another_process_edits_is_refused(song: Path, tmp_path: Path) -> None:
    child = _holder(song, tmp_path)
    env = dict(os.environ, IMBOLC_CONFIG_DIR=str(tmp_path / "c"), IMBOLC_STATE_DIR=str(tmp_path))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "imbolc", "serve", str(song), "--headless",
             "--host", "127.0.0.1", "--port", "0", "--engine", "embedded"],
            capture_output=True, text=True, env=env, timeout=60, check=False,
        )  # fmt: skip
    finally:
        child.kill()
        child.wait()
    assert done.returncode == 1
    assert f"open in another imbolc (process {child.pid}" in done.stderr


def test_checkpoint_commands_refuse_a_file_another_process_edits(
    song: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from imbolc.cli import main

    child = _holder(song, tmp_path)
    try:
        before = song.read_bytes()
        assert main(["checkpoint", "create", str(song), "mine"]) == 1
        assert "open in another imbolc" in capsys.readouterr().err
        assert main(["checkpoint", "list", str(song)]) == 0  # reading is fine
        assert song.read_bytes() == before
    finally:
        child.kill()
        child.wait()
    assert main(["checkpoint", "create", str(song), "mine"]) == 0
    assert not lock_path(song).exists()


def test_a_project_in_a_folder_that_does_not_exist_yet_opens_unlocked(tmp_path: Path) -> None:
    io = PersistIO(tmp_path / "state", "embedded", print)
    io.hold(tmp_path / "not-yet" / "song.imbolc")  # nothing to guard: saving there fails anyway
    io.close()
    assert not (tmp_path / "not-yet").exists()


def test_launching_the_interface_on_a_file_another_process_edits_is_refused(
    song: Path, tmp_path: Path
) -> None:
    from imbolc.compose import run_app
    from imbolc.core.config import Config

    with ProjectLock.acquire(song), pytest.raises(ProjectLocked, match="--read-only"):
        run_app(load_project(song), song, Config(), "embedded", tmp_path / "s", tmp_path / "c")
