"""`make bench`: load Trainwatch and a bare Starlette ceiling with wrk over loopback and print a ratio table.

The ceiling runs under stock uvicorn; an (a') row runs it under the service's one-write protocol too, for comparison.

Server and wrk are pinned to different cores, rounds are interleaved, medians are reported. Ratios are against the
ceiling measured in the same run, because this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import brotli
import cputime
from answer_texts import distinct_texts
from listening import listening_sockets
from wrk_scripts import lua_batches, lua_mixed, lua_paths

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent
SERVER_CORE, LOAD_CORE = "0", "1"


def sh(*args: str, env: dict | None = None, timeout: int = 3600) -> str:
    """Run a command and return its stdout; fail loudly."""
    return subprocess.run(args, check=True, capture_output=True, text=True, env=env, timeout=timeout).stdout


def prepare(db: Path, extra_rules: int) -> None:
    """Build a migrated, seeded SQLite database, plus extra synthetic rules through the write path."""
    if db.exists():
        return
    partial = db.with_suffix(".partial")  # renamed only when complete, so an interrupted run is not reused
    partial.unlink(missing_ok=True)
    env = {**os.environ, "TRAINWATCH_DATABASE_URL": f"sqlite:///{partial}"}
    sh(str(BIN / "trainwatch"), "migrate", env=env)
    sh(str(BIN / "trainwatch"), "seed", env=env)
    if extra_rules:
        sh(sys.executable, str(ROOT / "bench" / "extra_rules.py"), str(partial), str(extra_rules), env=env)
    partial.rename(db)


class Server:
    """A uvicorn process pinned to the server core."""

    def __init__(
        self, args: list[str], env: dict, port: int, health: str, cores: str = SERVER_CORE, listeners: int = 1
    ) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            ["taskset", "-c", cores, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=2).read()
            except OSError:
                pass
            else:
                # Every worker listening, each on its own socket: wrk's connections, opened once, stay where they
                # land, and a worker still starting when they open would get none of them for the whole round.
                if listening_sockets(port) >= listeners:
                    return
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()  # a server that started late must not keep the port from the next run
                raise SystemExit(f"server on port {port} did not start")
            time.sleep(0.2)

    def rss_mib(self) -> float:
        """Return the server process's resident memory in MiB (taskset execs it, so the pid is the server's)."""
        match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{self.proc.pid}/status").read_text())
        return int(match.group(1)) / 1024 if match else float("nan")

    def stop(self) -> None:
        """Stop the server."""
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def trainwatch(db: Path | str, port: int, workers: int = 1, **settings: str) -> Server:
    """Start the service on a database (a SQLite file or a URL), with the settings a deployment would use, and any
    TRAINWATCH_ settings given (`log_level="WARNING"`)."""
    # Everything on as users run it (logs, metrics, security headers, rate limiting), but with limits no load
    # generator on one address can reach: the bench measures the limiter's cost, not its refusals.
    unlimited = "1000000000/minute"
    env = {
        **os.environ,
        "TRAINWATCH_DATABASE_URL": db if isinstance(db, str) else f"sqlite:///{db}",
        "TRAINWATCH_RATE_LIMIT_DECISIONS": unlimited,
        "TRAINWATCH_RATE_LIMIT_CATALOG": unlimited,
        "TRAINWATCH_RATE_LIMIT_WRITES": unlimited,
        **{f"TRAINWATCH_{name.upper()}": value for name, value in settings.items()},
    }
    args = [str(BIN / "trainwatch"), "serve", "--port", str(port), "--workers", str(workers)]
    # Two workers share both cores with wrk; one worker has the server core to itself.
    return Server(args, env, port, "/readyz", cores="0,1" if workers > 1 else SERVER_CORE, listeners=workers)


def ceiling(port: int, body_bytes: int, one_write: bool = False) -> Server:
    """Start the bare Starlette app under stock uvicorn (httptools, uvloop), or under the one-write protocol the
    service runs with (app/api/one_write.py), which the (a') row measures for comparison."""
    from app.api.one_write import ONE_WRITE_PROTOCOL

    env = {**os.environ, "BENCH_BODY_BYTES": str(body_bytes), "PYTHONPATH": str(ROOT)}
    args = [str(BIN / "uvicorn"), "bench.ceiling:app", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    return Server([*args, "--http", ONE_WRITE_PROTOCOL] if one_write else args, env, port, "/")


def wrk(url: str, seconds: int, connections: int, script: Path | None = None, headers: tuple[str, ...] = ()) -> dict:
    """Load a URL with wrk on the load core; return requests/s and p50/p99 in ms."""
    args = ["taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        args += ["-s", str(script)]
    for header in headers:
        args += ["-H", header]
    out = sh(*args, url)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses for {url}:\n{out}")
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
    }


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


# Rounds of the mixed row (reads alone, then with writes): its ratio moved 0.38-0.53x between rounds of the same code
# (how wrk's connections land on the two workers, the host), and the median of two rounds is their mean.
MIXED_ROUNDS = 4
WRITE_EVERY = 100  # the mixed row's share of writes: one request in a hundred
DISTINCT_PER_SECOND = 40_000  # distinct questions written per second of a varied round: more than any server answers
COLD_BATCHES_PER_SECOND = 200  # distinct 1000-check batches per second of a round: more than any server answers (140)
COUNTRIES = ["DE", "FR", "GB", "US", "AU", "NO", "CH", "CA", "IN", "BR", "JP", "IE", "IT", "ES", "PL", "NL"]


@functools.cache  # loading the dataset takes 0.2 s: once, not once per batch of questions
def platform_ids() -> list[str]:
    """Return the bundled dataset's platform ids."""
    from app.dataset.files import load_dataset

    return sorted(p.id for p in load_dataset(ROOT / "app" / "data").platforms)


def varied_queries(count: int, seed: int, seen: set[str]) -> list[dict[str, str]]:
    """Return distinct questions over all platforms, categories, countries and dates, none in `seen`."""
    from app.api.schemas.decisions import CATEGORY_IDS

    rng = random.Random(seed)
    platforms = platform_ids()
    start = date(2023, 1, 1)
    out: list[dict[str, str]] = []
    while len(out) < count:
        query = {
            "platform": rng.choice(platforms),
            "category": rng.choice(CATEGORY_IDS),
            "country": rng.choice(COUNTRIES),
            "as_of": (start + timedelta(days=rng.randrange(1460))).isoformat(),
        }
        if rng.random() < 0.5:
            query["age"] = str(rng.choice([15, 17, 25, 40]))
        if rng.random() < 0.3:
            query["objected_on"] = (start + timedelta(days=rng.randrange(1460))).isoformat()
        key = json.dumps(query, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(query)
    return out


def as_path(query: dict[str, str]) -> str:
    """Return the GET path asking a question."""
    rest = "&".join(f"{k}={v}" for k, v in query.items() if k != "platform")
    return f"/v1/platforms/{query['platform']}/ai-training?{rest}"


def dataset_tag() -> str:
    """Return a short hash of everything a prepared database depends on, to reuse it across runs."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(
        [
            *(ROOT / "app" / "data").glob("*.yaml"),
            *(ROOT / "migrations" / "versions").glob("*.py"),
            ROOT / "bench" / "extra_rules.py",
        ]
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def main() -> None:
    """Run every scenario, interleaved, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)  # fewer let one slow minute of the host move a row
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--extra-rules", type=int, default=100_000)
    args = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            raise SystemExit(f"error: `make bench` needs {tool} (Debian: apt-get install wrk util-linux)")
    WORK.mkdir(parents=True, exist_ok=True)
    tag = dataset_tag()
    small, big = WORK / f"seeded-{tag}.db", WORK / f"extra{args.extra_rules}-{tag}.db"
    print(f"preparing databases in {WORK} (the one with {args.extra_rules} extra rules takes a few minutes once)")
    prepare(small, 0)
    prepare(big, args.extra_rules)

    seen: set[str] = set()
    single = as_path({"platform": "instagram", "category": "public-posts", "country": "DE", "as_of": "2025-09-01"})
    batch = lua_batches([varied_queries(1000, 999, seen)], WORK / "batch.lua")
    servers: dict[str, Server] = {}
    base = {
        "ceiling": "http://127.0.0.1:18000",
        "small": "http://127.0.0.1:18001",
        "big": "http://127.0.0.1:18002",
        "ceiling1": "http://127.0.0.1:18006",
        "quiet": "http://127.0.0.1:18007",
    }
    runs: dict[str, list[dict]] = {}
    try:
        servers["small"], servers["big"] = trainwatch(small, 18001), trainwatch(big, 18002)
        # The same service with the rate limit and the access log off: what those two layers cost a request.
        servers["quiet"] = trainwatch(small, 18007, rate_limits="false", log_level="WARNING")
        body_bytes = len(urllib.request.urlopen(f"http://127.0.0.1:18001{single}").read())
        servers["ceiling"] = ceiling(18000, body_bytes)
        servers["ceiling1"] = ceiling(18006, body_bytes, one_write=True)
        rss_loaded = {name: server.rss_mib() for name, server in servers.items()}
        for round_no in range(args.rounds):
            # More distinct questions than the fastest server can ask in a round: a repeat would be a cache hit.
            per_round = DISTINCT_PER_SECOND * args.seconds
            varied_small = lua_paths(
                [as_path(q) for q in varied_queries(per_round, round_no * 2, seen)], WORK / "varied-small.lua"
            )
            varied_big = lua_paths(
                [as_path(q) for q in varied_queries(per_round, round_no * 2 + 1, seen)], WORK / "varied-big.lua"
            )
            # More distinct batches than the fastest server answers in a round: none is sent twice (wrk would cycle
            # through them, and a batch seen before finds its questions' analyses and notes where it left them).
            cold_batches = COLD_BATCHES_PER_SECOND * args.seconds
            cold = lua_batches(
                [varied_queries(1000, 10_000 + round_no * 1000 + n, seen) for n in range(cold_batches)],
                WORK / "batch-cold.lua",
            )
            plan = [
                ("a", base["ceiling"] + "/", None),
                ("a1", base["ceiling1"] + "/", None),
                ("b", base["small"] + single, None),
                ("b-br", base["small"] + single, None, ("Accept-Encoding: br, gzip",)),
                ("b-quiet", base["quiet"] + single, None),
                ("a-varied", base["ceiling"], varied_small),  # the same paths, the same body for each
                ("c", base["small"], varied_small),
                ("d-b", base["big"] + single, None),
                ("d-c", base["big"], varied_big),
                ("e", base["small"] + "/v1/ai-training/checks", batch),
                ("e-cold", base["small"] + "/v1/ai-training/checks", cold),
            ]
            for name, url, script, *headers in plan:
                result = wrk(url, args.seconds, args.connections, script, *headers)
                if name in ("c", "d-c") and result["requests"] > per_round:
                    raise SystemExit(f"({name}) asked {result['requests']} questions, more than {per_round} distinct")
                if name == "e-cold" and result["requests"] > cold_batches:
                    raise SystemExit(f"(e) sent {result['requests']} batches, more than {cold_batches} distinct")
                runs.setdefault(name, []).append(result)
            print(f"round {round_no + 1}/{args.rounds} done", flush=True)
        rss_after = {name: server.rss_mib() for name, server in servers.items()}
        sizes = compressed_sizes(base["small"])
    finally:
        for server in list(servers.values()):
            server.stop()
        servers.clear()
    extra = writes_and_mixed(small, big, seen, args)
    report(runs, body_bytes, rss_loaded, rss_after, sizes, extra, args)


def compressed_sizes(base: str) -> dict[str, float]:
    """Return the bytes sent for whole-platform answers with `Accept-Encoding: br, gzip`, and their plain size."""
    sent, plain = {}, {}
    best = texts = 0
    for platform in platform_ids():
        url = f"{base}/v1/platforms/{platform}/ai-training?country=DE&as_of=2025-09-01"
        body = urllib.request.urlopen(url).read()
        plain[platform] = len(body)
        if platform == "instagram":  # what the best brotli settings make of it: how far compression alone could go
            best = len(brotli.compress(body, quality=11, lgwin=24))
            texts = len(brotli.compress(distinct_texts(json.loads(body)), quality=11, lgwin=24))
        request = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})
        sent[platform] = len(urllib.request.urlopen(request).read())  # urllib does not decode: the wire's bytes
    return {
        "instagram": sent["instagram"],
        "instagram_plain": plain["instagram"],
        "instagram_best": best,
        "instagram_texts": texts,
        "median": statistics.median(sent.values()),
        "median_plain": statistics.median(plain.values()),
        "max": max(sent.values()),
    }


