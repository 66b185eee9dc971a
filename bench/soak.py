"""`make soak`: mixed load against 2 workers on PostgreSQL for 5 minutes; prints what docs/operations.md reports.

95 % varied decision reads, 4 % catalog reads, 1 % writes with If-Match. Reports requests, 5xx (must be 0),
p50/p99, lost or duplicated writes (must be 0) and each worker's resident memory over time.
Settings: SOAK_SECONDS (300), SOAK_CONCURRENCY (16), SOAK_PORT (8113), TRAINWATCH_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import drop_postgres_database, postgres_database, rss_mib, wait_ready, write_key  # noqa: E402
from listening import wait_listening  # noqa: E402

SECONDS = float(os.environ.get("SOAK_SECONDS", "300"))
CONCURRENCY = int(os.environ.get("SOAK_CONCURRENCY", "16"))
PORT = int(os.environ.get("SOAK_PORT", "8113"))
BASE = f"http://127.0.0.1:{PORT}"


def database() -> tuple[str, str]:
    """Create, migrate and seed a fresh PostgreSQL database; return its URL and a write key."""
    url = postgres_database("tw_soak")
    return url, write_key(url, "soak")


def workers(master: int) -> list[int]:
    """Return the pids of the server's worker processes (children of the master)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == master and b"resource_tracker" not in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
    return sorted(found)


class Load:
    """The mixed load and what it saw."""

    def __init__(self, client: httpx.AsyncClient, token: str, catalog: dict) -> None:
        self.client = client
        self.auth = {"Authorization": f"Bearer {token}"}
        self.catalog = catalog
        self.latency: dict[str, list[float]] = {"decision": [], "catalog": [], "write": []}
        self.statuses: dict[int, int] = {}
        self.written: list[str] = []  # the note of every write that answered 200
        self.conflicts = 0

    async def one(self, rng: random.Random) -> None:
        roll = rng.random()
        started = time.perf_counter()
        if roll < 0.95:
            kind, response = "decision", await self.client.get(self.decision_url(rng))
        elif roll < 0.99:
            kind, response = "catalog", await self.client.get(rng.choice(self.catalog["reads"]))
        else:
            kind, response = "write", await self.write(rng)
        self.latency[kind].append(time.perf_counter() - started)
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1

    def decision_url(self, rng: random.Random) -> str:
        params = {
            "category": rng.choice(self.catalog["categories"]),
            "country": rng.choice(self.catalog["countries"]),
            "as_of": f"{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        }
        if rng.random() < 0.5:
            params["age"] = str(rng.randint(10, 80))
        if rng.random() < 0.3:
            params["objected_on"] = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"/v1/platforms/{rng.choice(self.catalog['platforms'])}/ai-training?{query}"

    async def write(self, rng: random.Random) -> httpx.Response:
        rule = rng.choice(self.catalog["rules"])
        note = f"soak {uuid.uuid4().hex}"
        for _ in range(20):
            read = await self.client.get(f"/v1/rules/{rule}")
            response = await self.client.patch(
                f"/v1/rules/{rule}", json={"notes": [note]}, headers={**self.auth, "If-Match": read.headers["etag"]}
            )
            if response.status_code != 412:
                break
            self.conflicts += 1
        if response.status_code == 200:
            self.written.append(note)
        return response


async def drive(token: str) -> Load:
    async with httpx.AsyncClient(base_url=BASE, timeout=30, limits=httpx.Limits(max_connections=CONCURRENCY)) as client:
        catalog = {
            "platforms": [p["id"] for p in (await client.get("/v1/platforms?limit=1000")).json()["items"]],
            "categories": [c["id"] for c in (await client.get("/v1/data-categories?limit=1000")).json()["items"]],
            "countries": ["DE", "FR", "US", "GB", "BR", "IN", "JP", "NO", "CH", "CA", "AU", "IT", "ES", "PL", "KR"],
            "rules": [r["id"] for r in (await client.get("/v1/rules?limit=1000")).json()["items"]],
        }
        catalog["reads"] = [
            "/v1/platforms",
            "/v1/rules?limit=50",
            "/v1/deadlines?upcoming=true",
            "/v1/sources",
            *(f"/v1/rules/{r}" for r in catalog["rules"][:40]),
            *(f"/v1/platforms/{p}" for p in catalog["platforms"]),
        ]
        load = Load(client, token, catalog)
        deadline = time.monotonic() + SECONDS

        async def worker(seed_: int) -> None:
            rng = random.Random(seed_)
            while time.monotonic() < deadline:
                try:
                    await load.one(rng)
                except httpx.HTTPError:
                    load.statuses[0] = load.statuses.get(0, 0) + 1

        await asyncio.gather(*(worker(i) for i in range(CONCURRENCY)))
        return load


def audit(client: httpx.Client, written: list[str]) -> tuple[int, int]:
    """Return how many answered writes are missing from the change log, and how many appear twice."""
    seen: dict[str, int] = {}
    url = "/v1/changes?limit=1000&resource=rule"
    while url:
        page = client.get(url).json()
        for change in page["items"]:
            for note in (change.get("after") or {}).get("notes") or []:
                if note.startswith("soak "):
                    seen[note] = seen.get(note, 0) + 1
        url = page["next"]
    lost = sum(1 for note in written if note not in seen)
    duplicated = sum(1 for count in seen.values() if count > 1)
    return lost, duplicated


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def main() -> None:
    url, token = database()
    env = {
        **os.environ,
        "TRAINWATCH_DATABASE_URL": url,
        "TRAINWATCH_RATE_LIMITS": "false",
        "TRAINWATCH_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "trainwatch"), "serve", "--port", str(PORT), "--workers", "2"],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=BASE, timeout=10) as client:
            wait_ready(client)
            wait_listening(PORT, 2)  # both workers up, each on its own socket
            pids = workers(server.pid)
            memory = {pid: [rss_mib(pid)] for pid in pids}
            sampler_stop = time.monotonic() + SECONDS

            async def run() -> Load:
                async def sample() -> None:
                    while time.monotonic() < sampler_stop:
                        await asyncio.sleep(min(30, SECONDS / 5))
                        for pid in pids:
                            memory[pid].append(rss_mib(pid))

                load, _ = await asyncio.gather(drive(token), sample())
                return load

            started = time.monotonic()
            load = asyncio.run(run())
            elapsed = time.monotonic() - started
            for pid in pids:
                memory[pid].append(rss_mib(pid))
            lost, duplicated = audit(client, load.written)
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_postgres_database(url)
    total = sum(load.statuses.values())
    errors = sum(n for status, n in load.statuses.items() if status >= 500 or status == 0)
    print(f"soak: {elapsed:.0f} s, 2 workers on PostgreSQL, {CONCURRENCY} connections")
    print(f"requests: {total} ({total / elapsed:.0f}/s); statuses: {dict(sorted(load.statuses.items()))}")
    print(f"5xx or failed connections: {errors}")
    for kind, values in load.latency.items():
        print(f"{kind}: {len(values)} requests, p50 {pct(values, 0.5):.1f} ms, p99 {pct(values, 0.99):.1f} ms")
    print(
        f"writes: {len(load.written)} answered 200 ({load.conflicts} If-Match retries after 412); "
        f"lost {lost}, duplicated {duplicated}"
    )
    for pid, samples in memory.items():
        print(f"worker {pid} RSS MiB: " + " -> ".join(f"{s:.0f}" for s in samples))
    sys.exit(1 if errors or lost or duplicated else 0)


if __name__ == "__main__":
    main()
