"""The catalog the read endpoints serve: every record with its version, loaded once per dataset revision."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.store.records import ADAPTERS, Record, read_all
from app.store.repository import rule_confidence, stored_revision


@dataclass(frozen=True, slots=True)
class Entry:
    """One record as the API shows it (the dataset file's fields) and its version."""

    record: Record
    version: int

    @property
    def body(self) -> Record:
        """Return the record with its version, as list items show it."""
        return {**self.record, "version": self.version}


@dataclass(frozen=True)
class Catalog:
    """Every record of one dataset revision, per resource, in each resource's stable list order."""

    revision: int
    entries: dict[str, dict[str, Entry]]

    def get(self, resource: str, key: str) -> Entry | None:
        """Return a record's entry, or None."""
        return self.entries[resource].get(key)

    def all(self, resource: str) -> list[Entry]:
        """Return a resource's entries in list order."""
        return list(self.entries[resource].values())


def _natural(key: str) -> list[Any]:
    # Source ids sort as people number them: M2 before M10.
    return [int(part) if part.isdigit() else part for part in re.split(r"([0-9]+)", key)]


# Stable list order of each resource; deadlines run by day so the next one comes first.
ORDER = {
    "category": lambda r: r["id"],
    "jurisdiction": lambda r: r["code"],
    "platform": lambda r: r["id"],
    "source": lambda r: _natural(r["id"]),
    "deadline": lambda r: (r["on"], r["id"]),
    "rule": lambda r: r["id"],
}


def load_catalog(session: Session, attempts: int = 5) -> Catalog:
    """Read every record at one revision; re-read if a write committed while reading."""
    for _ in range(attempts):
        revision = stored_revision(session)
        entries = _read(session)
        if stored_revision(session) == revision:
            break
        session.rollback()
    return Catalog(revision, entries)


def _read(session: Session) -> dict[str, dict[str, Entry]]:
    out: dict[str, dict[str, Entry]] = {}
    stored = read_all(session)
    weights = {s["id"]: (s["kind"], s["publisher"]) for s, _version in stored["source"]}
    # A rule's confidence is derived from its citations, never stored, so a source's new kind shows at once.
    stored["rule"] = [({**rule, "confidence": rule_confidence(rule["sources"], weights).value}, version)
                      for rule, version in stored["rule"]]
    for resource, found in stored.items():
        entries = sorted((Entry(record, version) for record, version in found),
                         key=lambda e, order=ORDER[resource]: order(e.record))
        out[resource] = {e.record[ADAPTERS[resource].key]: e for e in entries}
    return out


class CatalogCache:
    """Holds the latest catalog; reloads it when the app's snapshot has moved past it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._catalog: Catalog | None = None
        self._lock = threading.Lock()

    def at_least(self, revision: int) -> Catalog:
        """Return a catalog at this revision or newer."""
        catalog = self._catalog
        if catalog is not None and catalog.revision >= revision:
            return catalog
        with self._lock:
            catalog = self._catalog
            if catalog is None or catalog.revision < revision:
                with Session(self.engine) as session:
                    catalog = self._catalog = load_catalog(session)
            return catalog


def current_catalog(request: Request) -> Catalog:
    """Return a catalog at least as new as the snapshot the app's decisions answer from."""
    state = request.app.state
    return state.catalog.at_least(state.store.snapshot.revision)
