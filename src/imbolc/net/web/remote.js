// imbolc web remote: a client of the same protocol the terminal speaks (docs/protocol.md).
// It joins over WebSocket, keeps a small view of the project (strips, tempo), applies the
// mixer and tempo commits it understands and asks for a snapshot for anything else.
"use strict";

const CFG = JSON.parse(document.getElementById("imbolc-config").textContent);
const TPB = CFG.ticks_per_beat;

// --- msgpack (the subset msgspec writes: nil, bool, int, float, str, bin, array, map) -----

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function packInto(out, v) {
  if (v === null || v === undefined) out.push(0xc0);
  else if (v === false) out.push(0xc2);
  else if (v === true) out.push(0xc3);
  else if (typeof v === "number") {
    if (Number.isInteger(v) && v >= 0 && v < 0x80) out.push(v);
    else if (Number.isInteger(v) && v < 0 && v >= -32) out.push(v & 0xff);
    else if (Number.isInteger(v) && Math.abs(v) < 2 ** 31) {
      out.push(0xd2, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    } else {
      const b = new DataView(new ArrayBuffer(8));
      b.setFloat64(0, v);
      out.push(0xcb, ...new Uint8Array(b.buffer));
    }
  } else if (typeof v === "string") {
    const s = utf8.encode(v);
    if (s.length < 32) out.push(0xa0 | s.length);
    else out.push(0xdb, ...u32(s.length));
    for (const x of s) out.push(x);
  } else if (v instanceof Uint8Array) {
    out.push(0xc6, ...u32(v.length));
    for (const x of v) out.push(x);
  } else if (Array.isArray(v)) {
    if (v.length < 16) out.push(0x90 | v.length);
    else out.push(0xdd, ...u32(v.length));
    for (const x of v) packInto(out, x);
  } else {
    const keys = Object.keys(v);
    out.push(0xdf, ...u32(keys.length));
    for (const k of keys) { packInto(out, k); packInto(out, v[k]); }
  }
}

function u32(n) { return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]; }

function unpack(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const str = (n) => { const s = fromUtf8.decode(bytes.subarray(at, at + n)); at += n; return s; };
  const bin = (n) => { const b = bytes.slice(at, at + n); at += n; return b; };
  const arr = (n) => { const a = new Array(n); for (let i = 0; i < n; i++) a[i] = next(); return a; };
  const map = (n) => { const o = {}; for (let i = 0; i < n; i++) { const k = next(); o[k] = next(); } return o; };
  function next() {
    const t = bytes[at++];
    if (t < 0x80) return t;
    if (t >= 0xe0) return t - 0x100;
    if ((t & 0xf0) === 0x80) return map(t & 0x0f);
    if ((t & 0xf0) === 0x90) return arr(t & 0x0f);
    if ((t & 0xe0) === 0xa0) return str(t & 0x1f);
    let v;
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: v = view.getUint8(at); at += 1; return bin(v);
      case 0xc5: v = view.getUint16(at); at += 2; return bin(v);
      case 0xc6: v = view.getUint32(at); at += 4; return bin(v);
      case 0xca: v = view.getFloat32(at); at += 4; return v;
      case 0xcb: v = view.getFloat64(at); at += 8; return v;
      case 0xcc: v = view.getUint8(at); at += 1; return v;
      case 0xcd: v = view.getUint16(at); at += 2; return v;
      case 0xce: v = view.getUint32(at); at += 4; return v;
      case 0xcf: v = Number(view.getBigUint64(at)); at += 8; return v;
      case 0xd0: v = view.getInt8(at); at += 1; return v;
      case 0xd1: v = view.getInt16(at); at += 2; return v;
      case 0xd2: v = view.getInt32(at); at += 4; return v;
      case 0xd3: v = Number(view.getBigInt64(at)); at += 8; return v;
      case 0xd9: v = view.getUint8(at); at += 1; return str(v);
      case 0xda: v = view.getUint16(at); at += 2; return str(v);
      case 0xdb: v = view.getUint32(at); at += 4; return str(v);
      case 0xdc: v = view.getUint16(at); at += 2; return arr(v);
      case 0xdd: v = view.getUint32(at); at += 4; return arr(v);
      case 0xde: v = view.getUint16(at); at += 2; return map(v);
      case 0xdf: v = view.getUint32(at); at += 4; return map(v);
      default: throw new Error(`msgpack type 0x${t.toString(16)} is not used by imbolc`);
    }
  }
  return next();
}

