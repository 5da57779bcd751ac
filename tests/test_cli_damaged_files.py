"""Every command that reads a project, on byte-damaged copies of real saved projects: an exit
status and a message on stderr, never a traceback, and the damaged file left as it was."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imbolc.cli import main
from imbolc.core.templates import demo_project
from imbolc.persist import create_checkpoint, load_project, save_project

COMMANDS = (
    ("info",),
    ("info", "--json"),
    ("check",),
    ("export-midi", "{out}/song.mid"),
    ("checkpoint", "list"),
    ("checkpoint", "restore", "1"),
    ("check", "--salvage", "{out}/salvaged.imbolc", "--force"),
)


ORIGINAL: list[bytes] = []
"""The saved demo song with a checkpoint (kept out of the test's arguments: it is large)."""


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("cli-fuzz") / "demo.imbolc"
    save_project(path, demo_project())
    create_checkpoint(path, "one", load_project(path))
    ORIGINAL[:] = [path.read_bytes()]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    flips=st.lists(st.tuples(st.floats(0, 0.9999), st.integers(0, 255)), min_size=1, max_size=8),
    command=st.sampled_from(COMMANDS),
)
@pytest.mark.usefixtures("saved")
def test_a_command_on_a_damaged_file_exits_with_a_message(
    tmp_path: Path,
    flips: list[tuple[float, int]],
    command: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IMBOLC_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("IMBOLC_CONFIG_DIR", str(tmp_path / "config"))
    data = bytearray(ORIGINAL[0])
    for where, value in flips:
        data[int(where * len(data))] = value
    song = tmp_path / "damaged.imbolc"
    for side in ("-wal", "-shm"):
        Path(f"{song}{side}").unlink(missing_ok=True)
    song.write_bytes(bytes(data))
    words = [command[0], *command[1:2], str(song), *command[2:]]
    if command[0] in ("info", "check", "export-midi"):
        words = [command[0], str(song), *command[1:]]
    words = [w.format(out=tmp_path) for w in words]
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(words)
    assert code in (0, 1)
    if code == 1 and command[0] != "check":
        assert str(song) in err.getvalue() or "imbolc: error:" in err.getvalue()
    if command[:2] != ("checkpoint", "restore"):  # restoring writes the checkpoint back
        assert song.read_bytes() == bytes(data)
