"""The embedded audio server: scsynth's node tree, buses, buffers and timed bundles, run
block by block in process by compiled SynthDefs.

Messages are the OSC messages the engine's requests produce (``to_osc()``), interpreted by
address; timed bundles run in the block holding their time, and a synth created there starts
its ``OffsetOut`` at the exact sample.
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from supriya.osc import OscMessage
from supriya.ugens import SynthDef

from imbolc.engine.embedded import jit
from imbolc.engine.embedded.buffers import Buffer, BufferError
from imbolc.engine.embedded.compiler import Program, Unsupported, compile_synthdef
from imbolc.engine.embedded.context import Context
from imbolc.engine.embedded.nodes import Group, Node, Synth
from imbolc.engine.embedded.scgf import BadSynthDefFile, synthdef_names

NodeEnded = Callable[[int], None]
Reply = Callable[[str, list[float]], None]
Problem = Callable[[str], None]

OUTPUT_CLIP = 4.0
"""The last guard before the output buffer: anything beyond ±4 is clipped."""


@dataclass
class ServerOptions:
    """Sizes of one embedded server."""

    sample_rate: int = 48000
    block: int = 256
    output_channels: int = 2
    input_channels: int = 0
    audio_buses: int = 1024
    control_buses: int = 16384


def _registry_synthdef(name: str) -> SynthDef | None:
    from imbolc.engine.synthdefs import UnknownSynthDef
    from imbolc.engine.synthdefs.registry import _get

    try:
        return _get(name)
    except UnknownSynthDef:
        return None


class EmbeddedServer:
    """An in-process scsynth: ``send`` messages (now or at a time), ``process`` blocks."""

    def __init__(
        self,
        options: ServerOptions | None = None,
        *,
        start_time: float = 0.0,
        on_node_end: NodeEnded | None = None,
        on_reply: Reply | None = None,
        on_problem: Problem | None = None,
        synthdefs: Callable[[str], SynthDef | None] = _registry_synthdef,
    ) -> None:
        self.options = options = options or ServerOptions()
        self.ctx = Context(self, options.sample_rate, options.block)
        self.block = options.block
        self.output_channels = options.output_channels
        self.input_channels = options.input_channels
        self._input: np.ndarray | None = None
        self.on_node_end = on_node_end or (lambda node_id: None)
        self.on_reply = on_reply or (lambda address, values: None)
        self.on_problem = on_problem or (lambda message: None)
        self._synthdefs = synthdefs
        self.time = start_time
        self.blocks = 0
        self.root = Group(0)
        self.nodes: dict[int, Node] = {0: self.root}
        self.audio_buses = np.zeros((options.audio_buses, options.block))
        self.touched = [-1] * options.audio_buses
        self.control_buses = [0.0] * options.control_buses
        self.buffers: dict[int, Buffer] = {}
        self.programs: dict[str, Program] = {}
        self.loaded: set[str] = set()
        self.reported: set[str] = set()
        self._order: list[Synth] | None = None
        self._queue: list[tuple[float, int, Sequence[OscMessage]]] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._auto_id = itertools.count(-1000, -1)
        self._local_buffers = itertools.count(1 << 24)
        self._message: OscMessage | None = None
        self._early: dict[int, set[int]] = {}
        """id of a queued /n_set -> synths it already reached a block early (see _lookahead)."""
        jit.start()

    # --- input ---------------------------------------------------------------------------

    def send(self, messages: Iterable[OscMessage], at: float | None = None) -> None:
        """Queue messages to run together at time ``at`` (None: at the next block)."""
        batch = list(messages)
        if not batch:
            return
        when = -math.inf if at is None else float(at)
        with self._lock:
            heapq.heappush(self._queue, (when, next(self._seq), batch))

    def feed_input(self, frames: np.ndarray) -> None:
        """The hardware input for the next block, (frames, channels): it appears on the buses
        right after the outputs, as scsynth's inputs do (``In.ar(NumOutputBuses.ir + n)``)."""
        self._input = frames

    def _place_input(self, outputs: int, stamp: int) -> None:
        inputs = self.input_channels
        if inputs <= 0:
            return
        frames, self._input = self._input, None
        block = self.audio_buses[outputs : outputs + inputs]
        block[:] = 0.0
        if frames is not None:
            data = np.asarray(frames, dtype=np.float64)
            if data.ndim == 1:
                data = data[:, None]
            rows, cols = min(len(data), self.block), min(data.shape[1], inputs)
            block[:cols, :rows] = data[:rows, :cols].T
        for bus in range(outputs, outputs + inputs):
            self.touched[bus] = stamp

    def problem(self, key: str, message: str) -> None:
        """Report ``message`` once per ``key``."""
        if key not in self.reported:
            self.reported.add(key)
            self.on_problem(message)

    # --- the block loop ------------------------------------------------------------------

    def process(self) -> np.ndarray:
        """Run one block; returns it as (block, output channels) float32, always finite.
        Subnormal floats are flushed to zero meanwhile (as scsynth does)."""
        flusher = jit.FLUSH
        if flusher is None:
            return self._process()
        saved = flusher.flush()
        try:
            return self._process()
        finally:
            flusher.restore(saved)

    def _process(self) -> np.ndarray:
        block, rate = self.block, self.ctx.sample_rate
        end = self.time + block / rate
        while True:
            with self._lock:
                if not self._queue or self._queue[0][0] >= end:
                    break
                when, _seq, batch = heapq.heappop(self._queue)
            offset = 0 if when <= self.time else min(block - 1, int((when - self.time) * rate))
            for message in batch:
                self.handle(message, offset)
                self._early.pop(id(message), None)
        self._lookahead(end, rate)
        outputs = self.output_channels
        self.audio_buses[:outputs] = 0.0
        stamp = self.blocks
        touched = self.touched
        for bus in range(outputs):
            touched[bus] = stamp
        self._place_input(outputs, stamp)
        order = self._order if self._order is not None else self._flatten()
        finished: list[Synth] = []
        for synth in order:
            if synth.mapped:
                controls = synth.controls
                buses = self.control_buses
                for index, bus in synth.mapped.items():
                    if 0 <= bus < len(buses):
                        controls[index] = buses[bus]
            try:
                synth.program.run(synth.controls, synth.calls, synth.prev)
            except Exception as error:
                self.quarantine(synth, f"failed: {type(error).__name__}: {error}")
                continue
            if synth.pending:
                synth.settle()
            if synth.done_action >= 0:
                finished.append(synth)
        for synth in finished:
            self._done(synth)
        out = self.audio_buses[:outputs].T.astype(np.float32)
        if not np.isfinite(out).all():
            out = np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
        np.clip(out, -OUTPUT_CLIP, OUTPUT_CLIP, out=out)
        self.blocks += 1
        self.time = end
        return out

    def _lookahead(self, end: float, rate: float) -> None:
        """Control changes timed early in the next block reach a synth whose own block lags
        the server's (an OffsetOut start) inside the block it is computing now, at the exact
        sample; the message then skips that synth when its time comes."""
        block = self.block
        horizon = end + block / rate
        with self._lock:
            heap = self._queue
            if not heap or heap[0][0] >= horizon:
                return
            due: list[tuple[float, Sequence[OscMessage]]] = []
            stack = [0]
            while stack:
                k = stack.pop()
                if k < len(heap) and heap[k][0] < horizon:
                    due.append((heap[k][0], heap[k][2]))
                    stack += (2 * k + 1, 2 * k + 2)
        for when, batch in due:
            offset = max(0, int((when - end) * rate))
            for message in batch:
                if message.address != "/n_set" or not message.contents:
                    continue
                node = self.nodes.get(int(message.contents[0]))  # type: ignore[arg-type]
                if node is None:
                    continue
                pairs = list(message.contents[1:])
                for synth in self.synths(node):
                    if synth.shift <= offset:
                        continue
                    sample = block + offset - synth.shift
                    for key, value in zip(pairs[::2], pairs[1::2], strict=False):
                        if not isinstance(value, str):
                            synth.set_at(key if isinstance(key, str) else int(key),  # type: ignore[arg-type]
                                         float(value), sample)  # type: ignore[arg-type]  # fmt: skip
                    self._early.setdefault(id(message), set()).add(synth.id)

    def run(self, seconds: float) -> np.ndarray:
        """Process blocks covering ``seconds``; returns (frames, channels)."""
        count = math.ceil(seconds * self.ctx.sample_rate / self.block - 1e-9)
        if count <= 0:
            return np.zeros((0, self.output_channels), dtype=np.float32)
        return np.concatenate([self.process() for _ in range(count)])

    def quarantine(self, synth: Synth, reason: str) -> None:
        """Silence a misbehaving node for good (paused) and report it with its def name."""
        if synth.quarantined:
            return
        synth.quarantined = True
        synth.running = False
        self._order = None
        self.on_problem(f"embedded engine muted node {synth.id} ({synth.name}): {reason}")

    def _flatten(self) -> list[Synth]:
        order: list[Synth] = []

        def visit(group: Group) -> None:
            for child in group.children:
                if not child.running:
                    continue
                if isinstance(child, Group):
                    visit(child)
                elif isinstance(child, Synth):
                    order.append(child)

        visit(self.root)
        self._order = order
        return order

    def _done(self, synth: Synth) -> None:
        action, synth.done_action = synth.done_action, -1
        if synth.id not in self.nodes:
            return
        if action == 0:
            return
        if action == 1:
            synth.running = False
            self._order = None
        elif action in (13, 14) and synth.parent is not None and synth.parent.id != 0:
            self.free(synth.parent)
        else:
            self.free(synth)

    # --- the node tree -------------------------------------------------------------------

    def _place(self, node: Node, action: int, target_id: int) -> bool:
        target = self.nodes.get(target_id)
        if target is None:
            self.problem(f"target/{target_id}", f"embedded engine: no target node {target_id}")
            return False
        if action in (0, 1):
            if not isinstance(target, Group):
                self.problem(f"group/{target_id}", f"embedded engine: {target_id} is no group")
                return False
            node.parent = target
            if action == 0:
                target.children.insert(0, node)
            else:
                target.children.append(node)
        else:
            parent = target.parent
            if parent is None:
                return False
            index = parent.children.index(target)
            node.parent = parent
            if action == 2:
                parent.children.insert(index, node)
            elif action == 3:
                parent.children.insert(index + 1, node)
            else:
                parent.children[index] = node
                self._forget(target)
        self.nodes[node.id] = node
        self._order = None
        return True

    def free(self, node: Node) -> None:
        """Remove a node (a group with all its children) and report each ``/n_end``."""
        if node.id == 0:
            self.free_children(self.root)
            return
        if node.parent is not None and node in node.parent.children:
            node.parent.children.remove(node)
        self._forget(node)
        self._order = None

    def free_children(self, group: Group) -> None:
        """Empty a group, keeping it."""
        for child in list(group.children):
            self._forget(child)
        group.children.clear()
        self._order = None

    def _forget(self, node: Node) -> None:
        if isinstance(node, Group):
            for child in node.children:
                self._forget(child)
        self.nodes.pop(node.id, None)
        if isinstance(node, Synth):
            for buffer_id in node.local.get("buffers", ()):
                self.buffers.pop(buffer_id, None)
        self.on_node_end(node.id)

    def synths(self, node: Node) -> list[Synth]:
        """The synth itself, or every synth inside a group."""
        if isinstance(node, Synth):
            return [node]
        if isinstance(node, Group):
            return [n for n in node.walk() if isinstance(n, Synth)]
        return []

    # --- SynthDefs -----------------------------------------------------------------------

    def program(self, name: str) -> Program | None:
        """The compiled program of a SynthDef (None, reported, when it cannot run here)."""
        found = self.programs.get(name)
        if found is not None:
            return found
        synthdef = self._synthdefs(name)
        if synthdef is None:
            self.problem(f"def/{name}", f"embedded engine: unknown SynthDef {name!r}")
            return None
        try:
            found = compile_synthdef(synthdef, self.ctx)
        except Unsupported as error:
            self.problem(f"def/{name}", str(error))
            return None
        self.programs[name] = found
        return found

    def local_buffer(self, synth: Synth, channels: int, frames: int) -> int:
        """A buffer that lives as long as ``synth`` (LocalBuf)."""
        buffer_id = next(self._local_buffers)
        self.buffers[buffer_id] = Buffer.empty(frames, channels, self.ctx.sample_rate)
        synth.local.setdefault("buffers", []).append(buffer_id)
        return buffer_id

    # --- messages ------------------------------------------------------------------------

    def handle(self, message: OscMessage, offset: int = 0) -> None:
        """Execute one message now (``offset``: samples into this block, for new synths)."""
        address = message.address
        args = list(message.contents)
        handler = _HANDLERS.get(str(address))
        self._message = message
        if handler is None:
            self.problem(f"address/{address}", f"embedded engine ignores {address}")
            return
        try:
            handler(self, args, offset)
        except (IndexError, TypeError, ValueError) as error:
            self.problem(f"bad/{address}/{error}", f"embedded engine: bad {address}: {error}")

    def _d_recv(self, args: list[Any], _offset: int) -> None:
        try:
            names = synthdef_names(bytes(args[0]))
        except BadSynthDefFile as error:
            self.problem(f"d_recv/{error}", f"embedded engine: /d_recv: {error}")
            return
        self.loaded.update(names)

    def _s_new(self, args: list[Any], offset: int) -> None:
        name, node_id = str(args[0]), int(args[1])
        action = int(args[2]) if len(args) > 2 else 0
        target = int(args[3]) if len(args) > 3 else 0
        if node_id < 0:
            node_id = next(self._auto_id)
        if node_id in self.nodes:
            self.problem(f"dup/{node_id}", f"embedded engine: node {node_id} already exists")
            return
        program = self.program(name)
        if program is None:
            self.on_node_end(node_id)
            return
        try:
            synth = Synth(node_id, program, self.ctx, offset)
        except Exception as error:
            self.problem(f"init/{name}", f"embedded engine: {name} cannot start: {error}")
            self.on_node_end(node_id)
            return
        pairs = args[4:]
        for key, value in zip(pairs[::2], pairs[1::2], strict=False):
            if isinstance(value, str):
                continue
            synth.set(key if isinstance(key, str) else int(key), float(value))
        if not self._place(synth, action, target):
            self.on_node_end(node_id)

    def _n_set(self, args: list[Any], offset: int) -> None:
        node = self.nodes.get(int(args[0]))
        if node is None:
            return
        pairs = args[1:]
        done = self._early.get(id(self._message), ())
        for synth in self.synths(node):
            if synth.id in done:
                continue
            sample = offset - synth.shift
            for key, value in zip(pairs[::2], pairs[1::2], strict=False):
                name = key if isinstance(key, str) else int(key)
                if sample > 0:
                    synth.set_at(name, float(value), sample)
                else:
                    synth.set(name, float(value))

    def _n_map(self, args: list[Any], _offset: int) -> None:
        node = self.nodes.get(int(args[0]))
        if node is None:
            return
        pairs = args[1:]
        for synth in self.synths(node):
            for key, bus in zip(pairs[::2], pairs[1::2], strict=False):
                synth.map(key if isinstance(key, str) else int(key), int(bus))

    def _n_free(self, args: list[Any], _offset: int) -> None:
        for node_id in args:
            node = self.nodes.get(int(node_id))
            if node is not None:
                self.free(node)

    def _n_run(self, args: list[Any], _offset: int) -> None:
        for node_id, flag in zip(args[::2], args[1::2], strict=False):
            node = self.nodes.get(int(node_id))
            if node is not None and not (isinstance(node, Synth) and node.quarantined):
                node.running = bool(int(flag))
        self._order = None

    def _g_new(self, args: list[Any], _offset: int) -> None:
        for k in range(0, len(args) - 2, 3):
            node_id, action, target = int(args[k]), int(args[k + 1]), int(args[k + 2])
            if node_id in self.nodes:
                continue
            self._place(Group(node_id), action, target)

    def _g_free_all(self, args: list[Any], _offset: int) -> None:
        for node_id in args:
            node = self.nodes.get(int(node_id))
            if isinstance(node, Group):
                self.free_children(node)

    def _c_set(self, args: list[Any], _offset: int) -> None:
        for bus, value in zip(args[::2], args[1::2], strict=False):
            if 0 <= int(bus) < len(self.control_buses):
                self.control_buses[int(bus)] = float(value)

    def _b_alloc(self, args: list[Any], _offset: int) -> None:
        frames, channels = int(args[1]), int(args[2]) if len(args) > 2 else 1
        self._put_buffer(int(args[0]), Buffer.empty(frames, channels, self.ctx.sample_rate))

    def _b_alloc_read(self, args: list[Any], _offset: int) -> None:
        start = int(args[2]) if len(args) > 2 else 0
        frames = int(args[3]) if len(args) > 3 else 0
        try:
            buffer = Buffer.read(str(args[1]), start, frames)
        except BufferError as error:
            self.problem(f"read/{args[1]}", f"embedded engine: {error}")
            return
        self._put_buffer(int(args[0]), buffer)

    def _b_alloc_read_channel(self, args: list[Any], offset: int) -> None:
        """Like ``/b_allocRead``, keeping only the listed file channels (repeats allowed)."""
        self._b_alloc_read(args[:4], offset)
        buffer = self.buffers.get(int(args[0]))
        channels = [int(c) for c in args[4:]]
        if buffer is None or not channels:
            return
        if max(channels) >= buffer.channels or min(channels) < 0:
            self.buffers.pop(int(args[0]))
            self.problem(
                f"read/{args[1]}",
                f"embedded engine: sound file {args[1]} has {buffer.channels} channel(s), "
                f"cannot read channels {channels}",
            )
            return
        buffer.data = buffer.data[:, channels]

    def _b_write(self, args: list[Any], _offset: int) -> None:
        buffer = self.buffers.get(int(args[0]))
        if buffer is None:
            self.problem(f"nobuf/{args[0]}", f"embedded engine: no buffer {args[0]} to write")
            return
        header = str(args[2]) if len(args) > 2 else "wav"
        sample_format = str(args[3]) if len(args) > 3 else "int24"
        leave_open = bool(int(args[6])) if len(args) > 6 else False
        try:
            buffer.open_for_write(str(args[1]), header, sample_format, self.ctx.sample_rate,
                                  leave_open)  # fmt: skip
        except BufferError as error:
            self.problem(f"write/{args[1]}", f"embedded engine: {error}")

    def _b_close(self, args: list[Any], _offset: int) -> None:
        buffer = self.buffers.get(int(args[0]))
        if buffer is not None:
            buffer.close()

    def _b_free(self, args: list[Any], _offset: int) -> None:
        buffer = self.buffers.pop(int(args[0]), None)
        if buffer is not None:
            buffer.close()

    def _b_gen(self, args: list[Any], _offset: int) -> None:
        buffer = self.buffers.get(int(args[0]))
        command = str(args[1])
        if buffer is None:
            return
        if command == "sine1":
            buffer.sine1(int(args[2]), [float(a) for a in args[3:]])
        elif command == "PreparePartConv":
            source = self.buffers.get(int(args[2]))
            if source is None or source.frames == 0:
                self.problem(f"b_gen/partconv/{args[2]}",
                             f"embedded engine: PreparePartConv: no impulse response in "
                             f"buffer {args[2]}")  # fmt: skip
                return
            buffer.partconv_ir = source.data[:, 0].copy()
        else:
            self.problem(f"b_gen/{command}", f"embedded engine ignores /b_gen {command}")

    def _b_zero(self, args: list[Any], _offset: int) -> None:
        """``/b_zero``: silence the samples (and drop a prepared impulse response)."""
        buffer = self.buffers.get(int(args[0]))
        if buffer is not None:
            buffer.data[:] = 0.0
            buffer.partconv_ir = None

    def _ignore(self, args: list[Any], _offset: int) -> None:
        return None

    def _put_buffer(self, buffer_id: int, buffer: Buffer) -> None:
        old = self.buffers.pop(buffer_id, None)
        if old is not None:
            old.close()
        self.buffers[buffer_id] = buffer

    def close(self) -> None:
        """Close every open buffer file."""
        for buffer in self.buffers.values():
            buffer.close()


