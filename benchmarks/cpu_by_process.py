#!/usr/bin/env python
"""CPU seconds a command spends, by process: the command itself, its Jupyter kernels and Chromium. Not a test: it
prints, it never asserts. Linux only (it reads /proc).

    PYTHONPATH=src python benchmarks/cpu_by_process.py [--every 0.2] -- safer-report build --force --all-partnerships

The command's process tree is read every ``--every`` seconds; each process's user and system time is kept from its
last reading, so a process that lives less than that between two readings is missed (Chromium's short helpers: the
figures are a floor). ``/usr/bin/time`` cannot give these: it counts only the children that were waited for, and
Chromium's renderer is a grandchild that is not. Printed: the wall time, the CPU seconds of each kind of process,
their sum, and that sum over the machine's cores (the least wall time the same work could take here). See
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds so far) of ``pid``, or None if it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _kind(pid: int, root: int) -> str:
    if pid == root:
        return "command"
    try:
        line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "other"
    return "kernels" if "ipykernel" in line else "chromium" if "chrom" in line else "other"


def _tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            children.setdefault(stat[0], []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--every", type=float, default=0.2, help="seconds between two readings (default 0.2)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    options = parser.parse_args()
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    seconds: dict[int, tuple[str, float]] = {}  # pid: (kind, CPU seconds at its last reading)
    while process.poll() is None:
        for pid in _tree(process.pid):
            stat = _stat(pid)
            if stat:
                kind = seconds[pid][0] if pid in seconds else _kind(pid, process.pid)
                seconds[pid] = (kind, stat[1])
        time.sleep(options.every)
    wall = time.perf_counter() - start
    by_kind: dict[str, float] = {}
    for kind, cpu in seconds.values():
        by_kind[kind] = by_kind.get(kind, 0.0) + cpu
    total = sum(by_kind.values())
    cores = os.cpu_count() or 1
    print(f"exit {process.returncode}, wall {wall:.1f} s")
    print(", ".join(f"{kind} {cpu:.1f}" for kind, cpu in sorted(by_kind.items())), f"CPU-s; sum {total:.1f}")
    print(f"the sum over {cores} cores: {total / cores:.1f} s")


if __name__ == "__main__":
    main()
