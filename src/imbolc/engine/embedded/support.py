"""Which SynthDefs the embedded engine can run, and which UGens the others miss."""

from __future__ import annotations

from functools import cache

from imbolc.engine.embedded.compiler import missing_ugens
from imbolc.engine.synthdefs import all_synthdefs


@cache
def embedded_support() -> dict[str, frozenset[str]]:
    """SynthDef name -> the UGens it uses that the embedded engine lacks (empty: runs)."""
    return {name: frozenset(missing_ugens(sd)) for name, sd in all_synthdefs().items()}


def unsupported_synthdefs() -> dict[str, frozenset[str]]:
    """Only the SynthDefs that need SuperCollider, with what they miss."""
    return {name: missing for name, missing in embedded_support().items() if missing}


def needs_scsynth_message(name: str) -> str | None:
    """``"needs SuperCollider: <def> uses <UGens>"``, or None when the def runs embedded."""
    missing = embedded_support().get(name)
    if not missing:
        return None
    return f"needs SuperCollider: {name} uses {', '.join(sorted(missing))}"
