"""CPU time of the processes a bench row loads, read from Linux's /proc: the mixed row splits a write's cost between
the service and PostgreSQL with it, and the bound that split puts on the row.

Both are read per process, threads included. A process that exits during a round is not lost: its time is added to
its parent's `cutime`/`cstime` once the parent reaps it, and those count too (PostgreSQL's backends are children of
its postmaster; the service's workers, of its supervisor).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """Return /proc/<pid>/stat's fields after the command name (which may hold spaces), or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def cpu_seconds(pids: list[int]) -> float:
    """Return the CPU seconds the processes and their reaped children have used (0 for one that is gone)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:  # utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the name
            total += sum(int(value) for value in fields[11:15])
    return total / TICKS


def group_pids(pgid: int) -> list[int]:
    """Return the processes of a process group (a server started in a session of its own: its workers too)."""
    return [pid for pid in _pids() if (fields := _stat(pid)) is not None and int(fields[2]) == pgid]


def named_pids(name: str) -> list[int]:
    """Return the processes whose command name is `name` (PostgreSQL's: "postgres")."""
    found = []
    for pid in _pids():
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                found.append(pid)
        except OSError:
            continue
    return found


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


@dataclass(frozen=True)
class Round:
    """What one wrk round cost: requests answered, and CPU seconds of the service and of PostgreSQL meanwhile."""

    requests: int
    service: float
    postgres: float


@dataclass(frozen=True)
class WriteCost:
    """A write's CPU against a read's, from a round of reads alone and a round with every `every`-th a write."""

    read_us: float  # a read, the service's and PostgreSQL's CPU together
    service_ms: float  # a write, the service's CPU (its other workers' reload included)
    postgres_ms: float  # a write, PostgreSQL's
    cpu_cap: float  # the mixed row's ratio if CPU alone decided it
    postgres_cap: float  # the same, were the service's part of a write free: PostgreSQL's share alone


def write_cost(reads: Round, mixed: Round, every: int) -> WriteCost:
    """Split the mixed round's CPU into its reads, at the reads-alone round's cost each, and its writes.

    Whatever the writes cost the reads around them (connections waiting on a write leave the workers fewer
    requests to serve per turn of their event loops) so counts as the writes'. Of `every` requests one is a write:
    with the CPU the reads alone had, the row reaches at most every / (every - 1 + write / read) of their
    throughput, and PostgreSQL's part of each write alone bounds it the same way.
    """
    writes = mixed.requests // every
    reads_beside = mixed.requests - writes
    service_read = reads.service / reads.requests
    postgres_read = reads.postgres / reads.requests
    read = service_read + postgres_read
    service = max(mixed.service - service_read * reads_beside, 0.0) / writes
    postgres = max(mixed.postgres - postgres_read * reads_beside, 0.0) / writes
    return WriteCost(
        read_us=read * 1e6,
        service_ms=service * 1e3,
        postgres_ms=postgres * 1e3,
        cpu_cap=cap(every, service + postgres, read),
        postgres_cap=cap(every, postgres, read),
    )


def cap(every: int, write: float, read: float) -> float:
    """Return the share of the reads-alone throughput left when one request in `every` is a write costing `write`
    CPU seconds, each read `read`: every / (every - 1 + write / read)."""
    return every / (every - 1 + write / read)
