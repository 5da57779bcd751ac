"""Tests for imbolc.core.music: tuning, scales, note names, chords, rhythm and time."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imbolc.core.errors import ImbolcError, InvalidAction, ValueOutOfRange, WrongType
from imbolc.core.music import (
    CHORD_SHAPES,
    JI_RATIOS,
    KEYS,
    SCALES,
    bar_ticks,
    cents,
    chord_ji_freqs,
    chord_pitches,
    detect_chord,
    equal_freq,
    euclidean,
    in_scale,
    key_pitch_class,
    note_name,
    parse_note_name,
    pitch_to_freq,
    scale_ji_freq,
    scale_pitch_classes,
    seconds_to_ticks,
    snap_to_scale,
    ticks_to_seconds,
)
from imbolc.core.notes import TICKS_PER_BEAT


def test_a4_is_440_hz_by_default() -> None:
    assert equal_freq(69) == 440.0


def test_a4_follows_the_a4_reference() -> None:
    assert equal_freq(69, a4=432.0) == 432.0


def test_middle_c_is_about_261_63_hz() -> None:
    assert equal_freq(60) == pytest.approx(261.6256, abs=1e-4)


def test_an_octave_up_doubles_the_frequency() -> None:
    assert equal_freq(72) == pytest.approx(2 * equal_freq(60))


def test_pitch_to_freq_defaults_to_equal_temperament() -> None:
    assert pitch_to_freq(60) == equal_freq(60)


def test_scale_ji_tonic_stays_on_equal_temperament() -> None:
    assert scale_ji_freq(62, "D") == equal_freq(62)


def test_scale_ji_fifth_above_c_is_exactly_three_halves() -> None:
    assert scale_ji_freq(67, "C") == 1.5 * scale_ji_freq(60, "C")


def test_scale_ji_handles_pitches_below_the_key_tonic() -> None:
    # B3 in D major: tonic D3 (50), interval 9 -> 5/3.
    assert scale_ji_freq(59, "D") == pytest.approx(equal_freq(50) * 5 / 3)


def test_scale_ji_octaves_of_an_interval_double() -> None:
    assert scale_ji_freq(76, "C") == pytest.approx(2 * scale_ji_freq(64, "C"))


def test_pythagorean_major_third_is_81_over_64() -> None:
    ratio = scale_ji_freq(64, "C", flavor="pythagorean") / scale_ji_freq(60, "C")
    assert ratio == pytest.approx(81 / 64)
    assert JI_RATIOS["pythagorean"][4] == Fraction(81, 64)


def test_seven_limit_minor_seventh_is_7_over_4() -> None:
    ratio = scale_ji_freq(70, "C", flavor="seven_limit") / scale_ji_freq(60, "C")
    assert ratio == pytest.approx(7 / 4)


def test_five_limit_minor_seventh_is_9_over_5() -> None:
    assert JI_RATIOS["five_limit"][10] == Fraction(9, 5)


def test_chord_ji_of_c_major_triad_is_4_5_6() -> None:
    freqs = chord_ji_freqs([60, 64, 67], "C")
    assert freqs[64] / freqs[60] == pytest.approx(5 / 4)
    assert freqs[67] / freqs[60] == pytest.approx(6 / 4)


def test_chord_ji_tunes_a_non_tonic_triad_over_its_own_root() -> None:
    # D major in C: A is a pure fifth over D (27/16 over C), not scale JI's 5/3.
    freqs = chord_ji_freqs([62, 66, 69], "C")
    assert freqs[69] / freqs[62] == pytest.approx(3 / 2)
    assert freqs[69] != pytest.approx(scale_ji_freq(69, "C"))


def test_chord_ji_finds_the_root_of_an_inversion() -> None:
    assert detect_chord([64, 67, 72]) == (72, "major")


def test_chord_ji_non_chord_tones_fall_back_to_scale_ji() -> None:
    freqs = chord_ji_freqs([60, 64, 67, 62], "C")
    assert freqs[62] == scale_ji_freq(62, "C")


def test_pitch_to_freq_chord_ji_uses_the_sounding_pitches() -> None:
    freq = pitch_to_freq(64, tuning="adaptive_ji", sounding=[60, 67])
    assert freq / equal_freq(60) == pytest.approx(5 / 4)


def test_cents_of_an_octave_is_1200() -> None:
    assert cents(880.0, 440.0) == pytest.approx(1200.0)


def test_cents_rejects_a_non_positive_frequency() -> None:
    with pytest.raises(ValueOutOfRange):
        cents(0.0, 440.0)


def test_key_pitch_classes_run_c_to_b() -> None:
    assert [key_pitch_class(k) for k in KEYS] == list(range(12))


def test_every_scale_starts_on_the_tonic() -> None:
    assert all(intervals[0] == 0 for intervals in SCALES.values())


def test_scale_pitch_classes_of_a_minor_are_the_white_keys() -> None:
    assert scale_pitch_classes("A", "minor") == scale_pitch_classes("C", "major")


def test_in_scale_rejects_c_sharp_in_c_major() -> None:
    assert in_scale(60, "C", "major")
    assert not in_scale(61, "C", "major")


def test_snap_to_scale_moves_to_the_nearest_tone_ties_down() -> None:
    assert snap_to_scale(61, "C", "major") == 60  # C# is between C and D: tie goes down
    assert snap_to_scale(66, "C", "pentatonic") == 67  # F# -> G (E is two away)
    assert snap_to_scale(64, "C", "major") == 64


def test_snap_to_scale_clamps_to_midi_range() -> None:
    assert snap_to_scale(200, "C", "major") == 127
    assert snap_to_scale(-5, "D", "major") == 1  # C is not in D major; C# is


@given(st.integers(min_value=0, max_value=127))
def test_note_names_round_trip(pitch: int) -> None:
    assert parse_note_name(note_name(pitch)) == pitch


def test_note_name_uses_sharps_and_scientific_octaves() -> None:
    assert [note_name(60), note_name(58), note_name(0)] == ["C4", "A#3", "C-1"]


def test_parse_note_name_accepts_lower_case_and_flats() -> None:
    assert [parse_note_name("c4"), parse_note_name("A#3"), parse_note_name("Bb2")] == [60, 58, 46]


def test_parse_note_name_rejects_garbage_naming_the_text() -> None:
    with pytest.raises(InvalidAction, match="H4"):
        parse_note_name("H4")


def test_parse_note_name_rejects_out_of_range_notes() -> None:
    with pytest.raises(ValueOutOfRange):
        parse_note_name("G#9")


def test_parse_note_name_rejects_non_strings() -> None:
    with pytest.raises(WrongType):
        parse_note_name(60)  # type: ignore[arg-type]


def test_note_name_rejects_out_of_range_pitch() -> None:
    with pytest.raises(ValueOutOfRange):
        note_name(128)


def test_unknown_key_raises_an_imbolc_error() -> None:
    with pytest.raises(ImbolcError, match="H"):
        key_pitch_class("H")  # type: ignore[arg-type]


def test_chord_shapes_have_the_documented_intervals() -> None:
    assert CHORD_SHAPES["minor_seventh"] == (0, 3, 7, 10)
    assert CHORD_SHAPES["octave"] == (0, 12)


def test_chord_pitches_drop_notes_above_127() -> None:
    assert chord_pitches(60, "seventh") == (60, 64, 67, 70)
    assert chord_pitches(122, "major") == (122, 126)


def test_euclidean_3_8_is_the_tresillo() -> None:
    pattern = "".join("x" if hit else "." for hit in euclidean(3, 8))
    assert pattern == "x..x..x."


def test_euclidean_rotation_shifts_right() -> None:
    assert euclidean(3, 8, rotation=1) == (False, True, False, False, True, False, False, True)


@given(
    st.integers(min_value=1, max_value=64).flatmap(
        lambda s: st.tuples(st.integers(0, s), st.just(s))
    )
)
def test_euclidean_pulse_count_is_exact(pulses_steps: tuple[int, int]) -> None:
    pulses, steps = pulses_steps
    pattern = euclidean(pulses, steps)
    assert len(pattern) == steps
    assert sum(pattern) == pulses


@pytest.mark.parametrize(("pulses", "steps"), [(9, 8), (-1, 8), (0, 0), (1, 65)])
def test_euclidean_rejects_out_of_range_arguments(pulses: int, steps: int) -> None:
    with pytest.raises(ValueOutOfRange):
        euclidean(pulses, steps)


def test_one_beat_at_120_bpm_is_half_a_second() -> None:
    assert ticks_to_seconds(TICKS_PER_BEAT, 120) == pytest.approx(0.5)


def test_seconds_to_ticks_inverts_ticks_to_seconds() -> None:
    assert seconds_to_ticks(ticks_to_seconds(1234, 97), 97) == pytest.approx(1234)


def test_time_helpers_reject_zero_bpm() -> None:
    with pytest.raises(ValueOutOfRange, match="positive"):
        ticks_to_seconds(480, 0)


def test_bar_ticks_of_common_and_compound_time() -> None:
    assert (bar_ticks(4, 4), bar_ticks(6, 8), bar_ticks(7, 16)) == (3840, 2880, 1680)


def test_bar_ticks_rejects_a_non_power_of_two_denominator() -> None:
    with pytest.raises(InvalidAction):
        bar_ticks(4, 3)
