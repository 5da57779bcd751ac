"""Every action in the registry is reachable from the keys.

For each action class there is a key script, pressed from app start on the demo song; the
test asserts that the keys dispatched that action and that the project changed as the
action should. The list comes from the registry, so a new action without keys fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
import soundfile
from tui_fakes import DEMO, AppFactory

from imbolc.core.actions import ACTION_TYPES
from imbolc.core.instrument import (
    EffectStage,
    EqStage,
    FilterStage,
    Instrument,
    Send,
    default_eq_bands,
)
from imbolc.core.kit import KitConfig
from imbolc.core.mixer import Bus
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.project import Project
from imbolc.core.store import Commit, Store
from imbolc.tui.panes.editor_rows import editor_rows
from imbolc.tui.panes.play_rows import play_rows
from imbolc.tui.panes.settings import SETTINGS

KEYED_OVER_JACK = frozenset({"AddCcMapping", "RemoveCcMapping"})
JACK_REASON = "keyed in tests/tui/test_midi_pane.py, learning from a knob on real JACK ports"
CLEAR = ("end", "ctrl+u")
"""Keys that empty a prompt's text."""
SAMPLE = "<sample>"
"""Stands for the path of a sound file made for the test (typed a character a key)."""

REVERB = 1
STEP = TICKS_PER_BEAT // 4
"""The piano roll's cursor step at its first zoom."""

Check = Callable[[Project, Project], bool]


class Script(NamedTuple):
    """Keys pressed from app start, and what they must have done (before, after)."""

    keys: tuple[str, ...]
    changed: Check


def inst(project: Project, ident: int) -> Instrument:
    found = project.instruments.get(ident)
    assert found is not None
    return found


def bus(project: Project, ident: int) -> Bus:
    found = project.session.mixer.bus(ident)
    assert found is not None
    return found


def notes(project: Project, ident: int) -> tuple[Note, ...]:
    track = project.session.piano_roll.track(ident)
    return () if track is None else track.notes


def kit(project: Project) -> KitConfig:
    found = inst(project, 1).kit
    assert found is not None
    return found


def kit_pattern(project: Project) -> object:
    return kit(project).patterns[kit(project).current_pattern]


def send(project: Project, ident: int) -> Send:
    found = inst(project, ident).mixer.send(REVERB)
    assert found is not None
    return found


def effect(project: Project, ident: int, position: int) -> EffectStage:
    stage = inst(project, ident).chain[position]
    assert isinstance(stage, EffectStage)
    return stage


def filter_stage(project: Project, ident: int, position: int) -> FilterStage:
    stage = inst(project, ident).chain[position]
    assert isinstance(stage, FilterStage)
    return stage


def eq(project: Project, ident: int, position: int) -> EqStage:
    stage = inst(project, ident).chain[position]
    assert isinstance(stage, EqStage)
    return stage


def editor(position: int, section: str, label: str, *keys: str) -> tuple[str, ...]:
    """Open the editor on the instrument at ``position``, go to a row, then press ``keys``."""
    rows = (
        *editor_rows(DEMO.instruments.items[position]),
        *play_rows(DEMO.instruments.items[position]),
    )
    index = next(n for n, r in enumerate(rows) if r.section.endswith(section) and r.label == label)
    return ("down",) * position + ("enter",) + ("down",) * index + keys


def setting(label: str, *keys: str) -> tuple[str, ...]:
    """Open the session settings on row ``label``, then press ``keys``."""
    index = next(n for n, name in enumerate(SETTINGS) if name.label == label)
    return ("ctrl+e",) + ("down",) * index + keys


BASS_EDITOR = ("down", "enter")
BELL_ROLL = ("down",) * 4 + ("f2",)
MIXER, BUSES, DRUMS, ARRANGE = ("f4",), ("ctrl+o",), ("f2",), ("f3", "down")
AUTOMATION, TEMPO, MIDI = ("f7",), ("ctrl+t",) + ("right",) * 4, ("f10",)

