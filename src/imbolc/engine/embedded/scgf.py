"""Read the SynthDef names out of compiled SCgf bytes (what ``/d_recv`` carries)."""

from __future__ import annotations

import struct


class BadSynthDefFile(ValueError):
    """The bytes are not an SCgf file this reader understands."""


def synthdef_names(data: bytes) -> list[str]:
    """The names of every SynthDef in an SCgf (version 1 or 2) file, in order."""
    if data[:4] != b"SCgf":
        raise BadSynthDefFile("not a compiled SynthDef file (no SCgf header)")
    pos = 4
    try:
        (version,) = struct.unpack_from(">i", data, pos)
        if version not in (1, 2):
            raise BadSynthDefFile(f"SCgf version {version} is not 1 or 2")
        wide = ">i" if version == 2 else ">h"
        size = 4 if version == 2 else 2
        (count,) = struct.unpack_from(">h", data, pos + 4)
        pos += 6
        names: list[str] = []

        def pstring() -> str:
            nonlocal pos
            length = data[pos]
            text = data[pos + 1 : pos + 1 + length].decode("latin-1")
            pos += 1 + length
            return text

        def number(fmt: str, width: int) -> int:
            nonlocal pos
            (value,) = struct.unpack_from(fmt, data, pos)
            pos += width
            return int(value)

        for _ in range(count):
            names.append(pstring())
            constants = number(wide, size)
            pos += 4 * constants
            parameters = number(wide, size)
            pos += 4 * parameters
            for _ in range(number(wide, size)):
                pstring()
                pos += size
            for _ in range(number(wide, size)):
                pstring()
                pos += 1
                inputs = number(wide, size)
                outputs = number(wide, size)
                pos += 2 + inputs * 2 * size + outputs
            for _ in range(number(">h", 2)):
                pstring()
                pos += 4 * parameters
        if pos > len(data):
            raise BadSynthDefFile("compiled SynthDef file is truncated")
        return names
    except (struct.error, IndexError) as error:
        raise BadSynthDefFile(f"compiled SynthDef file is truncated: {error}") from error
