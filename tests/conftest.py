"""Shared fixtures: every test gets private config and state directories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled SynthDefs are cached once per test session, never in the user's cache."""
    previous = os.environ.get("IMBOLC_CACHE_DIR")
    os.environ["IMBOLC_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("IMBOLC_CACHE_DIR", None)
    else:
        os.environ["IMBOLC_CACHE_DIR"] = previous


@pytest.fixture(autouse=True)
def private_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the real ~/.config/imbolc."""
    monkeypatch.setenv("IMBOLC_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("IMBOLC_STATE_DIR", str(tmp_path / "state"))
