"""MIDI parts: channels kept on export, programs as sources, CC 7/10/11 as the strip and lanes,
the sustain pedal and the mod wheel on request, fades after the last note, and reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mido
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imbolc.core.actions import AddInstrument, AddNotes
from imbolc.core.ids import InstrumentId
from imbolc.core.midi_song import level_of_volume
from imbolc.core.midifile import export_midi, import_midi, import_midi_report
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.store import Store

PPQ = TICKS_PER_BEAT


def msg(kind: str, **values: Any) -> Any:
    return mido.Message(kind, **values)


def write(path: Path, *tracks: list[tuple[int, Any]]) -> Path:
    midi = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    for events in tracks:
        track = mido.MidiTrack()
        now = 0
        for tick, message in sorted(events, key=lambda event: event[0]):
            track.append(message.copy(time=tick - now))
            now = tick
        midi.tracks.append(track)
    midi.save(path)
    return path


def note(tick: int, pitch: int, length: int, channel: int = 0) -> list[tuple[int, Any]]:
    return [
        (tick, msg("note_on", note=pitch, velocity=100, channel=channel)),
        (tick + length, msg("note_off", note=pitch, channel=channel)),
    ]


def channels_of(path: Path) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for track in mido.MidiFile(path).tracks[1:]:
        found.setdefault(track.name, set()).update(m.channel for m in track if m.type == "note_on")
    return found


def test_export_keeps_each_part_on_its_original_channel(tmp_path: Path) -> None:
    tracks = [
        [(0, mido.MetaMessage("track_name", name=f"ch{c + 1}")), *note(0, 60 + c, PPQ, c)]
        for c in (3, 0, 9, 15, 7)
    ]
    project = import_midi(write(tmp_path / "a.mid", *tracks))
    assert [i.midi_channel for i in project.instruments.items] == [3, 0, 9, 15, 7]
    export_midi(project, tmp_path / "b.mid")
    assert channels_of(tmp_path / "b.mid") == {
        "ch4": {3}, "ch1": {0}, "ch10": {9}, "ch16": {15}, "ch8": {7}
    }  # fmt: skip


def test_sixteen_melodic_parts_share_a_channel_and_the_export_says_so(tmp_path: Path) -> None:
    store = Store()
    for n in range(16):
        store.dispatch(AddInstrument("saw", f"p{n}"))
        store.dispatch(AddNotes(InstrumentId(n + 1), (Note(0, PPQ, 60),)))
    report = export_midi(store.state, tmp_path / "b.mid")
    found = channels_of(tmp_path / "b.mid")
    assert [found[f"p{n}"] for n in range(15)] == [{c} for c in range(16) if c != 9]
    assert found["p15"] == {0}  # the least used channel, never the drum channel
    assert any("p15 shares channel 1" in line for line in report)


def test_programs_pick_sources_and_are_written_back(tmp_path: Path) -> None:
    tracks = [
        [(0, msg("program_change", program=program, channel=c)), *note(0, 60, PPQ, c)]
        for c, program in enumerate((0, 33, 40, 73, 81))
    ]
    project = import_midi(write(tmp_path / "a.mid", *tracks))
    assert [i.source for i in project.instruments.items] == [
        "epiano", "bass_guitar", "strings", "blown", "saw"
    ]  # fmt: skip
    export_midi(project, tmp_path / "b.mid")
    programs = [
        [m.program for m in track if m.type == "program_change"]
        for track in mido.MidiFile(tmp_path / "b.mid").tracks[1:]
    ]
    assert programs == [[0], [33], [40], [73], [81]]


def test_a_given_source_overrides_the_programs(tmp_path: Path) -> None:
    path = write(tmp_path / "a.mid", [(0, msg("program_change", program=0)), *note(0, 60, PPQ)])
    assert import_midi(path, source="sine").instruments.items[0].source == "sine"


def test_volume_expression_and_pan_set_the_strip_and_later_moves_become_lanes(
    tmp_path: Path,
) -> None:
    events = [
        (0, msg("control_change", control=7, value=100)),
        (0, msg("control_change", control=11, value=64)),
        (0, msg("control_change", control=10, value=0)),
        *note(0, 60, PPQ),
        # a fade after the last note: the loop must reach it and export must keep it
        *[(PPQ * (2 + k), msg("control_change", control=7, value=100 - 20 * k)) for k in range(5)],
    ]
    project = import_midi(write(tmp_path / "a.mid", events))
    inst = project.instruments.items[0]
    assert inst.mixer.level == pytest.approx(level_of_volume(100) * level_of_volume(64))
    assert inst.mixer.pan == -1.0
    (lane,) = project.session.automation.lanes
    assert lane.target.parameter == "mixer.level"
    # the first fade step repeats the volume in force: no point for it
    assert [p.tick for p in lane.points] == [0] + [PPQ * (2 + k) for k in range(1, 5)]
    assert lane.value_at(PPQ * 6) == pytest.approx(level_of_volume(20) * level_of_volume(64))
    assert project.session.piano_roll.loop_end >= PPQ * 6
    export_midi(project, tmp_path / "b.mid")
    ticks = []
    now = 0
    for m in mido.MidiFile(tmp_path / "b.mid").tracks[1]:
        now += m.time
        if m.type == "control_change" and m.control == 7:
            ticks.append(now)
    assert ticks[-1] == PPQ * 6  # the fade's last step, a beat and more after the last note
    again = import_midi(tmp_path / "b.mid")
    assert again.session.automation.lanes[0].value_at(PPQ * 6) == pytest.approx(
        lane.value_at(PPQ * 6), abs=0.01
    )


def test_the_sustain_pedal_lengthens_notes_on_request(tmp_path: Path) -> None:
    events = [
        (0, msg("control_change", control=64, value=127)),
        *note(0, 60, PPQ // 2),
        *note(PPQ, 64, PPQ // 2),
        *note(2 * PPQ, 60, PPQ // 2),  # re-strikes 60: the first 60 stops here
        (3 * PPQ, msg("control_change", control=64, value=0)),
        (3 * PPQ, msg("pitchwheel", pitch=100)),
    ]
    path = write(tmp_path / "a.mid", events)
    plain, report = import_midi_report(path)
    assert [n.duration for n in plain.session.piano_roll.tracks[0].notes] == [PPQ // 2] * 3
    assert any("CC 64 (sustain) ×2" in line for line in report)
    held, report = import_midi_report(path, controllers=True)
    notes = held.session.piano_roll.tracks[0].notes
    assert [(n.tick, n.end) for n in notes] == [(0, 2 * PPQ), (PPQ, 3 * PPQ), (2 * PPQ, 3 * PPQ)]
    assert any("3 notes held on by the sustain pedal" in line for line in report)
    assert any("pitch bend ×1" in line for line in report)


def test_the_mod_wheel_drives_the_lfo_depth_on_request(tmp_path: Path) -> None:
    events = [(0, msg("control_change", control=1, value=0)), *note(0, 60, 4 * PPQ),
              (PPQ, msg("control_change", control=1, value=127))]  # fmt: skip
    path = write(tmp_path / "a.mid", events)
    assert import_midi(path).session.automation.lanes == ()
    (lane,) = import_midi(path, controllers=True).session.automation.lanes
    assert lane.target.parameter == "lfo.depth"
    assert [(p.tick, p.value) for p in lane.points] == [(0, 0.0), (PPQ, 1.0)]


@settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.lists(
        st.tuples(
            st.integers(0, 64).map(lambda n: n * PPQ // 8),  # onset on an eighth-note grid
            st.integers(1, 32).map(lambda n: n * PPQ // 8),  # length
            st.sampled_from([60, 62]),  # few pitches: nesting and overlap are everywhere
            st.integers(1, 127),
        ),
        min_size=1,
        max_size=40,
        unique_by=lambda n: (n[0], n[2]),
    )
)
def test_any_notes_made_in_imbolc_come_back_from_a_midi_file(
    tmp_path: Path, raw: list[tuple[int, int, int, int]]
) -> None:
    notes = tuple(sorted((Note(*n) for n in raw), key=lambda n: n.key))
    store = Store()
    store.dispatch(AddInstrument("saw", "Keys"))
    store.dispatch(AddNotes(InstrumentId(1), notes))
    export_midi(store.state, tmp_path / "n.mid")
    again = import_midi(tmp_path / "n.mid")
    assert len(again.instruments.items) == 1
    assert again.session.piano_roll.tracks[0].notes == notes
