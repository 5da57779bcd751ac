"""Byte-level fuzzing of real saved projects, many more cases than the test suite runs.

``python -m bench fuzz`` damages copies of saved projects (flipped bytes, a cut-short file,
a zeroed page) and reads each through ``load`` and ``check``: every case must load or end
in a ProjectFileError naming the file. ``IMBOLC_FUZZ_CASES`` sets the count (default
12,000) and ``IMBOLC_FUZZ_SEED`` the seed; a traceback is printed with the case that made it.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from bench.projects import build_project
from bench.timing import table
from imbolc.core.summary import check_project, summarize
from imbolc.core.templates import demo_project
from imbolc.persist import ProjectFileError, create_checkpoint, load_project, save_project
from imbolc.persist.salvage import check_file

PAGE = 4096
DEFAULT_CASES = 12_000


def _originals(folder: Path) -> dict[str, bytes]:
    demo = folder / "demo.imbolc"
    save_project(demo, demo_project())
    create_checkpoint(demo, "fuzz", load_project(demo))
    medium = folder / "medium.imbolc"
    save_project(medium, build_project(16, 1_000, lanes=4, points=50))
    old = folder / "v1.imbolc"
    save_project(old, demo_project())
    conn = sqlite3.connect(old)
    conn.execute("ALTER TABLE settings DROP COLUMN midi")
    conn.execute("ALTER TABLE settings DROP COLUMN click_muted")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    return {path.stem: path.read_bytes() for path in (demo, medium, old)}


def _damaged(original: bytes, rng: random.Random) -> tuple[bytes, str]:
    data = bytearray(original)
    roll = rng.random()
    if roll < 0.15:
        cut = rng.randrange(len(data))
        return bytes(data[:cut]), f"cut at {cut}"
    if roll < 0.25:
        page = rng.randrange(len(data) // PAGE)
        data[page * PAGE : (page + 1) * PAGE] = bytes(PAGE)
        return bytes(data), f"page {page} zeroed"
    flips = [(rng.randrange(len(data)), rng.randrange(256)) for _ in range(rng.randint(1, 12))]
    for where, value in flips:
        data[where] = value
    return bytes(data), f"flips {flips}"


def _outcome(path: Path) -> str:
    """'loaded', 'refused' or 'TRACEBACK'; also checks the file's bytes stay as they were."""
    before = path.read_bytes()
    outcome = "loaded"
    for read in (load_project, lambda p: check_file(p).readable):
        try:
            project = read(path)
            summarize(project)
            check_project(project)
        except ProjectFileError:
            outcome = "refused" if outcome == "loaded" else outcome
        except Exception:
            traceback.print_exc()
            return "TRACEBACK"
    if path.read_bytes() != before:
        return "TRACEBACK"
    return outcome


def run() -> str:
    """Fuzz and return the Markdown table of outcomes per original file."""
    cases = int(os.environ.get("IMBOLC_FUZZ_CASES", str(DEFAULT_CASES)))
    seed = int(os.environ.get("IMBOLC_FUZZ_SEED", "14"))
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="imbolc-fuzz-"))
    counts: dict[str, Counter[str]] = {}
    started = time.perf_counter()
    try:
        originals = _originals(folder)
        names = sorted(originals)
        target = folder / "damaged.imbolc"
        for case in range(cases):
            name = names[case % len(names)]
            data, how = _damaged(originals[name], rng)
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            target.write_bytes(data)
            outcome = _outcome(target)
            if outcome == "TRACEBACK":
                print(f"case {case} (seed {seed}, {name}, {how}) ended in a traceback")
            counts.setdefault(name, Counter())[outcome] += 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds = time.perf_counter() - started
    rows = [
        [name, sum(c.values()), c["loaded"], c["refused"], c["TRACEBACK"]]
        for name, c in sorted(counts.items())
    ]
    total = sum((c for c in counts.values()), Counter())
    rows.append(["all", sum(total.values()), total["loaded"], total["refused"], total["TRACEBACK"]])
    return table(
        f"Byte-level fuzz of saved projects (seed {seed}, {seconds:.0f} s)",
        ["original", "cases", "loaded", "refused with a clear error", "tracebacks"],
        rows,
    )
