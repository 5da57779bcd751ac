"""The engine core: turns store commits into the minimum server work, and plays voices.

It is driven from one thread (the audio thread, or the offline renderer) and talks to one
backend; it never copies the project, it keeps the newest reference.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

import soundfile

from imbolc.core import catalog
from imbolc.core.automation import AutomationTarget
from imbolc.core.effects import (
    BusesChanged,
    BusParamChanged,
    BusProcessingChanged,
    Change,
    Effects,
    InstrumentChanged,
    ParamChanged,
    ProjectReplaced,
    RoutingChanged,
    SessionReplaced,
    SoloChanged,
    StripChanged,
)
from imbolc.core.errors import UnknownCatalogEntry
from imbolc.core.ids import BusId, InstrumentId
from imbolc.core.instrument import EqStage, Instrument
from imbolc.core.music import pitch_to_freq
from imbolc.core.project import Project
from imbolc.core.targets import stepped
from imbolc.engine.backend import Backend
from imbolc.engine.defcache import batches
from imbolc.engine.graph import ROUTED_PARAMS, Graph
from imbolc.engine.impulse import pool_requests
from imbolc.engine.layout import FIRST_PRIVATE_AUDIO_BUS, MASTER_GROUP, Allocation, SampleBuffers
from imbolc.engine.naming import Missing, source_def
from imbolc.engine.requests import (
    AddAction,
    FreeBuffer,
    NewSynth,
    ReadBuffer,
    ReadBufferChannels,
    ReceiveSynthDefs,
    Request,
    SetControls,
)
from imbolc.engine.sampler import sample_file, sampler_controls
from imbolc.engine.tuning import Tuner
from imbolc.engine.voices import STEAL_FADE, VoiceAllocator
from imbolc.engine.wavetables import wavetable_requests

Report = Callable[[str], None]
SAMPLE_PAD_SOURCE = "kit"
"""The catalog source whose SynthDef (the one-shot sampler) plays a pad's sample file."""


def _sample_paths(inst: Instrument | None) -> frozenset[str]:
    """Every sample file ``inst`` plays: its kit pads' or its sampler's."""
    sampler = sample_file(inst)
    if inst is None or inst.kit is None:
        return frozenset({sampler} if sampler else ())
    pads = {pad.sample_path for pad in inst.kit.pads if pad.sample_path}
    return frozenset(pads | ({sampler} if sampler else set()))


def _read_request(buffer_id: int, path: str, channels: int) -> Request:
    """The read that leaves a stereo buffer: mono files are read twice, wider ones cut to two."""
    if channels == 2:
        return ReadBuffer(buffer_id, path)
    return ReadBufferChannels(buffer_id, path, (0, 0) if channels == 1 else (0, 1))


DRONE_FADE = 0.01
"""Seconds a continuous source fades in when started and out when stopped."""


def _continuous(inst: Instrument) -> bool:
    """Whether the instrument's source runs all the time rather than per note."""
    try:
        return catalog.source(inst.source).category == "routing"
    except UnknownCatalogEntry:
        return False


def _send_shape(inst: Instrument) -> list[tuple[int, bool, str]]:
    return [(s.bus_id, s.enabled, s.tap) for s in inst.mixer.sends if s.enabled]


def _strip_delta(old: Instrument | None, new: Instrument) -> dict[str, float] | None:
    """Strip controls that differ, or None when the send nodes must be rebuilt."""
    if old is None:
        return None
    a, b = old.mixer, new.mixer
    if a.sends != b.sends and _send_shape(old) != _send_shape(new):
        return None
    delta: dict[str, float] = {}
    if a.level != b.level:
        delta["level"] = b.level
    if a.pan != b.pan:
        delta["pan"] = b.pan
    return delta


_GATING = (
    StripChanged, SoloChanged, RoutingChanged, BusesChanged, BusProcessingChanged,
    SessionReplaced, ProjectReplaced,
)  # fmt: skip
"""Changes after which some strip's, send's or bus's mute may differ."""


