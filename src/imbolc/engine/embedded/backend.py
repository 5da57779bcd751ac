"""The ``Backend`` the engine talks to when the embedded server plays: requests become the
same OSC messages scsynth would get, queued on the server at their times."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from imbolc.engine.embedded.server import EmbeddedServer
from imbolc.engine.requests import NewSynth, Request


class EmbeddedBackend:
    """Sends requests to an in-process server; ``now`` is the clock its timetags use."""

    def __init__(self, server: EmbeddedServer, clock: Callable[[], float] = time.time) -> None:
        self.server = server
        self._clock = clock
        self.sent_messages = 0

    def send(self, requests: Sequence[Request], at: float | None = None) -> None:
        if not requests:
            return
        # Compile new SynthDefs here, on the sender's thread: compiling inside the output
        # callback would miss the audio deadline (and JACK drops a client that does).
        for request in requests:
            if isinstance(request, NewSynth) and request.synthdef not in self.server.programs:
                self.server.program(request.synthdef)
        self.server.send([request.to_osc() for request in requests], at)
        self.sent_messages += len(requests)

    def now(self) -> float:
        return self._clock()
