"""Pure music theory: keys, scales, tunings, note names, chords, euclidean rhythms and time.

Everything here is a pure function of its arguments, so the core, the engine and the UI can
share one definition of "what frequency is this note" and "how long is this bar".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import Literal

from imbolc.core.errors import InvalidAction, ValueOutOfRange, WrongType

TICKS_PER_BEAT = 960
"""Sequencer resolution: ticks per quarter note (one beat at any BPM)."""

MIDI_MIN = 0
MIDI_MAX = 127

# --------------------------------------------------------------------------------------------
# Keys and scales
# --------------------------------------------------------------------------------------------

Key = Literal["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
KEYS: tuple[Key, ...] = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
"""The 12 keys in pitch-class order, spelled with sharps (index = pitch class)."""

_KEY_PC: Mapping[str, int] = MappingProxyType({k: i for i, k in enumerate(KEYS)})

Scale = Literal[
    "major",
    "minor",
    "dorian",
    "phrygian",
    "lydian",
    "mixolydian",
    "aeolian",
    "locrian",
    "pentatonic",
    "blues",
    "chromatic",
]
SCALES: Mapping[Scale, tuple[int, ...]] = MappingProxyType(
    {
        "major": (0, 2, 4, 5, 7, 9, 11),
        "minor": (0, 2, 3, 5, 7, 8, 10),
        "dorian": (0, 2, 3, 5, 7, 9, 10),
        "phrygian": (0, 1, 3, 5, 7, 8, 10),
        "lydian": (0, 2, 4, 6, 7, 9, 11),
        "mixolydian": (0, 2, 4, 5, 7, 9, 10),
        "aeolian": (0, 2, 3, 5, 7, 8, 10),
        "locrian": (0, 1, 3, 5, 6, 8, 10),
        "pentatonic": (0, 2, 4, 7, 9),
        "blues": (0, 3, 5, 6, 7, 10),
        "chromatic": tuple(range(12)),
    }
)
"""Semitone intervals from the tonic for each scale ("minor" is natural minor = aeolian)."""


def key_pitch_class(key: Key) -> int:
    """Return the pitch class (0 = C … 11 = B) of a key's tonic."""
    try:
        return _KEY_PC[key]
    except (KeyError, TypeError):
        raise InvalidAction(f"unknown key {key!r}; expected one of {', '.join(KEYS)}") from None


def _scale_intervals(scale: Scale) -> tuple[int, ...]:
    try:
        return SCALES[scale]
    except (KeyError, TypeError):
        raise InvalidAction(
            f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}"
        ) from None


def scale_pitch_classes(key: Key, scale: Scale) -> frozenset[int]:
    """Return the pitch classes that belong to `scale` rooted on `key`."""
    tonic = key_pitch_class(key)
    return frozenset((tonic + iv) % 12 for iv in _scale_intervals(scale))


def in_scale(pitch: int, key: Key, scale: Scale) -> bool:
    """Tell whether a MIDI pitch's pitch class belongs to the scale."""
    return pitch % 12 in scale_pitch_classes(key, scale)


def snap_to_scale(pitch: int, key: Key, scale: Scale) -> int:
    """Move a pitch to the nearest scale tone (ties go down), staying within MIDI 0..127."""
    classes = scale_pitch_classes(key, scale)
    pitch = min(max(pitch, MIDI_MIN), MIDI_MAX)
    for distance in range(12):
        for candidate in (pitch - distance, pitch + distance):
            if MIDI_MIN <= candidate <= MIDI_MAX and candidate % 12 in classes:
                return candidate
    raise AssertionError("every scale has a tone in any octave")  # pragma: no cover


# --------------------------------------------------------------------------------------------
# Tuning
# --------------------------------------------------------------------------------------------

TuningSystem = Literal["equal", "scale_ji", "chord_ji", "adaptive_ji", "global_ji"]
TUNING_SYSTEMS: tuple[TuningSystem, ...] = (
    "equal",
    "scale_ji",
    "chord_ji",
    "adaptive_ji",
    "global_ji",
)

JiFlavor = Literal["five_limit", "seven_limit", "pythagorean"]
JI_FLAVORS: tuple[JiFlavor, ...] = ("five_limit", "seven_limit", "pythagorean")


def _ratios(*pairs: tuple[int, int]) -> tuple[Fraction, ...]:
    return tuple(Fraction(n, d) for n, d in pairs)


