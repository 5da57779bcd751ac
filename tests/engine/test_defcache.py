"""The compiled-SynthDef cache: built once, reused, rebuilt when stale or damaged."""

from __future__ import annotations

from pathlib import Path

import pytest

from imbolc.engine import defcache
from imbolc.engine.synthdefs import compiled_bytes, synthdef_names


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IMBOLC_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(defcache, "_MEMORY", {})
    return tmp_path


def test_the_cache_holds_every_synthdef_compiled_alone(cache_dir: Path) -> None:
    defs = defcache.compiled_defs()
    assert set(defs) == set(synthdef_names())
    assert defs["imbolc_sin"] == compiled_bytes(["imbolc_sin"])
    assert len(list(cache_dir.glob("synthdefs-*.bin"))) == 1


def test_a_second_process_reads_the_file_instead_of_rebuilding(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = defcache.compiled_defs()
    monkeypatch.setattr(defcache, "_MEMORY", {})
    monkeypatch.setattr("imbolc.engine.synthdefs.compiled_bytes", None)  # must not be called
    assert defcache.compiled_defs() == first


def test_a_damaged_cache_file_is_rebuilt(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    defcache.compiled_defs()
    path = next(cache_dir.glob("synthdefs-*.bin"))
    path.write_bytes(path.read_bytes()[:1000])
    monkeypatch.setattr(defcache, "_MEMORY", {})
    defs = defcache.compiled_defs()
    assert len(defs) == len(synthdef_names())


def test_batches_fit_a_datagram_and_keep_every_definition(cache_dir: Path) -> None:
    files = defcache.batches(48_000)
    assert all(len(data) <= 48_000 for data in files)
    assert sum(int.from_bytes(data[8:10], "big") for data in files) == len(synthdef_names())
    assert all(data.startswith(b"SCgf\x00\x00\x00\x02") for data in files)


def test_the_key_changes_with_the_imbolc_version(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = defcache.source_key()
    monkeypatch.setattr(defcache, "__version__", "0.0.0-other")
    assert defcache.source_key() != before
