"""The user configuration: defaults, overrides and warnings that name the file and key."""

from __future__ import annotations

from imbolc.core.config import Config, MusicalDefaults, parse_config


def test_an_empty_file_gives_the_defaults() -> None:
    config, warnings = parse_config("", "cfg.toml")
    assert config == Config()
    assert warnings == []


def test_values_override_the_defaults() -> None:
    text = """
    [defaults]
    bpm = 96
    key = "D"
    scale = "dorian"
    time_signature = [3, 4]
    bus_count = 4
    [runtime]
    autosave_interval_minutes = 5
    """
    config, warnings = parse_config(text, "cfg.toml")
    assert warnings == []
    assert config.defaults == MusicalDefaults(
        bpm=96.0, key="D", scale="dorian", time_signature=(3, 4), bus_count=4
    )
    assert config.runtime.autosave_interval_minutes == 5


def test_a_bad_value_warns_with_file_and_key_and_keeps_the_others() -> None:
    config, warnings = parse_config('[defaults]\nbpm = "fast"\nkey = "E"\n', "/home/me/cfg.toml")
    assert config.defaults.bpm == 120.0
    assert config.defaults.key == "E"
    assert len(warnings) == 1
    assert "/home/me/cfg.toml" in warnings[0]
    assert "defaults.bpm" in warnings[0]


def test_an_out_of_range_value_warns_and_uses_the_default() -> None:
    config, warnings = parse_config("[runtime]\nautosave_interval_minutes = 0\n", "c.toml")
    assert config.runtime.autosave_interval_minutes == 2.0
    assert "runtime.autosave_interval_minutes" in warnings[0]


def test_an_unknown_key_or_section_warns() -> None:
    _config, warnings = parse_config("[defaults]\ntempo = 1\n[colours]\nx = 1\n", "c.toml")
    assert any("defaults.tempo" in w for w in warnings)
    assert any("[colours]" in w for w in warnings)


def test_malformed_toml_warns_and_gives_the_defaults() -> None:
    config, warnings = parse_config("[defaults\nbpm = ", "broken.toml")
    assert config == Config()
    assert "broken.toml" in warnings[0]
    assert "not valid TOML" in warnings[0]


def test_an_unknown_engine_name_warns() -> None:
    config, warnings = parse_config('[runtime]\nengine = "fluidsynth"\n', "c.toml")
    assert config.runtime.engine == "auto"
    assert "runtime.engine" in warnings[0]


def test_the_scale_lock_is_a_runtime_setting_off_by_default() -> None:
    assert parse_config("")[0].runtime.scale_lock is False
    config, warnings = parse_config("[runtime]\nscale_lock = true\n", "c.toml")
    assert config.runtime.scale_lock is True
    assert warnings == []
