"""Voice allocation: which node plays a note, and which voice to steal when the cap is hit.

Pure bookkeeping, no OSC: the engine turns the decisions into requests. ``/n_end`` from the
server is the truth about a voice's end (``ended``); ``sweep`` is only a fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

STEAL_FADE = 0.03
"""Seconds of the anti-click fade given to a stolen voice."""
SWEEP_GRACE = 1.5
"""Seconds after its release time that a voice with no ``/n_end`` is forgotten."""


@dataclass
class Voice:
    """One sounding (or releasing) voice of an instrument."""

    node_id: int
    pitch: int
    velocity: float
    started: float
    released: float | None = None
    release_time: float = 0.3

    def score(self, now: float) -> float:
        """Lower scores are stolen first: releasing voices, then quiet and old ones."""
        if self.released is not None:
            progress = (now - self.released) / max(self.release_time, 1e-3)
            return max(0.0, 999.0 * (1.0 - min(progress, 1.0)))
        age = max(0.0, now - self.started)
        return 1000.0 + self.velocity * 500.0 + 500.0 / (1.0 + age)


@dataclass
class NoteOnPlan:
    """What to do for a note on: the new voice's node id and the voices to cut."""

    node_id: int
    steal: list[int] = field(default_factory=list)


class VoiceAllocator:
    """Voices of one instrument: a polyphony cap, stealing and mono mode."""

    def __init__(self, next_node_id: Callable[[], int]) -> None:
        self._next_node_id = next_node_id
        self.voices: dict[int, Voice] = {}

    def note_on(
        self,
        pitch: int,
        velocity: float,
        now: float,
        *,
        cap: int,
        mono: bool = False,
        release_time: float = 0.3,
    ) -> NoteOnPlan:
        """Start a voice; steal a retriggered pitch, everything (mono), or the weakest."""
        steal: list[int] = []
        if mono:
            steal.extend(v.node_id for v in self.voices.values())
        else:
            steal.extend(
                v.node_id for v in self.voices.values() if v.pitch == pitch and v.released is None
            )
            remaining = len(self.voices) - len(steal)
            if remaining >= cap:
                candidates = sorted(
                    (v for v in self.voices.values() if v.node_id not in steal),
                    key=lambda v: (v.score(now), v.started),
                )
                steal.extend(v.node_id for v in candidates[: remaining - cap + 1])
        for node_id in steal:
            self.voices.pop(node_id, None)
        node_id = self._next_node_id()
        self.voices[node_id] = Voice(node_id, pitch, velocity, now, release_time=release_time)
        return NoteOnPlan(node_id, steal)

    def note_off(self, pitch: int, now: float) -> int | None:
        """Release the oldest held voice of ``pitch``; returns its node id."""
        held = [v for v in self.voices.values() if v.pitch == pitch and v.released is None]
        if not held:
            return None
        voice = min(held, key=lambda v: v.started)
        voice.released = now
        return voice.node_id

    def release_all(self, now: float) -> list[int]:
        """Release every held voice (stop, panic); returns their node ids."""
        out = []
        for voice in self.voices.values():
            if voice.released is None:
                voice.released = now
                out.append(voice.node_id)
        return out

    def ended(self, node_id: int) -> bool:
        """The server says this node ended; forget it. True if it was ours."""
        return self.voices.pop(node_id, None) is not None

    def sweep(self, now: float) -> list[int]:
        """Forget voices long past their release with no ``/n_end``; returns their ids."""
        stale = [
            v.node_id
            for v in self.voices.values()
            if v.released is not None and now - v.released > v.release_time + SWEEP_GRACE
        ]
        for node_id in stale:
            del self.voices[node_id]
        return stale

    def __len__(self) -> int:
        return len(self.voices)
