"""Flush-to-zero for the embedded engine's audio thread, as scsynth sets it for its own.

Decaying filters, envelopes and reverb tails reach subnormal floats, and x86 arithmetic on
those is ~25× slower: a silent tail would cost more than a loud note. Setting MXCSR's FTZ and
DAZ bits makes such values zero. Python has no access to MXCSR, so two tiny functions are
compiled with llvmlite (which numba already brings) and called through ctypes.
"""

from __future__ import annotations

import ctypes
import platform
from collections.abc import Callable

FTZ_DAZ = 0x8040
"""MXCSR bits: flush-to-zero (bit 15) and denormals-are-zero (bit 6)."""

_IR = r"""
declare void @llvm.x86.sse.stmxcsr(i8*)
declare void @llvm.x86.sse.ldmxcsr(i8*)
define i32 @imbolc_flush_denormals() {
  %slot = alloca i32
  %raw = bitcast i32* %slot to i8*
  call void @llvm.x86.sse.stmxcsr(i8* %raw)
  %old = load i32, i32* %slot
  %new = or i32 %old, 32832
  store i32 %new, i32* %slot
  call void @llvm.x86.sse.ldmxcsr(i8* %raw)
  ret i32 %old
}
define void @imbolc_restore_mxcsr(i32 %value) {
  %slot = alloca i32
  store i32 %value, i32* %slot
  %raw = bitcast i32* %slot to i8*
  call void @llvm.x86.sse.ldmxcsr(i8* %raw)
  ret void
}
"""


class Flusher:
    """``flush()`` sets FTZ/DAZ on the calling thread and returns the old MXCSR;
    ``restore(old)`` puts it back."""

    def __init__(self) -> None:
        import llvmlite.binding as llvm

        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        module = llvm.parse_assembly(_IR)
        module.verify()
        machine = llvm.Target.from_default_triple().create_target_machine()
        self._engine = llvm.create_mcjit_compiler(module, machine)
        self._engine.finalize_object()
        address = self._engine.get_function_address
        self.flush: Callable[[], int] = ctypes.CFUNCTYPE(ctypes.c_int32)(
            address("imbolc_flush_denormals")
        )
        self.restore: Callable[[int], None] = ctypes.CFUNCTYPE(None, ctypes.c_int32)(
            address("imbolc_restore_mxcsr")
        )


def make_flusher() -> Flusher | None:
    """A Flusher on x86-64 (None elsewhere: other CPUs keep their default)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return None
    return Flusher()
