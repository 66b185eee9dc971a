"""The local ports a test process may bind: a block of its own, so parallel test processes never race for one.

`make test` runs pytest-xdist workers, and the SQLite and PostgreSQL runs at once: a test that probed a port as
free and bound it a moment later could lose it to a test of another process (the docs receiver test did, in CI).
"""

from __future__ import annotations

import os

BLOCK = 10  # ports per process and purpose
SLOTS = 32  # blocks per purpose: 16 xdist workers in each of the two database runs


def own_ports(base: int) -> range:
    """Return this process's block of BLOCK ports for one purpose, whose blocks start at `base`."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    slot = int(worker or 0) % (SLOTS // 2)
    if os.environ.get("TRAINWATCH_TEST_DATABASE") == "postgresql":
        slot += SLOTS // 2
    start = base + slot * BLOCK
    return range(start, start + BLOCK)