// JSON wire: msgspec writes bytes as base64 strings.
function bytesOf(v) {
  if (v instanceof Uint8Array) return v;
  return Uint8Array.from(atob(v || ""), (c) => c.charCodeAt(0));
}
function jsonValue(key, v) {
  return v instanceof Uint8Array ? btoa(String.fromCharCode(...v)) : v;
}

const codec = CFG.wire === "json"
  ? { encode: (v) => utf8.encode(JSON.stringify(v, jsonValue)),
      decode: (b) => JSON.parse(fromUtf8.decode(b)) }
  : { encode: (v) => { const out = []; packInto(out, v); return Uint8Array.from(out); },
      decode: unpack };

// --- SHA-256 and HMAC (Web Crypto is missing on plain http:// from a phone) ---------------

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

function sha256(data) {
  const bits = data.length * 8;
  const padded = new Uint8Array(((data.length + 9 + 63) >> 6) << 6);
  padded.set(data);
  padded[data.length] = 0x80;
  const tail = new DataView(padded.buffer);
  tail.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  tail.setUint32(padded.length - 4, bits >>> 0);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = tail.getUint32(off + 4 * i);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
    }
    const add = [a, b, c, d, e, f, g, hh];
    for (let i = 0; i < 8; i++) h[i] = (h[i] + add[i]) >>> 0;
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  h.forEach((x, i) => ov.setUint32(4 * i, x));
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function hmac(key, message) {
  let k = key.length > 64 ? sha256(key) : key;
  k = concat(k, new Uint8Array(64 - k.length));
  const inner = k.map((x) => x ^ 0x36);
  const outer = k.map((x) => x ^ 0x5c);
  return sha256(concat(outer, sha256(concat(inner, message))));
}

const SERVER_PROOF = utf8.encode("imbolc/1 server proof\0");
const CLIENT_PROOF = utf8.encode("imbolc/1 client proof\0");
const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// --- messages: positional arrays, field orders from the server's own classes ---------------

function message(tag, fields) {
  const names = CFG.messages[tag];
  const out = [tag];
  for (const name of names) {
    if (!(name in fields)) break; // trailing fields keep their defaults
    out.push(fields[name]);
  }
  return out;
}

function struct(tag, value) {
  if (!Array.isArray(value)) return value;
  const names = CFG.messages[tag] || CFG.tree[tag];
  const offset = typeof value[0] === "string" && value[0] === tag ? 1 : 0;
  const obj = { _tag: tag };
  names.forEach((name, i) => { obj[name] = value[i + offset]; });
  return obj;
}

// A project node may be map- or array-encoded; read fields by name either way.
function field(node, type, name) {
  if (Array.isArray(node)) return node[CFG.tree[type].indexOf(name)];
  return node[name];
}

// --- the connection -------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const remote = {
  ws: null, phase: "idle", buffer: new Uint8Array(0), seq: 0, nonce: null,
  clientId: 0, token: "", owners: new Map(), privileged: 0, peers: [],
  strips: new Map(), order: [], master: { level: 1, mute: false }, bpm: 120, meter: [4, 4], meters: [],
  playing: false, tick: 0, snapshotDue: false, snapshots: 0, sent: 0, received: 0,
};
window.imbolcRemote = remote; // for the browser test and the curious

function say(text, kind = "info") {
  const el = $("message");
  el.textContent = text;
  el.dataset.kind = kind;
}

function setPhase(phase, text) {
  remote.phase = phase;
  const el = $("status");
  el.dataset.state = phase;
  el.textContent = text || phase;
  document.body.dataset.phase = phase;
  if (typeof render === "function" && $("strips")) render();
}

function send(tag, fields) {
  if (!remote.ws || remote.ws.readyState !== WebSocket.OPEN) return 0;
  const payload = codec.encode(message(tag, fields));
  const frame = new Uint8Array(4 + payload.length);
  new DataView(frame.buffer).setUint32(0, payload.length);
  frame.set(payload, 4);
  remote.ws.send(frame);
  remote.sent += 1;
  return fields.seq || 0;
}

function request(tag, fields = {}) {
  remote.seq += 1;
  return send(tag, { seq: remote.seq, ...fields });
}

function act(action) { return request("Act", { action }); }

function secretBytes() {
  const text = ($("secret").value || sessionStorage.getItem("imbolc-secret") || "").trim();
  return text ? utf8.encode(text) : null;
}

