"""Specification of MIDI file import and export."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import mido
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imbolc.core.actions import AddInstrument, AddNotes, SetBpm, SetTimeSignature
from imbolc.core.errors import ImbolcError, UnknownCatalogEntry
from imbolc.core.midifile import MidiFileError, export_midi, import_midi
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.core.timemap import TempoChange

Event = tuple[int, Any]
"""(absolute tick, mido message) as a fixture track lists them."""


def on(tick: int, pitch: int, velocity: int = 100, channel: int = 0) -> Event:
    return tick, mido.Message("note_on", note=pitch, velocity=velocity, channel=channel)


def off(tick: int, pitch: int, channel: int = 0, as_note_on: bool = False) -> Event:
    kind = "note_on" if as_note_on else "note_off"
    return tick, mido.Message(kind, note=pitch, velocity=0, channel=channel)


def meta(tick: int, kind: str, **values: Any) -> Event:
    return tick, mido.MetaMessage(kind, **values)


def write_song(
    path: Path, *tracks: list[Event], ppq: int = TICKS_PER_BEAT, midi_type: int = 1
) -> Path:
    """A MIDI file whose tracks hold ``tracks``' events in tick order (ties keep list order)."""
    midi = mido.MidiFile(type=midi_type, ticks_per_beat=ppq)
    for events in tracks:
        track = mido.MidiTrack()
        now = 0
        for tick, message in sorted(events, key=lambda event: event[0]):
            track.append(message.copy(time=tick - now))
            now = tick
        midi.tracks.append(track)
    midi.save(path)
    return path


def write_raw(path: Path, events: str, ppq: int = 480) -> Path:
    """A type-0 file whose one track holds ``events``, written byte by byte in hex."""
    data = bytes.fromhex(events)
    header = b"MThd" + struct.pack(">LHHH", 6, 0, 1, ppq)
    path.write_bytes(header + b"MTrk" + struct.pack(">L", len(data)) + data)
    return path


RUNNING_STATUS = "00 90 3C 64  00 40 50  83 60 3C 00  00 40 00  00 FF 2F 00"
"""Note-ons of C4 and E4, then both releases, with the 0x90 status byte given only once."""


def notes_of(project: Project, position: int = 0) -> tuple[Note, ...]:
    inst = project.instruments.items[position]
    track = project.session.piano_roll.track(inst.id)
    assert track is not None
    return track.notes


def song_of(project: Project) -> list[tuple[str, str, tuple[Note, ...]]]:
    """What a round trip must keep: every instrument's name, source and notes."""
    return [
        (inst.name, inst.source, notes_of(project, pos))
        for pos, inst in enumerate(project.instruments.items)
    ]


def round_trip(project: Project, tmp_path: Path) -> Project:
    out = tmp_path / "exported.mid"
    export_midi(project, out)
    return import_midi(out)


def assert_round_trip_keeps(project: Project, tmp_path: Path) -> None:
    again = round_trip(project, tmp_path)
    assert song_of(again) == song_of(project)
    assert again.session.settings == project.session.settings
    assert again.session.piano_roll.loop_end == project.session.piano_roll.loop_end


# --- import: timing -------------------------------------------------------------------------


def test_ppq_96_ticks_are_rescaled_to_960_per_beat(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(96, 60), off(144, 60)], ppq=96)
    assert notes_of(import_midi(path)) == (Note(960, 480, 60),)


def test_ppq_480_ticks_are_rescaled_to_960_per_beat(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(960, 62), off(1920, 62)], ppq=480)
    assert notes_of(import_midi(path)) == (Note(1920, 1920, 62),)


def test_ticks_between_imbolc_ticks_round_to_the_nearest(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(7, 60), off(1000, 60)], ppq=2000)
    assert notes_of(import_midi(path)) == (Note(3, 477, 60),)


def test_velocities_and_durations_are_kept(tmp_path: Path) -> None:
    events = [on(0, 60, 17), off(100, 60), on(480, 64, 127), off(1500, 64)]
    path = write_song(tmp_path / "a.mid", events)
    assert notes_of(import_midi(path)) == (Note(0, 100, 60, 17), Note(480, 1020, 64, 127))


