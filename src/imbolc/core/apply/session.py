"""Handlers for the session's musical settings, humanize and click."""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from imbolc.core.actions import session as act
from imbolc.core.apply.common import put_session
from imbolc.core.apply.registry import Outcome, handles
from imbolc.core.effects import SESSION_SCOPE, SessionChanged
from imbolc.core.project import Project
from imbolc.core.targets import BPM_RANGE
from imbolc.core.validate import choice, flag, integer, real

KEYS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
SCALES = (
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
)
TUNINGS = ("equal", "scale_ji", "chord_ji", "adaptive_ji", "global_ji")
JI_FLAVORS = ("five_limit", "seven_limit", "pythagorean")


def _settings(project: Project, field: str, coalesce: bool = False, **values: Any) -> Outcome:
    session = project.session
    settings = replace(session.settings, **values)
    return Outcome(
        put_session(project, replace(session, settings=settings)),
        (SessionChanged(field),),
        SESSION_SCOPE,
        f"settings/{field}" if coalesce else None,
    )


@handles(act.SetBpm)
def set_bpm(project: Project, action: act.SetBpm) -> Outcome:
    bpm = real("bpm", action.bpm, *BPM_RANGE)
    return _settings(project, "bpm", coalesce=True, bpm=bpm)


@handles(act.SetKey)
def set_key(project: Project, action: act.SetKey) -> Outcome:
    return _settings(project, "key", key=choice("key", action.key, KEYS))


@handles(act.SetScale)
def set_scale(project: Project, action: act.SetScale) -> Outcome:
    return _settings(project, "scale", scale=choice("scale", action.scale, SCALES))


@handles(act.SetTuningA4)
def set_tuning_a4(project: Project, action: act.SetTuningA4) -> Outcome:
    hz = real("A4 tuning", action.hz, 400.0, 480.0)
    return _settings(project, "tuning", coalesce=True, tuning_a4=hz)


@handles(act.SetTimeSignature)
def set_time_signature(project: Project, action: act.SetTimeSignature) -> Outcome:
    numerator = integer("time signature numerator", action.numerator, 1, 32)
    denominator = choice("time signature denominator", action.denominator, (1, 2, 4, 8, 16, 32))
    return _settings(project, "time_signature", time_signature=(numerator, denominator))


@handles(act.SetTuning)
def set_tuning(project: Project, action: act.SetTuning) -> Outcome:
    return _settings(project, "tuning", tuning=choice("tuning", action.tuning, TUNINGS))


@handles(act.SetJiFlavor)
def set_ji_flavor(project: Project, action: act.SetJiFlavor) -> Outcome:
    flavor = choice("JI flavor", action.flavor, JI_FLAVORS)
    return _settings(project, "tuning", ji_flavor=flavor)


@handles(act.SetSnap)
def set_snap(project: Project, action: act.SetSnap) -> Outcome:
    return _settings(project, "snap", snap=flag("snap", action.snap))


@handles(act.SetHumanize)
def set_humanize(project: Project, action: act.SetHumanize) -> Outcome:
    velocity = real("humanize velocity", action.velocity, 0.0, 1.0)
    timing = real("humanize timing", action.timing, 0.0, 1.0)
    session = project.session
    humanize = replace(session.humanize, velocity=velocity, timing=timing)
    return Outcome(
        put_session(project, replace(session, humanize=humanize)),
        (SessionChanged("humanize"),),
        SESSION_SCOPE,
        "humanize",
    )


@handles(act.SetClick)
def set_click(project: Project, action: act.SetClick) -> Outcome:
    session = project.session
    click = replace(
        session.click,
        enabled=flag("click enabled", action.enabled),
        volume=real("click volume", action.volume, 0.0, 1.0),
        muted=flag("click muted", action.muted),
    )
    return Outcome(
        put_session(project, replace(session, click=click)),
        (SessionChanged("click"),),
        SESSION_SCOPE,
    )
