"""Every imbolc SynthDef, built in Python with supriya, and the one argument contract they share.

Sources (``imbolc_<source>``, plus ``_mono`` for saw, sin, sqr, tri, noise and pulse)
    ``out``
        first audio bus written, with ``OffsetOut`` (sample-accurate onsets); stereo pair
        ``out``/``out+1``, or one channel for ``_mono`` variants.
    ``freq``
        note pitch in Hz. Drums keep their own catalog ``freq`` (their tuning; the engine does
        not send note pitch to unpitched sources). Sources without a pitch ignore it.
    ``amp``
        level 0..1 (the catalog default where the source has one, else 1).
    ``gate``
        1 holds the note, 0 releases it. The ADSR frees the synth (done action 2) at the end
        of its release.
    ``velocity``
        0..1, default 1; scales the level and, where an instrument would, its brightness.
    ``env_attack``, ``env_decay``, ``env_sustain``, ``env_release``
        the ADSR, defaulting to the catalog envelope of the source. Attack and release are
        never shorter than 5 ms. They are prefixed because ``decay`` is a catalog parameter
        of Pluck, the plucked strings and every drum (string/drum decay time).
    ``lag``
        seconds of smoothing (default 0.02) on ``freq``, ``amp`` and every continuous
        parameter, so knob moves and reused voices glide instead of stepping.
    every catalog parameter of the source, under its catalog name with its catalog default.

    Drums are one-shots that also free themselves when their own ``decay`` has run out.
    Extra, non-catalog arguments: samplers read a **stereo** buffer ``buffer`` (load a
    mono file with ``/b_allocReadChannel <buf> <path> 0 0 0 0``) over the slice
    ``start``..``end`` (fractions 0..1); the pitched sampler and time-stretch play at their
    recorded speed when ``freq`` equals ``root_freq`` (middle C); the kit one-shot plays its
    slice once at ``rate`` (negative = reversed) and frees itself. ``imbolc_bus_in`` reads
    the stereo audio bus ``in_bus`` (resolved by the engine from the catalog ``bus``). The
    wavetable source morphs across 8 consecutive wavetable-format buffers from
    ``table_base`` (100; ``/b_gen <buf> sine1 7 ...``). A missing buffer makes these
    sources silent, never crashes the server.

Modulation (every source, filter, effect and the strip ``level``/``pan``)
    Each continuous (float) parameter ``p`` also has ``p_mod_in`` (a control-bus number,
    default 0) and ``p_mod_depth`` (default 0). The bus value times the depth is added to the
    parameter in its own unit, except for parameters in Hz (``freq``, ``cutoff``...) where it
    is octaves: ``freq * 2 ** (bus * depth)``. The result is clipped to the catalog range.
    With depth 0 the bus is multiplied away, so an unused pair costs nothing to set up; the
    engine writes a bipolar LFO (``imbolc_lfo``) to a control bus and sets the two values.
    Int, bool and choice parameters are neither smoothed nor modulated.

Filters and effects (``imbolc_<name>``, plus ``_mono`` where the catalog says so)
    ``in_bus``, ``out_bus``
        audio buses (stereo pair, or one channel for ``_mono``). The stage reads ``in_bus``
        and writes ``out_bus`` with ``ReplaceOut``; a chain passes ``in_bus == out_bus`` to
        process in place.
    ``enabled``
        1 processes, 0 passes the input through unchanged after a 20 ms cross-fade, so
        bypass never clicks. The engine may additionally pause an in-place stage
        (``/n_run 0``) once the fade is over to save CPU: a paused in-place stage leaves its
        bus untouched, which is the same bypass.
    ``lag``
        parameter smoothing, as for sources.
    ``mix``
        where the catalog has it, the dry/wet balance (the DSP itself is fully wet).
    every catalog parameter under its catalog name with its catalog default. Side-chain
    effects take the catalog choice (``sc_bus``, ``key_instrument``, ``bus_b``: 0 = none)
    plus the stereo audio bus the engine resolved for it (``sc_in``, ``b_in``) and whether
    one was (``keyed``, ``b_on``); they read it with InFeedback, as ``imbolc_bus_in`` does.
    Other extras: the vocoder's built-in carrier pitch ``carrier_freq`` (110 Hz) and the
    granular freeze's ``hold``.
    The convolution reverb's extra ``ir_buffer`` is a spectrum buffer allocated before the
    synth starts and filled with ``/b_gen <buf> PreparePartConv <ir> 2048`` (in place, which
    a running synth picks up); -1 means none. Delay lines and the granular/glitch recorders
    take up to ~1 MB each of the server's real-time memory, so give scsynth ``-m`` room
    (64 MB or more).

System SynthDefs
    ``imbolc_output[_mono]`` and ``imbolc_bus_out``: ``in_bus`` -> ``level``, ``pan``,
    ``mute`` (smoothed by ``lag``) -> summed into stereo ``out_bus``. A stereo strip at pan 0
    and level 1 is unity (panning turns the far side down); a mono one pans at equal power.
    ``imbolc_send[_mono]``: ``in_bus`` -> ``level`` -> summed into stereo ``out_bus``; the
    engine taps pre or post by choosing ``in_bus``.
    ``imbolc_meter``: peak/RMS of stereo ``in_bus`` sent ``rate`` times a second to
    ``/imbolc/meter``. ``imbolc_disk_record``: stereo ``in_bus`` to DiskOut ``buffer``.
    ``imbolc_safety``: the master guard, on ``bus`` in place: NaN/inf replaced by 0
    (reported once per episode to ``/imbolc/bad_values``), levels beyond +24 dBFS cut, DC
    removed (a 4 Hz blocker), a limiter at ``ceiling`` 0.95, then every sample clipped to
    0 dBFS, so nothing non-finite or over full scale leaves the master.
    ``imbolc_click``: metronome blip (``freq``, ``amp``, ``accent``) to stereo ``out``.
    ``imbolc_lfo``: bipolar sine/square/saw/triangle (``shape`` 0-3) at ``rate`` times
    ``depth`` to control bus ``out``. ``imbolc_eq12[_mono]``: the instrument's 12-band EQ
    (``b<n>_freq``, ``b<n>_gain``, ``b<n>_q``, ``b<n>_on``) with the processor contract.

There is no separate voice-control synth: sources take ``freq``, ``gate`` and ``velocity``
directly, so a voice is one node and a note-on is one ``/s_new`` (a negative ``gate`` forces
a release in ``-gate - 1`` seconds, as EnvGen does). Every UGen used ships with scsynth's core
plugins; none needs sc3-plugins. ``UNAVAILABLE`` (SynthDef name -> reason) is empty: entries
that need outside material take it as a buffer or bus argument.
"""

from __future__ import annotations

from imbolc.engine.synthdefs.registry import (
    UNAVAILABLE,
    Kind,
    NoMonoVariant,
    SynthDefUnavailable,
    UnknownSynthDef,
    all_synthdefs,
    compiled_bytes,
    synthdef_for,
    synthdef_names,
    ugens_used,
)

__all__ = [
    "UGENS_USED",
    "UNAVAILABLE",
    "Kind",
    "NoMonoVariant",
    "SynthDefUnavailable",
    "UnknownSynthDef",
    "all_synthdefs",
    "compiled_bytes",
    "synthdef_for",
    "synthdef_names",
    "ugens_used",
]


def __getattr__(name: str) -> dict[str, frozenset[str]]:
    """``UGENS_USED`` (SynthDef name -> UGen class names) is computed on first access."""
    if name == "UGENS_USED":
        return ugens_used()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