def test_note_on_with_velocity_zero_ends_a_note(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(0, 60), off(240, 60, as_note_on=True)])
    assert notes_of(import_midi(path)) == (Note(0, 240, 60),)


def test_overlapping_notes_of_one_pitch_end_first_in_first_out(tmp_path: Path) -> None:
    events = [on(0, 60, 90), on(100, 60, 80), off(200, 60), off(300, 60)]
    path = write_song(tmp_path / "a.mid", events)
    assert notes_of(import_midi(path)) == (Note(0, 200, 60, 90), Note(100, 200, 60, 80))


def test_zero_length_notes_last_a_64th_note(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(480, 60), off(480, 60)])
    assert notes_of(import_midi(path)) == (Note(480, TICKS_PER_BEAT // 16, 60),)


def test_notes_never_released_end_with_their_track(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(0, 60), on(240, 67), off(480, 67), meta(960, "text")])
    assert notes_of(import_midi(path)) == (Note(0, 960, 60), Note(240, 240, 67))


def test_stray_note_offs_are_ignored(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [off(0, 72), on(0, 60), off(480, 60), off(500, 60)])
    assert notes_of(import_midi(path)) == (Note(0, 480, 60),)


def test_the_first_tempo_becomes_the_bpm(tmp_path: Path) -> None:
    conductor = [meta(0, "set_tempo", tempo=mido.bpm2tempo(90))]
    path = write_song(tmp_path / "a.mid", conductor, [on(0, 60), off(480, 60)])
    assert import_midi(path).session.settings.bpm == 90.0


def test_later_tempo_changes_are_kept_and_notes_stay_on_their_beats(tmp_path: Path) -> None:
    conductor = [meta(0, "set_tempo", tempo=500_000), meta(480, "set_tempo", tempo=250_000)]
    path = write_song(tmp_path / "a.mid", conductor, [on(960, 60), off(1440, 60)], ppq=480)
    project = import_midi(path)
    assert project.session.settings.bpm == 120.0
    assert project.session.tempo_map.tempos == (TempoChange(960, 240.0),)
    assert notes_of(project) == (Note(1920, 960, 60),)


def test_the_earliest_tempo_wins_whichever_track_holds_it(tmp_path: Path) -> None:
    conductor = [meta(480, "set_tempo", tempo=mido.bpm2tempo(100))]
    melody = [meta(0, "set_tempo", tempo=mido.bpm2tempo(140)), on(0, 60), off(480, 60)]
    path = write_song(tmp_path / "a.mid", conductor, melody)
    assert import_midi(path).session.settings.bpm == 140.0


def test_a_tempo_with_a_round_bpm_gets_that_bpm(tmp_path: Path) -> None:
    conductor = [meta(0, "set_tempo", tempo=428_571)]  # 140.00003 bpm
    path = write_song(tmp_path / "a.mid", conductor, [on(0, 60), off(480, 60)])
    assert import_midi(path).session.settings.bpm == 140.0


def test_a_tempo_hundredths_of_a_bpm_cannot_express_is_kept_exactly(tmp_path: Path) -> None:
    conductor = [meta(0, "set_tempo", tempo=77_573)]  # 773.46 bpm would write 77_574
    path = write_song(tmp_path / "a.mid", conductor, [on(0, 60), off(480, 60)])
    project = import_midi(path)
    assert project.session.settings.bpm == 60_000_000 / 77_573
    export_midi(project, tmp_path / "out.mid")
    conductor_track = mido.MidiFile(tmp_path / "out.mid").tracks[0]
    tempos = [msg.tempo for msg in conductor_track if msg.type == "set_tempo"]
    assert tempos == [77_573]


def test_a_tempo_beyond_imbolcs_range_is_clamped(tmp_path: Path) -> None:
    conductor = [meta(0, "set_tempo", tempo=10_000_000)]
    path = write_song(tmp_path / "a.mid", conductor, [on(0, 60), off(480, 60)])
    assert import_midi(path).session.settings.bpm == 20.0


def test_a_file_without_tempo_plays_at_120_bpm(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(0, 60), off(480, 60)])
    assert import_midi(path).session.settings.bpm == 120.0


