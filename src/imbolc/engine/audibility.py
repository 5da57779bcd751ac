"""Which strips, sends and buses are heard: mute and solo across instruments and buses.

One rule for every order of actions, so a mute or solo set before a send exists means the same
as one set after. Solo is solo-in-place: while anything is soloed, an instrument's strip is
heard when it is soloed or routed to a soloed bus; its send to a bus is heard when the
instrument or that bus is soloed; while a bus is soloed, another bus is heard only when a
soloed instrument feeds it. A muted instrument is silent at its strip and at every send, pre
or post.
"""

from __future__ import annotations

from imbolc.core.ids import BusId
from imbolc.core.instrument import Instrument
from imbolc.core.mixer import Bus
from imbolc.core.project import Project


def any_solo(project: Project) -> bool:
    """Whether any instrument or bus strip is soloed."""
    return project.instruments.any_solo() or project.session.mixer.any_solo()


def _bus_soloed(project: Project, bus_id: BusId | None) -> bool:
    if bus_id is None:
        return False
    bus = project.session.mixer.bus(bus_id)
    return bus is not None and bus.solo


def strip_mute(project: Project, inst: Instrument) -> float:
    """1.0 when the instrument's own strip must be silent, else 0.0."""
    strip = inst.mixer
    if strip.mute:
        return 1.0
    if not any_solo(project):
        return 0.0
    return 0.0 if strip.solo or _bus_soloed(project, strip.output_bus) else 1.0


def send_mute(project: Project, inst: Instrument, bus_id: BusId) -> float:
    """1.0 when the instrument's send to ``bus_id`` must be silent, else 0.0."""
    if inst.mixer.mute:
        return 1.0
    if not any_solo(project):
        return 0.0
    return 0.0 if inst.mixer.solo or _bus_soloed(project, bus_id) else 1.0


def _feeds(inst: Instrument, bus_id: BusId) -> bool:
    strip = inst.mixer
    return strip.output_bus == bus_id or any(
        send.enabled and send.bus_id == bus_id for send in strip.sends
    )


def bus_mute(project: Project, bus: Bus) -> float:
    """1.0 when a bus strip must be silent, else 0.0."""
    if bus.mute:
        return 1.0
    if not project.session.mixer.any_solo() or bus.solo:
        return 0.0  # an instrument solo gates the other instruments' sends, not the buses
    fed = any(inst.mixer.solo and _feeds(inst, bus.id) for inst in project.instruments.items)
    return 0.0 if fed else 1.0
