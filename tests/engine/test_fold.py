"""A burst of knob turns reaches the audio thread folded: each target once, newest value."""

from __future__ import annotations

from imbolc.core.actions import AddInstrument, SetMixerLevel, SetSourceParam
from imbolc.core.actions.mixer import instrument_strip
from imbolc.core.effects import ParamChanged, StripChanged
from imbolc.core.store import Commit, Store
from imbolc.engine.realtime import _Command, fold_commits


def commits(store: Store, actions: list[object]) -> list[_Command]:
    seen: list[Commit] = []
    store.subscribe(seen.append)
    for action in actions:
        store.dispatch(action)  # type: ignore[arg-type]
    return [_Command("commit", (c.new, c.effects)) for c in seen]


def test_thirty_turns_of_one_knob_fold_into_one_change_with_the_last_value() -> None:
    store = Store()
    store.dispatch(AddInstrument("saw"))
    burst = commits(store, [SetSourceParam(1, "amp", i / 100) for i in range(30)])
    folded = fold_commits(burst)
    assert len(folded) == 1
    project, effects = folded[0].args
    assert project is store.state
    assert effects.changes == (ParamChanged(1, ("source", "amp"), 0.29),)


def test_different_targets_keep_one_change_each() -> None:
    store = Store()
    store.dispatch(AddInstrument("saw"))
    store.dispatch(AddInstrument("sine"))
    burst = commits(
        store,
        [
            SetMixerLevel(instrument_strip(1), 0.1),
            SetSourceParam(2, "amp", 0.2),
            SetMixerLevel(instrument_strip(1), 0.3),
        ],
    )
    (folded,) = fold_commits(burst)
    assert set(folded.args[1].changes) == {
        StripChanged("instrument", 1),
        ParamChanged(2, ("source", "amp"), 0.2),
    }


def test_other_commands_are_not_folded_across() -> None:
    store = Store()
    store.dispatch(AddInstrument("saw"))
    first, second = commits(store, [SetSourceParam(1, "amp", 0.1), SetSourceParam(1, "amp", 0.2)])
    folded = fold_commits([first, _Command("note_on", (1, 60, 0.8)), second])
    assert [c.kind for c in folded] == ["commit", "note_on", "commit"]
