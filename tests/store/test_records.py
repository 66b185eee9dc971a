"""Records (the dataset's dicts) map to rows and back; the registry declares every kind once."""

from __future__ import annotations

import re

from sqlmodel import Session, SQLModel, func, select

from app.dataset import schema
from app.store import records
from app.store.db import make_engine
from app.store.models import Rule, Source
from app.store.registry import KINDS, NAMES
from app.store.writes import Op, apply_changes

RULE = {
    "id": "acme-posts",
    "platform": "acme",
    "category": "public-posts",
    "jurisdiction": "EEA",
    "treatment": "opt_out",
    "effective_from": "2025-05-27",
    "min_age": 18,
    "opt_out": {
        "method": "Form",
        "url": "https://acme.example/object",
        "deadline": None,
        "late_objection": "covers_later_posts",
        "after_deadline": None,
    },
    "summary": "Used unless you object.",
    "notes": ["A note."],
    "sources": [
        {"id": "M1", "quote": "first quote", "where": "para 2"},
        {"id": "M2", "quote": "second", "where": None},
    ],
}


def test_the_registry_covers_every_table_of_a_record_and_every_dataset_section():
    # A record's table is one with a version column (what If-Match compares); each is one kind of the registry.
    versioned = {name for name, table in SQLModel.metadata.tables.items() if "version" in table.columns}
    assert {kind.table.__tablename__ for kind in KINDS.values()} == versioned
    assert {kind.section for kind in KINDS.values()} == set(schema.SECTIONS)
    for kind in KINDS.values():
        assert kind.fields == tuple(schema.SECTIONS[kind.section][0].model_fields)
        assert schema.SECTIONS[kind.section][1] == kind.key


def test_the_write_order_puts_every_kind_after_the_kinds_it_refers_to():
    assert NAMES.index("category") < NAMES.index("rule") and NAMES.index("platform") < NAMES.index("deadline")
    assert NAMES.index("source") < NAMES.index("deadline") < NAMES.index("rule")
    assert records.RESOURCES == NAMES


def test_a_rule_goes_in_as_a_record_and_comes_out_the_same(seeded_url):
    engine = make_engine(seeded_url)
    with Session(engine) as session:
        apply_changes(
            session,
            [
                Op("platform", "create", "acme", {"id": "acme", "name": "Acme", "operator": "Acme"}),
                Op("rule", "create", "acme-posts", RULE),
            ],
            actor="test",
        )
    with Session(engine) as session:
        row = records.get_row(session, "rule", "acme-posts")
        assert row is not None and row.version == 1
        record = records.row_to_record(session, "rule", row)
        everything = records.read_all(session)
    assert record == {name: RULE.get(name) for name in KINDS["rule"].fields} | {
        "used_by": "platform",
        "under_age": "not_used",
        "not_opted_in": "not_used",
        "opt_out": RULE["opt_out"] | {"objection_before_start": "keeps_all_out"},  # the default, said
    }
    assert (record, 1) in everything["rule"]
    assert list(record) == list(KINDS["rule"].fields)
    engine.dispose()


def test_columns_keep_only_table_columns_and_turn_iso_dates_into_dates():
    columns = records.ADAPTERS["rule"].columns(records.rule_columns(RULE))
    assert columns["platform_id"] == "acme" and "platform" not in columns and "sources" not in columns
    assert columns["effective_from"].isoformat() == "2025-05-27"
    assert columns["opt_out_method"] == "Form" and "version" not in columns


def test_full_reads_read_the_rules_a_chunk_at_a_time_and_give_what_one_read_gives(seeded_url, monkeypatch):
    from sqlalchemy import event

    from app.store import repository

    engine = make_engine(seeded_url)
    with Session(engine) as session:
        whole = repository.load_snapshot(session), records.read_all(session)
    rule_reads: list[str] = []

    def count(conn, cursor, statement, *args):
        if re.search(r"\bFROM rule\b(?!_)", statement) and "LIMIT" in statement:
            rule_reads.append(statement)

    monkeypatch.setattr(records, "CHUNK_ROWS", 7)
    event.listen(engine, "before_cursor_execute", count)
    with Session(engine) as session:
        chunked = repository.load_snapshot(session), records.read_all(session)
        rules = session.exec(select(func.count()).select_from(Rule)).one()
        ids = [row.id for row in records.table_rows(session, Rule, "id")]
    event.remove(engine, "before_cursor_execute", count)
    assert chunked == whole
    assert list(chunked[0].rules) == ids  # still in the database's id order
    # Each full read (the snapshot's, read_all's) fetches the rule table in chunks of 7 rows, never all at once.
    assert len(rule_reads) >= 2 * (rules // 7)
    engine.dispose()


def test_table_chunks_yield_every_row_once_in_key_order(seeded_url):
    engine = make_engine(seeded_url)
    with Session(engine) as session:
        chunks = list(records.table_chunks(session, Source, "id", size=4))
        everything = records.table_rows(session, Source, "id")
    assert all(len(chunk) == 4 for chunk in chunks[:-1]) and 1 <= len(chunks[-1]) <= 4
    assert [row.id for chunk in chunks for row in chunk] == [row.id for row in everything]
    engine.dispose()


def test_a_full_read_keeps_equal_citations_opt_outs_and_notes_of_rules_once(shared_seeded_url):
    from app.store import repository

    engine = make_engine(shared_seeded_url)
    with Session(engine) as session:
        rules = list(repository.load_snapshot(session).rules.values())
    engine.dispose()
    for field in ("citations", "source_ids", "opt_out", "notes"):
        values = [getattr(r, field) for r in rules if getattr(r, field)]
        # The bundled rules repeat many of these (one source and quote for several countries): one object each.
        assert len({id(v) for v in values}) == len(set(values)) < len(values), field


def test_each_record_yields_every_record_in_write_order_then_key_order(shared_seeded_url):
    engine = make_engine(shared_seeded_url)
    with Session(engine) as session:
        stream = records.each_record(session)
        first = next(stream)  # records are made as they are asked for
        rest = list(stream)
        everything = records.read_all(session)
        keys = {
            resource: [getattr(row, adapter.key) for row in records.table_rows(session, adapter.table, adapter.key)]
            for resource, adapter in records.ADAPTERS.items()
        }
    engine.dispose()
    yielded = [first, *rest]
    assert [r for r, *_ in yielded] == sorted((r for r, *_ in yielded), key=NAMES.index)
    for resource, found in everything.items():
        key = records.ADAPTERS[resource].key
        mine = [(record, version) for r, record, version in yielded if r == resource]
        assert mine == found and [rec[key] for rec, _ in mine] == keys[resource]  # the database's key order
