"""Actions on the session's musical settings, humanize and click."""

from __future__ import annotations

from imbolc.core.actions.base import Action
from imbolc.core.ids import InstrumentId
from imbolc.core.midi_map import CcMapping, PitchBendConfig
from imbolc.core.session import JiFlavorName, Key, ScaleName, Tuning


class SetBpm(Action, frozen=True):
    """Set the tempo (20..999 BPM)."""

    bpm: float


class SetKey(Action, frozen=True):
    """Set the key."""

    key: Key


class SetScale(Action, frozen=True):
    """Set the scale."""

    scale: ScaleName


class SetTuningA4(Action, frozen=True):
    """Set the reference pitch of A4 in Hz (400..480)."""

    hz: float


class SetTimeSignature(Action, frozen=True):
    """Set the meter, e.g. 3/4 or 7/8."""

    numerator: int
    denominator: int


class SetTuning(Action, frozen=True):
    """Set the tuning system."""

    tuning: Tuning


class SetJiFlavor(Action, frozen=True):
    """Set the ratio table used by the just-intonation tunings."""

    flavor: JiFlavorName


class SetSnap(Action, frozen=True):
    """Snap entered notes to the scale."""

    snap: bool


class SetHumanize(Action, frozen=True):
    """Set velocity and timing humanize (0..1 each)."""

    velocity: float
    timing: float


class SetClick(Action, frozen=True):
    """Set the metronome."""

    enabled: bool
    volume: float = 0.7
    muted: bool = False


class AddCcMapping(Action, frozen=True):
    """Map a MIDI controller to a target (replaces the mapping of that CC and channel)."""

    mapping: CcMapping


class RemoveCcMapping(Action, frozen=True):
    """Forget the mapping of a CC (on a channel, or the channel-less one)."""

    cc: int
    channel: int | None = None


class SetPitchBend(Action, frozen=True):
    """Send the pitch wheel to a target (None: the wheel bends nothing)."""

    config: PitchBendConfig | None


class SetMidiInput(Action, frozen=True):
    """Which instrument plays incoming notes (None: the selected one), and the channel filter."""

    live_input_instrument: InstrumentId | None
    note_passthrough: bool = True
    channel_filter: int | None = None


class SetChannelInstrument(Action, frozen=True):
    """Route one MIDI channel's notes to an instrument (None: back to the live input one)."""

    channel: int
    instrument_id: InstrumentId | None


ACTIONS: tuple[type[Action], ...] = (
    SetBpm,
    SetKey,
    SetScale,
    SetTuningA4,
    SetTimeSignature,
    SetTuning,
    SetJiFlavor,
    SetSnap,
    SetHumanize,
    SetClick,
    AddCcMapping,
    RemoveCcMapping,
    SetPitchBend,
    SetMidiInput,
    SetChannelInstrument,
)
