# mypy: disable-error-code="attr-defined, no-any-return, no-untyped-call"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""System SynthDefs: mixer strips, sends, bus outputs, metering, recording, the master safety
stage, the metronome click, the LFO and the instrument's 12-band EQ."""

from __future__ import annotations

from collections.abc import Callable

from supriya import Envelope
from supriya.ugens import (
    A2K,
    BHiShelf,
    BLowShelf,
    BPeakEQ,
    CheckBadValues,
    DiskOut,
    EnvGen,
    In,
    Lag,
    LeakDC,
    LFPulse,
    LFSaw,
    LFTri,
    Limiter,
    OffsetOut,
    Out,
    Pan2,
    ReplaceOut,
    Sanitize,
    Select,
    SendPeakRMS,
    SendReply,
    SinOsc,
    SynthDef,
)

from imbolc.core.catalog import ParamSpec
from imbolc.engine.synthdefs.contract import (
    DEFAULT_LAG,
    ENABLE_FADE,
    PROCESSOR_ARGS,
    Controls,
    Signal,
    build_system,
)

__all__ = [
    "BAD_VALUES_ADDRESS",
    "EQ_BANDS",
    "GUARD_PEAK",
    "METER_ADDRESS",
    "SAFETY_CEILING",
    "SYSTEM_BUILDERS",
]

METER_ADDRESS = "/imbolc/meter"
"""``imbolc_meter`` replies ``[node, reply_id, peak_l, rms_l, peak_r, rms_r]`` here."""
BAD_VALUES_ADDRESS = "/imbolc/bad_values"
"""``imbolc_safety`` replies ``[node, reply_id, 1]`` here when NaN or inf reach master."""
SAFETY_CEILING = 0.95
"""Peak level the master safety limiter never lets through."""
GUARD_PEAK = 1.0
"""0 dBFS: the master guard clips every sample into -1..1 after the limiter."""
GUARD_HEADROOM = 16.0
"""Level (+24 dBFS) above which master samples are cut before the DC blocker and limiter."""
MASTER_DC_COEF = 0.9995
"""Pole of the master DC blocker (about 4 Hz at 48 kHz, inaudible)."""
EQ_BANDS = 12
"""Bands of ``imbolc_eq12``: band 0 is a low shelf, band 11 a high shelf, the rest peaks."""

_LEVEL = ParamSpec("level", 0.8, 0.0, 2.0)
_PAN = ParamSpec("pan", 0.0, -1.0, 1.0)
_STRIP = {"in_bus": 0.0, "out_bus": 0.0, "mute": 0.0, "lag": DEFAULT_LAG}
_SEND = {"in_bus": 0.0, "out_bus": 0.0, "mute": 0.0, "lag": DEFAULT_LAG}
_HALF_PI = 1.5707963267948966
_EQ_DEFAULT_FREQS = (40, 80, 160, 320, 640, 1200, 2500, 5000, 8000, 12000, 16000, 18000)


def _strip_gain(controls: Controls) -> tuple[Signal, Signal]:
    """(gain, pan) of a mixer strip: level (modulatable) silenced by mute, both smoothed."""
    unmuted = 1.0 - controls.arg("mute", 0.0).clip(0.0, 1.0)
    gain = controls.param(_LEVEL) * Lag.kr(
        source=unmuted, lag_time=controls.arg("lag", DEFAULT_LAG)
    )
    return gain, controls.param(_PAN)


def _balance(left: Signal, right: Signal, pan: Signal, gain: Signal) -> list[Signal]:
    """Stereo balance that is unity at the centre: panning only turns the far side down.

    (SuperCollider's Balance2 is equal-power, 3 dB down at the centre, which would make a
    strip at level 1 quieter than its input.)
    """
    left_gain = (pan.clip(0.0, 1.0) * _HALF_PI).cos()
    right_gain = ((0.0 - pan).clip(0.0, 1.0) * _HALF_PI).cos()
    return [left * left_gain * gain, right * right_gain * gain]


