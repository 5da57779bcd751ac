"""O(1) lookup by id on immutable containers.

A container Struct (with ``weakref=True``) gets an id→position index built once, cached by
object identity and dropped when the container dies. An edit that replaces one item in place
hands the same index to the new container, so lookups stay O(1) across edits.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

_INDEXES: dict[int, tuple[weakref.ref[Any], dict[int, int]]] = {}


def _forget(key: int) -> Callable[[weakref.ref[Any]], None]:
    def callback(_ref: weakref.ref[Any]) -> None:
        _INDEXES.pop(key, None)

    return callback


def remember_index(owner: object, index: dict[int, int]) -> None:
    """Attach a ready index to ``owner`` (which must not be mutated afterwards)."""
    key = id(owner)
    _INDEXES[key] = (weakref.ref(owner, _forget(key)), index)


def position_index(owner: object, items: Iterable[T], key: Callable[[T], int]) -> dict[int, int]:
    """The id→position index of ``items`` held by ``owner``, built on first use."""
    hit = _INDEXES.get(id(owner))
    if hit is not None and hit[0]() is owner:
        return hit[1]
    index = {key(item): pos for pos, item in enumerate(items)}
    remember_index(owner, index)
    return index


def replace_at(items: tuple[T, ...], position: int, item: T) -> tuple[T, ...]:
    """A new tuple with ``items[position]`` replaced; every other element is shared."""
    return (*items[:position], item, *items[position + 1 :])


V = TypeVar("V")


class IdentityCache:
    """Values derived from immutable objects, cached per object identity.

    Used for derived data that is costly to rebuild (the flattened arrangement), so it is
    recomputed only when the object it comes from is replaced.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[Any], Any]] = {}

    def get(self, owner: object, compute: Callable[[], V]) -> V:
        """The cached value for ``owner``, computed on first use."""
        key = id(owner)
        hit = self._entries.get(key)
        if hit is not None and hit[0]() is owner:
            value: V = hit[1]
            return value
        value = compute()
        entries = self._entries

        def forget(_ref: weakref.ref[Any]) -> None:
            entries.pop(key, None)

        entries[key] = (weakref.ref(owner, forget), value)
        return value

    def __len__(self) -> int:
        return len(self._entries)
