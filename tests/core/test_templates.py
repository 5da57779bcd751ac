"""Project templates: the blank project follows the config; the demo song is sound and rich."""

from __future__ import annotations

from imbolc.core.config import MusicalDefaults
from imbolc.core.instrument import EffectStage, FilterStage
from imbolc.core.summary import check_project, summarize
from imbolc.core.templates import blank_project, demo_project


def test_a_blank_project_uses_the_musical_defaults() -> None:
    project = blank_project(MusicalDefaults(bpm=90.0, key="G", bus_count=3))
    assert project.session.settings.bpm == 90.0
    assert project.session.settings.key == "G"
    assert [bus.id for bus in project.session.mixer.buses] == [1, 2, 3]
    assert len(project.instruments) == 0


def test_the_demo_has_drums_bass_chords_and_a_lead() -> None:
    project = demo_project()
    names = [inst.name for inst in project.instruments.items]
    assert names[:4] == ["Drums", "Bass", "Chords", "Lead"]
    drums = project.instruments.items[0]
    assert drums.kit is not None
    assert any(step.active for row in drums.kit.patterns[0].steps for step in row)


def test_the_demo_shows_off_filters_effects_sends_automation_and_clips() -> None:
    project = demo_project()
    stages = [stage for inst in project.instruments.items for stage in inst.chain]
    assert any(isinstance(stage, FilterStage) for stage in stages)
    assert any(isinstance(stage, EffectStage) for stage in stages)
    assert any(send.enabled for inst in project.instruments.items for send in inst.mixer.sends)
    assert project.session.automation.lanes[0].points
    assert project.session.arrangement.placements


def test_the_demo_passes_the_project_check() -> None:
    assert check_project(demo_project()) == []


def test_the_demo_summary_counts_notes_and_length() -> None:
    info = summarize(demo_project())
    assert info["notes"] == sum(inst["notes"] for inst in info["instruments"])
    assert info["length_beats"] == 16
    assert info["length_seconds"] == 8.0
