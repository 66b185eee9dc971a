"""The catalog the read endpoints serve: every record with its version, loaded once per dataset revision."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.store.db import consistent_reads, reading_on
from app.store.records import Record, each_record, read_rules
from app.store.registry import KINDS, ResourceKind
from app.store.repository import ChangedRules, changed_since, rule_confidence, stored_revision


class Compact(Mapping[str, Any]):
    """A record kept as a tuple of its values beside its kind's field names: a quarter of a dict's memory.

    The catalog copy holds every record of the dataset in each worker; with 100,000 rules, dicts cost 1.6 KB a rule.
    It reads like the dict it was made from (same keys, same order), and `dict(record)` gives that dict back.
    """

    __slots__ = ("_names", "_values")

    def __init__(self, names: dict[str, int], values: tuple[Any, ...]) -> None:
        self._names = names
        self._values = values

    @classmethod
    def of(cls, record: Record, shared: Shared) -> Compact:
        """Return a record as a Compact; records of one shape share their names, equal strings are shared too."""
        shape = (tuple(record), sum(1 << i for i, v in enumerate(record.values()) if v is None))
        names = shared.names.get(shape)
        if names is None:
            names = shared.names[shape] = _names(*shape)
        # Fields that are None (a rule has half a dozen) all read the one None kept last.
        values = [_compact(v, shared) for v in record.values() if v is not None]
        if shape[1]:
            values.append(None)
        return cls(names, tuple(values))

    def __getitem__(self, name: str) -> Any:
        value = self._values[self._names[name]]
        # Nested records and lists come out as the plain dicts and lists they were, for code that needs a dict.
        return _thaw(value) if isinstance(value, (Compact, tuple)) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return repr(dict(self))


def _names(keys: tuple[str, ...], absent: int) -> dict[str, int]:
    """Map each field to its value's place; the None fields (bits of `absent`) to the one place after the others."""
    present = [name for i, name in enumerate(keys) if not absent >> i & 1]
    places = {name: i for i, name in enumerate(present)}
    return {name: places.get(name, len(present)) for name in keys}


class Shared:
    """What the records made by one load share: the field names of each shape, and equal nested values."""

    LIMIT = 4096  # nested values remembered at most: their keys are kept only while records are made

    def __init__(self) -> None:
        self.names: dict[tuple[tuple[str, ...], int], dict[str, int]] = {}  # by field names and None fields
        self.values: dict[Any, Any] = {}

    def nested(self, value: dict[str, Any] | list[Any]) -> Any:
        """Return a nested record or list made compact, the very object made for an equal one before if any."""
        key = _key(value)
        if key is _NO_KEY:
            return _nested(value, self)
        found = self.values.get(key)
        if found is None:
            if len(self.values) >= self.LIMIT:  # values that repeat come back; unique ones cost no more than this
                self.values.clear()
            found = self.values[key] = _nested(value, self)
        return found


_NO_KEY = object()


def _key(value: Any) -> Any:
    """Return a hashable key of nested text (dicts and lists of strings and None), or _NO_KEY for anything else."""
    # Numbers stay out: 1, 1.0 and True are equal in Python, so they would share one key and one value.
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, (dict, list)):
        return _NO_KEY
    parts = []
    for name, item in value.items() if isinstance(value, dict) else enumerate(value):
        key = _key(item)
        if key is _NO_KEY:
            return _NO_KEY
        parts.append((name, key))
    return (type(value), tuple(parts))


def _nested(value: dict[str, Any] | list[Any], shared: Shared) -> Any:
    if isinstance(value, dict):
        return Compact.of(value, shared)
    return tuple(_compact(v, shared) for v in value)  # a list of the record: handed out as a new list


