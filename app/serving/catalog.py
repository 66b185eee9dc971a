"""The catalog the read endpoints serve: every record with its version, loaded once per dataset revision."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.store.records import Record, read_all, read_rules
from app.store.registry import KINDS
from app.store.repository import changed_since, rule_confidence, stored_revision


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
    stored["rule"] = [
        ({**rule, "confidence": rule_confidence(rule["sources"], weights).value}, version)
        for rule, version in stored["rule"]
    ]
    for resource, found in stored.items():
        kind = KINDS[resource]
        entries = sorted((Entry(record, version) for record, version in found), key=lambda e: kind.order(e.record))
        out[resource] = {e.record[kind.key]: e for e in entries}
    return out


def _patched(session: Session, catalog: Catalog) -> Catalog | None:
    """Return the catalog with the rules changed since its revision read again, or None where only reading
    everything will do (anything but rules changed, or a write committed meanwhile)."""
    revision = stored_revision(session)
    changed = changed_since(session, catalog.revision, revision)
    if not changed or set(changed) - {"rule"}:
        return None
    ids = sorted(changed["rule"])
    found = read_rules(session, ids)
    if stored_revision(session) != revision:
        return None
    return patch_rules(catalog, revision, ids, found)


def patch_rules(catalog: Catalog, revision: int, ids: list[str], found: dict[str, tuple[Record, int]]) -> Catalog:
    """Return the catalog at `revision` with the named rules replaced by those found (the others were deleted)."""
    weights = {key: (e.record["kind"], e.record["publisher"]) for key, e in catalog.entries["source"].items()}
    kind = KINDS["rule"]
    rules = dict(catalog.entries["rule"])
    moved = False  # a new rule, or one whose place in the list changed: sort the list again
    for key in ids:
        old = rules.pop(key, None) if key not in found else rules.get(key)
        if key not in found:
            continue
        record, version = found[key]
        entry = Entry({**record, "confidence": rule_confidence(record["sources"], weights).value}, version)
        moved = moved or old is None or kind.order(old.record) != kind.order(entry.record)
        rules[key] = entry
    if moved:
        rules = {e.record[kind.key]: e for e in sorted(rules.values(), key=lambda e: kind.order(e.record))}
    return Catalog(revision, {**catalog.entries, "rule": rules})


class CatalogCache:
    """Holds the latest catalog; reloads it when the app's snapshot has moved past it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._catalog: Catalog | None = None
        self._lock = threading.Lock()

    def at_least(self, revision: int) -> Catalog:
        """Return a catalog at this revision or newer: the last one with what changed since applied, when the
        change log names only rules, else every record read again."""
        catalog = self._catalog
        if catalog is not None and catalog.revision >= revision:
            return catalog
        with self._lock:
            catalog = self._catalog
            if catalog is None or catalog.revision < revision:
                with Session(self.engine) as session:
                    fresh = _patched(session, catalog) if catalog is not None else None
                    catalog = self._catalog = fresh or load_catalog(session)
            return catalog
