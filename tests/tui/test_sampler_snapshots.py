"""How the sampler pane looks with a loaded, sliced sample, at 80x24 and 160x50 (SVG snapshots).

Regenerate after an intended change with ``--snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tui_fakes import DEMO, AppFactory

from imbolc.core.actions import SetInstrumentSource, SetSampler
from imbolc.core.instrument import SamplerConfig
from imbolc.core.store import Store
from imbolc.tui.panes.sampler import equal_slices

SIZES = {"80x24": (80, 24), "160x50": (160, 50)}
BASS = DEMO.instruments.items[1]


@pytest.mark.parametrize("size", SIZES)
def test_the_sampler_pane_matches_its_snapshot(
    snap_compare: Callable[..., bool], make_app: AppFactory, store: Store, size: str
) -> None:
    store.dispatch(SetInstrumentSource(BASS.id, "pitched_sampler"))
    config = SamplerConfig("/samples/break.wav", "break", equal_slices(8), 2, loop=True)
    store.dispatch(SetSampler(BASS.id, config))
    assert snap_compare(make_app(), press=("down", "enter", "o"), terminal_size=SIZES[size])