_FIVE_LIMIT = _ratios(
    (1, 1), (16, 15), (9, 8), (6, 5), (5, 4), (4, 3),
    (45, 32), (3, 2), (8, 5), (5, 3), (9, 5), (15, 8),
)  # fmt: skip

_PYTHAGOREAN = _ratios(
    (1, 1), (256, 243), (9, 8), (32, 27), (81, 64), (4, 3),
    (729, 512), (3, 2), (128, 81), (27, 16), (16, 9), (243, 128),
)  # fmt: skip

JI_RATIOS: Mapping[JiFlavor, tuple[Fraction, ...]] = MappingProxyType(
    {
        "five_limit": _FIVE_LIMIT,
        # Five-limit with the harmonic (7/4) minor seventh; the other intervals stay 5-limit.
        "seven_limit": (*_FIVE_LIMIT[:10], Fraction(7, 4), *_FIVE_LIMIT[11:]),
        "pythagorean": _PYTHAGOREAN,
    }
)
"""Just ratio of each of the 12 semitone intervals above the tonic, per JI flavor."""


def _flavor_ratios(flavor: JiFlavor) -> tuple[Fraction, ...]:
    try:
        return JI_RATIOS[flavor]
    except (KeyError, TypeError):
        raise InvalidAction(
            f"unknown JI flavor {flavor!r}; expected one of {', '.join(JI_FLAVORS)}"
        ) from None


def equal_freq(pitch: float, a4: float = 440.0) -> float:
    """Frequency of a (possibly fractional) MIDI pitch in 12-tone equal temperament."""
    return a4 * math.pow(2.0, (pitch - 69) / 12)


def scale_ji_freq(
    pitch: int, key: Key = "C", a4: float = 440.0, flavor: JiFlavor = "five_limit"
) -> float:
    """Frequency of `pitch` tuned by the flavor's ratio above the nearest tonic at or below it.

    The tonic itself stays on equal temperament so the key still agrees with `a4`.
    """
    ratios = _flavor_ratios(flavor)
    tonic_pc = key_pitch_class(key)
    octave, interval = divmod(pitch - tonic_pc, 12)
    tonic_freq = equal_freq(tonic_pc + 12 * octave, a4)
    return tonic_freq * float(ratios[interval])


ChordShape = Literal[
    "major", "minor", "seventh", "minor_seventh", "sus2", "sus4", "power", "octave"
]
CHORD_SHAPES: Mapping[ChordShape, tuple[int, ...]] = MappingProxyType(
    {
        "major": (0, 4, 7),
        "minor": (0, 3, 7),
        "seventh": (0, 4, 7, 10),
        "minor_seventh": (0, 3, 7, 10),
        "sus2": (0, 2, 7),
        "sus4": (0, 5, 7),
        "power": (0, 7),
        "octave": (0, 12),
    }
)
"""Semitone intervals above the root for each chord shape."""

# Shapes considered by chord detection, in tie-break order ("octave" says nothing about a root).
_DETECTABLE: tuple[ChordShape, ...] = (
    "major",
    "minor",
    "seventh",
    "minor_seventh",
    "sus2",
    "sus4",
    "power",
)


def detect_chord(pitches: Iterable[int]) -> tuple[int, ChordShape] | None:
    """Find the chord among sounding pitches: (lowest root pitch, shape), or None if no match.

    Each pitch class is tried as the root and scored against the detectable shapes by
    2 x (chord tones present) - (chord tones missing); the bass wins ties, then lower pitches.
    """
    ordered = sorted(set(pitches))
    classes: list[int] = []
    for p in ordered:
        if p % 12 not in classes:
            classes.append(p % 12)
    best: tuple[int, int, ChordShape] | None = None  # (score, root pitch class, shape)
    for root_pc in classes:  # bass first, so strict ">" keeps the bass on ties
        intervals = {(pc - root_pc) % 12 for pc in classes}
        for shape in _DETECTABLE:
            tones = set(CHORD_SHAPES[shape]) - {0}
            hit = len(tones & intervals)
            if hit == 0:
                continue
            score = 2 * hit - (len(tones) - hit)
            if best is None or score > best[0]:
                best = (score, root_pc, shape)
    if best is None:
        return None
    root_pitch = next(p for p in ordered if p % 12 == best[1])
    return root_pitch, best[2]


