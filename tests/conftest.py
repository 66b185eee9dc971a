"""Test databases built by the migrations, on SQLite or PostgreSQL (TRAINWATCH_TEST_DATABASE).

Which tests run on which database: every test that uses the `databases` fixture (directly or through another fixture:
empty_url, seeded_url, client, ...) is marked `database` here and runs on SQLite and on PostgreSQL; every other test
never touches the test database and runs once, in the SQLite run (scripts/run-tests selects `-m "database and not
any_database"` for PostgreSQL). `--every-database-test` makes a run fail when a test marked `database` is deselected,
unless it is marked `any_database` (a browser test: the database behind the API it drives does not matter).
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from starlette.testclient import TestClient

from app.settings import Settings
from app.store import migrate

if TYPE_CHECKING:
    from app.policy.model import Snapshot

BACKEND = os.environ.get("TRAINWATCH_TEST_DATABASE", "sqlite")
POSTGRES_URL = os.environ.get("TRAINWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATA = Path(__file__).resolve().parent.parent / "app" / "data"


class Databases:
    """Creates throw-away databases: a migrated template per kind, cloned for each test that writes.

    On PostgreSQL the server takes a while over each CREATE DATABASE and each DROP DATABASE (about half a second), so
    background threads make the next copy of a template while a test runs, and drop each test's database after it,
    several at once (the server's waits for them overlap). Each test still gets a database of its own.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.templates: dict[str, str] = {}
        self.created: list[str] = []
        self.dropped: set[str] = set()
        self.prefix = f"tw_test_{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        self._background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-databases")
        self._spares: dict[str, Future[str]] = {}

    def _new_name(self) -> str:
        with self._lock:
            name = f"{self.prefix}_{len(self.created)}"
            self.created.append(name)
        return name

    def new_url(self) -> str:
        """Return the URL of a new, empty database (no tables)."""
        name = self._new_name()
        if BACKEND == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.db')}"
        _admin(f'CREATE DATABASE "{name}"')
        return _postgres_url(name)

    def clone(self, kind: str) -> str:
        """Return a new database copied from the template of this kind ("empty" or "seeded")."""
        template = self.templates.get(kind) or self._build(kind)
        if BACKEND == "sqlite":
            target = self.workdir / (self._new_name() + ".db")
            shutil.copy(make_url(template).database, target)
            return f"sqlite:///{target}"
        spare = self._spares.pop(kind, None)
        name = spare.result() if spare is not None else self._copy(template)
        self._spares[kind] = self._background.submit(self._copy, template)  # the next test's copy, meanwhile
        return _postgres_url(name)

    def _copy(self, template: str) -> str:
        name = self._new_name()
        _admin(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
        return name

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

    def release(self, url: str) -> None:
        """Drop a test's database once the test is done (PostgreSQL, in the background); SQLite files go with the
        temp folder."""
        if BACKEND == "postgresql":
            self._background.submit(self._drop, make_url(url).database)

    def _drop(self, name: str) -> None:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.dropped.add(name)

    def drop_all(self) -> None:
        """Drop every database this run created and has not dropped yet (PostgreSQL)."""
        if BACKEND != "postgresql":
            return
        wait(self._spares.values())
        self._background.shutdown(wait=True)  # the drops under way; one that failed is tried again below
        left = [name for name in reversed(self.created) if name not in self.dropped]
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(self._drop, left))  # raises the first failure
        _admin_engine().dispose()


@functools.cache
def _admin_engine() -> Engine:
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", pool_size=5)


def _admin(statement: str) -> None:
    """Run a statement outside a transaction on the PostgreSQL server (pooled connections, from any thread)."""
    with _admin_engine().connect() as conn:
        conn.execute(text(statement))


def _postgres_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _engine(url: str):
    from app.store.db import make_engine

    return make_engine(url)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--every-database-test",
        action="store_true",
        help="fail when a test that uses the test database is deselected (the PostgreSQL run of scripts/run-tests)",
    )


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark every test that uses the test database `database` (before -m selects by marker)."""
    if "databases" in getattr(item, "fixturenames", ()):  # the closure: every fixture the test needs, however deep
        item.add_marker(pytest.mark.database)


_LOST = pytest.StashKey[list[pytest.Item]]()


def pytest_deselected(items: list[pytest.Item]) -> None:
    """With --every-database-test, remember each deselected test that must run on every database."""
    for item in items:
        if item.config.getoption("every_database_test") and _runs_on_every_database(item):
            item.config.stash.setdefault(_LOST, []).append(item)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the lost tests back (after every other selection), so that each fails and says why."""
    items.extend(item for item in config.stash.get(_LOST, []) if item not in items)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item in item.config.stash.get(_LOST, []):
        pytest.fail(
            f"{item.nodeid} uses the test database but was deselected on {BACKEND}: it must run on every database "
            "(or be marked any_database with a reason)",
            pytrace=False,
        )


def _runs_on_every_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("database") is not None and item.get_closest_marker("any_database") is None


@pytest.fixture(autouse=True)
def _no_event_loop_left_running_by_the_browser(request: pytest.FixtureRequest) -> Iterator[None]:
    """Let a test run asyncio.run() in a worker whose session-long Playwright marks its loop as running.

    Playwright's sync API marks its event loop as the thread's running loop between its calls, for as long as the
    browser (a session fixture) lives; asyncio.run() then refuses to start, so a test run after any browser test in
    the same worker failed. The mark is lifted for the other tests and put back after them.
    """
    loop = asyncio._get_running_loop()
    if loop is None or "browser" in request.fixturenames:
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


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
def empty_url(databases: Databases) -> Iterator[str]:
    """A fresh migrated database with no data."""
    url = databases.clone("empty")
    yield url
    databases.release(url)


@pytest.fixture
def seeded_url(databases: Databases) -> Iterator[str]:
    """A fresh migrated database seeded with the bundled dataset, for tests that write."""
    url = databases.clone("seeded")
    yield url
    databases.release(url)


@pytest.fixture(scope="session")
def shared_seeded_url(databases: Databases) -> str:
    """One seeded database shared by read-only tests."""
    return databases.clone("seeded")


def memo_free(snapshot: Snapshot) -> Snapshot:
    """Return a copy of a snapshot, at the next revision, with none of its memos (not even the pair indexes a full
    read through the store builds at once)."""
    copy = snapshot.patched(snapshot.revision + 1, {})
    copy.memo.clear()  # a patch shares the memos no rule write can change; this copy must not
    return copy


@pytest.fixture(scope="session")
def seeded_snapshot(shared_seeded_url: str) -> Snapshot:
    """The bundled dataset as the engine sees it, loaded once from the shared seeded database; tests must not
    change it (`memo_free(snapshot)` gives a copy with memos of its own)."""
    from sqlmodel import Session

    from app.store.db import make_engine
    from app.store.repository import load_snapshot

    engine = make_engine(shared_seeded_url)
    with Session(engine) as session:
        loaded = load_snapshot(session)
    engine.dispose()
    return loaded


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
