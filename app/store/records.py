"""Map dataset records (the dicts of the YAML files and the API) to table rows and back."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Select, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, delete, select

from app.store import models
from app.store.registry import KINDS, NAMES

RESOURCES = NAMES  # write order

Record = dict[str, Any]
Add = Callable[[SQLModel], None]


@dataclass(frozen=True)
class Adapter:
    """How one resource's record is stored: its table, key field and column renames."""

    table: type[SQLModel]
    key: str  # the record's key field ("id" or "code")
    renames: dict[str, str]  # record field -> column
    to_extra: Callable[[Session, SQLModel], Record] | None = None
    # Writes the record's links: replacing the stored ones (add None), or handing new ones to `add`.
    write_extra: Callable[[Session, Record, Add | None], None] | None = None

    def columns(self, record: Record) -> Record:
        """Return the table columns for a record (links excluded)."""
        out: Record = {}
        for name, value in record.items():
            column = self.renames.get(name, name)
            if column in self.table.model_fields and column != "version":
                out[column] = _from_json(self.table, column, value)
        return out


def _from_json(table: type[SQLModel], column: str, value: Any) -> Any:
    """Turn ISO date strings into dates for date columns."""
    annotation = str(table.model_fields[column].annotation)
    if isinstance(value, str) and "datetime.date" in annotation:
        return date.fromisoformat(value)
    return value


LinkTable = type[models.RuleSource] | type[models.DeadlineSource]


def citation(row: Any) -> Record:
    """Return a link row as the record's citation: the source id, the quote and where it stands."""
    return {"id": row.source_id, "quote": row.quote, "where": row.location}


def _links(session: Session, link: LinkTable, owner_column: str, owner: str) -> list[Record]:
    rows = session.connection().execute(_links_query(link, owner_column), {"owner": owner}).all()
    return [citation(row) for row in rows]


@functools.cache
def _links_query(link: LinkTable, owner_column: str) -> Select[Any]:
    """Return the query for one owner's citations in order, built once: every write reads its record's (the
    statement's building cost more CPU than the database's answer, measured)."""
    table: Any = link.__table__  # type: ignore[union-attr]
    return sa_select(table).where(table.c[owner_column] == bindparam("owner")).order_by(table.c.position)


def _replace_links(
    session: Session, link: LinkTable, owner_column: str, owner: str, citations: list[Record | str], add: Add | None
) -> None:
    if add is None:
        session.exec(delete(link).where(getattr(link, owner_column) == owner))
    for position, c in enumerate(stored_citations(citations)):
        values: dict[str, Any] = {
            owner_column: owner,
            "source_id": c["id"],
            "position": position,
            "quote": c["quote"],
            "location": c["where"],
        }
        (add or session.add)(link(**values))


def stored_citations(citations: Sequence[Record | str]) -> list[Record]:
    """Return a record's citations as they are stored and read back (`citation`), in their order."""
    first: dict[str, Record] = {}
    for c in citations:  # the first citation of a source wins, as the schema allows only one
        c = {"id": c} if isinstance(c, str) else c
        first.setdefault(c["id"], {"id": c["id"], "quote": c.get("quote"), "where": c.get("where")})
    return list(first.values())


def _jurisdiction_extra(session: Session, row: models.Jurisdiction) -> Record:
    rows = session.exec(
        select(models.JurisdictionMember.country_code).where(models.JurisdictionMember.group_code == row.code)
    ).all()
    return {"members": sorted(rows)}


def _jurisdiction_write(session: Session, record: Record, add: Add | None) -> None:
    code = record["code"]
    if add is None:
        session.exec(delete(models.JurisdictionMember).where(models.JurisdictionMember.group_code == code))
    for member in sorted(set(record.get("members") or [])):
        (add or session.add)(models.JurisdictionMember(group_code=code, country_code=member))


def _opt_out(row: models.Rule) -> Record | None:
    if row.opt_out_method is None:
        return None
    return {
        "method": row.opt_out_method,
        "url": row.opt_out_url,
        "deadline": row.opt_out_deadline_id,
        "late_objection": row.late_objection,
        "after_deadline": row.after_deadline,
        "objection_before_start": row.objection_before_start or "keeps_all_out",
    }


def _rule_extra(session: Session, row: models.Rule) -> Record:
    return {"opt_out": _opt_out(row), "sources": _links(session, models.RuleSource, "rule_id", row.id)}


def _rule_write(session: Session, record: Record, add: Add | None) -> None:
    _replace_links(session, models.RuleSource, "rule_id", record["id"], record.get("sources") or [], add)


def _deadline_extra(session: Session, row: models.Deadline) -> Record:
    return {"sources": _links(session, models.DeadlineSource, "deadline_id", row.id)}