# fmt: off
SCRIPTS: dict[str, Script] = {
    # instruments (F1)
    "AddInstrument": Script(("a", "enter"), lambda b, a: len(a.instruments.items) == 6),
    "DeleteInstrument": Script(("d",), lambda b, a: 1 not in a.instruments),
    "RenameInstrument": Script(("r", "X", "enter"), lambda b, a: inst(a, 1).name == "X"),
    "LinkLayer": Script(("l",), lambda b, a: inst(a, 1).layer_group == inst(a, 2).layer_group
                        is not None),
    "UnlinkLayer": Script(("l", "L"), lambda b, a: inst(a, 1).layer_group is None),
    "SetOctaveOffset": Script(("+",), lambda b, a: inst(a, 1).octave_offset == 1),
    # the instrument editor (Enter), on Bass
    "SetSourceParam": Script(editor(1, "Source", "amp", "right"),
                             lambda b, a: inst(a, 2).source_param("amp") == 0.51),
    "SetEnvelope": Script(editor(1, "Envelope", "attack", "right"),
                          lambda b, a: inst(a, 2).envelope.attack > inst(b, 2).envelope.attack),
    "SetLfoParam": Script(editor(1, "LFO", "depth", "left"),
                          lambda b, a: inst(a, 2).lfo.depth == 0.49),
    "SetLfoShape": Script((*BASS_EDITOR, "s"),
                          lambda b, a: inst(a, 2).lfo.shape != inst(b, 2).lfo.shape),
    "SetLfoTarget": Script((*BASS_EDITOR, "m"),
                           lambda b, a: inst(a, 2).lfo.target != inst(b, 2).lfo.target),
    "SetLfoEnabled": Script((*BASS_EDITOR, "l"),
                            lambda b, a: inst(a, 2).lfo.enabled != inst(b, 2).lfo.enabled),
    "SetPolyphonic": Script((*BASS_EDITOR, "p"), lambda b, a: not inst(a, 2).polyphonic),
    "SetVoiceCap": Script(editor(1, "Voice", "voice cap", "left"),
                          lambda b, a: inst(a, 2).voice_cap == 23),
    "SetChannels": Script((*BASS_EDITOR, "c"), lambda b, a: inst(a, 2).channels == "mono"),
    "SetInstrumentActive": Script((*BASS_EDITOR, "x"), lambda b, a: not inst(a, 2).active),
    "SetArpeggiator": Script(editor(1, "Arpeggiator", "enabled", "right"),
                             lambda b, a: inst(a, 2).arpeggiator.enabled),
    "SetChordShape": Script(editor(1, "Chord", "shape", "right"),
                            lambda b, a: inst(a, 2).chord_shape == "major"),
    "SetGroove": Script(editor(1, "Groove", "swing", "right"),
                        lambda b, a: inst(a, 2).groove.swing == 0.01),
    "AddFilter": Script((*BASS_EDITOR, "f", "enter"),
                        lambda b, a: len(inst(a, 2).chain) == len(inst(b, 2).chain) + 1),
    "AddEq": Script((*BASS_EDITOR, "e"), lambda b, a: isinstance(inst(a, 2).chain[-1], EqStage)),
    "AddEffect": Script((*BASS_EDITOR, "a", *"reverb", "enter"),
                        lambda b, a: effect(a, 2, -1).effect_type == "reverb"),
    "RemoveStage": Script(editor(1, "Low-Pass filter", "cutoff", "d"),
                          lambda b, a: [s.id for s in inst(a, 2).chain] == [2]),
    "MoveStage": Script(editor(1, "Low-Pass filter", "enabled", "ctrl+down"),
                        lambda b, a: [s.id for s in inst(a, 2).chain] == [2, 1]),
    "SetStageEnabled": Script(editor(1, "Low-Pass filter", "enabled", "b"),
                              lambda b, a: not inst(a, 2).chain[0].enabled),
    "SetStageParam": Script(editor(1, "Distortion", "mix", "right"),
                            lambda b, a: inst(a, 2).chain[1].params[-1].value == 0.26),
    "SetFilterType": Script(editor(1, "Low-Pass filter", "enabled", "t"),
                            lambda b, a: filter_stage(a, 2, 0).filter_type != "lpf"),
    "SetEqBand": Script((*BASS_EDITOR, "e", "down", "right"),
                        lambda b, a: eq(a, 2, -1).bands[0].freq
                        > default_eq_bands()[0].freq),
    # the mixer (F4), on the Drums strip
    "SetMixerLevel": Script((*MIXER, "up"),
                            lambda b, a: inst(a, 1).mixer.level == inst(b, 1).mixer.level + 0.01),
    "SetMixerPan": Script((*MIXER, "p"), lambda b, a: inst(a, 1).mixer.pan == 0.05),
    "SetMixerMute": Script((*MIXER, "m"), lambda b, a: inst(a, 1).mixer.mute),
    "SetMixerSolo": Script((*MIXER, "s"), lambda b, a: inst(a, 1).mixer.solo),
    "SetOutput": Script((*MIXER, "o"), lambda b, a: inst(a, 1).mixer.output_bus == REVERB),
    "SetSendLevel": Script((*MIXER, "t"),
                           lambda b, a: send(a, 1).level == 0.05),
    "SetSendEnabled": Script((*MIXER, "e"),
                             lambda b, a: send(a, 1).enabled),
    "SetSendTap": Script((*MIXER, "f"),
                         lambda b, a: send(a, 1).tap == "pre"),
    # the bus manager (Ctrl+O), on the Reverb bus
    "AddBus": Script((*BUSES, "n"),
                     lambda b, a: len(a.session.mixer.buses) == len(b.session.mixer.buses) + 1),
    "RemoveBus": Script((*BUSES, "D", "y"),
                        lambda b, a: a.session.mixer.bus(REVERB) is None
                        and not send(a, 3).enabled),
    "RenameBus": Script((*BUSES, "r", "X", "enter"), lambda b, a: bus(a, REVERB).name == "X"),
    "AddBusEffect": Script((*BUSES, "a", *"delay", "enter"),
                           lambda b, a: [e.effect_type for e in bus(a, REVERB).effects]
                           == ["reverb", "delay"]),
    "RemoveBusEffect": Script((*BUSES, "down", "down", "down", "d"),
                              lambda b, a: bus(a, REVERB).effects == ()),
    "MoveBusEffect": Script((*BUSES, "a", *"delay", "enter", "ctrl+up"),
                            lambda b, a: [e.effect_type for e in bus(a, REVERB).effects]
                            == ["delay", "reverb"]),
    "SetBusEffectEnabled": Script((*BUSES, "down", "down", "down", "b"),
                                  lambda b, a: not bus(a, REVERB).effects[0].enabled),
    "SetBusEffectParam": Script((*BUSES, "down", "down", "down", "down", "right"),
                                lambda b, a: bus(a, REVERB).effects[0].params[0].value == 0.51),
    # the piano roll (F2), on Bell, whose first beat is empty
    "AddNote": Script((*BELL_ROLL, "enter"), lambda b, a: len(notes(a, 5)) == 5),
    "RemoveNote": Script((*BELL_ROLL, "enter", "enter"), lambda b, a: notes(a, 5) == notes(b, 5)),
    "ReplaceNote": Script((*BELL_ROLL, "enter", "+"),
                          lambda b, a: sorted(n.velocity for n in notes(a, 5))[-1] == 108),
    "AddNotes": Script((*BELL_ROLL, "enter", "shift+right", "ctrl+c", "right", "right", "ctrl+v"),
                       lambda b, a: len(notes(a, 5)) == 6),
    "RemoveNotesInRange": Script((*BELL_ROLL, "enter", "shift+right", "delete"),
                                 lambda b, a: notes(a, 5) == notes(b, 5)),
    "SetLoop": Script((*BELL_ROLL, "right", "["),
                      lambda b, a: a.session.piano_roll.loop_start == STEP),
    "SetLooping": Script((*BELL_ROLL, "l"), lambda b, a: not a.session.piano_roll.looping),
    "SetSwing": Script(setting("swing", "right"), lambda b, a: a.session.piano_roll.swing == 0.01),
    # the drum sequencer (F2 on the kit)
    "ToggleDrumStep": Script((*DRUMS, "right", "enter"),
                             lambda b, a: kit_pattern(a) != kit_pattern(b)),
    "SetDrumStep": Script((*DRUMS, "p"), lambda b, a: kit_pattern(a) != kit_pattern(b)),
    "SetPatternLength": Script((*DRUMS, "}"), lambda b, a: kit_pattern(a) != kit_pattern(b)),
    "ClearPattern": Script((*DRUMS, "X"), lambda b, a: kit_pattern(a) != kit_pattern(b)),
    "SelectPattern": Script((*DRUMS, "]"),
                            lambda b, a: kit(a).current_pattern == 1),
    "SetDrumPad": Script((*DRUMS, "s", SAMPLE, "enter"),
                         lambda b, a: kit(a).pads[0].sample_path != ""),
    "SetStepResolution": Script((*DRUMS, "r"),
                                lambda b, a: kit(a).resolution
                                != kit(b).resolution),
    "ApplyEuclidean": Script((*DRUMS, "x"), lambda b, a: kit_pattern(a) != kit_pattern(b)),
    # the arrangement (F3), on the Bass lane
    "CaptureClip": Script((*ARRANGE, "n"),
                          lambda b, a: len(a.session.arrangement.clips)
                          == len(b.session.arrangement.clips) + 1),
    "DeleteClip": Script((*ARRANGE, "D"), lambda b, a: len(a.session.arrangement.clips)
                         == len(b.session.arrangement.clips) - 1),
    "PlaceClip": Script((*ARRANGE, "x", "x", "x", *("right",) * 12, "p"),
                        lambda b, a: len(a.session.arrangement.placements) == 7),
    "MovePlacement": Script((*ARRANGE, "shift+right"),
                            lambda b, a: a.session.arrangement.placements
                            != b.session.arrangement.placements),
    "DuplicatePlacement": Script((*ARRANGE, "y"),
                                 lambda b, a: len(a.session.arrangement.placements) == 7),
    "RemovePlacement": Script((*ARRANGE, "d"),
                              lambda b, a: len(a.session.arrangement.placements) == 5),
    "SetPlayMode": Script((*ARRANGE, "m"),
                          lambda b, a: a.session.arrangement.play_mode
                          != b.session.arrangement.play_mode),
    # automation (F7), on the demo's filter lane
    "AddLane": Script((*AUTOMATION, "a", "enter"),
                      lambda b, a: len(a.session.automation.lanes) == 2),
    "RemoveLane": Script((*AUTOMATION, "x"), lambda b, a: a.session.automation.lanes == ()),
    "SetLaneEnabled": Script((*AUTOMATION, "e"),
                             lambda b, a: not a.session.automation.lanes[0].enabled),
    "SetLaneArmed": Script((*AUTOMATION, "r"), lambda b, a: a.session.automation.lanes[0].armed),
    "AddPoint": Script((*AUTOMATION, "right", "enter"),
                       lambda b, a: len(a.session.automation.lanes[0].points)
                       == len(b.session.automation.lanes[0].points) + 1),
    "RemovePoint": Script((*AUTOMATION, "right", "enter", "d"),
                          lambda b, a: a.session.automation.lanes[0].points
                          == b.session.automation.lanes[0].points),
    "SetPointCurve": Script((*AUTOMATION, "right", "enter", "c"),
                            lambda b, a: {p.curve for p in a.session.automation.lanes[0].points}
                            != {p.curve for p in b.session.automation.lanes[0].points}),
    "ClearLane": Script((*AUTOMATION, "C"),
                        lambda b, a: a.session.automation.lanes[0].points == ()),
    # session settings (Ctrl+E)
    "SetBpm": Script(setting("tempo", "right"), lambda b, a: a.session.settings.bpm == 121),
    "SetTimeSignature": Script(setting("beats per bar", "left"),
                               lambda b, a: a.session.settings.time_signature == (3, 4)),
    "SetKey": Script(setting("key", "right"), lambda b, a: a.session.settings.key
                     != b.session.settings.key),
    "SetScale": Script(setting("scale", "right"), lambda b, a: a.session.settings.scale
                       != b.session.settings.scale),
    "SetTuning": Script(setting("tuning", "right"), lambda b, a: a.session.settings.tuning
                        == "scale_ji"),
    "SetTuningA4": Script(setting("A4", "right"),
                          lambda b, a: a.session.settings.tuning_a4 == 440.8),
    "SetJiFlavor": Script(setting("JI flavour", "right"),
                          lambda b, a: a.session.settings.ji_flavor == "seven_limit"),
    "SetSnap": Script(setting("snap", "right"), lambda b, a: a.session.settings.snap),
    "SetHumanize": Script(setting("humanize timing", "right"),
                          lambda b, a: a.session.humanize.timing == 0.01),
    "SetClick": Script(setting("click", "right"), lambda b, a: a.session.click.enabled),
    # MIDI (F10)
    "SetMidiInput": Script((*MIDI, "i"),
                           lambda b, a: a.session.midi.live_input_instrument == 1),
    "SetPitchBend": Script((*MIDI, "b", *"mixer.pan", "enter"),
                           lambda b, a: a.session.midi.pitch_bend is not None),
    "SetChannelInstrument": Script((*MIDI, "c"), lambda b, a: len(a.session.midi.channel_routes)
                                   == 1),
    # the tempo map (Ctrl+T), at the fifth step
    "AddTempoChange": Script((*TEMPO, "a"),
                             lambda b, a: [t.tick for t in a.session.tempo_map.tempos]
                             == [4 * TICKS_PER_BEAT]),
    "SetTempoChange": Script((*TEMPO, "a", "up"),
                             lambda b, a: a.session.tempo_map.tempos[0].bpm
                             == a.session.settings.bpm + 1),
    "MoveTempoChange": Script((*TEMPO, "a", "shift+right"),
                              lambda b, a: [t.tick for t in a.session.tempo_map.tempos]
                              == [5 * TICKS_PER_BEAT]),
    "DeleteTempoChange": Script((*TEMPO, "a", "d"), lambda b, a: a.session.tempo_map.tempos == ()),
    "SetMeterChange": Script((*TEMPO, "m"), lambda b, a: len(a.session.tempo_map.meters) == 1),
    "DeleteMeterChange": Script((*TEMPO, "m", "M"), lambda b, a: a.session.tempo_map.meters == ()),
    # arrangement, automation, drums, sampler (the timeline/drums/sampler keys)
    "CreateClip": Script(("f3", "down", "a", "enter"),
                         lambda b, a: len(a.session.arrangement.clips)
                         == len(b.session.arrangement.clips) + 1),
    "RenameClip": Script(("f3", "down", "r", *CLEAR, *"Hook", "enter"),
                         lambda b, a: "Hook" in [c.name for c in a.session.arrangement.clips]),
    "ResizePlacement": Script(("f3", "down", "alt+left"),
                              lambda b, a: any(p.length_override is not None
                                               for p in a.session.arrangement.placements)),
    "SetClipNotes": Script(("f3", "down", "enter", "enter"),
                           lambda b, a: [c.notes for c in a.session.arrangement.clips]
                           != [c.notes for c in b.session.arrangement.clips]),
    "MovePoint": Script((*AUTOMATION, "shift+right"),
                        lambda b, a: [p.tick for p in a.session.automation.lanes[0].points]
                        != [p.tick for p in b.session.automation.lanes[0].points]),
    "SetLaneRange": Script((*AUTOMATION, "R", *CLEAR, *"200 8000", "enter"),
                           lambda b, a: (a.session.automation.lanes[0].min_value,
                                         a.session.automation.lanes[0].max_value)
                           == (200.0, 8000.0)),
    "SetKitSwing": Script(("f8", "w"), lambda b, a: kit(a).swing > kit(b).swing),
    "SetPatternChain": Script(("f8", "c", *CLEAR, *"A B", "enter"),
                              lambda b, a: kit(a).chain == (0, 1)),
    "SetInstrumentSource": Script(("down", "enter", "i", *"pitched sampler", "enter"),
                                  lambda b, a: inst(a, 2).source == "pitched_sampler"),
    "SetSampler": Script(("down", "enter", "i", *"pitched sampler", "enter", "o", "l"),
                         lambda b, a: (sampler := inst(a, 2).sampler) is not None
                         and sampler.loop),
    "SetImpulseResponse": Script(("down", "enter", "a", *"convolution", "enter", "I", *CLEAR,
                                  SAMPLE, "enter"),
                                 lambda b, a: any(getattr(stage, "ir_path", "")
                                                  for stage in inst(a, 2).chain)),
}
# fmt: on

