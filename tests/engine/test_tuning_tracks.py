"""Chord, adaptive and global JI tune each new note against the notes sounding.

The phrase: D4+F4 (a minor third, F pure against D at 6/5), then D lets go and A4 joins the
held F (a major third over F). Chord JI retunes the chord from the key (A = F(scale JI) x 5/4
= 436.0 Hz); adaptive JI keeps the held F where it is, so A = 353.2 x 5/4 = 441.5 Hz; after a
silence adaptive JI is back on the key while global JI keeps the comma it drifted by.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from live_scores import ENGINES, RATE, Live, window

from imbolc.core.actions import AddInstrument, SetEnvelope, SetTuning
from imbolc.core.ids import InstrumentId
from imbolc.core.music import scale_ji_freq
from imbolc.core.session import MusicalSettings
from imbolc.core.store import Store
from imbolc.engine.tuning import Tuner

D4, F4, A4 = 62, 65, 69
F_AGAINST_D = scale_ji_freq(D4) * 6 / 5  # 353.2 Hz
A_OVER_HELD_F = F_AGAINST_D * 5 / 4  # 441.5 Hz
A_OVER_KEY_F = scale_ji_freq(F4) * 5 / 4  # 436.0 Hz
A_ON_THE_KEY = scale_ji_freq(A4)  # 5/3 over C: 436.0 Hz
COMMA = 81 / 80


def phrase(tuning: str) -> tuple[float, float, float]:
    """(F against D, A over the held F, A alone after a silence) under ``tuning``."""
    tuner, settings = Tuner(), MusicalSettings(tuning=tuning)  # type: ignore[arg-type]
    tuner.start((1, D4), settings)
    f = tuner.start((1, F4), settings)
    tuner.stop((1, D4))
    a = tuner.start((1, A4), settings)
    tuner.stop_all()
    return f, a, tuner.start((1, A4), settings)


def test_chord_ji_tunes_the_new_note_against_the_chord_from_the_key() -> None:
    f, a, alone = phrase("chord_ji")
    assert f == pytest.approx(F_AGAINST_D, rel=1e-9)
    assert a == pytest.approx(A_OVER_KEY_F, rel=1e-9)
    assert alone == pytest.approx(A_ON_THE_KEY, rel=1e-9)


def test_adaptive_ji_keeps_held_notes_still_and_returns_to_the_key_after_silence() -> None:
    f, a, alone = phrase("adaptive_ji")
    assert f == pytest.approx(F_AGAINST_D, rel=1e-9)
    assert a == pytest.approx(A_OVER_HELD_F, rel=1e-9)
    assert a / A_OVER_KEY_F == pytest.approx(COMMA, rel=1e-9)  # a syntonic comma above
    assert alone == pytest.approx(A_ON_THE_KEY, rel=1e-9)


def test_global_ji_keeps_the_drift_across_a_silence() -> None:
    _f, a, alone = phrase("global_ji")
    assert a == pytest.approx(A_OVER_HELD_F, rel=1e-9)
    assert alone == pytest.approx(A_ON_THE_KEY * COMMA, rel=1e-9)


def test_scale_ji_ignores_the_sounding_notes() -> None:
    f, a, alone = phrase("scale_ji")
    assert (f, a, alone) == pytest.approx((scale_ji_freq(F4), A_ON_THE_KEY, A_ON_THE_KEY))


def test_a_pitch_struck_again_while_held_keeps_its_frequency() -> None:
    tuner, settings = Tuner(), MusicalSettings(tuning="adaptive_ji")
    tuner.start((1, D4), settings)
    f = tuner.start((1, F4), settings)
    assert tuner.start((2, F4), settings) == f


def peak_frequency(signal: np.ndarray) -> float:
    windowed = signal * np.hanning(len(signal))
    size = 32 * len(signal)
    magnitude = np.abs(np.fft.rfft(windowed, size))
    return float(np.argmax(magnitude) * RATE / size)


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize(
    ("tuning", "expected"),
    [("chord_ji", A_OVER_KEY_F), ("adaptive_ji", A_OVER_HELD_F), ("global_ji", A_OVER_HELD_F)],
)
def test_the_rendered_a_sounds_at_the_tuning_s_frequency(
    tuning: str, expected: float, kind: str, tmp_path: Path
) -> None:
    """Two instruments play the phrase live; the A alone (F released) is measured."""
    store = Store()
    for _ in range(2):
        store.dispatch(AddInstrument("sine"))
        ident = store.state.instruments.items[-1].id
        store.dispatch(SetEnvelope(ident, "attack", 0.0))
        store.dispatch(SetEnvelope(ident, "release", 0.0))
    store.dispatch(SetTuning(tuning))  # type: ignore[arg-type]
    live = Live(store)
    first, second = InstrumentId(1), InstrumentId(2)
    engine = live.engine  # in time order, as the player sends them
    engine.note_on(first, D4, 1.0, at=0.0)
    engine.note_on(second, F4, 1.0, at=0.1)
    engine.note_off(first, D4, at=0.5)
    engine.note_on(first, A4, 1.0, at=0.6)
    engine.note_off(second, F4, at=1.0)
    engine.note_off(first, A4, at=2.0)
    audio = live.render(kind, 2.1, tmp_path)
    measured = peak_frequency(window(audio, 1.1, 1.9)[:, 0])
    print(f"{kind} {tuning}: A measured {measured:.2f} Hz, expected {expected:.2f} Hz")
    assert measured == pytest.approx(expected, rel=0.0005)  # the comma is 0.0125 apart
