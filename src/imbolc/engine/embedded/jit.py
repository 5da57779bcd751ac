"""Loading the compiled kernels: in the background, cached on disk, NumPy meanwhile.

``start()`` loads ``kernels`` (numba) on a daemon thread: the first run compiles them into
the imbolc cache dir, later runs load them from there. Until it finishes ``K`` is None and
every unit runs its NumPy path, which stays the fallback (no numba, ``IMBOLC_JIT=0``, a
failed compile) and the reference the kernels are tested against.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from imbolc.engine.embedded.denormals import Flusher, make_flusher

K: ModuleType | None = None
"""The loaded kernels module, or None while the NumPy path runs."""

FLUSH: Flusher | None = None
"""Sets flush-to-zero around each block (None until loaded, or off x86-64)."""

failure: str | None = None
"""Why the kernels could not be loaded (None: loaded, loading or not asked for)."""

load_seconds: float | None = None
"""How long loading (compiling on a cold cache) took."""

_thread: threading.Thread | None = None
_lock = threading.Lock()
_done = threading.Event()


def enabled() -> bool:
    """False when ``IMBOLC_JIT`` is ``0``: the NumPy path only."""
    return os.environ.get("IMBOLC_JIT", "1") != "0"


def cache_dir() -> Path:
    """Where numba keeps the compiled kernels: ``numba/`` in the imbolc cache dir."""
    override = os.environ.get("IMBOLC_CACHE_DIR")
    if override:
        base = Path(override)
    else:
        import platformdirs

        base = Path(platformdirs.user_cache_dir("imbolc"))
    return base / "numba"


def _load() -> None:
    global K, FLUSH, failure, load_seconds
    began = time.perf_counter()
    try:
        FLUSH = make_flusher()
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("NUMBA_CACHE_DIR", str(folder))
        import numba

        numba.config.CACHE_DIR = str(folder)  # type: ignore[attr-defined]
        from imbolc.engine.embedded import kernels

        K = kernels
    except Exception as error:  # numba missing or a compile failure: NumPy path stays
        failure = f"{type(error).__name__}: {error}"
    finally:
        load_seconds = time.perf_counter() - began
        _done.set()


def start() -> None:
    """Begin loading the kernels in the background (once; a no-op when disabled)."""
    global _thread
    if not enabled():
        return
    with _lock:
        if _thread is not None:
            return
        _thread = threading.Thread(target=_load, name="imbolc-jit", daemon=True)
        _thread.start()


def wait(timeout: float | None = None) -> bool:
    """Start loading if needed and wait; True when the kernels are in use."""
    start()
    if _thread is None:
        return False
    _done.wait(timeout)
    return K is not None


class numpy_only:  # noqa: N801  (used as a context manager, like a function)
    """Within this block every unit runs its NumPy path, without flush-to-zero: the engine
    as it was before the kernels (the reference in tests and benchmarks)."""

    def __enter__(self) -> None:
        global K, FLUSH
        start()
        _done.wait()
        self._saved = K, FLUSH
        K = FLUSH = None

    def __exit__(self, *_: object) -> None:
        global K, FLUSH
        K, FLUSH = self._saved


def strided(value: Any) -> tuple[np.ndarray, int]:
    """A float64 array and the stride kernels index it with: 1 per sample, 0 for one value."""
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.shape[0] > 1:
        if value.dtype != np.float64 or not value.flags.writeable:
            value = value.astype(np.float64)
        return value, 1
    return np.array([float(np.asarray(value).reshape(-1)[-1])]), 0


def lfilter(b: Any, a: Any, x: np.ndarray, zi: Any) -> tuple[np.ndarray, np.ndarray]:
    """``scipy.signal.lfilter(b, a, x, zi=zi)`` for one channel, compiled when loaded."""
    kernels = K
    if kernels is None:
        from scipy.signal import lfilter as scipy_lfilter

        return scipy_lfilter(b, a, x, zi=zi)  # type: ignore[no-any-return]
    num = np.asarray(b, dtype=np.float64)
    den = np.asarray(a, dtype=np.float64)
    size = max(num.shape[0], den.shape[0])
    if num.shape[0] < size:
        num = np.concatenate((num, np.zeros(size - num.shape[0])))
    if den.shape[0] < size:
        den = np.concatenate((den, np.zeros(size - den.shape[0])))
    if den[0] != 1.0:
        num, den = num / den[0], den / den[0]
    state = np.array(zi, dtype=np.float64).reshape(-1)
    source = x if x.dtype == np.float64 else x.astype(np.float64)
    out = np.empty(source.shape[0])
    kernels.iir(num, den, source, state, out)
    return out, state
