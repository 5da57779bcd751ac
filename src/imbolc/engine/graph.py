"""The server graph of a project: what nodes and buses exist, and the requests that change them.

``Graph`` is bookkeeping plus request building; it sends nothing itself. Each instrument owns a
voice group (under sources), a processing group and an output group, so one instrument can be
built, rebuilt or freed without touching any other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from imbolc.core.ids import BusId, InstrumentId
from imbolc.core.instrument import EffectStage, EqStage, Instrument, Stage
from imbolc.core.mixer import Bus
from imbolc.core.project import Project
from imbolc.engine.audibility import bus_mute, send_mute, strip_mute
from imbolc.engine.impulse import ImpulseResponses
from imbolc.engine.layout import (
    BUSES_GROUP,
    FIXED_GROUPS,
    MASTER_BUS,
    MASTER_GROUP,
    OUTPUTS_GROUP,
    PROCESSING_GROUP,
    SOURCES_GROUP,
    Allocation,
)
from imbolc.engine.modulation import lfo_route
from imbolc.engine.naming import Missing, instrument_channels, source_def, stage_def
from imbolc.engine.requests import (
    AddAction,
    FreeNode,
    NewGroup,
    NewSynth,
    Request,
    SetControls,
)

LFO_SHAPES = {"sine": 0, "square": 1, "saw": 2, "triangle": 3}
ROUTED_PARAMS = frozenset({"sc_bus", "key_instrument", "bus_b"})
"""Stage parameters that choose an input bus the engine must resolve to a bus number."""
Report = Callable[[str], None]


@dataclass
class InstrumentNodes:
    """The nodes and buses one instrument occupies on the server."""

    built_from: Instrument
    voice_group: int
    processing_group: int
    output_group: int
    source_bus: int
    channels: int
    source_def: str | None
    stage_nodes: dict[int, int] = field(default_factory=dict)
    output_node: int = 0
    send_nodes: dict[BusId, int] = field(default_factory=dict)
    lfo_node: int | None = None
    lfo_bus: int | None = None


CONVOLUTION = "convolution_reverb"
"""The catalog effect that plays an impulse response."""


@dataclass
class BusNodes:
    """The nodes of one mixer bus: its effect chain and its output to master."""

    built_from: Bus
    group: int
    input_bus: int
    effect_nodes: dict[int, int] = field(default_factory=dict)
    out_node: int = 0


def stage_controls(stage: Stage, bus: int) -> dict[str, float]:
    """Initial controls of a processing stage working in place on ``bus``."""
    controls: dict[str, float] = {"in_bus": bus, "out_bus": bus, "enabled": float(stage.enabled)}
    if isinstance(stage, EqStage):
        for n, band in enumerate(stage.bands):
            controls[f"b{n}_freq"] = band.freq
            controls[f"b{n}_gain"] = band.gain
            controls[f"b{n}_q"] = band.q
            controls[f"b{n}_on"] = float(band.enabled)
    else:
        for param in stage.params:
            controls[param.name] = param.value
    return controls


class Graph:
    """What the engine built on the server, and how to change it with the fewest requests."""

    def __init__(
        self, allocation: Allocation, report: Report | None = None, parallel: bool = False
    ) -> None:
        self.alloc = allocation
        self._report = report or (lambda message: None)
        self.parallel = parallel
        """Instruments' voice, chain and output groups sit in parallel groups (supernova)."""
        self.instruments: dict[InstrumentId, InstrumentNodes] = {}
        self.buses: dict[BusId, BusNodes] = {}
        self.master_mix = 0
        self.master_node = 0
        self.safety_node = 0
        self.meter_node = 0
        self.problems: dict[str, str] = {}
        self.impulses = ImpulseResponses()
        """Spectrum slots of the convolution reverb stages."""
        self.meter_nodes: dict[InstrumentId, int] = {}
        self.bus_meter_nodes: dict[BusId, int] = {}
        self.gates: dict[int, dict[str, float]] = {}
        """The mute (and a post send's strip level) last sent to each strip, send and bus out
        node, from the project: :meth:`refresh_gates` sends only what changed."""

    def _problem(self, key: str, message: str) -> None:
        if self.problems.get(key) != message:
            self.problems[key] = message
            self._report(message)

    # --- whole graph -----------------------------------------------------------------------

    def build(self, project: Project) -> list[Request]:
        """Everything, from an empty server: groups, master section, buses, instruments."""
        per_instrument = (SOURCES_GROUP, PROCESSING_GROUP, OUTPUTS_GROUP)
        out: list[Request] = [
            NewGroup(group, 0, AddAction.TAIL, self.parallel and group in per_instrument)
            for group in FIXED_GROUPS
        ]
        nodes = self.alloc.nodes
        self.master_mix = self.alloc.audio.get("master", "mix")
        mixer = project.session.mixer
        self.master_node, self.safety_node, self.meter_node = nodes(), nodes(), nodes()
        out.append(
            NewSynth(
                "imbolc_output", self.master_node, MASTER_GROUP, AddAction.TAIL,
                {"in_bus": self.master_mix, "out_bus": MASTER_BUS,
                 "level": mixer.master_level, "mute": float(mixer.master_mute)},
            )
        )  # fmt: skip
        out.append(NewSynth("imbolc_safety", self.safety_node, MASTER_GROUP, AddAction.TAIL,
                            {"bus": MASTER_BUS}))  # fmt: skip
        out.append(NewSynth("imbolc_meter", self.meter_node, MASTER_GROUP, AddAction.TAIL,
                            {"in_bus": MASTER_BUS, "reply_id": 0}))  # fmt: skip
        for bus in mixer.buses:
            out.extend(self._build_bus(project, bus))
        for inst in project.instruments.items:
            out.extend(self.add_instrument(project, inst))
        # Routing choices naming a bus or instrument built after their stage resolve now.
        out.extend(self.refresh_gates(project))
        return out

    def master_controls(self, project: Project) -> list[Request]:
        """The master strip's level and mute."""
        mixer = project.session.mixer
        return [
            SetControls(
                self.master_node, {"level": mixer.master_level, "mute": float(mixer.master_mute)}
            )
        ]

    # --- instruments -----------------------------------------------------------------------

    def add_instrument(self, project: Project, inst: Instrument) -> list[Request]:
        """Build one instrument's groups, chain, LFO, sends and output strip."""
        nodes = self.alloc.nodes
        channels = instrument_channels(inst)
        try:
            voices_def: str | None = source_def(inst.source, channels == 1)
            self.problems.pop(f"source/{inst.id}", None)
        except Missing as missing:
            voices_def = None
            self._problem(f"source/{inst.id}", f"{inst.name}: {missing}")
        built = InstrumentNodes(
            built_from=inst,
            voice_group=nodes(),
            processing_group=nodes(),
            output_group=nodes(),
            # Two channels even for mono, so a stereo meter can always read the bus.
            source_bus=self.alloc.audio.get(inst.id, "source", 2),
            channels=channels,
            source_def=voices_def,
        )
        self.instruments[inst.id] = built
        out: list[Request] = [
            NewGroup(built.voice_group, SOURCES_GROUP),
            NewGroup(built.processing_group, PROCESSING_GROUP),
            NewGroup(built.output_group, OUTPUTS_GROUP),
        ]
        out.extend(self._chain_requests(project, built, inst))
        return out

    def _impulse(
        self, key: str, owner: str, stage: Stage, controls: dict[str, float], out: list[Request]
    ) -> None:
        """A convolution reverb's impulse response: its spectrum buffer goes in ``controls``
        and the requests filling it before the stage in ``out``; a file that cannot be read
        is reported by name and the stage's wet output stays silent."""
        if not isinstance(stage, EffectStage) or stage.effect_type != CONVOLUTION:
            return
        claimed = self.impulses.claim(key, stage.ir_path)
        if isinstance(claimed, str):
            self._problem(key + "/ir", f"{owner}: {claimed}")
            controls["ir_buffer"] = -1.0
            return
        self.problems.pop(key + "/ir", None)
        spectrum, requests = claimed
        out.extend(requests)
        controls["ir_buffer"] = float(spectrum)

    def _release_impulses(self, prefix: str, kept: set[str]) -> None:
        """Free the spectrum slots of an owner's convolution stages that are gone."""
        for key in self.impulses.holders():
            if key.startswith(prefix) and key not in kept:
                self.impulses.release(key)
                self.problems.pop(key + "/ir", None)

    def _chain_requests(
        self, project: Project, built: InstrumentNodes, inst: Instrument
    ) -> list[Request]:
        nodes = self.alloc.nodes
        out: list[Request] = []
        mono = built.channels == 1
        for stage in inst.chain:
            key = f"stage/{inst.id}/{stage.id}"
            try:
                name = stage_def(stage, mono)
            except Missing as missing:
                self._problem(key, f"{inst.name}: {missing}")
                continue
            self.problems.pop(key, None)
            node = nodes()
            built.stage_nodes[stage.id] = node
            controls = stage_controls(stage, built.source_bus)
            self._impulse(key, inst.name, stage, controls, out)
            self._remember_inputs(node, controls)
            out.append(NewSynth(name, node, built.processing_group, AddAction.TAIL, controls))
        self._release_impulses(f"stage/{inst.id}/", {f"stage/{inst.id}/{s.id}" for s in inst.chain})
        built.output_node = nodes()
        output_def = "imbolc_output_mono" if mono else "imbolc_output"
        strip = self.strip_controls(project, inst)
        self.gates[built.output_node] = {"mute": strip["mute"]}
        out.append(
            NewSynth(output_def, built.output_node, built.output_group, AddAction.TAIL,
                     {"in_bus": built.source_bus, **strip})
        )  # fmt: skip
        out.extend(self._send_requests(project, built, inst))
        out.extend(self._lfo_requests(built, inst))
        built.built_from = inst
        return out

    def strip_controls(self, project: Project, inst: Instrument) -> dict[str, float]:
        """Level, pan, effective mute and destination of an instrument's strip."""
        strip = inst.mixer
        return {
            "level": strip.level,
            "pan": strip.pan,
            "mute": strip_mute(project, inst),
            "out_bus": self._destination(strip.output_bus),
        }

    def _destination(self, bus_id: BusId | None) -> int:
        if bus_id is not None and bus_id in self.buses:
            return self.buses[bus_id].input_bus
        return self.master_mix

    def _send_requests(
        self, project: Project, built: InstrumentNodes, inst: Instrument
    ) -> list[Request]:
        out: list[Request] = []
        send_def = "imbolc_send_mono" if built.channels == 1 else "imbolc_send"
        for send in inst.mixer.sends:
            if not send.enabled or send.bus_id not in self.buses:
                continue
            node = self.alloc.nodes()
            built.send_nodes[send.bus_id] = node
            group, action = (
                (built.processing_group, AddAction.HEAD)
                if send.tap == "pre"
                else (built.output_group, AddAction.TAIL)
            )
            gate = self.send_gate(project, inst, send.bus_id, send.tap)
            self.gates[node] = dict(gate)
            controls = {
                "in_bus": built.source_bus,
                "out_bus": self.buses[send.bus_id].input_bus,
                "level": send.level,
                **gate,
            }
            out.append(NewSynth(send_def, node, group, action, controls))
        return out

    @staticmethod
    def send_gate(project: Project, inst: Instrument, bus_id: BusId, tap: str) -> dict[str, float]:
        """A send's mute, and the strip level it follows (a post-fader tap; 1 pre-fader)."""
        strip = inst.mixer.level if tap == "post" else 1.0
        return {"mute": send_mute(project, inst, bus_id), "strip": strip}

    def routed_inputs(self, values: Mapping[str, float]) -> dict[str, float]:
        """The buses a stage's routing choices resolve to: the side-chain key (an instrument's
        signal, else a bus's input; ``keyed`` says whether there is one) and the crossfader's
        B bus. A choice naming nothing that exists resolves to none."""
        out: dict[str, float] = {}
        if "sc_bus" in values or "key_instrument" in values:
            key = self._instrument_signal(values.get("key_instrument", 0.0))
            if key is None:
                key = self._bus_input(values.get("sc_bus", 0.0))
            out["sc_in"], out["keyed"] = (0.0, 0.0) if key is None else (float(key), 1.0)
        if "bus_b" in values:
            other = self._bus_input(values["bus_b"])
            out["b_in"], out["b_on"] = (0.0, 0.0) if other is None else (float(other), 1.0)
        return out

    def source_inputs(self, source: str, values: Mapping[str, float]) -> dict[str, float]:
        """``bus_in``'s input bus, resolved from its ``bus`` choice (silence when it names no
        bus)."""
        if source != "bus_in" or "bus" not in values:
            return {}
        found = self._bus_input(values["bus"])
        return {"in_bus": float(found), "gain": values.get("gain", 1.0)} if found is not None else {
            "in_bus": 0.0, "gain": 0.0}  # fmt: skip

    def _bus_input(self, choice: float) -> int | None:
        built = self.buses.get(BusId(round(choice))) if choice >= 1 else None
        return None if built is None else built.input_bus

    def _instrument_signal(self, choice: float) -> int | None:
        built = self.instruments.get(InstrumentId(round(choice))) if choice >= 1 else None
        return None if built is None else built.source_bus

    def refresh_gates(self, project: Project) -> list[Request]:
        """The mute and post-fader level changes that bring every strip, send and bus out in
        line with ``project``; whatever order the actions came in, the result is the same."""
        wanted: dict[int, dict[str, float]] = {}
        for inst in project.instruments.items:
            built = self.instruments.get(inst.id)
            if built is None:
                continue
            wanted[built.output_node] = {"mute": strip_mute(project, inst)}
            for stage in inst.chain:
                node = built.stage_nodes.get(stage.id)
                if node is not None and not isinstance(stage, EqStage):
                    self._want_inputs(wanted, node, stage)
            for send in inst.mixer.sends:
                node = built.send_nodes.get(send.bus_id)
                if node is not None and send.enabled:
                    wanted[node] = self.send_gate(project, inst, send.bus_id, send.tap)
        for bus in project.session.mixer.buses:
            built_bus = self.buses.get(bus.id)
            if built_bus is not None:
                wanted[built_bus.out_node] = {"mute": bus_mute(project, bus)}
                for effect in bus.effects:
                    node = built_bus.effect_nodes.get(effect.id)
                    if node is not None:
                        self._want_inputs(wanted, node, effect)
        out: list[Request] = []
        for node, controls in wanted.items():
            sent = self.gates.get(node, {})
            delta = {k: v for k, v in controls.items() if sent.get(k) != v}
            if delta:
                out.append(SetControls(node, delta))
        self.gates = wanted
        return out

    def _remember_inputs(self, node: int, controls: dict[str, float]) -> None:
        """Add a new stage's resolved inputs to its controls, and remember them as sent."""
        if ROUTED_PARAMS.isdisjoint(controls):
            return
        inputs = self.routed_inputs(controls)
        controls.update(inputs)
        self.gates[node] = inputs

    def _want_inputs(self, wanted: dict[int, dict[str, float]], node: int, stage: Stage) -> None:
        if isinstance(stage, EqStage):
            return
        values = {p.name: p.value for p in stage.params if p.name in ROUTED_PARAMS}
        if values:
            wanted[node] = self.routed_inputs(values)

    def follow_level(self, inst: Instrument) -> list[Request]:
        """The stored strip level, to the instrument's post-fader sends (remembered as sent)."""
        out: list[Request] = []
        for node in self.post_sends(inst):
            if self.gates.get(node, {}).get("strip") != inst.mixer.level:
                self.gates.setdefault(node, {})["strip"] = inst.mixer.level
                out.append(SetControls(node, {"strip": inst.mixer.level}))
        return out

    def post_sends(self, inst: Instrument) -> list[int]:
        """The post-fader send nodes of an instrument (they follow its strip level)."""
        built = self.instruments.get(inst.id)
        if built is None:
            return []
        taps = {s.bus_id: s.tap for s in inst.mixer.sends}
        return [node for bus, node in built.send_nodes.items() if taps.get(bus) == "post"]

    def _lfo_requests(self, built: InstrumentNodes, inst: Instrument) -> list[Request]:
        lfo = inst.lfo
        route = lfo_route(inst) if lfo.enabled else None
        if route is None:
            if built.lfo_bus is not None:
                self.alloc.control.release(inst.id, "lfo")
            built.lfo_node = built.lfo_bus = None
            return []
        built.lfo_bus = self.alloc.control.get(inst.id, "lfo", 1)
        built.lfo_node = self.alloc.nodes()
        out: list[Request] = [
            NewSynth(
                "imbolc_lfo", built.lfo_node, built.processing_group, AddAction.HEAD,
                {"out": built.lfo_bus, "rate": lfo.rate, "depth": lfo.depth,
                 "shape": LFO_SHAPES[lfo.shape]},
            )
        ]  # fmt: skip
        mod = {f"{route.control}_mod_in": built.lfo_bus, f"{route.control}_mod_depth": route.depth}
        if route.place == "stage" and route.stage_id in built.stage_nodes:
            out.append(SetControls(built.stage_nodes[route.stage_id], mod))
        elif route.place == "output":
            out.append(SetControls(built.output_node, mod))
        elif route.place == "voices":
            out.append(SetControls(built.voice_group, mod))
        return out

    def voice_modulation(self, inst: Instrument) -> dict[str, float]:
        """LFO controls a new voice of ``inst`` starts with (empty when not voice-routed)."""
        built = self.instruments.get(inst.id)
        route = lfo_route(inst) if inst.lfo.enabled else None
        if built is None or route is None or route.place != "voices" or built.lfo_bus is None:
            return {}
        return {f"{route.control}_mod_in": built.lfo_bus, f"{route.control}_mod_depth": route.depth}

    def rebuild_instrument(self, project: Project, inst: Instrument) -> list[Request]:
        """Rebuild one instrument's chain, strip, sends and LFO; its voices keep sounding
        unless its channel count changed."""
        built = self.instruments.get(inst.id)
        if built is None:
            return self.add_instrument(project, inst)
        if instrument_channels(inst) != built.channels:
            return [*self.remove_instrument(inst.id), *self.add_instrument(project, inst)]
        old_nodes = [*built.stage_nodes.values(), built.output_node, *built.send_nodes.values()]
        if built.lfo_node is not None:
            old_nodes.append(built.lfo_node)
        built.stage_nodes.clear()
        built.send_nodes.clear()
        try:
            built.source_def = source_def(inst.source, built.channels == 1)
            self.problems.pop(f"source/{inst.id}", None)
        except Missing as missing:
            built.source_def = None
            self._problem(f"source/{inst.id}", f"{inst.name}: {missing}")
        out: list[Request] = [FreeNode(tuple(old_nodes))]
        out.extend(self._chain_requests(project, built, inst))
        return out

    def set_meters(
        self, wanted: set[InstrumentId], buses: set[BusId] | None = None
    ) -> list[Request]:
        """Meter exactly the ``wanted`` instruments and ``buses`` (those on screen); the reply
        id is the instrument id, or minus the bus id (0 is the master)."""
        out = self._set_bus_meters(set() if buses is None else buses)
        stale = [i for i in self.meter_nodes if i not in wanted or i not in self.instruments]
        if stale:
            out.append(FreeNode(tuple(self.meter_nodes.pop(i) for i in stale)))
        for ident in sorted(wanted):
            built = self.instruments.get(ident)
            if built is None or ident in self.meter_nodes:
                continue
            node = self.meter_nodes[ident] = self.alloc.nodes()
            out.append(
                NewSynth("imbolc_meter", node, built.output_group, AddAction.HEAD,
                         {"in_bus": built.source_bus, "reply_id": ident})
            )  # fmt: skip
        return out

    def _set_bus_meters(self, wanted: set[BusId]) -> list[Request]:
        out: list[Request] = []
        stale = [b for b in self.bus_meter_nodes if b not in wanted or b not in self.buses]
        if stale:
            gone = [self.bus_meter_nodes.pop(b) for b in stale]
            out.append(
                FreeNode(tuple(n for n, b in zip(gone, stale, strict=True) if b in self.buses))
            )
        for bus_id in sorted(wanted):
            if bus_id in self.buses and bus_id not in self.bus_meter_nodes:
                out.extend(self._bus_meter(bus_id))
        return [r for r in out if not (isinstance(r, FreeNode) and not r.node_ids)]

    def _bus_meter(self, bus_id: BusId) -> list[Request]:
        """A meter on a bus's signal after its effects, before its level (as an instrument's
        meter reads its signal before its strip)."""
        built = self.buses[bus_id]
        node = self.bus_meter_nodes[bus_id] = self.alloc.nodes()
        return [
            NewSynth("imbolc_meter", node, built.out_node, AddAction.BEFORE,
                     {"in_bus": built.input_bus, "reply_id": -bus_id})
        ]  # fmt: skip

    def remove_instrument(self, instrument_id: InstrumentId) -> list[Request]:
        """Free everything of one instrument, voices included."""
        built = self.instruments.pop(instrument_id, None)
        self.meter_nodes.pop(instrument_id, None)
        if built is None:
            return []
        self.alloc.audio.release_owner(instrument_id)
        self.alloc.control.release_owner(instrument_id)
        for key in [k for k in self.problems if k.split("/")[1:2] == [str(instrument_id)]]:
            del self.problems[key]
        self._release_impulses(f"stage/{instrument_id}/", set())
        return [FreeNode((built.voice_group, built.processing_group, built.output_group))]

    def resend_sends(self, project: Project, inst: Instrument) -> list[Request]:
        """Replace an instrument's send nodes (a send was enabled, retargeted or re-tapped)."""
        built = self.instruments[inst.id]
        out: list[Request] = []
        if built.send_nodes:
            out.append(FreeNode(tuple(built.send_nodes.values())))
            built.send_nodes.clear()
        out.extend(self._send_requests(project, built, inst))
        return out

    # --- buses -----------------------------------------------------------------------------

    def _build_bus(self, project: Project, bus: Bus) -> list[Request]:
        nodes = self.alloc.nodes
        built = BusNodes(bus, nodes(), self.alloc.audio.get(("bus", bus.id), "input", 2))
        self.buses[bus.id] = built
        out: list[Request] = [NewGroup(built.group, BUSES_GROUP)]
        out.extend(self._bus_chain(project, built, bus))
        return out

    def _bus_chain(self, project: Project, built: BusNodes, bus: Bus) -> list[Request]:
        out: list[Request] = []
        for effect in bus.effects:
            key = f"bus/{bus.id}/{effect.id}"
            try:
                name = stage_def(effect, mono=False)
            except Missing as missing:
                self._problem(key, f"{bus.name}: {missing}")
                continue
            self.problems.pop(key, None)
            node = self.alloc.nodes()
            built.effect_nodes[effect.id] = node
            controls = stage_controls(effect, built.input_bus)
            self._impulse(key, bus.name, effect, controls, out)
            self._remember_inputs(node, controls)
            out.append(NewSynth(name, node, built.group, AddAction.TAIL, controls))
        self._release_impulses(f"bus/{bus.id}/", {f"bus/{bus.id}/{e.id}" for e in bus.effects})
        built.out_node = self.alloc.nodes()
        strip = self.bus_strip_controls(project, bus)
        self.gates[built.out_node] = {"mute": strip["mute"]}
        out.append(
            NewSynth("imbolc_bus_out", built.out_node, built.group, AddAction.TAIL,
                     {"in_bus": built.input_bus, "out_bus": self.master_mix, **strip})
        )  # fmt: skip
        if bus.id in self.bus_meter_nodes:  # a rebuilt chain: the meter moves after it
            out.append(FreeNode((self.bus_meter_nodes.pop(bus.id),)))
            out.extend(self._bus_meter(bus.id))
        built.built_from = bus
        return out

    def bus_strip_controls(self, project: Project, bus: Bus) -> dict[str, float]:
        """Level, pan and effective mute of a bus strip."""
        return {"level": bus.level, "pan": bus.pan, "mute": bus_mute(project, bus)}

    def rebuild_bus_chain(self, project: Project, bus: Bus) -> list[Request]:
        """Rebuild one bus's effects (its input bus, and so every send to it, stays)."""
        built = self.buses[bus.id]
        old = (*built.effect_nodes.values(), built.out_node)
        built.effect_nodes.clear()
        return [FreeNode(tuple(old)), *self._bus_chain(project, built, bus)]

    def sync_buses(self, project: Project) -> list[Request]:
        """Add and remove bus sections to match the project; re-route what pointed at them."""
        out: list[Request] = []
        mixer = project.session.mixer
        wanted = {bus.id: bus for bus in mixer.buses}
        for bus_id in [b for b in self.buses if b not in wanted]:
            gone = self.buses.pop(bus_id)
            self.bus_meter_nodes.pop(bus_id, None)  # freed with its group
            self.alloc.audio.release(("bus", bus_id), "input")
            self._release_impulses(f"bus/{bus_id}/", set())
            out.append(FreeNode((gone.group,)))
        for bus_id, bus in wanted.items():
            if bus_id not in self.buses:
                out.extend(self._build_bus(project, bus))
        for inst in project.instruments.items:
            if inst.id in self.instruments:
                built = self.instruments[inst.id]
                out.append(SetControls(built.output_node, self.strip_controls(project, inst)))
                out.extend(self.resend_sends(project, inst))
        return out