def test_the_first_time_signature_becomes_the_meter(tmp_path: Path) -> None:
    conductor = [
        meta(0, "time_signature", numerator=3, denominator=4),
        meta(1440, "time_signature", numerator=6, denominator=8),
    ]
    path = write_song(tmp_path / "a.mid", conductor, [on(0, 60), off(480, 60)])
    assert import_midi(path).session.settings.time_signature == (3, 4)


def test_a_time_signature_imbolc_cannot_hold_leaves_four_four(tmp_path: Path) -> None:
    conductor = [meta(0, "time_signature", numerator=0, denominator=64)]
    path = write_song(tmp_path / "a.mid", conductor, [on(0, 60), off(480, 60)])
    assert import_midi(path).session.settings.time_signature == (4, 4)


def test_the_loop_ends_on_the_bar_after_the_last_note(tmp_path: Path) -> None:
    conductor = [meta(0, "time_signature", numerator=3, denominator=4)]
    path = write_song(tmp_path / "a.mid", conductor, [on(0, 60), off(1500, 60)])
    roll = import_midi(path).session.piano_roll
    assert (roll.loop_start, roll.loop_end) == (0, 2880)


def test_a_song_ending_on_a_bar_line_loops_exactly_to_it(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(0, 60), off(3840, 60)])
    assert import_midi(path).session.piano_roll.loop_end == 3840


def test_running_status_is_read(tmp_path: Path) -> None:
    path = write_raw(tmp_path / "running.mid", RUNNING_STATUS)
    assert notes_of(import_midi(path)) == (Note(0, 960, 60, 100), Note(0, 960, 64, 80))  # ppq 480


# --- import: instruments --------------------------------------------------------------------


def test_each_track_and_channel_with_notes_becomes_an_instrument(tmp_path: Path) -> None:
    conductor = [meta(0, "set_tempo", tempo=500_000)]
    bass = [meta(0, "track_name", name="Bass"), on(0, 36, channel=1), off(480, 36, channel=1)]
    lead = [meta(0, "track_name", name="Lead"), on(0, 72, channel=2), off(240, 72, channel=2)]
    project = import_midi(write_song(tmp_path / "a.mid", conductor, bass, lead))
    assert song_of(project) == [
        ("Bass", "saw", (Note(0, 480, 36),)),
        ("Lead", "saw", (Note(0, 240, 72),)),
    ]


def test_unnamed_parts_are_named_after_their_source(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(0, 60), off(480, 60)], [on(0, 64), off(480, 64)])
    names = [inst.name for inst in import_midi(path, source="sine").instruments.items]
    assert names == ["sine-1", "sine-2"]


def test_the_source_is_looked_up_ignoring_case(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(0, 60), off(480, 60)])
    assert import_midi(path, source="SQUARE").instruments.items[0].source == "square"


def test_an_unknown_source_is_refused_with_suggestions(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(0, 60), off(480, 60)])
    with pytest.raises(UnknownCatalogEntry, match="did you mean"):
        import_midi(path, source="sqare")


def test_channel_ten_becomes_a_drum_kit_keeping_general_midi_pitches(tmp_path: Path) -> None:
    drums = [on(0, 36, channel=9), off(120, 36, channel=9), on(240, 81, channel=9)]
    drums.append(off(360, 81, channel=9))  # open triangle: no default pad answers to it
    project = import_midi(write_song(tmp_path / "a.mid", drums))
    kit = project.instruments.items[0]
    assert (kit.name, kit.source) == ("drums", "kit")
    assert kit.kit is not None and kit.kit.pad_for_note(36) == 0
    assert notes_of(project) == (Note(0, 120, 36), Note(240, 120, 81))


def test_a_type_0_file_splits_its_channels_into_instruments(tmp_path: Path) -> None:
    events = [meta(0, "track_name", name="Song")]
    events += [on(0, 48, channel=0), on(0, 36, channel=9), on(0, 67, channel=3)]
    events += [off(480, 48, channel=0), off(240, 36, channel=9), off(960, 67, channel=3)]
    project = import_midi(write_song(tmp_path / "a.mid", events, midi_type=0))
    assert song_of(project) == [
        ("Song (ch 1)", "saw", (Note(0, 480, 48),)),
        ("Song (ch 4)", "saw", (Note(0, 960, 67),)),
        ("Song (ch 10)", "kit", (Note(0, 240, 36),)),
    ]


