"""Specification of session actions, and of ``apply`` as a pure, complete function."""

from __future__ import annotations

import math
import re
from pathlib import Path

import msgspec
import pytest
from apply_helpers import build

from imbolc.core.actions import (
    ACTION_TYPES,
    AddInstrument,
    AddNote,
    SetBpm,
    SetClick,
    SetHumanize,
    SetJiFlavor,
    SetKey,
    SetMixerLevel,
    SetScale,
    SetSnap,
    SetTimeSignature,
    SetTuning,
    SetTuningA4,
    instrument_strip,
)
from imbolc.core.actions.base import Action
from imbolc.core.apply import apply
from imbolc.core.effects import SESSION_SCOPE, Effects, SessionChanged
from imbolc.core.errors import InvalidAction, ValueOutOfRange, WrongType
from imbolc.core.project import Project
from imbolc.core.session import Click, Humanize, MusicalSettings
from imbolc.core.store import Store


def settings(project: Project) -> MusicalSettings:
    return project.session.settings


def assert_rejected(action: Action, error: type[Exception]) -> None:
    """The action raises ``error`` and neither the state nor the history moves."""
    store = Store(clock=lambda: 0.0)
    store.dispatch(SetBpm(100.0))
    before = store.state
    undo_before = list(store.history.undo_stack)
    with pytest.raises(error):
        store.dispatch(action)
    assert store.state is before
    assert list(store.history.undo_stack) == undo_before


# --- musical settings ---------------------------------------------------------------------


def test_set_bpm_sets_the_tempo_and_coalesces() -> None:
    project, effects = apply(Project(), SetBpm(96.5))
    assert settings(project).bpm == 96.5
    assert effects == Effects((SessionChanged("bpm"),), SESSION_SCOPE, "settings/bpm")


def test_set_bpm_shares_the_instruments_and_the_rest_of_the_session() -> None:
    before = build(AddInstrument("saw"), AddNote(1, 0, 480, 60))
    after, _ = apply(before, SetBpm(140.0))
    assert after.instruments is before.instruments
    assert after.session.piano_roll is before.session.piano_roll
    assert after.session.mixer is before.session.mixer
    assert after.session.arrangement is before.session.arrangement


@pytest.mark.parametrize("bpm", [19.9, 999.1, 0.0, -120.0])
def test_set_bpm_outside_20_to_999_is_rejected(bpm: float) -> None:
    assert_rejected(SetBpm(bpm), ValueOutOfRange)


@pytest.mark.parametrize("bpm", ["120", None, True, math.nan, math.inf])
def test_set_bpm_with_a_non_number_is_rejected(bpm: object) -> None:
    assert_rejected(SetBpm(bpm), WrongType)  # type: ignore[arg-type]


def test_set_key() -> None:
    project, effects = apply(Project(), SetKey("F#"))
    assert settings(project).key == "F#"
    assert effects == Effects((SessionChanged("key"),), SESSION_SCOPE)


def test_set_key_to_an_unknown_key_is_rejected() -> None:
    assert_rejected(SetKey("H"), InvalidAction)  # type: ignore[arg-type]


def test_set_key_to_a_number_is_rejected() -> None:
    assert_rejected(SetKey(3), WrongType)  # type: ignore[arg-type]


def test_set_scale() -> None:
    project, effects = apply(Project(), SetScale("dorian"))
    assert settings(project).scale == "dorian"
    assert effects == Effects((SessionChanged("scale"),), SESSION_SCOPE)


def test_set_scale_to_an_unknown_scale_is_rejected() -> None:
    assert_rejected(SetScale("bebop"), InvalidAction)  # type: ignore[arg-type]


def test_set_tuning_a4_coalesces_as_a_tuning_change() -> None:
    project, effects = apply(Project(), SetTuningA4(432.0))
    assert settings(project).tuning_a4 == 432.0
    assert effects == Effects((SessionChanged("tuning"),), SESSION_SCOPE, "settings/tuning")


def test_set_tuning_a4_below_400_hz_is_rejected() -> None:
    assert_rejected(SetTuningA4(399.0), ValueOutOfRange)


def test_set_time_signature() -> None:
    project, effects = apply(Project(), SetTimeSignature(7, 8))
    assert settings(project).time_signature == (7, 8)
    assert effects == Effects((SessionChanged("time_signature"),), SESSION_SCOPE)


