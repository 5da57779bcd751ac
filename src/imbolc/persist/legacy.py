"""Reading msgpack blobs written before schema 4, when the large structs were maps.

Schema 4 made ``Project``, ``Session``, ``Instrument``, ``AutomationLane`` and the other
containers ``array_like`` (positional). A blob of an older file holds those as maps keyed by
field name; :func:`decode_legacy` turns each such map into the array of its fields in order
(defaults for the missing ones), guided by the target type, then decodes it as usual.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from msgspec import inspect as mi

T = TypeVar("T")

_SEQUENCES = (mi.ListType, mi.VarTupleType, mi.SetType, mi.FrozenSetType)


def _default(field: mi.Field) -> Any:
    if field.default is not msgspec.NODEFAULT:
        return msgspec.to_builtins(field.default)
    if field.default_factory is not msgspec.NODEFAULT:
        return msgspec.to_builtins(field.default_factory())
    raise msgspec.ValidationError(f"object is missing the required field `{field.name}`")


def _arrays(value: Any, info: mi.Type) -> Any:
    """``value`` with every map that stands for an array-like struct turned into its array."""
    if isinstance(info, mi.StructType):
        if isinstance(value, dict) and info.array_like:
            out = [
                _arrays(value[f.encode_name], f.type) if f.encode_name in value else _default(f)
                for f in info.fields
            ]
            if info.tag is not None:
                out.insert(0, info.tag)
            return out
        if isinstance(value, dict):
            return {
                f.encode_name: _arrays(value[f.encode_name], f.type)
                for f in info.fields
                if f.encode_name in value
            }
        return value
    if isinstance(info, _SEQUENCES) and isinstance(value, list):
        return [_arrays(item, info.item_type) for item in value]
    if isinstance(info, mi.TupleType) and isinstance(value, list):
        return [_arrays(v, t) for v, t in zip(value, info.item_types, strict=False)]
    if isinstance(info, mi.UnionType) and isinstance(value, dict):
        structs = [t for t in info.types if isinstance(t, mi.StructType)]
        if len(structs) == 1:
            return _arrays(value, structs[0])
    return value


def decode_legacy(blob: bytes, kind: type[T]) -> T:
    """``blob`` (msgpack written by schema 3 or older) decoded as ``kind``."""
    raw = msgspec.msgpack.decode(blob)
    return msgspec.convert(_arrays(raw, mi.type_info(kind)), kind)


def decode_either(blob: bytes, kind: type[T]) -> T:
    """``blob`` in the current positional form, or else in the older map form."""
    try:
        return msgspec.msgpack.decode(blob, type=kind)
    except msgspec.ValidationError:
        return decode_legacy(blob, kind)


def reencoded(blob: object, kind: type[Any]) -> object:
    """``blob`` re-encoded in the current form; a blob that does not decode is kept as it
    is, so the reader reports it (naming its table) instead of the migration failing."""
    if not isinstance(blob, bytes):
        return blob
    try:
        return msgspec.msgpack.encode(decode_either(blob, kind))
    except (msgspec.MsgspecError, ValueError, TypeError, RecursionError):
        return blob