def unloaded_write(server: Server, token: str) -> dict[str, float]:
    """Return the CPU ms of the service and of PostgreSQL per write, writes sent one at a time to the idle server:
    the least a write costs, with no reads beside it to share the cores and the processor's caches."""
    import writes

    base = f"http://127.0.0.1:{server.port}"
    writes.sequential_patches(base, token, 20)  # warm: the first writes fill the memos a write keeps
    service, postgres = cputime.group_pids(server.proc.pid), cputime.named_pids("postgres")
    before = cputime.cpu_seconds(service), cputime.cpu_seconds(postgres)
    writes.sequential_patches(base, token, writes.UNLOADED_WRITES)
    postgres = sorted(set(postgres) | set(cputime.named_pids("postgres")))
    spent = cputime.cpu_seconds(service) - before[0], cputime.cpu_seconds(postgres) - before[1]
    return {
        "unloaded_service_ms": spent[0] * 1e3 / writes.UNLOADED_WRITES,
        "unloaded_postgres_ms": spent[1] * 1e3 / writes.UNLOADED_WRITES,
    }


def writes_and_mixed(small: Path, big: Path, seen: set[str], args) -> dict[str, float]:
    """Measure one write end to end on copies of both databases, then reads with 1 % writes on PostgreSQL."""
    import common  # bench/common.py and writes.py import the app: only once the servers of the read rounds are gone
    import writes

    out: dict[str, float] = {}
    for name, db, port in (("small", small, 18003), ("big", big, 18004)):
        url, token = writes.sqlite_copy(db, f"write-{name}")
        server = trainwatch(url, port)
        try:
            latency = writes.write_latency(f"http://127.0.0.1:{port}", token)
        finally:
            server.stop()
        out[f"write_{name}_median"], out[f"write_{name}_max"] = latency["median"], latency["max"]
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    print("writes done", flush=True)

    url = common.postgres_database()
    token = common.write_key(url)
    server = trainwatch(url, 18005, workers=2)
    try:
        out.update(unloaded_write(server, token))
        rounds: dict[str, list[float]] = {"reads": [], "mixed": []}
        costs: list[cputime.WriteCost] = []
        for round_no in range(MIXED_ROUNDS):
            paths = [as_path(q) for q in varied_queries(DISTINCT_PER_SECOND * args.seconds, 500 + round_no, seen)]
            reads = lua_paths(paths, WORK / "reads-pg.lua")
            mixed = lua_mixed(paths, writes.RULE_PATH, token, WRITE_EVERY, WORK / "mixed-pg.lua")
            spent: dict[str, cputime.Round] = {}
            for name, script in (("reads", reads), ("mixed", mixed)):
                service, postgres = cputime.group_pids(server.proc.pid), cputime.named_pids("postgres")
                before = cputime.cpu_seconds(service), cputime.cpu_seconds(postgres)
                result = wrk("http://127.0.0.1:18005", args.seconds, args.connections, script)
                # PostgreSQL's backends opened during the round count whole; those it closed, in its postmaster.
                postgres = sorted(set(postgres) | set(cputime.named_pids("postgres")))
                spent[name] = cputime.Round(
                    result["requests"],
                    cputime.cpu_seconds(service) - before[0],
                    cputime.cpu_seconds(postgres) - before[1],
                )
                if result["requests"] > len(paths):
                    raise SystemExit(f"the {name} row asked {result['requests']} questions, more than {len(paths)}")
                rounds[name].append(result["rps"])
            costs.append(cputime.write_cost(spent["reads"], spent["mixed"], WRITE_EVERY))
        out["reads_rps"] = statistics.median(rounds["reads"])
        out["mixed_rps"] = statistics.median(rounds["mixed"])
        out["mixed_ratio"] = statistics.median(m / r for m, r in zip(rounds["mixed"], rounds["reads"], strict=True))
        for field in ("read_us", "service_ms", "postgres_ms", "cpu_cap", "postgres_cap"):
            out[f"mixed_{field}"] = statistics.median(getattr(cost, field) for cost in costs)
    finally:
        server.stop()
        common.drop_postgres_database(url)
    print("mixed reads and writes done", flush=True)
    return out


