"""The server's control requests (ownership, privilege, transport, saving, stopping) and meters.

Each handler checks who is asking, answers ``Accepted`` or ``Rejected`` with a reason, and
marks the peers list for the next flush when ownership or the privilege moved.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from imbolc.core.ports import EnginePort
from imbolc.net.events import ShutdownRequested
from imbolc.net.messages import (
    Accepted,
    Claim,
    HandOver,
    Meter,
    Notice,
    Peak,
    Ping,
    PlayNote,
    Pong,
    Release,
    ReleasePrivilege,
    RequestPrivilege,
    RequestSnapshot,
    Save,
    Shutdown,
    TransportCommand,
)
from imbolc.net.roster import ClientRecord

if TYPE_CHECKING:
    from imbolc.net.server_session import Connection, ServerSession


class Control:
    """Handlers for the requests that are not actions."""

    def __init__(self, session: ServerSession) -> None:
        self.session = session

    def claim(self, conn: Connection, client: ClientRecord, msg: Claim) -> None:
        """Grant the free instruments asked for."""
        s = self.session
        granted, denied = s.roster.claim(client.id, msg.ids, s.store.state)
        if granted:
            s.peers_changed()
        if denied and not granted:
            s.reject(conn, msg.seq, "; ".join(denied))
            return
        detail = "you own " + ", ".join(map(str, granted))
        s.reply(conn, Accepted(msg.seq, "; ".join([detail, *denied])))

    def release(self, conn: Connection, client: ClientRecord, msg: Release) -> None:
        """Give instruments up."""
        s = self.session
        released = s.roster.release(client.id, msg.ids)
        if released:
            s.peers_changed()
        s.reply(conn, Accepted(msg.seq, "released " + ", ".join(map(str, released))))

    def request_privilege(
        self, conn: Connection, client: ClientRecord, msg: RequestPrivilege
    ) -> None:
        """Grant the privilege if it is free or its holder is away; ``force`` takes it."""
        s = self.session
        roster = s.roster
        holder = roster.privileged
        if holder is not None and holder != client.id:
            present = s.connection_of(roster.clients.get(holder))
            if present is not None and not msg.force:
                reason = (
                    f"the privilege is held by {roster.name_of(holder)}; ask them to hand it over"
                )
                s.reject(conn, msg.seq, reason)
                return
            if present is not None:
                s.reply(present, Notice(f"{client.name} took the privilege"))
        roster.privileged = client.id
        s.peers_changed()
        s.reply(conn, Accepted(msg.seq, "you hold the privilege"))

    def hand_over(self, conn: Connection, client: ClientRecord, msg: HandOver) -> None:
        """Pass the privilege to another connected client (holder only)."""
        s = self.session
        reason = s.roster.authority().need_privilege(client.id, "handing over the privilege")
        target = s.roster.clients.get(msg.client_id)
        target_conn = s.connection_of(target)
        if reason is not None or target is None or target_conn is None:
            s.reject(conn, msg.seq, reason or f"client {msg.client_id} is not connected")
            return
        s.roster.privileged = target.id
        s.peers_changed()
        s.reply(target_conn, Notice(f"{client.name} handed you the privilege"))
        s.reply(conn, Accepted(msg.seq, f"{target.name} holds the privilege"))

    def release_privilege(
        self, conn: Connection, client: ClientRecord, msg: ReleasePrivilege
    ) -> None:
        """Give the privilege up."""
        s = self.session
        if s.roster.privileged == client.id:
            s.roster.privileged = None
            s.peers_changed()
        s.reply(conn, Accepted(msg.seq, "you do not hold the privilege"))

    def _privileged(self, conn: Connection, client: ClientRecord, seq: int, what: str) -> bool:
        reason = self.session.roster.authority().need_privilege(client.id, what)
        if reason is not None:
            self.session.reject(conn, seq, reason)
        return reason is None

    def transport(self, conn: Connection, client: ClientRecord, msg: TransportCommand) -> None:
        """Play, stop or seek the engine (privileged)."""
        s = self.session
        if not self._privileged(conn, client, msg.seq, msg.command):
            return
        engine = s.engine
        if engine is None:
            s.reject(conn, msg.seq, "this server has no audio engine")
            return
        if msg.command == "seek" and not (math.isfinite(msg.tick) and msg.tick >= 0):
            s.reject(conn, msg.seq, f"cannot seek to tick {msg.tick}")
            return
        try:
            if msg.command == "play":
                engine.play()
            elif msg.command == "stop":
                engine.stop()
            else:
                engine.seek(msg.tick)
        except Exception as error:  # the engine's trouble is reported, not fatal
            s.reject(conn, msg.seq, f"the engine could not {msg.command}: {error}")
            return
        s.meter_soon()
        s.reply(conn, Accepted(msg.seq, msg.command))

    def play_note(self, conn: Connection, client: ClientRecord, msg: PlayNote) -> None:
        """Sound or release a live note on the client's own instrument (no reply on success)."""
        s = self.session
        reason = s.roster.authority().need_owner(client.id, msg.instrument_id)
        if reason is None and not (0 <= msg.pitch <= 127 and 0 <= msg.velocity <= 127):
            reason = f"note {msg.pitch} at velocity {msg.velocity} is out of range (0..127)"
        if reason is None and s.engine is None:
            reason = "this server has no audio engine"
        if reason is not None:
            s.reject(conn, msg.seq, reason)
            return
        engine = s.engine
        assert engine is not None
        try:
            if msg.velocity > 0:
                engine.note_on(msg.instrument_id, msg.pitch, msg.velocity)
            else:
                engine.note_off(msg.instrument_id, msg.pitch)
        except Exception as error:  # the engine's trouble is reported, not fatal
            s.reject(conn, msg.seq, f"the engine could not play the note: {error}")

    def save(self, conn: Connection, client: ClientRecord, msg: Save) -> None:
        """Save through the owner's hook (privileged)."""
        s = self.session
        if not self._privileged(conn, client, msg.seq, "saving"):
            return
        if s.save_hook is None:
            s.reject(conn, msg.seq, "this server has no project file to save to")
            return
        try:
            detail = s.save_hook()
        except Exception as error:  # a failed save is the client's news, not the server's end
            s.reject(conn, msg.seq, f"saving failed: {error}")
            return
        s.reply(conn, Accepted(msg.seq, detail))

    def shutdown(self, conn: Connection, client: ClientRecord, msg: Shutdown) -> None:
        """Stop the server (privileged)."""
        s = self.session
        if not self._privileged(conn, client, msg.seq, "stopping the server"):
            return
        s.reply(conn, Accepted(msg.seq, "the server is stopping"))
        s.emit(ShutdownRequested(client.id, client.name))
        s.shutdown(f"stopped by {client.name}")

    def request_snapshot(
        self, conn: Connection, client: ClientRecord, msg: RequestSnapshot
    ) -> None:
        """Send the whole project (after whatever is pending)."""
        self.session.flush()
        self.session.send_snapshot(conn, msg.reason[:200] or "request")

    def ping(self, conn: Connection, client: ClientRecord, msg: Ping) -> None:
        """Answer with the same nonce."""
        self.session.reply(conn, Pong(msg.nonce))


