"""Voice allocation: the cap, stealing order, retriggers, mono mode and /n_end."""

from __future__ import annotations

import itertools

from imbolc.engine.voices import VoiceAllocator


def allocator() -> VoiceAllocator:
    counter = itertools.count(1000)
    return VoiceAllocator(lambda: next(counter))


def test_notes_below_the_cap_steal_nothing() -> None:
    voices = allocator()
    plans = [voices.note_on(60 + i, 0.8, now=i * 0.1, cap=4) for i in range(4)]
    assert all(plan.steal == [] for plan in plans)
    assert len(voices) == 4


def test_over_the_cap_a_releasing_voice_is_stolen_first() -> None:
    voices = allocator()
    first = voices.note_on(60, 1.0, now=0.0, cap=2)
    voices.note_on(62, 0.2, now=0.1, cap=2)
    voices.note_off(60, now=0.2)
    plan = voices.note_on(64, 0.8, now=0.3, cap=2)
    assert plan.steal == [first.node_id]
    assert len(voices) == 2


def test_over_the_cap_the_quietest_oldest_held_voice_is_stolen() -> None:
    voices = allocator()
    loud = voices.note_on(60, 1.0, now=0.0, cap=2)
    quiet = voices.note_on(62, 0.1, now=0.0, cap=2)
    plan = voices.note_on(64, 0.8, now=1.0, cap=2)
    assert plan.steal == [quiet.node_id]
    assert loud.node_id in voices.voices


def test_retriggering_a_held_pitch_steals_the_earlier_voice() -> None:
    voices = allocator()
    first = voices.note_on(60, 0.8, now=0.0, cap=8)
    again = voices.note_on(60, 0.8, now=0.5, cap=8)
    assert again.steal == [first.node_id]
    assert list(voices.voices) == [again.node_id]


def test_mono_mode_keeps_one_voice() -> None:
    voices = allocator()
    first = voices.note_on(60, 0.8, now=0.0, cap=8, mono=True)
    second = voices.note_on(64, 0.8, now=0.1, cap=8, mono=True)
    assert second.steal == [first.node_id]
    assert len(voices) == 1


def test_note_off_releases_the_oldest_voice_of_that_pitch() -> None:
    voices = allocator()
    plan = voices.note_on(60, 0.8, now=0.0, cap=8)
    assert voices.note_off(60, now=1.0) == plan.node_id
    assert voices.note_off(60, now=1.1) is None


def test_n_end_is_the_truth_about_a_voice_ending() -> None:
    voices = allocator()
    plan = voices.note_on(60, 0.8, now=0.0, cap=8)
    assert voices.ended(plan.node_id)
    assert not voices.ended(plan.node_id)
    assert len(voices) == 0


def test_sweep_forgets_only_voices_long_past_their_release() -> None:
    voices = allocator()
    plan = voices.note_on(60, 0.8, now=0.0, cap=8, release_time=0.5)
    voices.note_off(60, now=1.0)
    assert voices.sweep(now=2.0) == []
    assert voices.sweep(now=3.1) == [plan.node_id]


def test_release_all_releases_every_held_voice() -> None:
    voices = allocator()
    ids = {voices.note_on(p, 0.8, now=0.0, cap=8).node_id for p in (60, 64, 67)}
    assert set(voices.release_all(now=1.0)) == ids
    assert voices.release_all(now=1.1) == []
