"""How times and engine states read: checkpoints in local time with their age, and the
embedded engine without an output device."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tui_fakes import AppFactory, FakeEngine, MemoryIO

from imbolc.core.ports import EngineStatus
from imbolc.core.store import Store
from imbolc.tui import format as fmt

NOW = datetime(2026, 12, 2, 21, 45, 30, tzinfo=UTC)


def test_a_checkpoint_time_reads_as_local_minutes_and_its_age() -> None:
    made = datetime(2026, 12, 2, 21, 40, 51, 76647, tzinfo=UTC)
    local = made.astimezone()
    assert fmt.moment(made, NOW) == f"{local:%Y-%m-%d %H:%M} (4 min ago)"


@pytest.mark.parametrize(
    ("age", "said"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(hours=3, minutes=5), "3 h ago"),
        (timedelta(days=4), "4 days ago"),
    ],
)
def test_the_age_of_a_checkpoint_is_rounded_to_a_readable_unit(age: timedelta, said: str) -> None:
    assert fmt.moment(NOW - age, NOW).endswith(f"({said})")


@pytest.mark.asyncio
async def test_the_project_pane_lists_checkpoints_without_raw_timestamps(
    make_app: AppFactory, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f6", "c")
        await pilot.pause()
        await pilot.press("enter")  # accept the checkpoint name
        await pilot.pause()
        shown = str(app.query_one("#project").render())
    assert io.checkpoints[Path("/songs/demo.imbolc")]
    assert "days ago)" in shown
    assert "12:00:00" not in shown


@pytest.mark.asyncio
async def test_the_embedded_engine_without_an_audio_device_says_render_only(
    make_app: AppFactory, engine: FakeEngine, store: Store
) -> None:
    engine.state_value = EngineStatus("embedded", "unavailable", "no audio output device (x)")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.header.engine.text.plain == "○ no audio device — render only"
        assert app.header.engine.size.width >= len("○ no audio device — render only")