def chord_ji_freqs(
    pitches: Sequence[int],
    key: Key = "C",
    a4: float = 440.0,
    flavor: JiFlavor = "five_limit",
) -> dict[int, float]:
    """Tune sounding pitches as a chord: root by scale JI, chord tones by just ratios over it.

    Chord tones use the flavor's ratio for their interval above the root (so 5/4, 6/5, 3/2 and
    9/5, 7/4 or 16/9 for the minor seventh); pitches outside the detected chord use scale JI.
    Without a recognisable chord the lowest pitch is the root and only its octaves follow it.
    """
    ratios = _flavor_ratios(flavor)
    unique = sorted(set(pitches))
    if not unique:
        return {}
    detected = detect_chord(unique)
    if detected is None:
        root, chord_intervals = unique[0], frozenset({0})
    else:
        root, shape = detected
        chord_intervals = frozenset(iv % 12 for iv in CHORD_SHAPES[shape])
    root_freq = scale_ji_freq(root, key, a4, flavor)
    result: dict[int, float] = {}
    for p in unique:
        octave, interval = divmod(p - root, 12)
        if interval in chord_intervals:
            result[p] = math.ldexp(root_freq * float(ratios[interval]), octave)
        else:
            result[p] = scale_ji_freq(p, key, a4, flavor)
    return result


def pitch_to_freq(
    pitch: float,
    *,
    a4: float = 440.0,
    tuning: TuningSystem = "equal",
    key: Key = "C",
    flavor: JiFlavor = "five_limit",
    sounding: Iterable[int] = (),
) -> float:
    """Frequency of `pitch` under a tuning system, given the other pitches `sounding` now.

    Adaptive and global JI are computed exactly like chord JI here: they differ only by the
    continuity/drift the engine layers on top from each voice's previous frequency. A
    fractional pitch (pitch bend) is JI-tuned at its nearest semitone and bent in equal steps.
    """
    if tuning == "equal":
        return equal_freq(pitch, a4)
    nearest = round(pitch)
    bend = math.pow(2.0, (pitch - nearest) / 12)
    if tuning == "scale_ji":
        return scale_ji_freq(nearest, key, a4, flavor) * bend
    if tuning in ("chord_ji", "adaptive_ji", "global_ji"):
        freqs = chord_ji_freqs([*sounding, nearest], key, a4, flavor)
        return freqs[nearest] * bend
    raise InvalidAction(
        f"unknown tuning system {tuning!r}; expected one of {', '.join(TUNING_SYSTEMS)}"
    )


def cents(f_a: float, f_b: float) -> float:
    """Interval from `f_b` up to `f_a` in cents (1200 per octave); both must be positive."""
    for name, value in (("f_a", f_a), ("f_b", f_b)):
        if not value > 0:
            raise _not_positive(name, value)
    return 1200.0 * math.log2(f_a / f_b)


# --------------------------------------------------------------------------------------------
# Note names and chords
# --------------------------------------------------------------------------------------------

