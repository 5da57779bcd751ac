"""LiveSession without devices: what it does with moves whose target went away."""

from __future__ import annotations

from imbolc.core.actions import AddCcMapping, AddInstrument, DeleteInstrument
from imbolc.core.automation import AutomationTarget
from imbolc.core.live import ControlChange
from imbolc.core.midi_map import CcMapping
from imbolc.core.ports import NullEngine
from imbolc.core.store import Store
from imbolc.live_wiring import LiveSession, QueuedHooks


def test_moves_on_a_deleted_target_are_dropped_with_a_message() -> None:
    store = Store()
    store.dispatch(AddInstrument("saw", "A"))
    store.dispatch(AddInstrument("sine", "B"))
    store.dispatch(AddCcMapping(CcMapping(7, AutomationTarget("instrument", 2, "mixer.level"))))
    store.dispatch(DeleteInstrument(2))
    logged: list[str] = []
    live = LiveSession(NullEngine(), lambda: store.state, log=logged.append)
    hooks = QueuedHooks(store)
    live.bind(hooks)
    for value in (1, 2, 3):
        live.event(ControlChange(0, 7, value))
        hooks.run_pending()
    assert hooks.errors == []
    assert len(logged) == 1 and "instrument 2" in logged[0]