ACTION_NAMES = [cls.__name__ for cls in ACTION_TYPES]


def test_every_action_has_a_key_script_or_a_stated_reason() -> None:
    names = set(ACTION_NAMES)
    assert names - set(SCRIPTS) - KEYED_OVER_JACK == set()
    assert set(SCRIPTS) | KEYED_OVER_JACK == names
    assert not set(SCRIPTS) & KEYED_OVER_JACK


def typed(keys: tuple[str, ...], sample: Path) -> list[str]:
    """The keys with the sample placeholder spelled out."""
    return [char for key in keys for char in (str(sample) if key == SAMPLE else (key,))]


@pytest.mark.parametrize("name", ACTION_NAMES)
async def test_the_keys_dispatch_the_action_and_change_the_project(
    name: str, make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    if name in KEYED_OVER_JACK:
        pytest.skip(JACK_REASON)
    script = SCRIPTS.get(name)
    assert script is not None, f"{name} has no key script: bind it to a key and add one here"
    sample = tmp_path / "hit.wav"
    soundfile.write(sample, np.linspace(1.0, 0.0, 4800, dtype=np.float32), 48000)
    dispatched: list[str] = []

    def seen(commit: Commit) -> None:
        if commit.action is not None:
            dispatched.append(type(commit.action).__name__)

    store.subscribe(seen)
    before = store.state
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        for key in typed(script.keys, sample):
            await pilot.press(key)
        await pilot.pause()
    assert name in dispatched, f"the keys dispatched {dispatched}"
    assert script.changed(before, store.state)
