"""The bench's write rows: one write end to end (bundled dataset, and with the extra rules), and read throughput
with 1 % writes mixed in against reads alone, on 2 workers and PostgreSQL.

Imported by bench/run.py, which owns the servers, wrk and the report.
"""

from __future__ import annotations

import json
import shutil
import statistics
import time
import urllib.request
from pathlib import Path

import httpx
from common import write_key

RULE = "instagram-eea-public-posts-2025"  # an ordinary rule of the bundled dataset
RULE_PATH = f"/v1/rules/{RULE}"
WRITES = 15
UNLOADED_WRITES = 200  # the unloaded writes whose CPU the mixed row states beside its own


def sqlite_copy(db: Path, name: str) -> tuple[str, str]:
    """Copy a prepared SQLite database (the bench's copies stay untouched); return its URL and a write key."""
    target = db.with_name(f"{name}.db")
    shutil.copyfile(db, target)
    url = f"sqlite:///{target}"
    return url, write_key(url)


def patch(base: str, token: str, n: int) -> float:
    """PATCH one rule's notes and return the seconds until the answer arrived (the write is served by then)."""
    body = json.dumps({"notes": [f"bench write {n}"]}).encode()
    request = urllib.request.Request(
        base + RULE_PATH,
        data=body,
        method="PATCH",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"a bench write answered {response.status}")
    return time.perf_counter() - started


def write_latency(base: str, token: str) -> dict[str, float]:
    """Return the median and worst of WRITES sequential writes end to end, in ms (the first one warms up)."""
    patch(base, token, 0)
    times = [patch(base, token, n) * 1000 for n in range(1, WRITES + 1)]
    return {"median": statistics.median(times), "max": max(times)}


def sequential_patches(base: str, token: str, count: int) -> None:
    """PATCH one rule's notes `count` times, one after another on one kept-alive connection, as wrk sends them."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for n in range(count):
            response = client.patch(RULE_PATH, json={"notes": [f"unloaded write {n}"]})
            if response.status_code != 200:
                raise SystemExit(f"a bench write answered {response.status_code}")
