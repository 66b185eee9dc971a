"""How many sockets listen on a local port: the bench and the soak wait until every worker of a server listens."""

from __future__ import annotations

import time
from pathlib import Path


def listening_sockets(port: int) -> int:
    """Return how many sockets listen on a local TCP port (Linux's /proc/net/tcp)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            count += int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A"
    return count


def wait_listening(port: int, count: int, seconds: float = 60) -> None:
    """Wait until `count` sockets listen on a port: each worker of `serve --workers` listens on its own."""
    deadline = time.monotonic() + seconds
    while listening_sockets(port) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"{count} workers did not all listen on port {port} within {seconds:.0f} s")
        time.sleep(0.2)