_NOTE_RE = re.compile(r"([A-G])([#B♯♭]?)(-?[0-9]+)", re.IGNORECASE)
_LETTER_PC: Mapping[str, int] = MappingProxyType(
    {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
)
_ACCIDENTAL: Mapping[str, int] = MappingProxyType({"": 0, "#": 1, "♯": 1, "B": -1, "♭": -1})


def _check_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise WrongType(name, value, "an int")
    return value


def _check_pitch(name: str, value: object) -> int:
    pitch = _check_int(name, value)
    if not MIDI_MIN <= pitch <= MIDI_MAX:
        raise ValueOutOfRange(name, pitch, MIDI_MIN, MIDI_MAX)
    return pitch


def note_name(pitch: int) -> str:
    """Name a MIDI pitch with sharps and scientific octave: 60 -> "C4", 0 -> "C-1"."""
    pitch = _check_pitch("pitch", pitch)
    octave, pc = divmod(pitch, 12)
    return f"{KEYS[pc]}{octave - 1}"


def parse_note_name(text: str) -> int:
    """Parse "c4", "A#3", "Bb2" or "C-1" into a MIDI pitch (sharps, flats, any letter case)."""
    if not isinstance(text, str):
        raise WrongType("note name", text, "a str")
    match = _NOTE_RE.fullmatch(text.strip())
    if match is None:
        raise InvalidAction(
            f"cannot parse note name {text!r}; expected a letter A-G, an optional # or b "
            "and an octave, like 'C4', 'A#3' or 'Bb2'"
        )
    letter, accidental, octave = match.groups()
    pitch = _LETTER_PC[letter.upper()] + _ACCIDENTAL[accidental.upper()] + 12 * (int(octave) + 1)
    if not MIDI_MIN <= pitch <= MIDI_MAX:
        raise ValueOutOfRange(f"note {text!r}", pitch, MIDI_MIN, MIDI_MAX)
    return pitch


def chord_pitches(root: int, shape: ChordShape) -> tuple[int, ...]:
    """Pitches of `shape` built on `root`, dropping any that fall outside MIDI 0..127."""
    try:
        intervals = CHORD_SHAPES[shape]
    except (KeyError, TypeError):
        raise InvalidAction(
            f"unknown chord shape {shape!r}; expected one of {', '.join(CHORD_SHAPES)}"
        ) from None
    return tuple(p for p in (root + iv for iv in intervals) if MIDI_MIN <= p <= MIDI_MAX)


# --------------------------------------------------------------------------------------------
# Rhythm and time
# --------------------------------------------------------------------------------------------

EUCLID_MAX_STEPS = 64


def euclidean(pulses: int, steps: int, rotation: int = 0) -> tuple[bool, ...]:
    """Spread `pulses` onsets as evenly as possible over `steps` (Bjorklund's algorithm).

    `rotation` shifts the pattern right (wrapping), so euclidean(3, 8) is x..x..x. and
    euclidean(3, 8, 1) is .x..x..x.
    """
    steps = _check_int("steps", steps)
    pulses = _check_int("pulses", pulses)
    rotation = _check_int("rotation", rotation)
    if not 1 <= steps <= EUCLID_MAX_STEPS:
        raise ValueOutOfRange("steps", steps, 1, EUCLID_MAX_STEPS)
    if not 0 <= pulses <= steps:
        raise ValueOutOfRange("pulses", pulses, 0, steps)
    groups: list[list[bool]] = [[True] for _ in range(pulses)]
    remainders: list[list[bool]] = [[False] for _ in range(steps - pulses)]
    while len(remainders) > 1 and groups:
        n = min(len(groups), len(remainders))
        paired = [groups[i] + remainders[i] for i in range(n)]
        remainders = groups[n:] if len(groups) > n else remainders[n:]
        groups = paired
    pattern = [step for group in groups + remainders for step in group]
    shift = rotation % steps
    return tuple(pattern[-shift:] + pattern[:-shift]) if shift else tuple(pattern)


def _not_positive(name: str, value: object) -> ValueOutOfRange:
    error = ValueOutOfRange(name, value, 0.0, math.inf)
    error.args = (f"{name} = {value!r} must be positive",)
    return error


def _check_bpm(bpm: float) -> None:
    if not (bpm > 0 and math.isfinite(bpm)):
        raise _not_positive("bpm", bpm)


def ticks_to_seconds(ticks: float, bpm: float, tpb: int = TICKS_PER_BEAT) -> float:
    """Duration of `ticks` at `bpm` quarter-note beats per minute and `tpb` ticks per beat."""
    _check_bpm(bpm)
    return ticks * 60.0 / (tpb * bpm)


def seconds_to_ticks(seconds: float, bpm: float, tpb: int = TICKS_PER_BEAT) -> float:
    """Ticks elapsed in `seconds` at `bpm` (fractional; callers round as they need)."""
    _check_bpm(bpm)
    return seconds * bpm * tpb / 60.0


BAR_DENOMINATORS = (1, 2, 4, 8, 16, 32, 64)
MAX_NUMERATOR = 255


def bar_ticks(numerator: int, denominator: int) -> int:
    """Ticks in one bar of `numerator`/`denominator` time (a beat is a quarter note)."""
    numerator = _check_int("numerator", numerator)
    denominator = _check_int("denominator", denominator)
    if not 1 <= numerator <= MAX_NUMERATOR:
        raise ValueOutOfRange("numerator", numerator, 1, MAX_NUMERATOR)
    if denominator not in BAR_DENOMINATORS:
        raise InvalidAction(
            f"time signature denominator {denominator!r} must be one of "
            f"{', '.join(map(str, BAR_DENOMINATORS))}"
        )
    return numerator * TICKS_PER_BEAT * 4 // denominator
