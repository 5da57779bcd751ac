"""The TUI's render hook on real storage and the embedded engine: the file it writes and the
loudness line the render dialog's notification shows."""

from __future__ import annotations

from pathlib import Path

import soundfile

from imbolc.compose import PersistIO
from imbolc.core.ports import RenderOptions
from imbolc.core.templates import demo_project


def test_the_render_hook_writes_the_chosen_format_and_reports_its_loudness(
    tmp_path: Path,
) -> None:
    io = PersistIO(tmp_path, "embedded", lambda _message: None)
    out = tmp_path / "song.ogg"
    try:
        summary = io.render(
            demo_project(), out, None, RenderOptions(to_beat=4.0, normalize_lufs=-20.0)
        )
    finally:
        io.close()
    info = soundfile.info(out)
    assert (info.format, info.subtype, info.channels) == ("OGG", "VORBIS", 2)
    assert summary is not None
    assert summary.startswith("-20.0 LUFS integrated")
    assert "dBTP true peak" in summary
