"""Seed, import and export the dataset through the one write path."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Table, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.dataset.dump import dump_dataset
from app.dataset.files import load_dataset
from app.dataset.schema import Dataset
from app.store import records
from app.store.models import DatasetRevision, SeededRecord
from app.store.registry import KINDS
from app.store.writes import Op, apply_changes

Key = tuple[str, str]


@dataclass
class SeedReport:
    """What a seed or import did: the new revision, the counts of changes and the records it left alone."""

    revision: int
    created: int = 0
    updated: int = 0
    deleted: int = 0
    conflicts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        """Return the number of records written."""
        return self.created + self.updated + self.deleted


def dataset_records(dataset: Dataset) -> dict[Key, records.Record]:
    """Return every record of a dataset in canonical JSON form, keyed by (resource, key)."""
    out: dict[Key, records.Record] = {}
    for resource, kind in KINDS.items():
        key_field = kind.key
        for item in getattr(dataset, kind.section):
            dumped = item.model_dump(mode="json")
            out[(resource, dumped[key_field])] = {name: dumped.get(name) for name in records.FIELDS[resource]}
    return out


def stored_records(session: Session) -> dict[Key, records.Record]:
    """Return every stored record in canonical JSON form, keyed by (resource, key)."""
    return {
        (resource, record[records.ADAPTERS[resource].key]): record
        for resource, found in records.read_all(session).items()
        for record, _version in found
    }


def seed(engine: Engine, path: Path, *, actor: str = "seed", force: bool = False) -> SeedReport:
    """Apply the difference between the dataset files and what the last seed applied, sparing API edits.

    Seeds run one at a time: two at once (two containers running `trainwatch start` on a fresh database) would both
    find nothing seeded and both insert every record. The second waits for the first, then finds nothing to do.
    """
    desired = dataset_records(load_dataset(path))
    with Session(engine) as session:
        _lock_writes(session)
        stored = stored_records(session)
        seeded = {(r.resource, r.resource_id): r.value for r in session.exec(select(SeededRecord)).all()}
        ops: list[Op] = []
        conflicts: dict[Key, str] = {}
        for key, want in desired.items():
            have, last = stored.get(key), seeded.get(key)
            if have == want:
                continue
            edited = (have is None and last is not None) or (have is not None and have != last)
            if edited and not force:
                conflicts[key] = _conflict(key, have)
                continue
            ops.append(Op(key[0], "create" if have is None else "update", key[1], want))
        for key, last in seeded.items():
            if key in desired or key not in stored:
                continue
            if stored[key] != last and not force:
                conflicts[key] = _conflict(key, stored[key]) + " (removed from the dataset files)"
                continue
            ops.append(Op(key[0], "delete", key[1]))
        _remember(session, desired, seeded, ops, set(conflicts))
        applied = apply_changes(session, ops, actor=actor)
        session.commit()  # the bookkeeping alone, when no data changed
    return _report(applied.revision, ops, list(conflicts.values()))


_REVISIONS: Table = DatasetRevision.__table__  # type: ignore[attr-defined]
# Changes nothing, but takes the revision row's write lock, which every write takes first (app/store/writes.py):
# PostgreSQL locks the row, SQLite the database (the statement begins the write transaction). Held until the commit.
_LOCK_WRITES = update(_REVISIONS).where(_REVISIONS.c.id == 1).values(revision=_REVISIONS.c.revision)


def _lock_writes(session: Session) -> None:
    """Wait until no other write is under way and keep the others waiting, before reading what to write."""
    session.connection().execute(_LOCK_WRITES)


def _conflict(key: Key, have: records.Record | None) -> str:
    state = "deleted" if have is None else "changed"
    return f"{key[0]} {key[1]} was {state} through the API since the last seed; left alone (use --force)"


def _remember(
    session: Session,
    desired: dict[Key, records.Record],
    seeded: dict[Key, records.Record],
    ops: list[Op],
    conflicts: set[Key],
) -> None:
    """Record what this seed makes the database hold, in the same transaction as the writes."""
    for key, want in desired.items():
        # A record left alone keeps its old seeded value, so the conflict is reported again next time.
        if key in conflicts:
            continue
        if seeded.get(key) != want:
            session.merge(SeededRecord(resource=key[0], resource_id=key[1], value=want))
    for op in ops:
        if op.operation == "delete":
            row = session.get(SeededRecord, (op.resource, op.key))
            if row is not None:
                session.delete(row)


def _report(revision: int, ops: list[Op], conflicts: list[str]) -> SeedReport:
    count = {kind: sum(op.operation == kind for op in ops) for kind in ("create", "update", "delete")}
    return SeedReport(revision, count["create"], count["update"], count["delete"], conflicts)


def import_dataset(engine: Engine, path: Path, *, actor: str = "import") -> SeedReport:
    """Create or update every record of a dataset file or folder; records not in it stay."""
    desired = dataset_records(load_dataset(path, curated=False))  # what the API accepts: an export loads again
    with Session(engine) as session:
        stored = stored_records(session)
        ops = [
            Op(key[0], "create" if key not in stored else "update", key[1], want)
            for key, want in desired.items()
            if stored.get(key) != want
        ]
        applied = apply_changes(session, ops, actor=actor)
    return _report(applied.revision, ops, [])


def export_dataset(engine: Engine) -> str:
    """Return the whole stored dataset (no keys, no change log) as one dataset file's text."""
    with Session(engine) as session:
        stored = stored_records(session)
    return dump_dataset(records_dataset(stored))


def records_dataset(stored: dict[Key, records.Record]) -> Dataset:
    """Return records keyed by (resource, key) as a Dataset, the shape dataset files and exports have."""
    grouped: dict[str, list[records.Record]] = {kind.section: [] for kind in KINDS.values()}
    for (resource, _key), record in stored.items():
        grouped[KINDS[resource].section].append(record)
    return Dataset.model_validate(grouped)