def test_track_names_lose_control_characters_and_are_cut_to_64(tmp_path: Path) -> None:
    name = "\x00Piano\x07" + "x" * 80
    path = write_song(tmp_path / "a.mid", [meta(0, "track_name", name=name), on(0, 60), off(9, 60)])
    assert import_midi(path).instruments.items[0].name == ("Piano" + "x" * 80)[:64]


def test_utf8_track_names_are_decoded(tmp_path: Path) -> None:
    latin1_view = "Bässe".encode().decode("latin-1")
    events = [meta(0, "track_name", name=latin1_view), on(0, 60), off(9, 60)]
    assert import_midi(write_song(tmp_path / "a.mid", events)).instruments.items[0].name == "Bässe"


# --- import: bad input ----------------------------------------------------------------------


def assert_refused(path: Path, problem: str) -> None:
    with pytest.raises(MidiFileError, match=problem) as caught:
        import_midi(path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, ImbolcError)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert_refused(tmp_path / "nowhere.mid", "No such file")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    assert_refused(tmp_path, "directory")


def test_a_file_that_is_not_midi_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.mid"
    path.write_text("C D E F G A B c\n")
    assert_refused(path, "not a valid MIDI file")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.mid"
    path.write_bytes(b"")
    assert_refused(path, "truncated")


def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(0, 60), off(480, 60), on(480, 62), off(960, 62)])
    path.write_bytes(path.read_bytes()[:-9])
    assert_refused(path, "truncated")


def test_a_file_missing_a_track_it_announces_is_refused(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(0, 60), off(480, 60)])
    data = bytearray(path.read_bytes())
    data[10:12] = struct.pack(">H", 2)
    path.write_bytes(bytes(data))
    assert_refused(path, "truncated")


def test_a_file_with_a_corrupt_event_is_refused(tmp_path: Path) -> None:
    assert_refused(write_raw(tmp_path / "corrupt.mid", "00 90 3C 99  00 FF 2F 00"), "data byte")


def test_a_file_with_a_malformed_meta_event_is_refused(tmp_path: Path) -> None:
    short_tempo = "00 FF 51 01 07  00 FF 2F 00"  # a tempo of one byte, not three
    assert_refused(write_raw(tmp_path / "corrupt.mid", short_tempo), "malformed")


def test_a_file_without_notes_is_refused(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [meta(0, "set_tempo", tempo=500_000), off(0, 60)])
    assert_refused(path, "contains no notes")


def test_a_note_beyond_the_longest_song_imbolc_holds_is_refused(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(2**31, 60), off(2**31 + 480, 60)])
    assert_refused(path, "tick")


def test_a_file_timed_in_smpte_frames_is_refused(tmp_path: Path) -> None:
    path = write_song(tmp_path / "a.mid", [on(0, 60), off(480, 60)])
    data = bytearray(path.read_bytes())
    data[12:14] = bytes([0xE7, 40])  # 25 frames per second, 40 ticks per frame
    path.write_bytes(bytes(data))
    assert_refused(path, "SMPTE")


# --- export ---------------------------------------------------------------------------------


def build(*parts: tuple[str, str, tuple[Note, ...]], bpm: float = 120.0) -> Project:
    store = Store()
    store.dispatch(SetBpm(bpm))
    for name, source, notes in parts:
        store.dispatch(AddInstrument(source, name))
        store.dispatch(AddNotes(store.state.instruments.items[-1].id, notes))
    return store.state


def channel_events(track: Any) -> list[tuple[int, str, int, int, int]]:
    """(absolute tick, type, channel, note, velocity) of a track's note events."""
    now, found = 0, []
    for msg in track:
        now += msg.time
        if msg.type in ("note_on", "note_off"):
            found.append((now, msg.type, msg.channel, msg.note, msg.velocity))
    return found


