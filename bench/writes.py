"""The bench's write rows: one write end to end (bundled dataset, and with the extra rules), and read throughput
with 1 % writes mixed in against reads alone, on 2 workers and PostgreSQL.

Imported by bench/run.py, which owns the servers, wrk and the report.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import time
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session

from app.store import migrate
from app.store.db import make_engine
from app.store.keys import create_key
from app.store.seeding import seed

ROOT = Path(__file__).resolve().parent.parent
ADMIN = os.environ.get("TRAINWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RULE = "instagram-eea-public-posts-2025"  # an ordinary rule of the bundled dataset
WRITES = 15


def write_key(url: str) -> str:
    """Create a write key in a database and return its token."""
    engine = make_engine(url)
    with Session(engine) as session:
        _, token = create_key(session, scope="write", name="bench")
    engine.dispose()
    return token


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
        f"{base}/v1/rules/{RULE}",
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


def postgres_database() -> str:
    """Create, migrate and seed a fresh PostgreSQL database for the mixed row; return its URL."""
    name = f"tw_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(ADMIN).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    engine = make_engine(url)
    seed(engine, ROOT / "app" / "data", actor="bench")
    engine.dispose()
    return url


def drop_postgres_database(url: str) -> None:
    """Drop the mixed row's database."""
    name = make_url(url).database
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def lua_mixed(paths: list[str], token: str, every: int, target: Path) -> Path:
    """Write a wrk script requesting the paths in turn, with every `every`-th request a PATCH of one rule."""
    target.write_text(
        "paths = {\n" + ",\n".join(json.dumps(p) for p in paths) + "\n}\n"
        f"auth = {json.dumps('Bearer ' + token)}\n"
        "i = 0\nrequest = function()\n  i = i + 1\n"
        f"  if i % {every} == 0 then\n"
        "    local body = '{\"notes\":[\"mixed ' .. i .. '\"]}'\n"
        "    return wrk.format('PATCH', '/v1/rules/" + RULE + "', "
        "{['Authorization'] = auth, ['Content-Type'] = 'application/json'}, body)\n"
        "  end\n"
        "  return wrk.format('GET', paths[(i - 1) % #paths + 1])\nend\n"
    )
    return target