def _output(channels: int) -> Callable[[Controls], None]:
    """A strip: a mono input is panned at equal power (-3 dB centre), a stereo one balanced."""

    def body(controls: Controls) -> None:
        gain, pan = _strip_gain(controls)
        source = In.ar(bus=controls.arg("in_bus", 0.0), channel_count=channels)
        if channels == 1:
            pair = list(Pan2.ar(source=source, position=pan, level=gain))
        else:
            pair = _balance(source[0], source[1], pan, gain)
        Out.ar(bus=controls.arg("out_bus", 0.0), source=pair)

    return body


def _send(channels: int) -> Callable[[Controls], None]:
    """A send: ``level`` times ``strip`` (the strip's level for a post-fader tap, 1 pre-fader),
    silenced by ``mute`` (the instrument's effective mute for this send) like a strip."""

    def body(controls: Controls) -> None:
        unmuted = 1.0 - controls.arg("mute", 0.0).clip(0.0, 1.0)
        level = (
            controls.param(ParamSpec("level", 1.0, 0.0, 2.0))
            * controls.param(ParamSpec("strip", 1.0, 0.0, 2.0))
            * Lag.kr(source=unmuted, lag_time=controls.arg("lag", DEFAULT_LAG))
        )
        source = In.ar(bus=controls.arg("in_bus", 0.0), channel_count=channels)
        if channels == 1:
            pair = list(Pan2.ar(source=source, position=0.0, level=level))
        else:
            pair = [channel * level for channel in source]
        Out.ar(bus=controls.arg("out_bus", 0.0), source=pair)

    return body


def _meter(controls: Controls) -> None:
    SendPeakRMS.kr(
        source=list(In.ar(bus=controls.arg("in_bus", 0.0), channel_count=2)),
        reply_rate=controls.arg("rate", 30.0),
        peak_lag=3,
        command_name=METER_ADDRESS,
        reply_id=controls.arg("reply_id", -1.0),
    )


def _disk_record(controls: Controls) -> None:
    source = In.ar(bus=controls.arg("in_bus", 0.0), channel_count=2)
    DiskOut.ar(buffer_id=controls.arg("buffer", 0.0), source=list(source))


def _safety(controls: Controls) -> None:
    """The master guard: report NaN/inf, replace them by 0, clip absurd levels, remove DC,
    limit to ``ceiling`` and finally clip to 0 dBFS, so nothing non-finite or over full scale
    reaches the speakers or a file whatever a stage upstream does."""
    bus = controls.arg("bus", 0.0)
    raw = list(In.ar(bus=bus, channel_count=2))
    bad = [CheckBadValues.ar(source=channel, ugen_id=0, post_mode=0) for channel in raw]
    flagged = A2K.kr(source=(bad[0] + bad[1]) > 0)
    SendReply.kr(
        trigger=flagged,
        command_name=BAD_VALUES_ADDRESS,
        reply_id=controls.arg("reply_id", -1.0),
        source=[flagged],
    )
    ceiling = controls.arg("ceiling", SAFETY_CEILING)
    guarded = []
    for channel in raw:
        # A runaway value would hold the DC blocker's state (and the limiter's gain) for
        # seconds: it is cut to GUARD_HEADROOM first.
        tamed = Sanitize.ar(source=channel, replace=0.0).clip2(GUARD_HEADROOM)
        centred = LeakDC.ar(source=tamed, coefficient=MASTER_DC_COEF)
        limited = Limiter.ar(source=centred, level=ceiling, duration=0.01)
        guarded.append(Sanitize.ar(source=limited, replace=0.0).clip2(GUARD_PEAK))
    ReplaceOut.ar(bus=bus, source=guarded)


def _click(controls: Controls) -> None:
    accent = controls.arg("accent", 0.0).clip(0.0, 1.0)
    freq = controls.arg("freq", 1000.0) * (1.0 + accent * 0.5)
    level = controls.arg("amp", 0.5) * (0.6 + accent * 0.4)
    envelope = Envelope.percussive(attack_time=0.001, release_time=0.05)
    blip = SinOsc.ar(frequency=freq) * EnvGen.kr(envelope=envelope, done_action=2) * level
    OffsetOut.ar(bus=controls.arg("out", 0.0), source=[blip, blip])