def test_export_writes_type_1_at_960_ppq_with_a_tempo_track(tmp_path: Path) -> None:
    store = Store(build(("Lead", "saw", (Note(0, 480, 60),)), bpm=90.0))
    store.dispatch(SetTimeSignature(7, 8))
    export_midi(store.state, tmp_path / "out.mid")
    midi = mido.MidiFile(tmp_path / "out.mid")
    assert (midi.type, midi.ticks_per_beat, len(midi.tracks)) == (1, 960, 2)
    conductor = {msg.type: msg for msg in midi.tracks[0]}
    assert conductor["set_tempo"].tempo == mido.bpm2tempo(90)
    ts = conductor["time_signature"]
    assert (ts.numerator, ts.denominator) == (7, 8)


def test_export_writes_note_pairs_at_their_ticks_with_their_velocities(tmp_path: Path) -> None:
    notes = (Note(0, 480, 60, 30), Note(240, 960, 64, 127), Note(480, 240, 60, 90))
    export_midi(build(("Keys", "saw", notes)), tmp_path / "out.mid")
    track = mido.MidiFile(tmp_path / "out.mid").tracks[1]
    assert track.name == "Keys"
    assert channel_events(track) == [
        (0, "note_on", 0, 60, 30),
        (240, "note_on", 0, 64, 127),
        (480, "note_off", 0, 60, 64),
        (480, "note_on", 0, 60, 90),
        (720, "note_off", 0, 60, 64),
        (1200, "note_off", 0, 64, 64),
    ]


def test_export_gives_each_instrument_a_channel_skipping_ten_for_melodies(
    tmp_path: Path,
) -> None:
    parts = [(f"synth {n}", "saw", (Note(0, 1, 60),)) for n in range(11)]
    parts.insert(3, ("beat", "kit", (Note(0, 1, 36),)))
    export_midi(build(*parts), tmp_path / "out.mid")
    tracks = mido.MidiFile(tmp_path / "out.mid").tracks[1:]
    channels = {track.name: channel_events(track)[0][2] for track in tracks}
    assert channels["beat"] == 9
    assert [channels[f"synth {n}"] for n in range(11)] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11]


def test_export_skips_instruments_without_notes(tmp_path: Path) -> None:
    export_midi(build(("silent", "saw", ()), ("loud", "saw", (Note(0, 9, 60),))), tmp_path / "o")
    assert [track.name for track in mido.MidiFile(tmp_path / "o").tracks[1:]] == ["loud"]


