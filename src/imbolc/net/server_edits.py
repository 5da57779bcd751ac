"""Client edits on the server: actions, atomic batches, and each client's own undo and redo.

Every edit is checked against the permission table, applied to the ``Store`` with the pure
``apply``, and recorded in the client's own history; undo and redo become ``Restore`` ops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from imbolc.core.actions.base import Action
from imbolc.core.apply import apply
from imbolc.core.effects import Effects, RoutingChanged
from imbolc.core.errors import ImbolcError
from imbolc.core.project import Project
from imbolc.core.store import Commit, Store
from imbolc.net.codec import ProtocolError
from imbolc.net.messages import HOST_ID, ActBatchIn, ActIn, Redo, Undo
from imbolc.net.permissions import check
from imbolc.net.restore import (
    Restore,
    RestoreReason,
    apply_restore,
    restore_between,
    units_towards,
)
from imbolc.net.roster import ClientRecord, Roster

if TYPE_CHECKING:
    from imbolc.net.server_session import Connection, ServerSession


def commit_to_store(store: Store, commit: Commit) -> None:
    """Publish a change that is not a core action (a client's undo) through the store:
    the new state, one revision, every subscriber notified, exactly like ``Store.undo``."""
    store.publish(commit)


class Edits:
    """Handlers for Act, ActBatch, Undo and Redo."""

    def __init__(self, session: ServerSession) -> None:
        self.session = session

    def act(self, conn: Connection, client: ClientRecord, msg: ActIn) -> None:
        """Check and apply one action."""
        s = self.session
        try:
            action = s.codec.decode_action(msg.action)
        except ProtocolError as error:
            s.reject(conn, msg.seq, str(error))
            return
        reason = check(action, s.store.state, client.id, s.roster.authority())
        if reason is None:
            reason = self._dispatch(client, msg.seq, [action], None)
        if reason is not None:
            s.reject(conn, msg.seq, f"{type(action).__name__}: {reason}")

    def act_batch(self, conn: Connection, client: ClientRecord, msg: ActBatchIn) -> None:
        """Check every action against the evolving state first; then apply all or none."""
        s = self.session
        if not msg.actions:
            s.reject(conn, msg.seq, "an empty batch")
            return
        project = s.store.state
        authority = s.roster.authority()
        actions: list[Action] = []
        for number, raw in enumerate(msg.actions, 1):
            try:
                action = s.codec.decode_action(raw)
                reason = check(action, project, client.id, authority)
                if reason is None:
                    project, _effects = apply(project, action)
            except (ImbolcError, ValueError, TypeError) as error:
                reason = str(error)
            if reason is not None:
                s.reject(conn, msg.seq, f"action {number} of {msg.label!r}: {reason}")
                return
            actions.append(action)
        reason = self._dispatch(client, msg.seq, actions, msg.label or "edit")
        if reason is not None:
            s.reject(conn, msg.seq, reason)

    def _dispatch(
        self, client: ClientRecord, seq: int, actions: Sequence[Action], label: str | None
    ) -> str | None:
        """Apply for a client; None on success, else the reason it was refused."""
        s = self.session
        store = s.store
        before = store.state
        undoable = False
        coalesce: str | None = None
        try:
            with s.acting_as(client.id, seq):
                if label is None:
                    effects = store.dispatch(actions[0])
                    undoable, coalesce = effects.undo is not None, effects.coalesce
                else:
                    with store.transaction(label):
                        for action in actions:
                            undoable = store.dispatch(action).undo is not None or undoable
        except ImbolcError as error:
            if store.state is before:
                return str(error)
        except Exception as error:  # a bug in apply or a subscriber must not stop the server
            if store.state is before:
                return f"the server could not apply it: {error!r}"
        s.check_broadcast()
        name = label or type(actions[0]).__name__
        if undoable and client.history.record(before, store.state, name, coalesce):
            s.history_changed(client.id)
        return None

    def undo(self, conn: Connection, client: ClientRecord, msg: Undo) -> None:
        """Undo the client's own last change."""
        self._step(conn, client, msg.seq, "undo")

    def redo(self, conn: Connection, client: ClientRecord, msg: Redo) -> None:
        """Redo the client's own last undone change."""
        self._step(conn, client, msg.seq, "redo")

    def _step(self, conn: Connection, client: ClientRecord, seq: int, verb: RestoreReason) -> None:
        s = self.session
        history = client.history
        stack = history.undo_stack if verb == "undo" else history.redo_stack
        if not stack:
            s.reject(conn, seq, f"nothing to {verb}")
            return
        step = stack.pop()
        s.history_changed(client.id)
        conflicts = history.conflicts(s.store.state, step)
        if conflicts:
            changed = ", ".join(conflicts)
            s.reject(conn, seq, f"cannot {verb} {step.label}: {changed} changed since")
            return
        restore = Restore(verb, step.label, units_towards(s.store.state, step.targets))
        new = self._commit_restore(client, seq, restore)
        if verb == "undo":
            history.done_undo(step, new)
        else:
            history.done_redo(step, new)

    def _commit_restore(self, client: ClientRecord, seq: int, restore: Restore) -> Project:
        s = self.session
        old = s.store.state
        new, changes = apply_restore(old, restore)
        with s.acting_as(client.id, seq, restore):
            commit_to_store(s.store, Commit(old, new, None, Effects(changes, None), restore.reason))
        return new


def commit_op(commit: Commit, restore: Restore | None) -> Any:
    """What a commit carries on the wire: its action, or a restore op (undo, redo, rollback)."""
    if restore is not None:
        return restore
    if commit.reason == "action" and commit.action is not None:
        return commit.action
    kind: RestoreReason = (
        "undo" if commit.reason == "undo" else "redo" if commit.reason == "redo" else "rollback"
    )
    return restore_between(commit.old, commit.new, kind, kind)


def follow_ownership(roster: Roster, commit: Commit, origin: int) -> bool:
    """A client owns the instruments it adds; deleted ones are owned by nobody. True when the
    owners changed."""
    changed = False
    for change in commit.effects.changes:
        if not isinstance(change, RoutingChanged):
            continue
        ident = int(change.instrument_id)
        if change.kind == "added" and origin != HOST_ID and ident not in roster.owners:
            roster.owners[ident] = origin
            changed = True
        elif change.kind == "deleted" and roster.owners.pop(ident, None) is not None:
            changed = True
    return changed
