"""How a load runs its queries: strict (the first bad value stops it) or tolerant (every
problem is collected and the unreadable parts are left out), for ``imbolc check``."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import msgspec

from imbolc.persist import schema
from imbolc.persist.rows import Row, decode_rows, decode_tuple

T = TypeVar("T")

DECODE_ERRORS = (msgspec.ValidationError, msgspec.DecodeError, ValueError)


class BadValue(Exception):
    """A row holds a value of the wrong type or shape; the message says where."""


@contextmanager
def where(table: str, owner: str = "") -> Iterator[None]:
    """Turn decoding errors inside into a BadValue naming the table (and owning object)."""
    try:
        yield
    except DECODE_ERRORS as exc:
        raise BadValue(f"{_at(table, owner)}: {exc}") from exc


def _at(table: str, owner: str) -> str:
    return f"table {table}" + (f" ({owner})" if owner else "")


def json_value(text: str, kind: type[T], column: str) -> T:
    try:
        return msgspec.json.decode(text, type=kind)
    except DECODE_ERRORS as exc:
        raise ValueError(f"column {column}: {exc}") from exc


def unpacked(blob: bytes, kind: type[T], column: str) -> T:
    try:
        return msgspec.msgpack.decode(blob, type=kind)
    except DECODE_ERRORS as exc:
        raise ValueError(f"column {column}: {exc}") from exc


class InvalidText(bytes):
    """What the tolerant reader holds for a text value that is not UTF-8 (its raw bytes)."""


def _tolerant_text(raw: bytes) -> str | InvalidText:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return InvalidText(raw)


def _invalid_text_problem(row: Row, kind: type[Any]) -> str | None:
    for n, value in enumerate(row):
        if isinstance(value, InvalidText):
            fields = msgspec.structs.fields(kind)
            column = fields[n].name if n < len(fields) else str(n + 1)
            return f"column {column}: text that is not valid UTF-8 ({bytes(value)[:40]!r})"
    return None


class Reader:
    """Runs the queries of one load. Strict (``problems`` None) stops at the first bad value;
    tolerant collects every problem in ``problems`` and skips what it cannot read."""

    def __init__(self, conn: sqlite3.Connection, problems: list[str] | None = None) -> None:
        self.conn = conn
        self.problems = problems
        if problems is not None:
            conn.text_factory = _tolerant_text

    def select(self, sql: str, *params: object, table: str = "", owner: str = "") -> list[Row]:
        """The rows of ``sql``; tolerant keeps the rows read before a damaged page or table."""
        if self.problems is None:
            return self.conn.execute(sql, params).fetchall()
        found: list[Row] = []
        try:
            for row in self.conn.execute(sql, params):
                found.append(row)
        except (sqlite3.Error, ValueError) as exc:
            text = schema.describe(exc) if isinstance(exc, sqlite3.Error) else str(exc)
            self.problems.append(f"{_at(table, owner)}: rows after {len(found)} unreadable: {text}")
        return found

    def decoded(
        self, found: list[Row], kind: type[T], table: str, owner: str = "", *, model: bool = False
    ) -> list[T]:
        """Rows type-checked into ``kind``; tolerant drops (and reports) each bad row."""
        decode = decode_tuple if model else decode_rows
        try:
            return list(decode(found, kind))
        except DECODE_ERRORS as exc:
            if self.problems is None:
                raise BadValue(f"{_at(table, owner)}: {exc}") from exc
        kept: list[T] = []
        for number, row in enumerate(found, 1):
            try:
                kept.extend(decode([row], kind))
            except DECODE_ERRORS as exc:
                bad_text = _invalid_text_problem(row, kind)
                problem = bad_text or str(exc).replace("row 1:", f"row {number}:")
                self.problems.append(f"{_at(table, owner)}: {problem} (row {number} skipped)")
        return kept

    def rows(
        self, sql: str, *params: object, kind: type[T], table: str, owner: str = ""
    ) -> list[T]:
        """Select and decode into row Structs."""
        found = self.select(sql, *params, table=table, owner=owner)
        return self.decoded(found, kind, table, owner)

    def items(
        self, sql: str, *params: object, kind: type[T], table: str, owner: str = ""
    ) -> tuple[T, ...]:
        """Select and decode straight into model Structs."""
        found = self.select(sql, *params, table=table, owner=owner)
        return tuple(self.decoded(found, kind, table, owner, model=True))

    def each(self, items: list[Any], build: Callable[[Any], T]) -> tuple[T, ...]:
        """``build`` over every item; tolerant skips (and reports) the items it cannot build."""
        out: list[T] = []
        for item in items:
            try:
                out.append(build(item))
            except BadValue as exc:
                if self.problems is None:
                    raise
                self.problems.append(f"{exc} (skipped)")
        return tuple(out)
