"""The protocol as JSON Schema, generated from the message and action Structs by msgspec.

``imbolc protocol-schema`` prints it: everything a third party needs to speak the protocol
(every message and action, each field's position, name and type). Structs are encoded as
arrays (``array_like``), so each array item is titled with its field name.
"""

from __future__ import annotations

from typing import Any

import msgspec

from imbolc.core.actions import ACTION_TYPES
from imbolc.net.messages import PROTOCOL_VERSION, ClientMessage, ServerMessage

REF_TEMPLATE = "#/$defs/{name}"


def _structs(types: list[Any]) -> dict[str, type[msgspec.Struct]]:
    """Every Struct class reachable from ``types``, by the name msgspec gives its schema."""
    found: dict[str, type[msgspec.Struct]] = {}
    pending = list(msgspec.inspect.multi_type_info(types))
    seen: set[int] = set()
    while pending:
        info = pending.pop()
        if id(info) in seen:
            continue
        seen.add(id(info))
        if isinstance(info, msgspec.inspect.StructType):
            found.setdefault(info.cls.__name__, info.cls)
            pending.extend(field.type for field in info.fields)
        for attribute in ("types", "item_type", "key_type", "value_type", "item_types"):
            value = getattr(info, attribute, None)
            if isinstance(value, msgspec.inspect.Type):
                pending.append(value)
            elif isinstance(value, tuple):
                pending.extend(v for v in value if isinstance(v, msgspec.inspect.Type))
    return found


def _name_items(schema: dict[str, Any], cls: type[msgspec.Struct]) -> None:
    items = schema.get("prefixItems")
    if not isinstance(items, list):
        return
    names = list(msgspec.structs.fields(cls))
    tagged = cls.__struct_config__.tag is not None
    offset = 1 if tagged else 0
    if tagged and items:
        items[0]["title"] = "type (tag)"
    for n, field in enumerate(names):
        if n + offset < len(items):
            items[n + offset]["title"] = field.name


def protocol_schema() -> dict[str, Any]:
    """A JSON Schema (2020-12) document: what a client sends, what a server sends."""
    roots = [ClientMessage, ServerMessage]
    (client, server), components = msgspec.json.schema_components(roots, ref_template=REF_TEMPLATE)
    structs = _structs(roots)
    for name, component in components.items():
        cls = structs.get(name)
        if cls is not None and cls.__struct_config__.array_like:
            _name_items(component, cls)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"imbolc collaboration protocol, version {PROTOCOL_VERSION}",
        "description": (
            "Frames are a 4-byte big-endian length and a payload, msgpack (default) or JSON. "
            "Every message and action is an array whose first item is its type tag, then its "
            "fields in order; trailing fields with defaults may be left out. See docs/protocol.md."
        ),
        "protocol_version": PROTOCOL_VERSION,
        "properties": {"client_to_server": client, "server_to_client": server},
        "$defs": components,
    }


def covered_names(schema: dict[str, Any]) -> set[str]:
    """The message and action names a schema defines."""
    return set(schema["$defs"])


def action_names() -> set[str]:
    """Every action class name (each must appear in the schema)."""
    return {cls.__name__ for cls in ACTION_TYPES}
