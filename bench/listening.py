"""Sockets on a local port, read from Linux's /proc/net/tcp: the bench and the soak wait until every worker of a
server listens, and tests/test_workers.py finds which process holds which."""

from __future__ import annotations

import time
from pathlib import Path

LISTEN, ESTABLISHED = "0A", "01"  # socket states as /proc/net/tcp writes them


def port_sockets(port: int, state: str) -> set[int]:
    """Return the inodes of the TCP sockets on a local port in a state."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                inodes.add(int(fields[9]))
    return inodes


def listening_sockets(port: int) -> int:
    """Return how many sockets listen on a local TCP port."""
    return len(port_sockets(port, LISTEN))


def wait_listening(port: int, count: int, seconds: float = 60) -> None:
    """Wait until `count` sockets listen on a port: each worker of `serve --workers` listens on its own."""
    deadline = time.monotonic() + seconds
    while listening_sockets(port) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"{count} workers did not all listen on port {port} within {seconds:.0f} s")
        time.sleep(0.2)
