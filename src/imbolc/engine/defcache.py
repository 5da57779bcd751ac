"""Compiled SynthDefs cached on disk, so starting the engine does not rebuild 149 graphs.

Building every SynthDef with supriya takes over a second; the compiled SCgf bytes only change
when the SynthDef sources or supriya change, so they are cached under a key made from those.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib import metadata, resources
from pathlib import Path

import platformdirs

from imbolc import __version__

_MEMORY: dict[str, dict[str, bytes]] = {}


def _cache_dir() -> Path:
    override = os.environ.get("IMBOLC_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("imbolc"))


def source_key() -> str:
    """A digest of the SynthDef sources, the catalog, imbolc's and supriya's versions."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(metadata.version("supriya").encode())
    package = resources.files("imbolc.engine.synthdefs")
    for entry in sorted(package.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            digest.update(entry.name.encode())
            digest.update(entry.read_bytes())
    core = resources.files("imbolc.core")
    for name in ("catalog.py", "catalog_sources.py", "catalog_effects.py"):
        digest.update(core.joinpath(name).read_bytes())
    return digest.hexdigest()[:24]


def _encode(defs: dict[str, bytes]) -> bytes:
    parts = []
    for name, data in defs.items():
        raw = name.encode()
        parts.append(len(raw).to_bytes(2, "big") + raw + len(data).to_bytes(4, "big") + data)
    return b"".join(parts)


def _decode(blob: bytes) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    at = 0
    while at < len(blob):
        size = int.from_bytes(blob[at : at + 2], "big")
        name = blob[at + 2 : at + 2 + size].decode()
        at += 2 + size
        length = int.from_bytes(blob[at : at + 4], "big")
        out[name] = blob[at + 4 : at + 4 + length]
        at += 4 + length
        if len(out[name]) != length:
            raise ValueError("truncated SynthDef cache")
    return out


def compiled_defs() -> dict[str, bytes]:
    """Every buildable SynthDef compiled alone (SCgf bytes each), from the cache when fresh."""
    key = source_key()
    if key in _MEMORY:
        return _MEMORY[key]
    path = _cache_dir() / f"synthdefs-{key}.bin"
    try:
        defs = _decode(path.read_bytes())
    except (OSError, ValueError, UnicodeDecodeError):
        from imbolc.engine.synthdefs import compiled_bytes, synthdef_names

        defs = {name: compiled_bytes([name]) for name in synthdef_names()}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
                tmp.write(_encode(defs))
            os.replace(tmp.name, path)
        except OSError:
            pass  # a read-only cache only costs start-up time
    _MEMORY[key] = defs
    return defs


def batches(max_bytes: int | None) -> list[bytes]:
    """SCgf files holding every SynthDef, each at most ``max_bytes`` (None: one file)."""
    defs = list(compiled_defs().values())
    out: list[bytes] = []
    batch: list[bytes] = []
    size = 0
    for data in defs:
        body = data[10:]  # drop each file's header: "SCgf", version, def count
        if batch and max_bytes is not None and size + len(body) + 10 > max_bytes:
            out.append(_scgf(batch))
            batch, size = [], 0
        batch.append(body)
        size += len(body)
    if batch:
        out.append(_scgf(batch))
    return out


def _scgf(bodies: list[bytes]) -> bytes:
    return b"SCgf" + (2).to_bytes(4, "big") + len(bodies).to_bytes(2, "big") + b"".join(bodies)
