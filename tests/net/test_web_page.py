"""The remote page's contract with the server: the field orders it is given are the real
ones, and the commits it ignores never change what it shows."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imbolc.core.actions import ACTION_TYPES
from imbolc.core.actions.base import Action
from imbolc.core.apply import apply
from imbolc.core.errors import ImbolcError
from imbolc.core.project import Project
from imbolc.core.templates import demo_project
from imbolc.net import messages as m
from imbolc.net.web_page import APPLIED, RELOADED, page_config

DEMO = demo_project()


def page_view(project: Project) -> tuple[Any, ...]:
    """Everything the page shows of a project: the strips, the master and the tempo."""
    strips = tuple(
        (i.id, i.name, i.source, i.mixer.level, i.mixer.pan, i.mixer.mute, i.mixer.solo)
        for i in project.instruments.items
    )
    mixer = project.session.mixer
    return strips, mixer.master_level, mixer.master_mute, project.session.settings.bpm


ACTIONS = st.one_of([st.from_type(cls) for cls in ACTION_TYPES])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_an_action_the_page_ignores_never_changes_what_it_shows(action: Action) -> None:
    try:
        after, _effects = apply(DEMO, action)
    except (ImbolcError, ValueError, TypeError, KeyError, IndexError):
        return  # refused: nothing changed anywhere
    if type(action) not in (*APPLIED, *RELOADED):
        assert page_view(after) == page_view(DEMO), type(action).__name__


def test_the_page_is_given_the_real_field_orders() -> None:
    config = page_config("msgpack")
    hello = m.Hello(1, "x", "phone", (2,), True, "t", b"n")
    encoded = msgspec.json.decode(msgspec.json.encode(hello))
    assert encoded[0] == "Hello"
    assert dict(zip(config["messages"]["Hello"], encoded[1:], strict=True)) == {
        "protocol": 1, "app_version": "x", "name": "phone", "own": [2],
        "want_privilege": True, "token": "t", "nonce": "bg==",
    }  # fmt: skip
    first = DEMO.instruments.items[0]
    assert config["tree"]["Instrument"] == [f.name for f in msgspec.structs.fields(first)]
    encoded_first = msgspec.json.decode(msgspec.json.encode(first))  # positional on the wire
    assert encoded_first[config["tree"]["Instrument"].index("name")] == first.name
    assert config["reloaded"] == [cls.__name__ for cls in RELOADED]