def _lfo(controls: Controls) -> None:
    rate = controls.param(ParamSpec("rate", 2.0, 0.01, 50.0, "Hz"))
    shapes = [
        SinOsc.kr(frequency=rate),
        LFPulse.kr(frequency=rate) * 2.0 - 1.0,
        LFSaw.kr(frequency=rate),
        LFTri.kr(frequency=rate),
    ]
    wave = Select.kr(selector=controls.arg("shape", 0.0).clip(0, 3), sources=shapes)
    depth = controls.param(ParamSpec("depth", 0.5, 0.0, 1.0))
    Out.kr(bus=controls.arg("out", 0.0), source=[wave * depth])


def _eq12(channels: int) -> Callable[[Controls], None]:
    def body(controls: Controls) -> None:
        dry = list(In.ar(bus=controls.arg("in_bus", 0.0), channel_count=channels))
        wet = dry
        for band, default in enumerate(_EQ_DEFAULT_FREQS):
            freq = controls.param(ParamSpec(f"b{band}_freq", default, 20.0, 20000.0, "Hz"))
            gain = controls.param(ParamSpec(f"b{band}_gain", 0.0, -24.0, 24.0, "dB"))
            shelf = band in (0, EQ_BANDS - 1)
            q = controls.param(ParamSpec(f"b{band}_q", 0.7 if shelf else 1.0, 0.1, 10.0))
            gain = gain * controls.arg(f"b{band}_on", 1.0).clip(0.0, 1.0)
            wet = [_eq_band(band, x, freq, q, gain) for x in wet]
        on = Lag.kr(source=controls.arg("enabled", 1.0).clip(0.0, 1.0), lag_time=ENABLE_FADE)
        result = [d + (w - d) * on for d, w in zip(dry, wet, strict=True)]
        ReplaceOut.ar(bus=controls.arg("out_bus", 0.0), source=result)

    return body


def _eq_band(band: int, x: Signal, freq: Signal, q: Signal, gain: Signal) -> Signal:
    if band == 0:
        return BLowShelf.ar(source=x, frequency=freq, reciprocal_of_s=q.reciprocal(), gain=gain)
    if band == EQ_BANDS - 1:
        return BHiShelf.ar(source=x, frequency=freq, reciprocal_of_s=q.reciprocal(), gain=gain)
    return BPeakEQ.ar(source=x, frequency=freq, reciprocal_of_q=q.reciprocal(), gain=gain)


def _system(name: str, defaults: dict[str, float], body: Callable[[Controls], None]) -> SynthDef:
    return build_system(name, defaults, body)


SYSTEM_BUILDERS: dict[str, Callable[[], SynthDef]] = {
    "imbolc_output": lambda: _system("imbolc_output", _STRIP, _output(2)),
    "imbolc_output_mono": lambda: _system("imbolc_output_mono", _STRIP, _output(1)),
    "imbolc_send": lambda: _system("imbolc_send", _SEND, _send(2)),
    "imbolc_send_mono": lambda: _system("imbolc_send_mono", _SEND, _send(1)),
    "imbolc_bus_out": lambda: _system("imbolc_bus_out", _STRIP, _output(2)),
    "imbolc_meter": lambda: _system("imbolc_meter", {"in_bus": 0.0}, _meter),
    "imbolc_disk_record": lambda: _system("imbolc_disk_record", {"in_bus": 0.0}, _disk_record),
    "imbolc_safety": lambda: _system("imbolc_safety", {"bus": 0.0}, _safety),
    "imbolc_click": lambda: _system("imbolc_click", {"out": 0.0}, _click),
    "imbolc_lfo": lambda: _system("imbolc_lfo", {"out": 0.0, "lag": DEFAULT_LAG}, _lfo),
    "imbolc_eq12": lambda: _system("imbolc_eq12", dict(PROCESSOR_ARGS), _eq12(2)),
    "imbolc_eq12_mono": lambda: _system("imbolc_eq12_mono", dict(PROCESSOR_ARGS), _eq12(1)),
}
"""Every system SynthDef's builder, by SynthDef name."""