def test_export_to_a_missing_folder_is_refused_naming_the_file(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.mid"
    with pytest.raises(MidiFileError, match="cannot write") as caught:
        export_midi(build(("a", "saw", (Note(0, 9, 60),))), target)
    assert str(target) in str(caught.value)


def test_a_failed_export_leaves_no_partial_file_behind(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    (target / "inside").mkdir(parents=True)
    with pytest.raises(MidiFileError):
        export_midi(build(("a", "saw", (Note(0, 9, 60),))), target)
    assert (target / "inside").is_dir()
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_export_then_import_gives_back_a_built_project(tmp_path: Path) -> None:
    project = build(
        ("Bässe 鼓", "saw", (Note(0, 240, 40, 70), Note(120, 600, 40, 80), Note(960, 1, 41, 1))),
        ("drums", "kit", (Note(0, 120, 36), Note(480, 120, 38), Note(480, 60, 99))),
        bpm=133.0,
    )
    again = round_trip(project, tmp_path)
    assert song_of(again) == song_of(project)
    assert again.session.settings.bpm == 133.0


# --- round trips: import → export → import -------------------------------------------------


def test_round_trip_keeps_a_ppq_96_song(tmp_path: Path) -> None:
    events = [on(0, 60, 50), off(95, 60), on(96, 62), off(97, 62), on(1, 64), off(3, 64)]
    assert_round_trip_keeps(import_midi(write_song(tmp_path / "a.mid", events, ppq=96)), tmp_path)


def test_round_trip_keeps_a_ppq_960_song(tmp_path: Path) -> None:
    events = [on(0, 60), off(1, 60), on(1, 61), off(2, 61), on(3, 60), off(1919, 60)]
    assert_round_trip_keeps(import_midi(write_song(tmp_path / "a.mid", events, ppq=960)), tmp_path)


def test_round_trip_keeps_a_song_with_two_tempos(tmp_path: Path) -> None:
    conductor = [meta(0, "set_tempo", tempo=428_571), meta(960, "set_tempo", tempo=300_000)]
    path = write_song(tmp_path / "a.mid", conductor, [on(0, 60), off(2000, 60)])
    project = import_midi(path)
    assert project.session.settings.bpm == 140.0
    assert_round_trip_keeps(project, tmp_path)


def test_round_trip_keeps_overlapping_notes_of_one_pitch(tmp_path: Path) -> None:
    events = [on(0, 60, 1), on(10, 60, 2), off(10, 60), on(10, 60, 3), off(20, 60), off(20, 60)]
    assert_round_trip_keeps(import_midi(write_song(tmp_path / "a.mid", events)), tmp_path)


def test_round_trip_keeps_channel_ten_drums(tmp_path: Path) -> None:
    drums = [on(0, 36, channel=9), off(60, 36, channel=9), on(0, 127, channel=9)]
    drums.append(off(10, 127, channel=9))
    assert_round_trip_keeps(import_midi(write_song(tmp_path / "a.mid", drums)), tmp_path)


def test_round_trip_keeps_a_type_0_song(tmp_path: Path) -> None:
    events = [meta(0, "track_name", name="Song")]
    events += [on(0, 48, channel=0), on(0, 36, channel=9), on(100, 67, channel=15)]
    events += [off(480, 48, channel=0), off(240, 36, channel=9), off(960, 67, channel=15)]
    song = import_midi(write_song(tmp_path / "a.mid", events, midi_type=0))
    assert_round_trip_keeps(song, tmp_path)


def test_round_trip_keeps_a_running_status_song(tmp_path: Path) -> None:
    path = write_raw(tmp_path / "running.mid", RUNNING_STATUS, ppq=96)
    assert_round_trip_keeps(import_midi(path), tmp_path)


beats = st.integers(0, 16).map(lambda n: n * 48)
"""Ticks on a coarse grid, so notes touch, overlap and collide often."""
raw_notes = st.tuples(
    st.sampled_from([0, 9]) | st.integers(0, 15),  # channel
    st.sampled_from([36, 60]) | st.integers(0, 127),  # pitch
    beats | st.integers(0, 4000),  # start
    beats | st.integers(0, 1500),  # length
    st.integers(1, 127),  # velocity
    st.booleans(),  # released by a note-on of velocity 0
)
latin1_names = st.text(st.characters(max_codepoint=255), max_size=70)


@st.composite
def midi_songs(draw: st.DrawFn) -> tuple[list[list[Event]], int]:
    """The tracks of a random song (a conductor track first) and its ticks per beat."""
    tempo = draw(st.integers(60_000, 80_000) | st.integers(0, 0xFFFFFF))
    numerator = draw(st.integers(0, 40))
    denominator = draw(st.sampled_from([1, 2, 4, 8, 16, 32, 64]))
    tracks = [
        [
            meta(0, "set_tempo", tempo=tempo),
            meta(0, "time_signature", numerator=numerator, denominator=denominator),
        ]
    ]
    for notes in draw(
        st.lists(st.lists(raw_notes, min_size=1, max_size=25), min_size=1, max_size=3)
    ):
        events = [meta(0, "track_name", name=draw(latin1_names))]
        for channel, pitch, start, length, velocity, by_note_on in notes:
            events.append(on(start, pitch, velocity, channel))
            events.append(off(start + length, pitch, channel, by_note_on))
        tracks.append(events)
    ppq = draw(st.sampled_from([24, 96, 480, 960]) | st.integers(1, 32767))
    return tracks, ppq


@settings(
    deadline=None, max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(song=midi_songs())
def test_round_trip_keeps_any_song(tmp_path: Path, song: tuple[list[list[Event]], int]) -> None:
    tracks, ppq = song
    project = import_midi(write_song(tmp_path / "song.mid", *tracks, ppq=ppq))
    assert_round_trip_keeps(project, tmp_path)