def _deadline_write(session: Session, record: Record, add: Add | None) -> None:
    _replace_links(session, models.DeadlineSource, "deadline_id", record["id"], record.get("sources") or [], add)


# The kinds whose records carry links stored in tables of their own: how to read and write them.
LINKS = {
    "jurisdiction": (_jurisdiction_extra, _jurisdiction_write),
    "deadline": (_deadline_extra, _deadline_write),
    "rule": (_rule_extra, _rule_write),
}
# The record field each kind's links are written from: links equal to the stored ones are not written again.
LINK_FIELDS = {"jurisdiction": "members", "deadline": "sources", "rule": "sources"}
ADAPTERS: dict[str, Adapter] = {
    name: Adapter(kind.table, kind.key, kind.renames, *LINKS.get(name, (None, None))) for name, kind in KINDS.items()
}
# Field order of each record, as the dataset files and the API present them.
FIELDS: dict[str, tuple[str, ...]] = {name: kind.fields for name, kind in KINDS.items()}


def row_to_record(session: Session, resource: str, row: SQLModel) -> Record:
    """Return the JSON-ready record for a row, links included, without its version."""
    adapter = ADAPTERS[resource]
    return _record(resource, row, adapter.to_extra(session, row) if adapter.to_extra is not None else {})


def table_rows(session: Session, model: type[SQLModel], *order_by: str, where: Any = None) -> Sequence[Any]:
    """Read a table's rows as plain rows (columns by name), not ORM objects: reading the whole dataset so allocates a
    fraction of the memory, which a worker's resident size would otherwise keep at that peak."""
    table: Any = model.__table__  # type: ignore[attr-defined]
    query = sa_select(table).order_by(*(table.c[name] for name in order_by))
    if where is not None:
        query = query.where(where(table.c))
    return session.execute(query).all()


CHUNK_ROWS = 1000  # rows of a big table read at a time by full reads


def table_chunks(session: Session, model: type[SQLModel], key: str, size: int | None = None) -> Iterator[Sequence[Any]]:
    """Yield a table's rows in key order, `size` at a time, each read starting after the last key of the one before."""
    # A full read so never holds a big table's rows at once: what one chunk allocates is freed and reused by the
    # next, instead of leaving the heap at the whole table's peak, which resident memory keeps.
    size = size or CHUNK_ROWS
    table: Any = model.__table__  # type: ignore[attr-defined]
    column = table.c[key]
    last: Any = None
    while True:
        query = sa_select(table).order_by(column).limit(size)
        rows = session.execute(query if last is None else query.where(column > last)).all()
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = rows[-1]._mapping[key]


def _record(resource: str, row: Any, extra: Record) -> Record:
    inverse = {column: name for name, column in ADAPTERS[resource].renames.items()}
    dumped = row.model_dump() if isinstance(row, SQLModel) else row._mapping
    values = {inverse.get(column, column): value for column, value in dumped.items()}
    values.update(extra)
    return {name: _to_json(values.get(name)) for name in FIELDS[resource]}


def read_all(session: Session) -> dict[str, list[tuple[Record, int]]]:
    """Return every stored record with its version, per resource, links included."""
    out: dict[str, list[tuple[Record, int]]] = {resource: [] for resource in ADAPTERS}
    for resource, record, version in each_record(session):
        out[resource].append((record, version))
    return out


def each_record(session: Session) -> Iterator[tuple[str, Record, int]]:
    """Yield every stored record with its resource and version, in write order and key order, links included."""
    # Rows and links are read a chunk at a time and each record is made as it is asked for: a caller keeping something
    # smaller than the records (the catalog copy) never holds the whole dataset as rows or dicts.
    members = members_by_group(session)
    for resource, adapter in ADAPTERS.items():
        for rows in table_chunks(session, adapter.table, adapter.key):
            extra = _chunk_extras(session, resource, rows, members)
            for row in rows:
                yield resource, _record(resource, row, extra(row)), row.version


def _chunk_extras(
    session: Session, resource: str, rows: Sequence[Any], members: dict[str, list[str]]
) -> Callable[[Any], Record]:
    """Return how to read the links of each row of one chunk: its citations are read for the chunk's rows only."""
    if resource == "jurisdiction":
        return lambda row: {"members": members.get(row.code, [])}
    if resource in ("rule", "deadline"):
        link, owner = (models.RuleSource, "rule_id") if resource == "rule" else (models.DeadlineSource, "deadline_id")
        cited = links_by_owner(session, link, owner, [row.id for row in rows])
        if resource == "deadline":
            return lambda row: {"sources": cited.get(row.id, [])}
        return lambda row: _rule_links(row, cited)
    return lambda row: {}


