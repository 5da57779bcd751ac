"""Computer-keyboard keys played as live keys (performance mode): every voice of a layer
group and chord shape starts and stops, and a take being recorded keeps the key."""

from __future__ import annotations

from imbolc.core.actions import AddInstrument, LinkLayer, SetChordShape, SetOctaveOffset
from imbolc.core.live_take import TakeOptions
from imbolc.core.ports import NullEngine
from imbolc.core.store import Store
from imbolc.live_wiring import LiveSession, QueuedHooks


class NoteLog(NullEngine):
    """A silent engine that writes down the notes it is asked to play."""

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[tuple[str, int, int]] = []

    def note_on(self, instrument_id: int, pitch: int, velocity: int) -> None:
        self.notes.append(("on", instrument_id, pitch))

    def note_off(self, instrument_id: int, pitch: int) -> None:
        self.notes.append(("off", instrument_id, pitch))


def layered() -> Store:
    store = Store()
    store.dispatch(AddInstrument("saw", "A"))
    store.dispatch(AddInstrument("sine", "B"))
    store.dispatch(LinkLayer(1, 2))
    store.dispatch(SetOctaveOffset(2, 1))
    store.dispatch(SetChordShape(1, "power"))
    return store


def test_a_key_sounds_the_layer_and_chord_then_releases_every_voice() -> None:
    store, engine = layered(), NoteLog()
    live = LiveSession(engine, lambda: store.state)
    assert live.play_key(1, 60, 90) is True
    assert sorted(engine.notes) == [("on", 1, 60), ("on", 1, 67), ("on", 2, 72)]
    engine.notes.clear()
    live.release_key(1, 60)
    assert sorted(engine.notes) == [("off", 1, 60), ("off", 1, 67), ("off", 2, 72)]


def test_a_key_played_while_a_take_records_becomes_a_note() -> None:
    store = layered()
    live = LiveSession(NoteLog(), lambda: store.state)
    hooks = QueuedHooks(store)
    live.bind(hooks)
    live.start_take(TakeOptions(count_in_beats=0))
    live.play_key(1, 62, 80)
    live.release_key(1, 62)
    assert live.stop_take() == 1
    track = store.state.session.piano_roll.track(1)
    assert track is not None and [(n.pitch, n.velocity) for n in track.notes] == [(62, 80)]