def report(
    runs: dict[str, list[dict]],
    body_bytes: int,
    rss_loaded: dict,
    rss_after: dict,
    sizes: dict[str, float],
    extra: dict[str, float],
    args,
) -> None:
    """Print the medians, the ratios and whether each target is met, and put the tables in docs/benchmark.md."""
    lines: list[str] = []
    out = lines.append
    med = {name: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50", "p99")} for name, rs in runs.items()}

    def ratio(name: str, base: str) -> float:
        """Return the median over rounds of a scenario's requests/s over another's in the same round: the host's
        speed drifts over a run, and two rows measured seconds apart drift together."""
        return statistics.median(n["rps"] / b["rps"] for n, b in zip(runs[name], runs[base], strict=True))

    labels = {
        "a": "(a) bare Starlette ceiling",
        "a1": "(a') the same, under the service's one-write protocol",
        "b": "(b) one repeated decision query",
        "b-br": "(b) with `Accept-Encoding: br, gzip`",
        "b-quiet": "(b) with the rate limit and the access log off",
        "a-varied": "(a) the ceiling, sent (c)'s varied paths: what wrk and its script add",
        "c": "(c) varied queries, none repeated",
        "d-b": f"(d) as (b), {args.extra_rules:,} extra rules",
        "d-c": f"(d) as (c), {args.extra_rules:,} extra rules",
        "e": "(e) 1000-check batch, the same batch repeated (per request)",
        "e-cold": "(e) 1000-check batches never seen before (per request)",
    }
    out(
        f"\n{date.today()} · {os.cpu_count()} cores · server on core {SERVER_CORE}, wrk on core {LOAD_CORE} · "
        f"{args.rounds} interleaved rounds of {args.seconds}s, {args.connections} connections · medians (ratios: "
        "median of each round's ratio) · "
        f"decision body {body_bytes} bytes\n"
    )
    out("| scenario | requests/s | p50 ms | p99 ms | ratio to (a) |")
    out("|---|---:|---:|---:|---:|")
    for name, label in labels.items():
        m = med[name]
        out(f"| {label} | {m['rps']:,.0f} | {m['p50']:.2f} | {m['p99']:.2f} | {ratio(name, 'a'):.2f}x |")
    single_us = 1e6 / med["c"]["rps"]

    def tail(name: str) -> float:
        """Return a row's p99 over its p50 (of the medians)."""
        return med[name]["p99"] / med[name]["p50"]

    per_check = {name: 1e6 / (med[name]["rps"] * 1000) for name in ("e", "e-cold")}
    # A check's cost over a distinct request's: (c)'s requests/s over a thousand times the batches'.
    batch_ratio = {name: ratio("c", name) / 1000 for name in ("e", "e-cold")}
    per_rule_kib = (rss_loaded["big"] - rss_loaded["small"]) * 1024 / args.extra_rules
    mixed = extra["mixed_ratio"]
    # (label, measured text, met)
    checks = [
        (
            "(b) >= 0.7x (a)",
            f"{ratio('b', 'a'):.2f}x ({ratio('b', 'a1'):.2f}x of (a'))",
            ratio("b", "a") >= 0.7,
        ),
        (
            "(c) >= 0.35x (a)",
            f"{ratio('c', 'a'):.2f}x ({ratio('c', 'a1'):.2f}x of (a'))",
            ratio("c", "a") >= 0.35,
        ),
        (
            "(d) repeated >= 0.9x (b)",
            f"{ratio('d-b', 'b'):.2f}x",
            ratio("d-b", "b") >= 0.9,
        ),
        (
            "(d) varied >= 0.9x (c)",
            f"{ratio('d-c', 'c'):.2f}x",
            ratio("d-c", "c") >= 0.9,
        ),
        (
            "repeated batch: cost per check <= 0.1x a distinct request from (c)",
            f"{per_check['e']:.0f} µs vs {single_us:.0f} µs; by round {batch_ratio['e']:.3f}x",
            batch_ratio["e"] <= 0.1,
        ),
        (
            "never-seen batch: cost per check <= 0.15x a distinct request from (c)",
            f"{per_check['e-cold']:.0f} µs vs {single_us:.0f} µs; by round {batch_ratio['e-cold']:.3f}x",
            batch_ratio["e-cold"] <= 0.15,
        ),
        (
            "(c) p99 / p50 <= 4",
            f"{tail('c'):.1f} (the ceiling sent the same paths: {tail('a-varied'):.1f})",
            tail("c") <= 4,
        ),
        ("resident memory per extra rule <= 1.5 KiB", f"{per_rule_kib:.2f} KiB", per_rule_kib <= 1.5),
        (
            "bytes sent for the whole-platform answer (instagram, DE) with br, gzip <= 2.5 KB",
            f"{sizes['instagram']:,.0f} B of {sizes['instagram_plain']:,.0f}; brotli's best, quality 11: "
            f"{sizes['instagram_best']:,.0f} B; its distinct texts of over 40 characters alone, as well compressed: "
            f"{sizes['instagram_texts']:,.0f} B (median over {len(platform_ids())} platforms: "
            f"{sizes['median']:,.0f} B of {sizes['median_plain']:,.0f}; largest {sizes['max']:,.0f} B)",
            sizes["instagram"] <= 2500,
        ),
        (
            "(b) with br, gzip: no loss (>= 0.95x (b))",
            f"{ratio('b-br', 'b'):.2f}x",
            ratio("b-br", "b") >= 0.95,
        ),
        (
            "one write end to end, bundled dataset <= 50 ms",
            f"median {extra['write_small_median']:.0f} ms, max {extra['write_small_max']:.0f} ms",
            extra["write_small_median"] <= 50,
        ),
        (
            f"one write end to end, {args.extra_rules:,} extra rules <= 100 ms",
            f"median {extra['write_big_median']:.0f} ms, max {extra['write_big_max']:.0f} ms",
            extra["write_big_median"] <= 100,
        ),
        (
            "reads with 1 % writes / reads alone (2 workers, PostgreSQL) >= 0.85x",
            f"{extra['mixed_rps']:,.0f} / {extra['reads_rps']:,.0f} req/s; by round {mixed:.2f}x",
            mixed >= 0.85,
        ),
    ]
    layers_us = statistics.median(
        1e6 / b["rps"] - 1e6 / q["rps"] for b, q in zip(runs["b"], runs["b-quiet"], strict=True)
    )
    out(
        f"\nThe rate limit and the access log cost a repeated question {layers_us:.1f} µs "
        f"({layers_us * med['b']['rps'] / 1e4:.0f} % of its {1e6 / med['b']['rps']:.0f} µs)."
    )
    write = {
        name: extra[f"mixed_{name}"] for name in ("service_ms", "postgres_ms", "read_us", "cpu_cap", "postgres_cap")
    }
    out(
        f"\nWith 1 % writes (medians of the mixed row's rounds), a write cost the service {write['service_ms']:.1f} ms "
        f"of CPU and PostgreSQL {write['postgres_ms']:.1f} ms, against {write['read_us']:.0f} µs for a read (both, in "
        f"the reads-alone round): CPU alone caps the row at {write['cpu_cap']:.2f}x, and PostgreSQL's part of the "
        f"writes alone at {write['postgres_cap']:.2f}x."
    )
    unloaded = extra["unloaded_service_ms"] + extra["unloaded_postgres_ms"]
    out(
        f"Sent one at a time to the idle server, a write cost the service {extra['unloaded_service_ms']:.1f} ms of "
        f"CPU and PostgreSQL {extra['unloaded_postgres_ms']:.1f} ms: at that cost, with no load to make it dearer, "
        f"CPU would cap the row at {cputime.cap(WRITE_EVERY, unloaded / 1e3, write['read_us'] / 1e6):.2f}x."
    )
    out("\n| target | measured | met |\n|---|---:|---|")
    for label, measured, met in checks:
        out(f"| {label} | {measured} | {'yes' if met else 'NO'} |")
    out("\n| server | RSS after start-up MiB | RSS after the run MiB |\n|---|---:|---:|")
    for name in ("ceiling", "ceiling1", "small", "big", "quiet"):
        out(f"| {name} | {rss_loaded[name]:.0f} | {rss_after[name]:.0f} |")

    text = "\n".join(lines)
    print(text)
    write_docs(text)


def write_docs(tables: str) -> None:
    """Replace the measured tables in docs/benchmark.md, between its bench markers."""
    docs = ROOT / "docs" / "benchmark.md"
    page = docs.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in page or end not in page:
        print(f"note: {docs} has no {start} / {end} markers; the tables were not written there")
        return
    head, rest = page.split(start, 1)
    docs.write_text(f"{head}{start}\n{tables.strip()}\n{end}{rest.split(end, 1)[1]}")
    print(f"\nwrote the tables to {docs.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    main()