def test_a_time_signature_over_three_is_rejected() -> None:
    assert_rejected(SetTimeSignature(4, 3), InvalidAction)


@pytest.mark.parametrize("denominator", [True, 4.0, "4"])
def test_a_time_signature_denominator_of_the_wrong_type_is_rejected(denominator: object) -> None:
    assert_rejected(SetTimeSignature(3, denominator), WrongType)  # type: ignore[arg-type]


def test_a_time_signature_numerator_given_as_bool_is_rejected() -> None:
    assert_rejected(SetTimeSignature(True, 4), WrongType)


def test_set_tuning() -> None:
    project, effects = apply(Project(), SetTuning("adaptive_ji"))
    assert settings(project).tuning == "adaptive_ji"
    assert effects == Effects((SessionChanged("tuning"),), SESSION_SCOPE)


def test_set_tuning_to_an_unknown_system_is_rejected() -> None:
    assert_rejected(SetTuning("meantone"), InvalidAction)  # type: ignore[arg-type]


def test_set_ji_flavor() -> None:
    project, effects = apply(Project(), SetJiFlavor("seven_limit"))
    assert settings(project).ji_flavor == "seven_limit"
    assert effects == Effects((SessionChanged("tuning"),), SESSION_SCOPE)


def test_set_snap() -> None:
    project, effects = apply(Project(), SetSnap(True))
    assert settings(project).snap is True
    assert effects == Effects((SessionChanged("snap"),), SESSION_SCOPE)


def test_set_snap_with_an_int_is_rejected() -> None:
    assert_rejected(SetSnap(1), WrongType)  # type: ignore[arg-type]


# --- humanize and click -------------------------------------------------------------------


def test_set_humanize() -> None:
    project, effects = apply(Project(), SetHumanize(0.2, 0.1))
    assert project.session.humanize == Humanize(0.2, 0.1)
    assert effects == Effects((SessionChanged("humanize"),), SESSION_SCOPE, "humanize")


def test_set_humanize_above_one_is_rejected() -> None:
    assert_rejected(SetHumanize(0.2, 1.2), ValueOutOfRange)


def test_set_click() -> None:
    project, effects = apply(Project(), SetClick(True, 0.4, muted=True))
    assert project.session.click == Click(True, 0.4, True)
    assert effects == Effects((SessionChanged("click"),), SESSION_SCOPE)


def test_set_click_volume_above_one_is_rejected() -> None:
    assert_rejected(SetClick(True, 1.5), ValueOutOfRange)


# --- apply as a whole ---------------------------------------------------------------------

SEQUENCE = (
    AddInstrument("saw"),
    AddInstrument("kit"),
    AddNote(1, 0, 480, 60),
    SetMixerLevel(instrument_strip(2), 0.3),
    SetBpm(90.0),
    SetTimeSignature(6, 8),
)


def test_apply_is_deterministic() -> None:
    first = build(*SEQUENCE)
    second = build(*SEQUENCE)
    assert first == second
    assert msgspec.msgpack.encode(first) == msgspec.msgpack.encode(second)
    assert apply(first, SetBpm(77.0)) == apply(second, SetBpm(77.0))


def test_apply_never_changes_its_input() -> None:
    project = build(*SEQUENCE)
    encoded = msgspec.msgpack.encode(project)
    digest = hash(project)
    for action in (*SEQUENCE[3:], SetKey("D"), AddNote(1, 960, 480, 62), AddInstrument("fm")):
        apply(project, action)
    assert msgspec.msgpack.encode(project) == encoded
    assert hash(project) == digest


def test_an_action_without_a_handler_is_rejected() -> None:
    class PaintItBlack(Action, frozen=True):
        colour: str = "black"

    with pytest.raises(InvalidAction, match="PaintItBlack"):
        apply(Project(), PaintItBlack())


def test_every_action_type_is_specified_by_an_apply_test() -> None:
    """Each action class is built in at least one apply test of this folder."""
    sources = "".join(p.read_text() for p in Path(__file__).parent.glob("test_apply_*.py"))
    used = set(re.findall(r"\b([A-Z][A-Za-z0-9]+)\(", sources))
    missing = [cls.__name__ for cls in ACTION_TYPES if cls.__name__ not in used]
    assert missing == []
