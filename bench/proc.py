"""The machine's processes as /proc shows them, for the benchmarks that measure a server's
or a build's processes from outside (their CPU time, their tree)."""

from __future__ import annotations

import os
from pathlib import Path

TICK = 1 / os.sysconf("SC_CLK_TCK")  # seconds per CPU clock tick, /proc's unit


def processes() -> dict[int, tuple[int, int]]:
    """Every process: its parent's pid and the CPU clock ticks it used (user + system)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            found[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return found
