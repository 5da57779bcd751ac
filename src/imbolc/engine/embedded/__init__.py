"""The embedded engine: an in-process NumPy server that runs imbolc's SynthDefs, so imbolc
plays and renders with no SuperCollider installed.

``EmbeddedServer`` interprets the OSC messages the engine's requests produce; ``EmbeddedBackend``
is the ``Backend`` over it; ``render_embedded`` renders offline; ``EmbeddedRealtime`` plays live
(an ``EnginePort``); ``embedded_support`` says which SynthDefs need SuperCollider and why.
"""

from __future__ import annotations

from imbolc.engine.embedded.backend import EmbeddedBackend
from imbolc.engine.embedded.compiler import Unsupported
from imbolc.engine.embedded.realtime import EmbeddedRealtime
from imbolc.engine.embedded.render import render_embedded
from imbolc.engine.embedded.server import EmbeddedServer, ServerOptions
from imbolc.engine.embedded.support import (
    embedded_support,
    needs_scsynth_message,
    unsupported_synthdefs,
)

__all__ = [
    "EmbeddedBackend",
    "EmbeddedRealtime",
    "EmbeddedServer",
    "ServerOptions",
    "Unsupported",
    "embedded_support",
    "needs_scsynth_message",
    "render_embedded",
    "unsupported_synthdefs",
]
