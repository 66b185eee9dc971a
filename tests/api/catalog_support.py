"""Shared helpers of the catalog API tests: API keys and one sample record per resource."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.main import create_app
from app.settings import Settings
from app.store.db import make_engine
from app.store.keys import create_key, revoke_key


def bearer(url: str, scope: str = "write", *, revoked: bool = False) -> dict[str, str]:
    """Create an API key on the database at url and return the Authorization header that presents it."""
    engine = make_engine(url)
    with Session(engine) as session:
        key, token = create_key(session, scope=scope, name="test")
        if revoked:
            revoke_key(session, key.id)
    engine.dispose()
    return {"Authorization": f"Bearer {token}"}


def new_app(url: str, *, revision_check_seconds: float = 0, **settings: Any) -> Any:
    """Return another app on the database at url, as a second worker or process would run it."""
    return create_app(Settings(database_url=url, revision_check_seconds=revision_check_seconds, **settings))


def key_id(headers: dict[str, str]) -> str:
    """Return the public id of the key in an Authorization header (tokens are tw_<id>_<secret>)."""
    return headers["Authorization"].removeprefix("Bearer ").split("_")[1]


@dataclass(frozen=True)
class Sample:
    """A resource's URL, a new valid record, a change to it, a bad field, and a record others refer to."""

    path: str
    key_field: str
    record: dict[str, Any]
    change: dict[str, Any]
    bad: tuple[str, Any]
    referred: str | None  # a seeded record that others refer to, so deleting it gets 409

    @property
    def key(self) -> str:
        """Return the new record's id or code."""
        return self.record[self.key_field]

    def url(self, key: str | None = None) -> str:
        """Return the URL of the new record (or of the record with this key)."""
        return f"/v1/{self.path}/{key or self.key}"


SAMPLES = {
    "category": Sample(
        "data-categories",
        "id",
        {"id": "test-data", "name": "Test data", "description": "Data made up for a test."},
        {"name": "Renamed test data"},
        ("description", ""),
        "public-posts",
    ),
    "jurisdiction": Sample(
        "jurisdictions",
        "code",
        # Every ISO 3166-1 country is in the bundled dataset already, and only those may be countries: a new group.
        {"code": "DACH", "name": "Germany, Austria and Switzerland", "kind": "group", "members": ["AT", "CH", "DE"]},
        {"name": "D-A-CH"},
        ("kind", "planet"),
        "DE",
    ),
    "platform": Sample(
        "platforms",
        "id",
        {"id": "example", "name": "Example", "operator": "Example Inc.", "website": "https://example.com/"},
        {"operator": "Example Group"},
        ("website", "not a url"),
        "facebook",
    ),
    "source": Sample(
        "sources",
        "id",
        {
            "id": "ZZ900",
            "url": "https://example.com/zz900",
            "title": "A test source",
            "publisher": "Example Press",
            "published_on": "2026-01",
            "retrieved_on": "2026-11-26",
            "kind": "secondary",
        },
        {"title": "A retitled test source"},
        ("retrieved_on", "yesterday"),
        "M1",
    ),
    "deadline": Sample(
        "deadlines",
        "id",
        {
            "id": "test-deadline",
            "platform": "facebook",
            "jurisdiction": "DE",
            "kind": "objection-deadline",
            "on": "2031-01-15",
            "summary": "A made-up deadline.",
            "sources": [{"id": "M1", "quote": "made up", "where": "nowhere"}],
        },
        {"summary": "A moved made-up deadline."},
        ("on", "2031-13-01"),
        "facebook-eea-objection-2025",
    ),
    "rule": Sample(
        "rules",
        "id",
        {
            "id": "example-aq-usage-data",
            "platform": "facebook",
            "category": "usage-data",
            "jurisdiction": "AQ",
            "treatment": "unknown",
            "summary": "Unconfirmed.",
            "sources": [{"id": "M1", "quote": None, "where": None}],
        },
        {"summary": "Still unconfirmed."},
        ("treatment", "maybe"),
        None,
    ),
}


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at the same moment; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
