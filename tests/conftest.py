"""Shared fixtures: every test gets private config and state directories."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the real ~/.config/imbolc."""
    monkeypatch.setenv("IMBOLC_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("IMBOLC_STATE_DIR", str(tmp_path / "state"))
