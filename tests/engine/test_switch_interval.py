"""The audio thread's short thread-switch interval lasts only while an audio thread runs."""

from __future__ import annotations

import sys

from imbolc.engine.realtime import SWITCH_INTERVAL, _SwitchInterval


def test_the_interval_is_lowered_while_held_and_restored_after_the_last_release() -> None:
    before = sys.getswitchinterval()
    holders = _SwitchInterval()
    try:
        holders.acquire()
        holders.acquire()
        assert sys.getswitchinterval() <= SWITCH_INTERVAL + 1e-9
        holders.release()
        assert sys.getswitchinterval() <= SWITCH_INTERVAL + 1e-9
        holders.release()
        assert sys.getswitchinterval() == before
    finally:
        sys.setswitchinterval(before)


def test_an_extra_release_leaves_the_interval_alone() -> None:
    before = sys.getswitchinterval()
    holders = _SwitchInterval()
    holders.release()
    assert sys.getswitchinterval() == before