function connect() {
  // Relative to the page, so the remote works under any prefix a reverse proxy gives it.
  const url = new URL(params.get("ws") || "session", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  url.search = "";
  setPhase("connecting", "connecting…");
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  remote.ws = ws;
  remote.buffer = new Uint8Array(0);
  ws.onopen = () => hello();
  ws.onmessage = (event) => receive(new Uint8Array(event.data));
  ws.onclose = () => {
    if (remote.ws !== ws) return;
    if (remote.phase === "ready") {
      setPhase("lost", "connection lost: reconnecting…");
      setTimeout(connect, 1000);
    } else if (remote.phase !== "failed") {
      setPhase("lost", "could not connect: retrying…");
      setTimeout(connect, 2000);
    }
  };
}

function hello() {
  remote.nonce = crypto.getRandomValues(new Uint8Array(32));
  const own = (params.get("own") || "").split(",").filter((x) => x.trim()).map(Number);
  setPhase("hello", "joining…");
  send("Hello", {
    protocol: CFG.protocol, app_version: CFG.app_version, name: $("name").value.trim() || "phone",
    own, want_privilege: params.get("control") === "1", token: remote.token, nonce: remote.nonce,
  });
}

function receive(chunk) {
  remote.buffer = concat(remote.buffer, chunk);
  let at = 0;
  const view = new DataView(remote.buffer.buffer, remote.buffer.byteOffset);
  while (remote.buffer.length - at >= 4) {
    const size = view.getUint32(at);
    if (remote.buffer.length - at - 4 < size) break;
    const payload = remote.buffer.subarray(at + 4, at + 4 + size);
    at += 4 + size;
    remote.received += 1;
    handle(codec.decode(payload));
  }
  remote.buffer = remote.buffer.slice(at);
}

const handlers = {
  Challenge(msg) {
    const secret = secretBytes();
    if (!secret) {
      fail("this session needs its secret: type it above and join");
      return;
    }
    const nonce = bytesOf(msg.nonce);
    const expected = hmac(secret, concat(SERVER_PROOF, remote.nonce, nonce));
    if (!sameBytes(expected, bytesOf(msg.proof))) {
      fail("wrong secret: it does not match this session's (check it and join again)");
      return;
    }
    const name = utf8.encode($("name").value.trim() || "phone");
    send("Proof", { mac: hmac(secret, concat(CLIENT_PROOF, nonce, remote.nonce, name)) });
  },
  Welcome(msg) {
    remote.clientId = msg.client_id;
    remote.token = msg.token;
    for (const id of msg.owned) remote.owners.set(id, msg.client_id);
    if (msg.privileged) remote.privileged = msg.client_id;
    const secret = $("secret").value.trim();
    if (secret) sessionStorage.setItem("imbolc-secret", secret);
    $("join").hidden = true;
    setPhase("ready", `joined ${msg.server_name} as ${$("name").value.trim() || "phone"}`);
  },
  Refused(msg) { fail(msg.reason); },
  Error(msg) { say(`the server closed the connection: ${msg.message}`, "error"); },
  Snapshot(msg) { loadProject(msg.project); remote.snapshotDue = false; remote.snapshots += 1; },
  async PackedSnapshot(msg) {
    const project = unpack(await inflate(msg.packed));
    handlers.Snapshot({ revision: msg.revision, project, reason: msg.reason });
  },
  Commits(msg) { for (const record of msg.commits) applyCommit(struct("CommitRecord", record)); },
  Meter(msg) { showMeter(msg); },
  Peers(msg) {
    remote.peers = msg.peers.map((p) => struct("Peer", p));
    remote.privileged = msg.privileged;
    remote.owners = new Map();
    for (const peer of remote.peers) for (const id of peer.owned) remote.owners.set(id, peer.client_id);
    render();
  },
  Rejected(msg) { say(msg.reason, "error"); render(); },
  Accepted(msg) { if (msg.detail) say(msg.detail); },
  Notice(msg) { say(msg.message); },
  Ping(msg) { send("Pong", { nonce: msg.nonce }); },
  Goodbye(msg) { setPhase("failed", `the session ended: ${msg.reason}`); remote.ws.close(); },
};

// Messages are handled one after another: a packed snapshot inflates asynchronously, and the
// commits after it must not be applied before it.
let handled = Promise.resolve();

function handle(raw) {
  const tag = raw[0];
  const handler = handlers[tag];
  if (handler) handled = handled.then(() => handler(struct(tag, raw))).catch((e) => say(String(e), "error"));
}

// zlib (RFC 1950) bytes inflated by the browser's own DecompressionStream.
async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function fail(reason) {
  setPhase("failed", "not joined");
  say(reason, "error");
  $("join").hidden = false;
  remote.ws.close();
}

// --- the view of the project ----------------------------------------------------------------

function loadProject(project) {
  const items = field(field(project, "Project", "instruments"), "Instruments", "items");
  remote.strips = new Map();
  remote.order = [];
  for (const inst of items) {
    const strip = field(inst, "Instrument", "mixer");
    const id = field(inst, "Instrument", "id");
    remote.order.push(id);
    remote.strips.set(id, {
      id, name: field(inst, "Instrument", "name"), source: field(inst, "Instrument", "source"),
      level: field(strip, "MixerStrip", "level"), pan: field(strip, "MixerStrip", "pan"),
      mute: field(strip, "MixerStrip", "mute"), solo: field(strip, "MixerStrip", "solo"),
    });
  }
  const session = field(project, "Project", "session");
  const mixer = field(session, "Session", "mixer");
  remote.master = { level: field(mixer, "Mixer", "master_level"), mute: field(mixer, "Mixer", "master_mute") };
  const settings = field(session, "Session", "settings");
  remote.bpm = field(settings, "MusicalSettings", "bpm");
  remote.meter = field(settings, "MusicalSettings", "time_signature");
  const meters = field(field(session, "Session", "tempo_map"), "TempoMap", "meters") || [];
  remote.meters = meters.map((m) => ({
    bar: field(m, "MeterChange", "bar"),
    numerator: field(m, "MeterChange", "numerator"),
    denominator: field(m, "MeterChange", "denominator"),
  }));
  render();
}

const STRIP_FIELDS = { SetMixerLevel: "level", SetMixerPan: "pan", SetMixerMute: "mute", SetMixerSolo: "solo" };

function applyCommit(record) {
  const op = record.op;
  const tag = Array.isArray(op) ? op[0] : null;
  if (tag in STRIP_FIELDS) {
    const action = struct(tag, op);
    const strip = struct("Strip", action.strip);
    const key = STRIP_FIELDS[tag];
    if (strip.kind === "instrument" && remote.strips.has(strip.id)) {
      remote.strips.get(strip.id)[key] = action[key];
    } else if (strip.kind === "master" && (key === "level" || key === "mute")) {
      remote.master[key] = action[key];
    }
    render();
  } else if (tag === "SetBpm") {
    remote.bpm = struct(tag, op).bpm;
    render();
  } else if ((tag === "Restore" || CFG.reloaded.includes(tag)) && !remote.snapshotDue) {
    // The instrument list changed, or an undo may have touched anything: take the project
    // once. Every other action (notes, chains, automation...) leaves this view as it was.
    remote.snapshotDue = true;
    setTimeout(() => send("RequestSnapshot", { reason: "web remote" }), 100);
  }
}

function showMeter(meter) {
  remote.playing = meter.playing;
  remote.tick = meter.tick;
  const master = meter.master || [0, 0];
  $("master-meter").value = Math.max(master[0], master[1]);
  for (const raw of meter.peaks || []) {
    const peak = struct("Peak", raw);
    const el = document.querySelector(`.strip[data-id="${peak.instrument_id}"] .meter`);
    if (el) el.value = Math.max(peak.left, peak.right);
  }
  $("position").textContent = barAndBeat(meter.tick);
  $("transport").dataset.playing = String(meter.playing);
}

// Bar.beat (from 1) of a tick, through the meter changes as core's TimeMap.position counts them.
function barAndBeat(tick) {
  let [numerator, denominator] = remote.meter;
  let bar = 0;
  let start = 0;
  for (const change of remote.meters) {
    const at = start + (change.bar - bar) * numerator * (TPB * 4 / denominator);
    if (tick < at) break;
    [bar, start, numerator, denominator] = [change.bar, at, change.numerator, change.denominator];
  }
  const beatTicks = TPB * 4 / denominator;
  const bars = Math.floor((Math.max(tick, start) - start) / (numerator * beatTicks));
  const beat = Math.floor((Math.max(tick, start) - start - bars * numerator * beatTicks) / beatTicks);
  return `${bar + bars + 1}.${beat + 1}`;
}

function nameOf(clientId) {
  const peer = remote.peers.find((p) => p.client_id === clientId);
  return peer ? peer.name : `client ${clientId}`;
}

function render() {
  const list = $("strips");
  const template = $("strip-template");
  const mine = (id) => remote.owners.get(id) === remote.clientId;
  const privileged = remote.privileged === remote.clientId && remote.clientId !== 0;
  for (const el of [...list.children]) {
    if (!remote.strips.has(Number(el.dataset.id))) el.remove();
  }
  remote.order.forEach((id, index) => {
    const strip = remote.strips.get(id);
    let el = list.querySelector(`.strip[data-id="${id}"]`);
    if (!el) {
      el = template.content.firstElementChild.cloneNode(true);
      el.dataset.id = id;
      wireStrip(el, id);
    }
    if (list.children[index] !== el) list.insertBefore(el, list.children[index] || null);
    el.dataset.mine = String(mine(id));
    el.querySelector(".name").textContent = strip.name;
    el.querySelector(".source").textContent = strip.source;
    const owner = remote.owners.get(id);
    el.querySelector(".owner").textContent = owner === undefined ? "free" : mine(id) ? "yours" : nameOf(owner);
    const claim = el.querySelector(".claim");
    claim.textContent = mine(id) ? "release" : "claim";
    claim.disabled = owner !== undefined && !mine(id);
    showValue(el.querySelector(".level"), strip.level, !mine(id));
    showValue(el.querySelector(".pan"), strip.pan, !mine(id));
    showToggle(el.querySelector(".mute"), strip.mute, !mine(id));
    showToggle(el.querySelector(".solo"), strip.solo, !mine(id));
  });
  showValue($("master-level"), remote.master.level, !privileged);
  showToggle($("master-mute"), remote.master.mute, !privileged);
  $("bpm").textContent = Math.round(remote.bpm);
  for (const id of ["play", "stop", "rewind", "bpm-down", "bpm-up"]) $(id).disabled = !privileged;
  $("privilege").hidden = privileged || remote.phase !== "ready";
  $("privilege").textContent = remote.privileged ? `take control from ${nameOf(remote.privileged)}` : "take control";
}

function showValue(input, value, disabled) {
  input.disabled = disabled;
  if (document.activeElement !== input && !input.dataset.dragging) input.value = value;
}

function showToggle(button, on, disabled) {
  button.disabled = disabled;
  button.setAttribute("aria-pressed", String(Boolean(on)));
}

// --- controls ------------------------------------------------------------------------------

// A fader sends while it moves, at most every 50 ms, and its final value when released; a
// tap sends one action.
function fader(input, makeAction) {
  let last = null;
  let timer = null;
  const flush = () => {
    timer = null;
    const value = Number(input.value);
    if (value !== last) { last = value; act(makeAction(value)); }
  };
  input.addEventListener("pointerdown", () => { input.dataset.dragging = "1"; last = null; });
  input.addEventListener("input", () => { if (timer === null) timer = setTimeout(flush, 50); });
  input.addEventListener("change", () => {
    if (timer !== null) { clearTimeout(timer); }
    flush();
    delete input.dataset.dragging;
  });
}

const instrumentStrip = (id) => ["instrument", id];
const MASTER = ["master", 0];

function wireStrip(el, id) {
  fader(el.querySelector(".level"), (v) => message("SetMixerLevel", { strip: instrumentStrip(id), level: v }));
  fader(el.querySelector(".pan"), (v) => message("SetMixerPan", { strip: instrumentStrip(id), pan: v }));
  el.querySelector(".mute").addEventListener("click", () =>
    act(message("SetMixerMute", { strip: instrumentStrip(id), mute: !remote.strips.get(id).mute })));
  el.querySelector(".solo").addEventListener("click", () =>
    act(message("SetMixerSolo", { strip: instrumentStrip(id), solo: !remote.strips.get(id).solo })));
  el.querySelector(".claim").addEventListener("click", () => {
    const mine = remote.owners.get(id) === remote.clientId;
    request(mine ? "Release" : "Claim", { ids: [id] });
  });
}

function wireControls() {
  fader($("master-level"), (v) => message("SetMixerLevel", { strip: MASTER, level: v }));
  $("master-mute").addEventListener("click", () =>
    act(message("SetMixerMute", { strip: MASTER, mute: !remote.master.mute })));
  $("play").addEventListener("click", () => request("TransportCommand", { command: "play", tick: 0 }));
  $("stop").addEventListener("click", () => request("TransportCommand", { command: "stop", tick: 0 }));
  $("rewind").addEventListener("click", () => request("TransportCommand", { command: "seek", tick: 0 }));
  $("bpm-down").addEventListener("click", () => act(message("SetBpm", { bpm: Math.round(remote.bpm) - 1 })));
  $("bpm-up").addEventListener("click", () => act(message("SetBpm", { bpm: Math.round(remote.bpm) + 1 })));
  $("privilege").addEventListener("click", () => request("RequestPrivilege", { force: remote.privileged !== 0 }));
  $("join").addEventListener("submit", (event) => {
    event.preventDefault();
    remote.token = "";
    connect();
  });
}

if (params.get("name")) $("name").value = params.get("name");
wireControls();
render();
connect();
