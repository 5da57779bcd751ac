"""Where imbolc keeps user files: config, keymap overrides, autosave recovery.

``IMBOLC_CONFIG_DIR`` and ``IMBOLC_STATE_DIR`` override the platform defaults (tests and
portable setups use them).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from imbolc.core.config import Config, parse_config

APP = "imbolc"


def config_dir() -> Path:
    """The directory holding ``config.toml`` and other user settings."""
    override = os.environ.get("IMBOLC_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP))


def state_dir() -> Path:
    """The directory holding autosave recovery files."""
    override = os.environ.get("IMBOLC_STATE_DIR")
    return Path(override) if override else Path(platformdirs.user_state_dir(APP))


def config_file() -> Path:
    """The user's configuration file (it may not exist)."""
    return config_dir() / "config.toml"


def read_config(path: Path | None = None) -> tuple[Config, list[str]]:
    """The user's configuration and warnings; a missing file means defaults, silently."""
    path = path or config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(), []
    except (OSError, UnicodeDecodeError) as error:
        return Config(), [f"{path}: cannot be read ({error}); using the defaults"]
    return parse_config(text, str(path))