_HANDLERS: dict[str, Callable[[EmbeddedServer, list[Any], int], None]] = {
    "/d_recv": EmbeddedServer._d_recv,
    "/s_new": EmbeddedServer._s_new,
    "/n_set": EmbeddedServer._n_set,
    "/n_map": EmbeddedServer._n_map,
    "/n_free": EmbeddedServer._n_free,
    "/n_run": EmbeddedServer._n_run,
    "/g_new": EmbeddedServer._g_new,
    "/p_new": EmbeddedServer._g_new,
    "/g_freeAll": EmbeddedServer._g_free_all,
    "/g_deepFree": EmbeddedServer._g_free_all,
    "/c_set": EmbeddedServer._c_set,
    "/b_alloc": EmbeddedServer._b_alloc,
    "/b_allocRead": EmbeddedServer._b_alloc_read,
    "/b_allocReadChannel": EmbeddedServer._b_alloc_read_channel,
    "/b_write": EmbeddedServer._b_write,
    "/b_close": EmbeddedServer._b_close,
    "/b_free": EmbeddedServer._b_free,
    "/b_gen": EmbeddedServer._b_gen,
    "/b_zero": EmbeddedServer._b_zero,
    "/notify": EmbeddedServer._ignore,
    "/status": EmbeddedServer._ignore,
    "/sync": EmbeddedServer._ignore,
    "/quit": EmbeddedServer._ignore,
    "/clearSched": EmbeddedServer._ignore,
}
