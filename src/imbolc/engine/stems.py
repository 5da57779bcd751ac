"""Stems: each instrument's full contribution to the mix, on output channels of its own.

A stem is what the instrument adds to the master: its strip (routed to master or through its
output bus), plus the returns of its sends through copies of each bus's effect chain, all
through a copy of the master strip. Every copy is fed only by its instrument, and every control
change the engine makes on an original node (automation, mute, solo) is repeated on its copies,
so with linear bus effects the stems sum to the mix taken before the master's safety limiter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from imbolc.core.ids import BusId
from imbolc.core.instrument import Instrument
from imbolc.core.project import Project
from imbolc.engine.engine import Engine
from imbolc.engine.graph import stage_controls
from imbolc.engine.layout import BUSES_GROUP, MASTER_GROUP
from imbolc.engine.naming import Missing, stage_def
from imbolc.engine.requests import AddAction, NewGroup, NewSynth, Request, SetControls
from imbolc.engine.score import ScoreBackend


@dataclass
class StemScore(ScoreBackend):
    """A score that repeats each control change of a mixer node on that node's stem copies."""

    mirrors: dict[int, list[int]] = field(default_factory=dict)

    def send(self, requests: Sequence[Request], at: float | None = None) -> None:
        if not self.mirrors:
            super().send(requests, at)
            return
        out: list[Request] = []
        for request in requests:
            out.append(request)
            if isinstance(request, SetControls):
                for copy in self.mirrors.get(request.node_id, ()):
                    out.append(SetControls(copy, request.controls))
        super().send(out, at)


def _feeds(inst: Instrument, engine: Engine) -> list[BusId]:
    """The buses an instrument's sound reaches: its output bus and its built sends."""
    built = engine.graph.instruments[inst.id]
    fed = [*built.send_nodes]
    out_bus = inst.mixer.output_bus
    if out_bus is not None and out_bus in engine.graph.buses and out_bus not in fed:
        fed.append(out_bus)
    return fed


def build_stems(project: Project, engine: Engine, score: StemScore, first_channel: int) -> None:
    """Add every instrument's stem copy to ``score`` (instrument ``k`` on the two channels from
    ``first_channel + 2k``); from then on the score mirrors control changes onto them."""
    graph, alloc = engine.graph, engine.alloc
    requests: list[Request] = []

    def copy(
        original: int, name: str, group: int, action: AddAction, controls: dict[str, float]
    ) -> None:
        node = alloc.nodes()
        score.mirrors.setdefault(original, []).append(node)
        requests.append(NewSynth(name, node, group, action, controls))

    mixer = project.session.mixer
    for k, inst in enumerate(project.instruments.items):
        built = graph.instruments[inst.id]
        master_in = alloc.audio.get(("stem", inst.id), "master", 2)
        copy(graph.master_node, "imbolc_output", MASTER_GROUP, AddAction.HEAD,
             {"in_bus": master_in, "out_bus": first_channel + 2 * k,
              "level": mixer.master_level, "mute": float(mixer.master_mute)})  # fmt: skip
        bus_in: dict[BusId, int] = {}
        for bus_id in _feeds(inst, engine):
            bus, built_bus = mixer.bus(bus_id), graph.buses[bus_id]
            assert bus is not None
            bus_in[bus_id] = alloc.audio.get(("stem", inst.id), f"bus {bus_id}", 2)
            group = alloc.nodes()
            requests.append(NewGroup(group, BUSES_GROUP))
            for effect in bus.effects:
                original = built_bus.effect_nodes.get(effect.id)
                if original is None:
                    continue
                try:
                    name = stage_def(effect, mono=False)
                except Missing:
                    continue  # reported when the bus itself was built
                copy(original, name, group, AddAction.TAIL, stage_controls(effect, bus_in[bus_id]))
            copy(built_bus.out_node, "imbolc_bus_out", group, AddAction.TAIL,
                 {"in_bus": bus_in[bus_id], "out_bus": master_in,
                  **graph.bus_strip_controls(project, bus)})  # fmt: skip
        strip = graph.strip_controls(project, inst)
        out_bus = inst.mixer.output_bus
        strip["out_bus"] = bus_in.get(out_bus, master_in) if out_bus is not None else master_in
        mono = built.channels == 1
        copy(built.output_node, "imbolc_output_mono" if mono else "imbolc_output",
             built.output_group, AddAction.TAIL, {"in_bus": built.source_bus, **strip})  # fmt: skip
        for send in inst.mixer.sends:
            original = built.send_nodes.get(send.bus_id)
            if original is None:
                continue
            group, action = (
                (built.processing_group, AddAction.HEAD)
                if send.tap == "pre"
                else (built.output_group, AddAction.TAIL)
            )
            gate = graph.send_gate(project, inst, send.bus_id, send.tap)
            copy(original, "imbolc_send_mono" if mono else "imbolc_send", group, action,
                 {"in_bus": built.source_bus, "out_bus": bus_in[send.bus_id],
                  "level": send.level, **gate})  # fmt: skip
    score.send(requests, 0.0)