def read_rules(session: Session, ids: Sequence[str]) -> dict[str, tuple[Record, int]]:
    """Return the named rules that exist, as read_all gives them (links included), with their versions."""
    links = links_by_owner(session, models.RuleSource, "rule_id", ids)
    rows: Sequence[Any] = session.exec(select(models.Rule).where(col(models.Rule.id).in_(ids))).all()
    return rule_records(rows, links)


def rule_records(rows: Sequence[Any], links: Mapping[str, list[Record]]) -> dict[str, tuple[Record, int]]:
    """Return rule rows and their citations as read_rules gives them: records (links included) with versions."""
    return {row.id: (_record("rule", row, _rule_links(row, links)), row.version) for row in rows}


def _rule_links(row: Any, links: Mapping[str, list[Record]]) -> Record:
    """Return a rule row's fields kept outside its columns' names: its opt-out and its citations (from `links`)."""
    return {"opt_out": _opt_out(row), "sources": links.get(row.id, [])}


def members_by_group(session: Session) -> dict[str, list[str]]:
    """Return each group's member countries, in code order, with one query."""
    members: dict[str, list[str]] = {}
    for member in session.exec(select(models.JurisdictionMember).order_by(models.JurisdictionMember.country_code)):
        members.setdefault(member.group_code, []).append(member.country_code)
    return members


def links_by_owner(
    session: Session, link: LinkTable, owner: str, owners: Sequence[str] | None = None
) -> dict[str, list[Record]]:
    """Return the citations of each rule or deadline (or of the named ones), in citation order, with one query."""
    grouped: dict[str, list[Record]] = {}
    wanted = None if owners is None else (lambda c: c[owner].in_(owners))
    rows = table_rows(session, link, owner, "position", where=wanted)
    for row in rows:
        grouped.setdefault(getattr(row, owner), []).append(citation(row))
    return grouped


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


class Row(SQLModel):
    """The type of any stored record's row: every table of a resource kind has a version column."""

    version: int = 1


def get_row(session: Session, resource: str, key: str) -> Row | None:
    """Return the row of a record, or None."""
    return cast(Row | None, session.get(ADAPTERS[resource].table, key))


def rule_columns(record: Record) -> Record:
    """Flatten a rule record's opt_out mapping into its columns."""
    opt_out = record.get("opt_out") or {}
    flat = {k: v for k, v in record.items() if k != "opt_out"}
    flat.update(
        opt_out_method=opt_out.get("method"),
        opt_out_url=opt_out.get("url"),
        opt_out_deadline_id=opt_out.get("deadline"),
        late_objection=opt_out.get("late_objection"),
        after_deadline=opt_out.get("after_deadline"),
        objection_before_start=opt_out.get("objection_before_start") if opt_out else None,
    )
    return flat


def store(
    session: Session,
    resource: str,
    record: Record,
    *,
    version: int,
    row: Row | None,
    deferred: list[SQLModel],
    before: Record | None = None,
) -> SQLModel:
    """Insert (row None) or overwrite (the given row) a record's row and links, setting its version; return the row.

    A new record's links go to `deferred`, for the caller to add once the rows they point to are flushed. An
    overwrite whose links equal those of `before` (the stored record) leaves them alone: most edits change a
    note or a date, and rewriting a rule's dozen citations cost two statements under the revision lock.
    """
    adapter = ADAPTERS[resource]
    flat = rule_columns(record) if resource == "rule" else record
    columns = adapter.columns(flat)
    replacing = row is not None
    if row is None:
        row = cast(Row, adapter.table(**columns, version=version))
        session.add(row)
    else:
        for column, value in columns.items():
            setattr(row, column, value)
        row.version = version
        session.add(row)
    field = LINK_FIELDS.get(resource)
    unchanged = replacing and before is not None and field is not None and before.get(field) == record.get(field)
    if adapter.write_extra is not None and not unchanged:
        if replacing:
            session.flush()  # the old links are deleted by a statement, which must see the row as it is now
        adapter.write_extra(session, record, None if replacing else deferred.append)
    return row


def remove(session: Session, resource: str, key: str) -> None:
    """Delete a record's row; its own links go with it."""
    adapter = ADAPTERS[resource]
    if resource == "rule":
        session.exec(delete(models.RuleSource).where(col(models.RuleSource.rule_id) == key))
    elif resource == "deadline":
        session.exec(delete(models.DeadlineSource).where(col(models.DeadlineSource.deadline_id) == key))
    elif resource == "jurisdiction":
        session.exec(delete(models.JurisdictionMember).where(col(models.JurisdictionMember.group_code) == key))
    row = session.get(adapter.table, key)
    if row is not None:
        session.delete(row)