class Engine:
    """Graph, voices and the translation of effects into requests, over one backend."""

    def __init__(
        self,
        backend: Backend,
        report: Report | None = None,
        first_private_bus: int = FIRST_PRIVATE_AUDIO_BUS,
        parallel_groups: bool = False,
    ) -> None:
        self.backend = backend
        self.report = report or (lambda message: None)
        self.first_private_bus = first_private_bus
        self.parallel_groups = parallel_groups
        """Build instruments in parallel groups (``/p_new``), for supernova."""
        self.alloc = Allocation.fresh(first_private_bus)
        self.graph = Graph(self.alloc, self.report, parallel_groups)
        self.voices: dict[InstrumentId, VoiceAllocator] = {}
        self.samples = SampleBuffers()
        self.project = Project()
        self.tuner = Tuner()
        """Frequencies of new notes given those sounding (chord, adaptive and global JI)."""
        self.drones: dict[InstrumentId, tuple[int, int, str]] = {}
        """The running voice of each continuous source: (voice group, node, SynthDef)."""
        self.automated: dict[tuple[InstrumentId, str, str], float] = {}
        """Source and envelope values automation last set, by (instrument, head, name): new
        voices start at them. A stored change of the same parameter takes over again."""

    # --- lifecycle -------------------------------------------------------------------------

    def load_synthdefs(self, at: float | None = None, max_bytes: int | None = None) -> None:
        """Send every buildable SynthDef to the server (``/d_recv``) in files of at most
        ``max_bytes`` (UDP datagrams are limited; NRT scores are not), then allocate the
        convolution spectrum pool. For supernova (parallel groups) every def goes in a file of
        its own: supernova 3.13 reads only the first SynthDef of a multi-def file."""
        if self.parallel_groups:
            max_bytes = 1
        requests: list[Request] = [ReceiveSynthDefs(data) for data in batches(max_bytes)]
        # The convolution spectrum pool must exist before any synth reads it.
        requests.extend(pool_requests())
        self.backend.send(requests, at)

    def start(self, project: Project, at: float | None = None) -> None:
        """Build the whole graph of ``project`` on a fresh server."""
        self.alloc = Allocation.fresh(self.first_private_bus)
        self.graph = Graph(self.alloc, self.report, self.parallel_groups)
        self.voices.clear()
        self.automated.clear()
        self.samples = SampleBuffers()
        self.project = project
        self.drones.clear()
        self.tuner.reset()
        requests = wavetable_requests()
        requests.extend(self.graph.build(project))
        for inst in project.instruments.items:
            requests.extend(self._load_samples(inst.id, inst))
        requests.extend(self._sync_drones(project))
        self.backend.send(requests, at)

    # --- commits ---------------------------------------------------------------------------

    def apply(self, new: Project, effects: Effects, at: float | None = None) -> list[Request]:
        """Bring the server in line with ``new`` after a commit; returns what was sent."""
        old, self.project = self.project, new
        requests = self.plan(old, new, effects.changes)
        self.backend.send(requests, at)
        return requests

    def plan(self, old: Project, new: Project, changes: Iterable[Change]) -> list[Request]:
        """The requests that turn the graph of ``old`` into that of ``new``."""
        out: list[Request] = []
        rebuilt: set[int] = set()
        gated = False
        for change in changes:
            gated = gated or (
                isinstance(change, _GATING) and not self._level_only(old, new, change)
            )
            if isinstance(change, ParamChanged):
                out.extend(self._param(change))
            elif isinstance(change, StripChanged):
                out.extend(self._strip(old, new, change))
            elif isinstance(change, RoutingChanged):
                if change.instrument_id not in rebuilt:
                    rebuilt.add(change.instrument_id)
                    out.extend(self._routing(new, change))
            elif isinstance(change, BusProcessingChanged):
                bus = new.session.mixer.bus(change.bus_id)
                if bus is not None and bus.id in self.graph.buses:
                    out.extend(self.graph.rebuild_bus_chain(new, bus))
            elif isinstance(change, BusParamChanged):
                built_bus = self.graph.buses.get(change.bus_id)
                node = None if built_bus is None else built_bus.effect_nodes.get(change.stage_id)
                if node is not None:
                    controls = {change.name: change.value}
                    controls.update(
                        self._bus_stage_inputs(change.bus_id, change.stage_id, controls)
                    )
                    out.append(SetControls(node, controls))
            elif isinstance(change, BusesChanged):
                out.extend(self.graph.sync_buses(new))
            elif isinstance(change, SessionReplaced | ProjectReplaced):
                out.extend(self._replaced(old, new))
            elif isinstance(change, InstrumentChanged) and change.field == "kit":
                out.extend(self._kit_changed(old, new, change.instrument_id))
        if gated:
            out.extend(self.graph.refresh_gates(new))
            out.extend(self._sync_drones(new))
        return out

    # --- continuous sources ----------------------------------------------------------------

    def _sync_drones(self, project: Project) -> list[Request]:
        """Keep one voice running for every active instrument whose source runs continuously
        (audio_in, bus_in): it sounds without a held note, and stops when the instrument is
        made inactive, deleted, or given another source."""
        out: list[Request] = []
        for ident in list(self.drones):
            group, node, name = self.drones[ident]
            inst = project.instruments.get(ident)
            built = self.graph.instruments.get(ident)
            keep = (
                inst is not None and built is not None and _continuous(inst) and inst.active
                and built.voice_group == group and built.source_def == name
            )  # fmt: skip
            if not keep:
                del self.drones[ident]
                if built is not None and built.voice_group == group:
                    out.append(SetControls(node, {"gate": 0.0}))  # fades out, then frees itself
        for inst in project.instruments.items:
            built = self.graph.instruments.get(inst.id)
            if (
                inst.id in self.drones or built is None or built.source_def is None
                or not inst.active or not _continuous(inst)
            ):  # fmt: skip
                continue
            controls: dict[str, float] = {p.name: p.value for p in inst.source_params}
            controls.update(out=built.source_bus, gate=1.0, velocity=1.0, env_attack=DRONE_FADE,
                            env_decay=0.0, env_sustain=1.0, env_release=DRONE_FADE)  # fmt: skip
            controls.update(self.graph.source_inputs(inst.source, controls))
            node = self.alloc.nodes()
            self.drones[inst.id] = (built.voice_group, node, built.source_def)
            out.append(
                NewSynth(built.source_def, node, built.voice_group, AddAction.TAIL, controls)
            )
        return out

    # --- sample files of kit pads and samplers --------------------------------------------

    def _kit_changed(self, old: Project, new: Project, ident: InstrumentId) -> list[Request]:
        before, inst = old.instruments.get(ident), new.instruments.get(ident)
        old_kit = None if before is None else before.kit
        new_kit = None if inst is None else inst.kit
        if old_kit is not None and new_kit is not None and old_kit.pads is new_kit.pads:
            return []  # steps or patterns changed; the pads (and their files) did not
        return self._load_samples(ident, inst)

    def _load_samples(self, ident: InstrumentId, inst: Instrument | None) -> list[Request]:
        """Read the files ``inst``'s pads or sampler newly play into buffers and free the
        buffers nothing plays any more; an unreadable file is reported by name and what plays
        it stays silent."""
        paths = _sample_paths(inst)
        prefix = f"sample/{ident}/"
        for key in [k for k in self.graph.problems if k.startswith(prefix)]:
            if key.removeprefix(prefix) not in paths:
                del self.graph.problems[key]
        usable: set[str] = set()
        channels: dict[str, int] = {}
        for path in paths:
            if self.samples.buffer(path) is not None:
                usable.add(path)
                continue
            try:
                channels[path] = soundfile.info(path).channels
            except (RuntimeError, OSError, ValueError) as error:
                owner = "" if inst is None else f"{inst.name}: "
                self.graph._problem(
                    prefix + path, f"{owner}cannot read sample file {path}: {error}"
                )
                continue
            self.graph.problems.pop(prefix + path, None)
            usable.add(path)
        added, freed, refused = self.samples.use(ident, frozenset(usable))
        for path in refused:
            self.graph._problem(
                prefix + path, f"every sample buffer is taken; {path} is not loaded"
            )
        out: list[Request] = [FreeBuffer(number) for number in freed]
        out.extend(
            _read_request(number, os.path.abspath(path), channels[path]) for path, number in added
        )
        return out

    def _param(self, change: ParamChanged) -> list[Request]:
        built = self.graph.instruments.get(change.instrument_id)
        if built is None:
            return []
        path, value = change.path, change.value
        head = path[0]
        if head in ("source", "envelope"):
            self.automated.pop((change.instrument_id, str(head), str(path[1])), None)
        if head == "source":
            controls = {str(path[1]): value}
            if path[1] in ("bus", "gain"):
                inst = self.project.instruments.get(change.instrument_id)
                stored = {} if inst is None else {p.name: p.value for p in inst.source_params}
                resolved = self.graph.source_inputs(built.built_from.source, stored | controls)
                controls.update(resolved)
            return [SetControls(built.voice_group, controls)]
        if head == "envelope":
            return [SetControls(built.voice_group, {f"env_{path[1]}": value})]
        if head == "lfo":
            return [] if built.lfo_node is None else [
                SetControls(built.lfo_node, {str(path[1]): value})
            ]  # fmt: skip
        if head == "chain":
            node = built.stage_nodes.get(int(path[1]))
            if node is None:
                return []
            if path[2] == "band":
                field = "on" if path[4] == "enabled" else path[4]
                return [SetControls(node, {f"b{path[3]}_{field}": value})]
            controls = {str(path[2]): value}
            if path[2] in ROUTED_PARAMS:
                inst = self.project.instruments.get(change.instrument_id)
                pos = None if inst is None else inst.stage_position(int(path[1]))
                stage = None if inst is None or pos is None else inst.chain[pos]
                stored = (
                    {} if stage is None or isinstance(stage, EqStage)
                    else {p.name: p.value for p in stage.params}
                )  # fmt: skip
                controls.update(self.graph.routed_inputs(stored | controls))
            return [SetControls(node, controls)]
        return []

    def _bus_stage_inputs(
        self, bus_id: int, stage_id: int, controls: dict[str, float]
    ) -> dict[str, float]:
        """The resolved inputs of a bus effect whose routing choice is among ``controls``."""
        if ROUTED_PARAMS.isdisjoint(controls):
            return {}
        bus = self.project.session.mixer.bus(bus_id)
        pos = None if bus is None else bus.effect_position(stage_id)
        stored = (
            {} if bus is None or pos is None else {p.name: p.value for p in bus.effects[pos].params}
        )
        return self.graph.routed_inputs(stored | controls)

    def _strip(self, old: Project, new: Project, change: StripChanged) -> list[Request]:
        if change.kind == "master":
            return self.graph.master_controls(new)
        if change.kind == "bus":
            bus = new.session.mixer.bus(change.id)
            built_bus = self.graph.buses.get(BusId(change.id))
            if bus is None or built_bus is None:
                return []
            controls = self.graph.bus_strip_controls(new, bus)
            del controls["mute"]  # mute and solo are settled by refresh_gates
            return [SetControls(built_bus.out_node, controls)]
        inst = new.instruments.get(change.id)
        built = self.graph.instruments.get(InstrumentId(change.id))
        if inst is None or built is None:
            return []
        before = old.instruments.get(change.id)
        delta = _strip_delta(before, inst)
        if before is None or delta is None:
            return [
                SetControls(built.output_node, self.graph.strip_controls(new, inst)),
                *self.graph.resend_sends(new, inst),
            ]
        if before.mixer.output_bus != inst.mixer.output_bus:
            delta["out_bus"] = self.graph.strip_controls(new, inst)["out_bus"]
        out: list[Request] = [SetControls(built.output_node, delta)] if delta else []
        if "level" in delta:
            out.extend(self.graph.follow_level(inst))
        for send in inst.mixer.sends:
            old_send = before.mixer.send(send.bus_id)
            node = built.send_nodes.get(send.bus_id)
            if node is not None and old_send is not None and old_send.level != send.level:
                out.append(SetControls(node, {"level": send.level}))
        # Mute, solo and routing are settled by refresh_gates.
        return out

    @staticmethod
    def _level_only(old: Project, new: Project, change: Change) -> bool:
        """A strip change that moved only an instrument's level, pan or send levels: no mute
        can differ, so the whole mixer need not be re-examined (a fader drag stays cheap)."""
        if not isinstance(change, StripChanged) or change.kind != "instrument":
            return False
        before, after = old.instruments.get(change.id), new.instruments.get(change.id)
        if before is None or after is None:
            return False
        a, b = before.mixer, after.mixer
        return (a.mute, a.solo, a.output_bus) == (b.mute, b.solo, b.output_bus) and (
            _send_shape(before) == _send_shape(after)
        )

    def _routing(self, new: Project, change: RoutingChanged) -> list[Request]:
        ident = change.instrument_id
        if change.kind == "deleted":
            self.voices.pop(ident, None)
            return [*self.graph.remove_instrument(ident), *self._load_samples(ident, None)]
        inst = new.instruments.get(ident)
        if inst is None:
            return []
        if change.kind == "added":
            return [*self.graph.add_instrument(new, inst), *self._load_samples(ident, inst)]
        return [*self.graph.rebuild_instrument(new, inst), *self._load_samples(ident, inst)]

    def _replaced(self, old: Project, new: Project) -> list[Request]:
        """Undo of a session/full step or a load: rebuild only what is not the same object."""
        out: list[Request] = []
        old_mixer, new_mixer = old.session.mixer, new.session.mixer
        if old_mixer is not new_mixer:
            if tuple(b.id for b in old_mixer.buses) != tuple(b.id for b in new_mixer.buses):
                out.extend(self.graph.sync_buses(new))
            for bus in new_mixer.buses:
                before = old_mixer.bus(bus.id)
                built_bus = self.graph.buses.get(bus.id)
                if built_bus is None or before is bus:
                    continue
                if before is None or before.effects != bus.effects:
                    out.extend(self.graph.rebuild_bus_chain(new, bus))
                else:
                    controls = self.graph.bus_strip_controls(new, bus)
                    out.append(SetControls(built_bus.out_node, controls))
            out.extend(self.graph.master_controls(new))
        if old.instruments is not new.instruments:
            wanted = {inst.id for inst in new.instruments.items}
            for ident in [i for i in self.graph.instruments if i not in wanted]:
                self.voices.pop(ident, None)
                out.extend(self.graph.remove_instrument(ident))
                out.extend(self._load_samples(ident, None))
            for inst in new.instruments.items:
                if (
                    old.instruments.get(inst.id) is not inst
                    or inst.id not in self.graph.instruments
                ):
                    out.extend(self.graph.rebuild_instrument(new, inst))
                    out.extend(self._load_samples(inst.id, inst))
        return out

    # --- voices ----------------------------------------------------------------------------

    def _allocator(self, ident: InstrumentId) -> VoiceAllocator:
        if ident not in self.voices:
            self.voices[ident] = VoiceAllocator(self.alloc.nodes)
        return self.voices[ident]

    def note_on(
        self,
        instrument_id: InstrumentId,
        pitch: int,
        velocity: float,
        at: float | None = None,
        freq: float | None = None,
    ) -> int | None:
        """Start a voice (or a drum pad of a kit); returns its node id, None if silent."""
        inst = self.project.instruments.get(instrument_id)
        built = self.graph.instruments.get(instrument_id)
        if inst is None or built is None or not inst.active:
            return None
        if inst.kit is not None:
            return self._drum_note(inst, pitch, velocity, at)
        if built.source_def is None or _continuous(inst):
            return None  # a continuous source already sounds without notes
        settings = self.project.session.settings
        env = inst.envelope
        controls: dict[str, float] = {p.name: p.value for p in inst.source_params}
        controls.update(
            out=built.source_bus,
            gate=1.0,
            velocity=velocity,
            env_attack=env.attack,
            env_decay=env.decay,
            env_sustain=env.sustain,
            env_release=env.release,
        )
        for (owner, head, name), value in self.automated.items():
            if owner == inst.id:
                controls[name if head == "source" else f"env_{name}"] = value

        def tune(note: int) -> float:
            return pitch_to_freq(
                note,
                a4=settings.tuning_a4,
                tuning=settings.tuning,
                key=settings.key,
                flavor=settings.ji_flavor,
            )

        if freq is not None:
            controls["freq"] = freq
        elif catalog.source(inst.source).pitched:
            controls["freq"] = self.tuner.start((inst.id, pitch), settings)
        if sample_file(inst):
            voice = self._sampler_voice(inst, pitch, controls.get("freq", 0.0), tune)
            if voice is None:
                return None
            controls.update(voice)
        controls.update(self.graph.source_inputs(inst.source, controls))
        controls.update(self.graph.voice_modulation(inst))
        now = self.backend.now() if at is None else at
        plan = self._allocator(inst.id).note_on(
            pitch, velocity, now, cap=inst.voice_cap, mono=not inst.polyphonic,
            release_time=env.release,
        )  # fmt: skip
        requests: list[Request] = [
            SetControls(node, {"gate": -1.0 - STEAL_FADE}) for node in plan.steal
        ]
        requests.append(
            NewSynth(built.source_def, plan.node_id, built.voice_group, AddAction.TAIL, controls)
        )
        self.backend.send(requests, at)
        return plan.node_id

    def _sampler_voice(
        self, inst: Instrument, pitch: int, freq: float, tune: Callable[[int], float]
    ) -> dict[str, float] | None:
        """The buffer, slice and pitch controls of a sampler voice; None when its file did
        not load (reported then) or the chopper has no slice on ``pitch``."""
        assert inst.sampler is not None
        buffer = self.samples.buffer(inst.sampler.sample_path)
        if buffer is None:
            return None
        voice = sampler_controls(inst.sampler, pitch, freq, tune)
        if voice is None:
            return None
        voice["buffer"] = buffer
        if inst.sampler.loop:
            voice["loop"] = 1.0
        return voice

    def _drum_note(
        self, inst: Instrument, pitch: int, velocity: float, at: float | None
    ) -> int | None:
        kit = inst.kit
        assert kit is not None
        pad_index = kit.pad_for_note(pitch)
        if pad_index is None:
            return None
        return self.drum_hit(inst.id, pad_index, velocity, at, kit.pads[pad_index].pitch)

    def drum_hit(
        self,
        instrument_id: InstrumentId,
        pad_index: int,
        velocity: float,
        at: float | None = None,
        semitones: float = 0.0,
    ) -> int | None:
        """Fire one pad of a kit: its sample file, or else its catalog drum source, levelled by
        the pad and tuned ``semitones`` away from the sound's own pitch."""
        inst = self.project.instruments.get(instrument_id)
        built = self.graph.instruments.get(instrument_id)
        if inst is None or inst.kit is None or built is None or not inst.active:
            return None
        pad = inst.kit.pads[pad_index]
        key = f"pad/{inst.id}/{pad_index}"
        ratio = 2.0 ** (semitones / 12.0)
        try:
            if pad.sample_path:
                buffer = self.samples.buffer(pad.sample_path)
                if buffer is None:
                    return None  # its file could not be read, which was reported on loading
                name = source_def(SAMPLE_PAD_SOURCE, mono=False)
                spec = catalog.source(SAMPLE_PAD_SOURCE)
                controls = {"buffer": buffer, "start": pad.slice_start, "end": pad.slice_end,
                            "rate": -ratio if pad.reverse else ratio, "amp": pad.level}  # fmt: skip
            elif pad.source:
                name = source_def(pad.source, mono=False)
                spec = catalog.source(pad.source)
                controls = {p.name: p.default for p in spec.params}
                controls["amp"] = controls.get("amp", 1.0) * pad.level
                if "freq" in controls:
                    controls["freq"] *= ratio
            else:
                self.graph._problem(key, f"{inst.name}: pad {pad_index + 1} has no sound")
                return None
        except (Missing, UnknownCatalogEntry) as error:
            self.graph._problem(key, f"{inst.name}: {error}")
            return None
        controls.update(out=built.source_bus, gate=1.0, velocity=velocity)
        now = self.backend.now() if at is None else at
        plan = self._allocator(inst.id).note_on(
            1000 + pad_index, velocity, now, cap=inst.voice_cap, release_time=spec.envelope.release
        )
        requests: list[Request] = [
            SetControls(node, {"gate": -1.0 - STEAL_FADE}) for node in plan.steal
        ]
        requests.append(NewSynth(name, plan.node_id, built.voice_group, AddAction.TAIL, controls))
        self.backend.send(requests, at)
        self._allocator(inst.id).note_off(1000 + pad_index, now)
        return plan.node_id

    def note_off(
        self, instrument_id: InstrumentId, pitch: int, at: float | None = None
    ) -> int | None:
        """Release the voice playing ``pitch``; returns its node id."""
        allocator = self.voices.get(instrument_id)
        if allocator is None:
            return None
        now = self.backend.now() if at is None else at
        node = allocator.note_off(pitch, now)
        self.tuner.stop((instrument_id, pitch))
        if node is not None:
            self.backend.send([SetControls(node, {"gate": 0.0})], at)
        return node

    def release_all(self, at: float | None = None) -> None:
        """Release every held voice of every instrument (stop, panic)."""
        now = self.backend.now() if at is None else at
        self.tuner.stop_all()
        requests: list[Request] = []
        for allocator in self.voices.values():
            requests.extend(SetControls(n, {"gate": 0.0}) for n in allocator.release_all(now))
        self.backend.send(requests, at)

    def node_ended(self, node_id: int) -> None:
        """``/n_end`` arrived: forget the voice."""
        for allocator in self.voices.values():
            if allocator.ended(node_id):
                return

    def sweep(self, now: float) -> None:
        """Forget voices whose ``/n_end`` never came (a fallback)."""
        for allocator in self.voices.values():
            allocator.sweep(now)

    # --- automation and click ----------------------------------------------------------------

    def automation_requests(self, target: AutomationTarget, value: float) -> list[Request]:
        """The control change that puts an automation value on its target (stepped for int,
        choice and on/off targets). A source or envelope value is also remembered, so a voice
        started while the lane plays starts at it rather than at the stored value."""
        value = stepped(self.project, target, value)
        parts = target.parameter.split(".")
        if target.scope == "master":
            return [SetControls(self.graph.master_node, {"level": value})]
        if target.scope == "bus":
            built_bus = self.graph.buses.get(BusId(target.owner))
            if built_bus is None:
                return []
            if len(parts) == 1:
                return [SetControls(built_bus.out_node, {parts[0]: value})]
            node = built_bus.effect_nodes.get(int(parts[1]))
            if node is None:
                return []
            controls = {parts[2]: value}
            controls.update(self._bus_stage_inputs(target.owner, int(parts[1]), controls))
            return [SetControls(node, controls)]
        if target.scope != "instrument":
            return []
        built = self.graph.instruments.get(InstrumentId(target.owner))
        if built is None:
            return []
        head = parts[0]
        if head == "mixer":
            out: list[Request] = [SetControls(built.output_node, {parts[1]: value})]
            current = self.project.instruments.get(built.built_from.id)
            if parts[1] == "level" and current is not None:
                out.extend(SetControls(n, {"strip": value}) for n in self.graph.post_sends(current))
            return out
        if head == "send":
            node = built.send_nodes.get(BusId(int(parts[1])))
            return [] if node is None else [SetControls(node, {"level": value})]
        if head == "chain":
            return self._param(
                ParamChanged(built.built_from.id, ("chain", int(parts[1]), parts[2]), value)
            )
        requests = self._param(ParamChanged(built.built_from.id, (head, parts[1]), value))
        if head in ("source", "envelope"):
            self.automated[(built.built_from.id, head, parts[1])] = value
        return requests

    def automate(self, target: AutomationTarget, value: float, at: float | None = None) -> None:
        """Send one automation value to its target."""
        self.backend.send(self.automation_requests(target, value), at)

    def click(self, accent: bool, at: float | None = None, count_in: bool = False) -> None:
        """One metronome click into the master mix (a count-in's even with the metronome off)."""
        click = self.project.session.click
        if click.muted or not (click.enabled or count_in):
            return
        controls = {"out": self.graph.master_mix, "amp": click.volume, "accent": float(accent)}
        node = self.alloc.nodes()
        self.backend.send(
            [NewSynth("imbolc_click", node, MASTER_GROUP, AddAction.HEAD, controls)], at
        )
