"""A private PostgreSQL stopped, restarted and frozen under a running app: reads keep answering from memory,
writes and /v1/changes get 503 with Retry-After, probes answer at once, recovery needs no restart, logs say it once.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalog_support import bearer, new_app, run_together
from starlette.testclient import TestClient

from app.store import migrate
from app.store.db import make_engine
from app.store.seeding import seed
from tests.conftest import DATA

PORT = 5499
RULE = "/v1/rules/facebook-eea-public-posts-2025"
DECISION = "/v1/platforms/facebook/ai-training?category=public-posts&country=DE"


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on port 5499 that the test can stop, start, freeze and thaw."""

    def __init__(self) -> None:
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        self.root = Path(tempfile.mkdtemp(prefix="tw-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin / tool), *args], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            f"-p {PORT} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def signal_all(self, sig: int) -> None:
        """Send a signal to the postmaster and each of its processes (never to another cluster's)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == postmaster]
        for pid in (postmaster, *children):
            os.kill(pid, sig)

    def close(self) -> None:
        try:
            self.signal_all(signal.SIGCONT)
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


@pytest.fixture
def private_postgres() -> Iterator[tuple[PrivatePostgres, str]]:
    pg = PrivatePostgres()
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{PORT}/postgres"
        migrate.upgrade(url)
        engine = make_engine(url)
        seed(engine, DATA, actor="test-seed")
        engine.dispose()
        yield pg, url
    finally:
        pg.close()


def _database_log(err: str) -> list[str]:
    return [
        entry["event"]
        for line in err.splitlines()
        if line.startswith("{")
        if (entry := json.loads(line)).get("logger") == "trainwatch.database"
    ]


def _eventually(call, status: int, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while True:
        response = call()
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_reads_survive_an_outage_writes_get_503_and_a_frozen_database_parks_few_requests(private_postgres, capsys):
    # One test, so that no two tests ever want port 5499 at once.
    pg, url = private_postgres
    auth = bearer(url)
    # Generous timeouts: a busy test machine must not turn a healthy write into a 503.
    settings = {
        "revision_check_seconds": 0.2,
        "db_connect_timeout": 2,
        "db_statement_timeout": 5,
        "db_request_timeout": 20,
        "webhooks_deliver": False,
    }
    with TestClient(new_app(url, **settings)) as c:
        assert _eventually(lambda: c.patch(RULE, json={"summary": "Before."}, headers=auth), 200).status_code == 200
        capsys.readouterr()
        pg.stop()
        assert c.get(DECISION).status_code == 200 and c.get(RULE).json()["summary"] == "Before."
        write = c.patch(RULE, json={"summary": "During."}, headers=auth)
        assert write.status_code == 503 and write.headers["retry-after"] == "5"
        assert write.headers["content-type"] == "application/problem+json"
        assert c.get("/v1/changes").status_code == 503
        started = time.monotonic()
        ready = c.get("/readyz")
        assert ready.status_code == 503 and time.monotonic() - started < 2.5
        assert c.get("/healthz").status_code == 200
        time.sleep(1)  # the poller fails about five times meanwhile
        pg.start()
        assert _eventually(lambda: c.patch(RULE, json={"summary": "After."}, headers=auth), 200).status_code == 200
        assert _eventually(lambda: c.get("/readyz"), 200).status_code == 200
        err = capsys.readouterr().err
    events = _database_log(err)
    assert len(events) == 2 and "unreachable" in events[0] and "again" in events[1], events
    assert "Traceback" not in err

    # Frozen (processes stopped, connections open): few requests wait, each for a bounded time; probes answer.
    settings = {"db_connect_timeout": 1, "db_statement_timeout": 1, "db_request_timeout": 2, "db_request_slots": 3}
    with TestClient(new_app(url, **settings)) as c:
        assert _eventually(lambda: c.get("/readyz"), 200).status_code == 200
        pg.signal_all(signal.SIGSTOP)
        try:
            writes = run_together(*[lambda: c.patch(RULE, json={"summary": "Frozen."}, headers=auth)] * 8)
            assert {r.status_code for r in writes} == {503}
            started = time.monotonic()
            assert c.get("/healthz").status_code == 200
            assert c.get("/readyz").status_code == 503 and time.monotonic() - started < 2.5
            assert c.get(DECISION).status_code == 200
        finally:
            pg.signal_all(signal.SIGCONT)
        assert _eventually(lambda: c.patch(RULE, json={"summary": "Thawed."}, headers=auth), 200).status_code == 200
