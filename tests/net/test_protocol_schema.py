"""``imbolc protocol-schema`` covers every message and action, with each field named in order."""

from __future__ import annotations

import inspect
import json

import msgspec
import pytest

from imbolc.cli import main
from imbolc.core.actions import ACTION_TYPES
from imbolc.net import messages
from imbolc.net.protocol_schema import protocol_schema
from imbolc.net.restore import Restore


def _message_classes() -> list[type[msgspec.Struct]]:
    found = []
    for _name, cls in inspect.getmembers(messages, inspect.isclass):
        if issubclass(cls, messages.Message) and cls is not messages.Message:
            if cls in (messages.ActIn, messages.ActBatchIn):  # the server's raw view of Act
                continue
            found.append(cls)
    return found


def test_the_schema_defines_every_message_action_and_restore_op() -> None:
    defined = set(protocol_schema()["$defs"])
    wanted = {cls.__name__ for cls in (*_message_classes(), *ACTION_TYPES, Restore)}
    assert len(wanted) == len(_message_classes()) + len(ACTION_TYPES) + 1
    assert wanted - defined == set()


@pytest.mark.parametrize("cls", [*_message_classes(), *ACTION_TYPES], ids=lambda c: c.__name__)
def test_each_array_names_its_fields_in_order(cls: type[msgspec.Struct]) -> None:
    component = protocol_schema()["$defs"][cls.__name__]
    items = component["prefixItems"]
    assert items[0]["enum"] == [cls.__struct_config__.tag]
    names = [item["title"] for item in items[1:]]
    assert names == [field.name for field in msgspec.structs.fields(cls)]


def test_the_command_prints_the_schema_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["protocol-schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["protocol_version"] == messages.PROTOCOL_VERSION
    assert "Hello" in printed["$defs"]
    assert printed["properties"]["client_to_server"]["anyOf"]


def test_the_protocol_doc_points_to_the_schema() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "protocol.md").read_text()
    assert "imbolc protocol-schema" in doc
