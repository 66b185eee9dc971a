"""`make fuzz-memory`: a worker's resident memory before and after a heavy hostile load, against its cache bounds.

Starts `trainwatch serve` (one worker, SQLite, the bundled dataset, rate limits off so every request reaches the
code it is aimed at), records the worker's RSS after start-up, then sends FUZZ_REQUESTS (60,000) requests in four
equal quarters, each made to be remembered if anything unbounded would remember it:
never-seen decision questions (half of them for every category, about 9 KB answers), batches of never-seen checks,
never-seen 8 KB names under /static/docs/, ids of 100 to 10,000 characters, writes with never-seen wrong API keys,
and JSON nested 5,000 deep to the batch route. Records RSS after each quarter and compares the growth with the
configured bounds. Exits 1 on a 5xx, an error in the server's log, if the last quarter grew the worker by more than
FUZZ_PLATEAU_MIB (16; the caches are full by then, so growth must have stopped), or if the growth exceeds the answer
cache's bound plus FUZZ_REST_MIB (48) for everything else. TRAINWATCH_ANSWER_CACHE_MB=1 shows what the rest costs.
Settings: FUZZ_REQUESTS, FUZZ_CONCURRENCY (32), FUZZ_PORT (8114), FUZZ_PLATEAU_MIB, FUZZ_REST_MIB.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import rss_mib, wait_ready  # noqa: E402

from app.settings import Settings  # noqa: E402
from app.store import migrate  # noqa: E402
from app.store.db import make_engine  # noqa: E402
from app.store.seeding import seed  # noqa: E402

REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "60000"))
CONCURRENCY = int(os.environ.get("FUZZ_CONCURRENCY", "32"))
PORT = int(os.environ.get("FUZZ_PORT", "8114"))
PLATEAU_MIB = float(os.environ.get("FUZZ_PLATEAU_MIB", "16"))
# What a worker grows by beyond the answer cache: measured 40 MiB under this load with TRAINWATCH_ANSWER_CACHE_MB=1.
REST_MIB = float(os.environ.get("FUZZ_REST_MIB", "48"))
BASE = f"http://127.0.0.1:{PORT}"
COUNTRIES = ["DE", "FR", "US", "GB", "BR", "IN", "JP", "NO", "CH", "CA", "AU", "IT", "ES", "PL", "KR", "NL", "SE"]


def day(rng: random.Random) -> str:
    return f"{rng.randint(2018, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def junk(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits + "-_", k=n))


class Fuzz:
    """The hostile requests and what they got."""

    def __init__(self, client: httpx.AsyncClient, platforms: list[str], categories: list[str]) -> None:
        self.client = client
        self.platforms = platforms
        self.categories = categories
        self.statuses: Counter[int] = Counter()
        self.kinds: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()

    def question(self, rng: random.Random, every_category: bool) -> dict[str, str]:
        """A decision question, almost surely never asked before (about 10^8 combinations)."""
        params = {"country": rng.choice(COUNTRIES), "as_of": day(rng)}
        if not every_category:
            params["category"] = rng.choice(self.categories)
        if rng.random() < 0.5:
            params["age"] = str(rng.randint(10, 90))
        if rng.random() < 0.3:
            params["objected_on"] = f"2018-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        params["lang"] = rng.choice(["en", "de"])
        params["posted_on"] = "2018-01-01"
        return params

    async def one(self, rng: random.Random) -> None:
        roll = rng.random()
        platform = rng.choice(self.platforms)
        if roll < 0.45:
            kind = "decision"
            response = await self.client.get(
                f"/v1/platforms/{platform}/ai-training", params=self.question(rng, rng.random() < 0.5)
            )
        elif roll < 0.55:
            kind = "batch"
            checks = [{"platform": rng.choice(self.platforms), **self.question(rng, False)} for _ in range(20)]
            for check in checks:
                check.pop("lang", None)
                if "age" in check:
                    check["age"] = int(check["age"])
            response = await self.client.post("/v1/ai-training/checks", json={"checks": checks})
        elif roll < 0.70:
            kind = "docs-asset"
            response = await self.client.get(f"/static/docs/{junk(rng, 8192)}.js")
        elif roll < 0.80:
            kind = "long-id"
            long_id = junk(rng, rng.randint(100, 10_000))
            path = rng.choice(
                [f"/v1/platforms/{long_id}/ai-training", f"/v1/rules/{long_id}", f"/v1/platforms/{long_id}"]
            )
            response = await self.client.get(path)
        elif roll < 0.92:
            kind = "bad-key"
            response = await self.client.patch(
                "/v1/rules/instagram-eea-public-posts-2025",
                json={"summary": "x"},
                headers={"Authorization": f"Bearer tw_{junk(rng, 40)}"},
            )
        else:
            kind = "deep-json"
            depth = 5000
            response = await self.client.post(
                "/v1/ai-training/checks",
                content=b'{"checks":' + b"[" * depth + b"]" * depth + b"}",
                headers={"Content-Type": "application/json"},
            )
        self.kinds[kind] += 1
        self.statuses[response.status_code] += 1

    async def run(self, count: int, seed_: int) -> None:
        remaining = [count]

        async def worker(n: int) -> None:
            rng = random.Random(seed_ * 1000 + n)
            while remaining[0] > 0:
                remaining[0] -= 1
                try:
                    await self.one(rng)
                except httpx.HTTPError as exc:
                    self.statuses[0] += 1
                    self.failures[type(exc).__name__] += 1

        await asyncio.gather(*(worker(n) for n in range(CONCURRENCY)))


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tw-fuzz-"))
    url = f"sqlite:///{workdir / 'fuzz.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    seed(engine, ROOT / "app" / "data", actor="fuzz")
    engine.dispose()
    env = {
        **os.environ,
        "TRAINWATCH_DATABASE_URL": url,
        "TRAINWATCH_RATE_LIMITS": "false",
        "TRAINWATCH_LOG_LEVEL": "WARNING",
        "TRAINWATCH_WEBHOOKS_DELIVER": "false",
    }
    cache_mib = Settings(database_url=url).answer_cache_mb
    server_log = workdir / "server.log"
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "trainwatch"), "serve", "--port", str(PORT)],
        env=env,
        stderr=server_log.open("wb"),
    )
    try:
        with httpx.Client(base_url=BASE, timeout=10) as client:
            wait_ready(client)
            platforms = [p["id"] for p in client.get("/v1/platforms?limit=1000").json()["items"]]
            categories = [c["id"] for c in client.get("/v1/data-categories?limit=1000").json()["items"]]
            client.get("/v1/platforms/instagram/ai-training?category=public-posts&country=DE")  # warm the imports
        samples = [("after start-up", rss_mib(server.pid), 0)]
        started = time.monotonic()

        async def run() -> Fuzz:
            limits = httpx.Limits(max_connections=CONCURRENCY)
            async with httpx.AsyncClient(base_url=BASE, timeout=60, limits=limits) as client:
                fuzz = Fuzz(client, platforms, categories)
                for quarter in (1, 2, 3, 4):
                    await fuzz.run(REQUESTS // 4, quarter)
                    samples.append((f"after {quarter * (REQUESTS // 4):,} requests", rss_mib(server.pid), quarter))
                return fuzz

        fuzz = asyncio.run(run())
        elapsed = time.monotonic() - started
        with httpx.Client(base_url=BASE, timeout=10) as client:
            metrics = client.get("/metrics").text
    finally:
        server.terminate()
        server.wait(timeout=30)
    cache_bytes = next(
        (float(line.split()[-1]) for line in metrics.splitlines() if line.startswith("trainwatch_answer_cache_bytes")),
        0.0,
    )
    total = sum(fuzz.statuses.values())
    errors = sum(n for status, n in fuzz.statuses.items() if status >= 500)
    logged = [line for line in server_log.read_text(errors="replace").splitlines() if '"level": "error"' in line]
    shutil.rmtree(workdir, ignore_errors=True)
    rss = [value for _, value, _ in samples]
    start, last_quarter = rss[0], rss[-1] - rss[-2]
    print(f"fuzz-memory: {total:,} requests in {elapsed:.0f} s ({total / elapsed:.0f}/s), 1 worker on SQLite")
    print(f"kinds: {dict(sorted(fuzz.kinds.items()))}")
    print(f"statuses: {dict(sorted(fuzz.statuses.items()))}; 5xx: {errors}; errors logged by the server: {len(logged)}")
    if fuzz.failures:
        print(f"connections that failed (status 0): {dict(fuzz.failures)}")
    print("worker RSS MiB: " + " -> ".join(f"{value:.0f}" for value in rss) + " (start-up, then after each quarter)")
    growth = rss[-1] - start
    bound = cache_mib + REST_MIB
    print(
        f"growth {growth:.0f} MiB; the answer cache counts {cache_bytes / 2**20:.1f} MiB of its bound "
        f"TRAINWATCH_ANSWER_CACHE_MB={cache_mib}"
    )
    within = growth <= bound
    print(
        f"bound: the answer cache's {cache_mib} MiB + {REST_MIB:.0f} MiB for the rest (engine indexes, threads, "
        f"allocator; FUZZ_REST_MIB) = {bound:.0f} MiB over start-up (the snapshot): "
        + ("within" if within else f"OVER by {growth - bound:.0f} MiB")
    )
    flat = last_quarter <= PLATEAU_MIB
    print(f"last quarter grew {last_quarter:.0f} MiB (must be <= {PLATEAU_MIB:.0f}): {'ok' if flat else 'FAIL'}")
    sys.exit(1 if errors or logged or not flat or not within else 0)


if __name__ == "__main__":
    main()
