"""What the bench's load scripts share: a fresh PostgreSQL database with the bundled dataset, a write key, and a
process's resident memory. Used by bench/run.py (through writes.py), soak.py and fuzz_memory.py."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session

from app.store import migrate
from app.store.db import make_engine
from app.store.keys import create_key
from app.store.seeding import seed

ROOT = Path(__file__).resolve().parent.parent
ADMIN = os.environ.get("TRAINWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def write_key(url: str, name: str = "bench") -> str:
    """Create a write key in a database and return its token."""
    engine = make_engine(url)
    with Session(engine) as session:
        _, token = create_key(session, scope="write", name=name)
    engine.dispose()
    return token


def postgres_database(prefix: str = "tw_bench") -> str:
    """Create, migrate and seed a fresh PostgreSQL database; return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(ADMIN).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    engine = make_engine(url)
    seed(engine, ROOT / "app" / "data", actor=prefix)
    engine.dispose()
    return url


def drop_postgres_database(url: str) -> None:
    """Drop a database postgres_database made."""
    name = make_url(url).database
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def rss_mib(pid: int) -> float:
    """Return a process's resident memory in MiB (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_ready(client: httpx.Client, tries: int = 200) -> None:
    """Wait until the server behind an httpx client answers /readyz with 200 (a quarter second between tries)."""
    for _ in range(tries):
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
