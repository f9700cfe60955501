"""CPU time of processes on this machine, from /proc: where a bench's seconds went.

On a 2-core machine the client, the server and PostgreSQL share the cores, so a throughput figure
alone does not say which of them to make cheaper. Linux only; elsewhere every figure is 0.
"""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of one live process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime and stime, after the name


def descendants(pid: int) -> list[int]:
    """The process and all its live descendants."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        queue += [int(child) for child in children]
    return found


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of every PostgreSQL server process, by pid."""
    result = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    result[int(entry.name)] = cpu_seconds(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return result


class PostgresCpuSampler:
    """PostgreSQL CPU seconds over a period in which backends come and go: call `sample` often,
    and a backend that exits is counted up to its last sample."""

    def __init__(self) -> None:
        self.baseline = postgres_cpu()
        self.last = dict(self.baseline)

    def sample(self) -> None:
        self.last.update(postgres_cpu())

    def total(self) -> float:
        self.sample()
        return sum(now - self.baseline.get(pid, 0.0) for pid, now in self.last.items())


def own_cpu() -> float:
    """CPU seconds of this process so far."""
    times = os.times()
    return times.user + times.system