def meter_frame(engine: EnginePort) -> Meter | None:
    """The engine's transport and peaks as a Meter message; None if the engine fails."""
    try:
        transport = engine.transport()
        meters = engine.meters()
    except Exception:  # a failing engine simply stops metering
        return None
    peaks = tuple(Peak(i, lr[0], lr[1]) for i, lr in sorted(meters.instruments.items()))
    return Meter(transport.playing, transport.tick, transport.bpm, meters.master, peaks)


METER_SLACK = 0.001


class Meters:
    """Sends the engine's meters at ``meter_rate``; an unchanged frame only now and then."""

    def __init__(self, session: ServerSession) -> None:
        self.session = session
        self._last = -math.inf
        self._last_sent = -math.inf
        self._last_frame: Meter | None = None

    def due_at(self) -> float:
        """When the next meter frame is due."""
        return self._last + 1.0 / self.session.config.meter_rate

    def soon(self) -> None:
        """Send a frame at the next tick (the transport just changed)."""
        self._last = -math.inf

    def tick(self, now: float) -> None:
        """Send a frame if one is due and it changed (or has not gone out for a while)."""
        s = self.session
        if s.engine is None or now - self._last < 1.0 / s.config.meter_rate - METER_SLACK:
            return
        self._last = now
        frame = meter_frame(s.engine)
        if frame is None:
            return
        idle = now - self._last_sent >= s.config.meter_idle_interval - METER_SLACK
        if frame != self._last_frame or idle:
            self._last_frame = frame
            self._last_sent = now
            s.broadcast(frame, "meter")
