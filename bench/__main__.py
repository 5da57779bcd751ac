"""Run the benchmark suites: ``python -m bench [suite ...]`` (default: all)."""

from __future__ import annotations

import platform
import sys

from bench import (
    core_bench,
    cores_bench,
    embedded_bench,
    engine_bench,
    export_bench,
    fuzz_bench,
    live_bench,
    net_bench,
    startup_bench,
    time_bench,
    tui_bench,
    ws_bench,
)

SUITES = {
    "core": core_bench.run,
    "engine": engine_bench.run,
    "embedded": embedded_bench.run,
    "net": net_bench.run,
    "tui": tui_bench.run,
    "time": time_bench.run,
    "live": live_bench.run,
    "ws": ws_bench.run,
    "export": export_bench.run,
    "cores": cores_bench.run,
    "startup": startup_bench.run,
    "fuzz": fuzz_bench.run,
}


def main(argv: list[str]) -> int:
    chosen = argv or list(SUITES)
    unknown = [name for name in chosen if name not in SUITES]
    if unknown:
        print(f"unknown suite(s): {', '.join(unknown)}; choose from {', '.join(SUITES)}")
        return 2
    print(f"Python {platform.python_version()} on {platform.machine()}\n")
    for name in chosen:
        print(f"## {name}\n")
        print(SUITES[name]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