def _compact(value: Any, shared: Shared) -> Any:
    """Keep equal strings once (interned); keep nested records (a rule's citations, its opt-out) compact and shared."""
    if isinstance(value, str):
        return sys.intern(value)  # shared with the snapshot's copy of the same text too
    if isinstance(value, (dict, list)):
        return shared.nested(value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Compact):
        return {name: _thaw(value._values[i]) for name, i in value._names.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Entry:
    """One record as the API shows it (the dataset file's fields) and its version."""

    record: Mapping[str, Any]  # a Compact, read like the dict it was made from
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
    found: dict[str, list[Entry]] = {resource: [] for resource in KINDS}
    shared = Shared()
    # Sources come before rules in the registry's order, so their weights are known when rules are read.
    weights: dict[str, tuple[str, str]] = {}
    for resource, record, version in each_record(session):
        if resource == "source":
            weights[record["id"]] = (record["kind"], record["publisher"])
        elif resource == "rule":  # a rule's confidence is derived from its citations, never stored
            record = {**record, "confidence": rule_confidence(record["sources"], weights).value}
        found[resource].append(Entry(Compact.of(record, shared), version))
    return {resource: _listed(KINDS[resource], entries) for resource, entries in found.items()}


def _listed(kind: ResourceKind, entries: list[Entry]) -> dict[str, Entry]:
    """Return entries by key, in the kind's list order."""
    entries.sort(key=lambda e: kind.order(e.record))
    return {e.record[kind.key]: e for e in entries}


def _patched(session: Session, catalog: Catalog) -> Catalog | None:
    """Return the catalog with the rules changed since its revision read again, or None where only reading
    everything will do (anything but rules changed, or a write committed meanwhile)."""
    consistent = consistent_reads(session)
    revision = stored_revision(session)
    changed = changed_since(session, catalog.revision, revision)
    if not changed or set(changed) - {"rule"}:
        return None
    ids = sorted(changed["rule"])
    found = read_rules(session, ids)
    if not consistent and stored_revision(session) != revision:
        return None  # SQLite: a write committed meanwhile, so the rules read may be newer than `revision`
    return patch_rules(catalog, revision, ids, found)


def patch_rules(catalog: Catalog, revision: int, ids: list[str], found: dict[str, tuple[Record, int]]) -> Catalog:
    """Return the catalog at `revision` with the named rules replaced by those found (the others were deleted)."""
    # Only the sources the changed rules cite (every source's took a tenth of a write's time with 400 sources).
    sources = catalog.entries["source"]
    cited = {citation["id"] for record, _ in found.values() for citation in record["sources"]}
    weights = {key: (e.record["kind"], e.record["publisher"]) for key in cited if (e := sources.get(key)) is not None}
    shared = Shared()
    kind = KINDS["rule"]
    rules = catalog.entries["rule"].copy()  # a clone of the table: dict() re-inserts every key (see Snapshot.patched)
    moved = False  # a new rule, or one whose place in the list changed: sort the list again
    for key in ids:
        old = rules.pop(key, None) if key not in found else rules.get(key)
        if key not in found:
            continue
        record, version = found[key]
        confidence = rule_confidence(record["sources"], weights).value
        entry = Entry(Compact.of({**record, "confidence": confidence}, shared), version)
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

    def follow(self, changed: ChangedRules | None, revision: int, session: Session | None = None) -> Catalog:
        """Move to a snapshot's revision: with the rules it was patched with when the catalog is at the revision
        they were changed after (no read), else as at_least does (on `session`, where given)."""
        with self._lock:
            catalog = self._catalog
            if changed is not None and catalog is not None and catalog.revision == changed.since:
                ids = sorted(changed.rules)
                catalog = self._catalog = patch_rules(catalog, changed.revision, ids, changed.records)
                return catalog
        return self.at_least(revision, session)

    def at_least(self, revision: int, session: Session | None = None) -> Catalog:
        """Return a catalog at this revision or newer: the last one with what changed since applied, when the
        change log names only rules, else every record read again.

        `session`: a write's own, committed (it holds a connection already: a second one could wait for the pool
        behind every other write doing the same, until all of them time out).
        """
        catalog = self._catalog
        if catalog is not None and catalog.revision >= revision:
            return catalog
        with self._lock:
            catalog = self._catalog
            if catalog is None or catalog.revision < revision:
                with reading_on(session, self.engine) as reading:
                    fresh = _patched(reading, catalog) if catalog is not None else None
                    catalog = self._catalog = fresh or load_catalog(reading)
            return catalog
