"""Test databases built by the migrations, on SQLite or PostgreSQL (TRAINWATCH_TEST_DATABASE)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from starlette.testclient import TestClient

from app.settings import Settings
from app.store import migrate

BACKEND = os.environ.get("TRAINWATCH_TEST_DATABASE", "sqlite")
POSTGRES_URL = os.environ.get("TRAINWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATA = Path(__file__).resolve().parent.parent / "app" / "data"


class Databases:
    """Creates throw-away databases: a migrated template per kind, cloned for each test that writes."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.templates: dict[str, str] = {}
        self.created: list[str] = []
        self.prefix = f"tw_test_{uuid.uuid4().hex[:8]}"

    def new_url(self) -> str:
        """Return the URL of a new, empty database (no tables)."""
        name = f"{self.prefix}_{len(self.created)}"
        self.created.append(name)
        if BACKEND == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.db')}"
        with _admin() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def clone(self, kind: str) -> str:
        """Return a new database copied from the template of this kind ("empty" or "seeded")."""
        template = self.templates.get(kind) or self._build(kind)
        name = f"{self.prefix}_{len(self.created)}"
        self.created.append(name)
        if BACKEND == "sqlite":
            target = self.workdir / (name + ".db")
            shutil.copy(make_url(template).database, target)
            return f"sqlite:///{target}"
        with _admin() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"'))
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def _build(self, kind: str) -> str:
        url = self.new_url()
        migrate.upgrade(url)
        if kind == "seeded":
            from app.store.seeding import seed

            engine = _engine(url)
            seed(engine, DATA, actor="test-seed")
            engine.dispose()  # PostgreSQL refuses to copy a template that has open connections
        self.templates[kind] = url
        return url

    def drop_all(self) -> None:
        """Drop every database this run created (PostgreSQL); SQLite files go with the temp folder."""
        if BACKEND != "postgresql":
            return
        with _admin() as conn:
            for name in reversed(self.created):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _admin():
    engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    return engine.connect()


def _engine(url: str):
    from app.store.db import make_engine

    return make_engine(url)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Give the session a database factory and drop what it made afterwards."""
    dbs = Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop_all()


def make_settings(url: str, **overrides) -> Settings:
    """Return settings for a test app on the given database (no background polling or delivering unless asked)."""
    return Settings(
        database_url=url,
        revision_check_seconds=overrides.pop("revision_check_seconds", 0),
        webhooks_deliver=overrides.pop("webhooks_deliver", False),
        **overrides,
    )


@pytest.fixture
def empty_url(databases: Databases) -> str:
    """A fresh migrated database with no data."""
    return databases.clone("empty")


@pytest.fixture
def seeded_url(databases: Databases) -> str:
    """A fresh migrated database seeded with the bundled dataset, for tests that write."""
    return databases.clone("seeded")


@pytest.fixture(scope="session")
def shared_seeded_url(databases: Databases) -> str:
    """One seeded database shared by read-only tests."""
    return databases.clone("seeded")


@pytest.fixture(scope="session")
def client(shared_seeded_url: str) -> Iterator[TestClient]:
    """A client for an app on the shared seeded database; tests using it must not write."""
    from app.main import create_app

    with TestClient(create_app(make_settings(shared_seeded_url))) as test_client:
        yield test_client


@pytest.fixture
def write_client(seeded_url: str) -> Iterator[TestClient]:
    """A client for an app on its own seeded database, free to write."""
    from app.main import create_app

    with TestClient(create_app(make_settings(seeded_url))) as test_client:
        yield test_client
