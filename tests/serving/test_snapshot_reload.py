"""A write is visible in the next decision: at once in-process, within about a second from another process."""

import os
import subprocess
import sys
import time

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.main import create_app
from app.store.db import make_engine
from app.store.models import Change
from app.store.writes import Op, apply_changes
from tests.conftest import make_settings

URL = "/v1/platforms/instagram/ai-training"
PARAMS = {"category": "public-posts", "country": "DE", "as_of": "2025-09-01", "age": 30, "objected": "false"}
RULE = "instagram-eea-public-posts-2025"

WRITER = """
import sys
from sqlmodel import Session, select
from app.store.db import make_engine
from app.store.models import Change
from app.store.writes import Op, apply_changes
with Session(make_engine(sys.argv[1])) as s:
    record = s.exec(select(Change).where(Change.resource_id == sys.argv[2])).first().after
    apply_changes(s, [Op("rule", "update", sys.argv[2], {**record, "treatment": "not_used", "opt_out": None})],
                  actor="other-process")
"""


def _rule_record(url):
    with Session(make_engine(url)) as session:
        return session.exec(select(Change).where(Change.resource_id == RULE)).first().after


def test_a_write_in_process_shows_in_the_next_answer(seeded_url):
    app = create_app(make_settings(seeded_url))
    with TestClient(app) as client:
        before = client.get(URL, params=PARAMS).json()
        assert before["decisions"][0]["verdict"] == "used"
        with Session(app.state.services.engine) as session:
            applied = apply_changes(
                session,
                [Op("rule", "update", RULE, {**_rule_record(seeded_url), "treatment": "not_used", "opt_out": None})],
                actor="test",
            )
        app.state.services.store.refresh()
        after = client.get(URL, params=PARAMS).json()
    assert after["dataset_revision"] == applied.revision == before["dataset_revision"] + 1
    assert after["decisions"][0]["verdict"] == "not_used"


def test_a_write_from_another_process_arrives_by_polling(seeded_url):
    app = create_app(make_settings(seeded_url, revision_check_seconds=0.2))
    with TestClient(app) as client:
        revision = client.get(URL, params=PARAMS).json()["dataset_revision"]
        env = {**os.environ, "PYTHONPATH": os.getcwd()}
        subprocess.run([sys.executable, "-c", WRITER, seeded_url, RULE], check=True, env=env, timeout=120)
        deadline = time.monotonic() + 15  # a bound on waiting, not a timing assertion
        body = client.get(URL, params=PARAMS).json()
        while body["dataset_revision"] == revision and time.monotonic() < deadline:
            time.sleep(0.1)
            body = client.get(URL, params=PARAMS).json()
    assert body["dataset_revision"] == revision + 1
    assert body["decisions"][0]["verdict"] == "not_used"


def _rule_op(url, rule_id, **changes):
    return Op("rule", "update", rule_id, {**_rule_record_of(url, rule_id), **changes})


def _rule_record_of(url, rule_id):
    with Session(make_engine(url)) as session:
        return session.exec(select(Change).where(Change.resource_id == rule_id)).first().after


@pytest.mark.parametrize("told", [False, True], ids=["read", "told"])
def test_a_rule_write_patches_the_snapshot_and_catalog_to_what_a_full_read_gives(seeded_url, monkeypatch, told):
    """Whether the reload reads what changed or is told by the write (the writer's own reload: what it stored)."""
    from sqlalchemy import event

    from app.serving import catalog
    from app.serving.catalog import load_catalog
    from app.store import repository

    app = create_app(make_settings(seeded_url))
    services = app.state.services
    full_reads, catalog_reads = [], []
    real_load = repository.load_snapshot
    monkeypatch.setattr(repository, "load_snapshot", lambda s: full_reads.append(1) or real_load(s))
    real_read_rules = catalog.read_rules
    monkeypatch.setattr(catalog, "read_rules", lambda s, ids: catalog_reads.append(ids) or real_read_rules(s, ids))
    moved = {**_rule_record_of(seeded_url, RULE), "id": "instagram-jp-public-posts-copy", "jurisdiction": "JP"}
    # The same sources, one quoted and placed anew: the rule is as fresh as it was, its citations are not.
    first, *rest = _rule_record_of(seeded_url, "linkedin-eea-profile-info-2025")["sources"]
    requoted = [{**first, "quote": "Changed quote.", "where": "Section 3"}, *rest]
    writes = [
        [_rule_op(seeded_url, RULE, treatment="not_used", opt_out=None)],  # a verdict changes
        [Op("rule", "create", moved["id"], moved)],  # a new rule in another pair
        [_rule_op(seeded_url, "linkedin-eea-profile-info-2025", summary="Changed summary.", sources=requoted)],
        [Op("rule", "delete", moved["id"], None)],
    ]
    with TestClient(app) as client:
        client.get(URL, params=PARAMS)
        full_reads.clear()  # the start-up read
        before = services.store.snapshot
        untouched = before.memo[("pair", "zoom", "private-messages", None)]
        services.catalog.at_least(before.revision)
        queries = []
        for ops in writes:
            with Session(services.engine) as session:
                applied = apply_changes(session, ops, actor="test")
            count = lambda *args, operation=ops[0].operation: queries.append(operation)  # noqa: E731
            event.listen(services.engine, "before_cursor_execute", count)
            services.store.refresh(known_revision=applied.revision, written=applied.rules if told else None)
            event.remove(services.engine, "before_cursor_execute", count)
            assert services.store.snapshot.revision == applied.revision
            _same_as_a_full_read(services, real_load)  # each write: a wrong patch a later one covered would show
        patched = services.store.snapshot
        # Told, only the new rule's freshness is read (its reviews and source checks): edits and deletes read nothing.
        assert (set(queries) == {"create"}) if told else ({"update", "delete"} <= set(queries))
        # The catalog copy moved with the snapshot, from the rules the snapshot's patch read: no read of its own.
        assert services.catalog.at_least(0).revision == patched.revision
        assert catalog_reads == []
        with Session(services.engine) as session:
            full = real_load(session)
            assert patched == full  # every rule and every derived index
            assert list(patched.rules) == list(full.rules)  # in the same order: an edited rule keeps its place
            patched_catalog = services.catalog.at_least(patched.revision).entries
            full_catalog = load_catalog(session).entries
            assert patched_catalog == full_catalog
            assert list(patched_catalog["rule"]) == list(full_catalog["rule"])
    assert full_reads == []  # four writes, no full read
    assert patched.memo[("pair", "zoom", "private-messages", None)] is untouched  # untouched pairs are shared
    assert ("pair", "instagram", "public-posts", None) not in before.memo or (
        patched.memo.get(("pair", "instagram", "public-posts", None))
        is not before.memo[("pair", "instagram", "public-posts", None)]
    )


def _same_as_a_full_read(services, load=None):
    """Assert that the served snapshot and catalog copy equal what reading the whole database gives (`load`: the
    real load_snapshot where a test counts its calls)."""
    from app.serving.catalog import load_catalog
    from app.store import repository

    snapshot = services.store.snapshot
    with Session(services.engine) as session:
        full = (load or repository.load_snapshot)(session)
        assert snapshot == full and list(snapshot.rules) == list(full.rules)
        assert services.catalog.at_least(snapshot.revision).entries == load_catalog(session).entries


OTHER_RULE = "linkedin-eea-profile-info-2025"


@pytest.fixture
def loaded(monkeypatch) -> list[set[str]]:
    """Record the ids of each read of changed rules (`repository.load_rules`)."""
    from app.store import repository

    calls: list[set[str]] = []
    real_load_rules = repository.load_rules
    monkeypatch.setattr(
        repository, "load_rules", lambda s, ids, *rest: calls.append(set(ids)) or real_load_rules(s, ids, *rest)
    )
    return calls


@pytest.mark.parametrize(
    ("edits", "told", "read"),
    [
        # Another worker's write to another rule came between: the change log, then that rule alone, are read.
        ([(RULE, "First write."), (OTHER_RULE, "Second write.")], 2, {RULE}),
        # It edited the rule this write stored, which is that rule's latest state: no rule is read.
        ([(RULE, "First write."), (RULE, "Second write.")], 2, set()),
        # A write after the told one came before its reload: the told rows may be stale, so everything is read.
        ([(RULE, "First write."), (OTHER_RULE, "Second write."), (OTHER_RULE, "Third write.")], 2, {RULE, OTHER_RULE}),
    ],
    ids=["other-rule-between", "same-rule-between", "a-write-after"],
)
def test_a_write_told_after_others_it_did_not_see_reads_only_what_it_did_not_store(
    seeded_url, loaded, edits, told, read
):
    """A snapshot behind by other writes is not patched from the told write's rows alone: it reads the change log,
    then only the rules the told write did not store, unless a later write may have changed those too."""
    from sqlalchemy import event

    app = create_app(make_settings(seeded_url))
    services = app.state.services
    with TestClient(app) as client:
        client.get(URL, params=PARAMS)
        start = services.store.snapshot.revision
        applied_by_write = []
        for rule_id, summary in edits:
            with Session(services.engine) as session:
                applied = apply_changes(session, [_rule_op(seeded_url, rule_id, summary=summary)], actor="test")
                applied_by_write.append(applied)
        applied = applied_by_write[told - 1]
        assert applied.revision == start + told and applied.rules is not None
        queries = []
        count = lambda *args: queries.append(1)  # noqa: E731
        event.listen(services.engine, "before_cursor_execute", count)
        services.store.refresh(known_revision=applied.revision, written=applied.rules)
        event.remove(services.engine, "before_cursor_execute", count)
        assert queries  # it read what changed since its snapshot
        assert loaded == ([read] if read else [])
        snapshot = services.store.snapshot
        assert snapshot.revision == start + len(edits)
        for rule_id, summary in dict(edits).items():  # each rule as its last write left it
            assert snapshot.rules[rule_id].summary == summary
        _same_as_a_full_read(services)


def _creates_and_deletes(url, case):
    """Return the ops of two writes for a case of the test below, and the ids its told (second) write's reload reads."""
    copy = {**_rule_record_of(url, RULE), "id": "instagram-jp-public-posts-copy", "jurisdiction": "JP"}
    create = Op("rule", "create", copy["id"], copy)
    return {
        # A rule deleted between: read (it comes back as deleted) beside the told edit.
        "delete-between": (
            [Op("rule", "delete", OTHER_RULE, None)],
            [_rule_op(url, RULE, summary="Told.")],
            {OTHER_RULE},
        ),
        # The told write deletes a rule another write edited first: nothing to read.
        "told-delete": ([_rule_op(url, OTHER_RULE, summary="First.")], [Op("rule", "delete", OTHER_RULE, None)], set()),
        # A rule created between is not in the snapshot, so the told edit of it cannot be weighed: all is read.
        "create-between-told-edit": (
            [create],
            [Op("rule", "update", copy["id"], {**copy, "summary": "Told."})],
            {copy["id"]},
        ),
        # The told write deletes a rule created between, which neither copy ever held: nothing to read.
        "create-between-told-delete": ([create], [Op("rule", "delete", copy["id"], None)], set()),
    }[case]


@pytest.mark.parametrize(
    "case", ["delete-between", "told-delete", "create-between-told-edit", "create-between-told-delete"]
)
def test_a_write_told_after_others_merges_their_creates_and_deletes(seeded_url, loaded, case):
    """Creates and deletes between, or in the told write, come out of the merge as a full read gives them."""

    app = create_app(make_settings(seeded_url))
    services = app.state.services
    first, second, read = _creates_and_deletes(seeded_url, case)
    with TestClient(app) as client:
        client.get(URL, params=PARAMS)
        start = services.store.snapshot.revision
        services.catalog.at_least(start)
        for ops in (first, second):
            with Session(services.engine) as session:
                applied = apply_changes(session, ops, actor="test")
        assert applied.revision == start + 2 and applied.rules is not None
        services.store.refresh(known_revision=applied.revision, written=applied.rules)
        assert loaded == ([read] if read else [])
        assert services.store.snapshot.revision == start + 2
        _same_as_a_full_read(services)


class Unlisted(dict):
    """A dict that may be looked up but not walked: what a write must not do with every source."""

    def _walked(self, *args):
        raise AssertionError("walked every source")

    __iter__ = keys = values = items = _walked


def test_a_rule_write_looks_up_only_the_sources_its_rule_cites(seeded_url):
    # Walking every source to weigh the changed rule's citations took a tenth of a write's time with 400 sources.
    app = create_app(make_settings(seeded_url))
    services = app.state.services
    with TestClient(app):
        snapshot = services.store.snapshot
        catalog = services.catalog.at_least(snapshot.revision)
        object.__setattr__(snapshot, "sources", Unlisted(snapshot.sources))
        catalog.entries["source"] = Unlisted(catalog.entries["source"])
        record = _rule_record_of(seeded_url, RULE)
        with Session(services.engine) as session:
            applied = apply_changes(session, [_rule_op(seeded_url, RULE, notes=["weighed again"])], actor="test")
        services.store.refresh(known_revision=applied.revision)
        patched = services.store.snapshot
        assert patched.revision == applied.revision and patched.rules[RULE].notes == ("weighed again",)
        assert patched.rules[RULE].confidence == snapshot.rules[RULE].confidence
        rules = services.catalog.at_least(applied.revision).entries["rule"]
        assert rules[RULE].record["confidence"] == catalog.entries["rule"][RULE].record["confidence"]
        assert [c["id"] for c in rules[RULE].record["sources"]] == [c["id"] for c in record["sources"]]


def _finding(session, source_id):
    """Record a changed page of a source as `sources check` does: the check, and its finding in the change log."""
    from datetime import UTC, datetime

    from app.store.checks import record_checks
    from app.watch.check import Outcome, Result, Target
    from app.watch.crawler import Fetched

    url = "https://example.org/"
    changed = Result(Target(source_id, url), Outcome.CHANGED, Fetched(url, status=200))
    return record_checks(session, [changed], at=datetime.now(UTC), actor="t")


def test_a_rule_write_weighs_freshness_again_only_when_its_review_day_or_citations_change(seeded_url, monkeypatch):
    # Reviews, source checks and sources make a write read everything again, so a patched rule whose own
    # reviewed_on and citations are as they were is as fresh as it was (three queries fewer for most edits).
    from datetime import UTC, datetime

    from app.store import freshness, repository

    record = _rule_record_of(seeded_url, RULE)
    citations = record["sources"]
    with Session(make_engine(seeded_url)) as session:
        _finding(session, citations[0]["id"])
    app = create_app(make_settings(seeded_url))
    services = app.state.services
    weighed = []
    real = freshness.freshness
    monkeypatch.setattr(freshness, "freshness", lambda s, ids=None, **kw: weighed.append(ids) or real(s, ids, **kw))
    writes = [  # the change, and whether the rule's freshness must be weighed again
        ({"notes": ["An edit of a note."]}, False),
        ({"reviewed_on": datetime.now(UTC).date().isoformat()}, True),  # reviewed after the finding: no longer one
        ({"summary": "A new summary."}, False),
        ({"reviewed_on": None, "sources": citations[1:]}, True),  # the source with the finding goes
        ({"sources": citations}, True),  # and comes back
        ({"reviewed_on": None}, False),  # None already: as it was
    ]
    with TestClient(app):
        findings = [services.store.snapshot.rules[RULE].findings]
        for changes, weigh in writes:
            weighed.clear()
            with Session(services.engine) as session:
                record = {**record, **changes}
                applied = apply_changes(session, [Op("rule", "update", RULE, record)], actor="t")
            services.store.refresh(known_revision=applied.revision)
            assert weighed == ([[RULE]] if weigh else []), changes
            patched = services.store.snapshot
            with Session(services.engine) as session:
                assert patched == repository.load_snapshot(session), changes
            findings.append(patched.rules[RULE].findings)
    assert [bool(f) for f in findings] == [True, True, False, False, False, True, True]


def _source_write(session, url):
    return apply_changes(
        session, [Op("source", "update", "M1", {**_rule_record_of(url, "M1"), "kind": "secondary"})], actor="t"
    )


def _deadline_write(session, url):
    deadline = "instagram-eea-objection-2025"
    return apply_changes(
        session, [Op("deadline", "update", deadline, {**_rule_record_of(url, deadline), "on": "2025-06-30"})], actor="t"
    )


def _review_write(session, url):
    from datetime import UTC, datetime

    from app.store.reviews import record_review

    return record_review(session, RULE, "confirmed", None, at=datetime.now(UTC), actor="t")[1]


# The memos a rule write keeps may rest on sources, deadlines and reviews (policy.model.MemoKind): a write to any of
# them must read everything again, memos included.
@pytest.mark.parametrize("write", [_source_write, _deadline_write, _review_write])
def test_a_change_to_anything_but_rules_reads_everything_again(seeded_url, monkeypatch, write):
    from app.store import repository

    app = create_app(make_settings(seeded_url))
    services = app.state.services
    full_reads = []
    real_load = repository.load_snapshot
    monkeypatch.setattr(repository, "load_snapshot", lambda s: full_reads.append(1) or real_load(s))
    with TestClient(app) as client:
        client.get(URL, params=PARAMS)
        full_reads.clear()
        with Session(services.engine) as session:
            applied = write(session, seeded_url)
        services.store.refresh(known_revision=applied.revision)
        with Session(services.engine) as session:
            assert services.store.snapshot == real_load(session)
    assert full_reads == [1]  # the refresh read everything (the comparison calls the real function)


class _GrowingMemo(dict):
    """A memo that a request adds to while it is being read, as the event loop does while a write patches."""

    def items(self):
        for n, item in enumerate(super().items()):
            self[("grown", n)] = n  # iterating the live dict would fail: "dictionary changed size"
            yield item


def test_a_patch_reads_the_memo_while_requests_add_to_it(seeded_url):
    from app.store import repository

    with Session(make_engine(seeded_url)) as session:
        snapshot = repository.load_snapshot(session)
    pair_key = ("pair", "zoom", "private-messages", None)
    object.__setattr__(snapshot, "memo", _GrowingMemo({pair_key: "kept", ("other", 1): 2}))
    patched = snapshot.patched(snapshot.revision + 1, {})
    assert patched.memo == {pair_key: "kept"}


def test_a_write_reload_reads_one_state_of_the_database(seeded_url, monkeypatch):
    """On PostgreSQL the reload after a write runs REPEATABLE READ, so the revision, the change log and the rules it
    reads agree; SQLite runs it as before (its catalog patch re-checks the revision instead)."""
    from sqlalchemy import text

    from app.store import repository

    app = create_app(make_settings(seeded_url))
    services = app.state.services
    seen: list[str] = []
    real_changed_since = repository.changed_since

    def changed_since(session, revision, until):
        if session.get_bind().dialect.name == "postgresql":
            seen.append(session.execute(text("SHOW transaction_isolation")).scalar_one())
        else:
            seen.append("sqlite")
        return real_changed_since(session, revision, until)

    monkeypatch.setattr(repository, "changed_since", changed_since)
    with TestClient(app) as client:
        client.get(URL, params=PARAMS)
        with Session(services.engine) as session:
            applied = apply_changes(session, [_rule_op(seeded_url, RULE, summary="Changed.")], actor="test")
        services.store.refresh(known_revision=applied.revision)
    expected = "repeatable read" if services.engine.dialect.name == "postgresql" else "sqlite"
    assert seen and set(seen) == {expected}


def test_a_rule_edit_over_http_reloads_from_what_it_stored_without_reading(seeded_url, monkeypatch):
    """The writer's reload after an edit reads nothing: the next answer and the rule's record show the edit, and the
    snapshot and catalog copy equal a full read."""
    from sqlalchemy import event

    from app.store import repository
    from app.store.keys import create_key

    def unread(*args, **kwargs):
        raise AssertionError("the writer's reload read the database")

    app = create_app(make_settings(seeded_url))
    services = app.state.services
    with Session(services.engine) as session:
        _, token = create_key(session, scope="write")
    statements: list[str] = []
    with TestClient(app) as client:
        client.get(URL, params=PARAMS)
        revision = services.store.snapshot.revision
        for name in ("stored_revision", "changed_since", "load_rules", "load_snapshot"):
            monkeypatch.setattr(repository, name, unread)
        record = lambda conn, cursor, statement, *args: statements.append(" ".join(statement.split()))  # noqa: E731
        event.listen(services.engine, "before_cursor_execute", record)
        edited = client.patch(
            f"/v1/rules/{RULE}", json={"summary": "Edited over HTTP."}, headers={"Authorization": f"Bearer {token}"}
        )
        event.remove(services.engine, "before_cursor_execute", record)
        assert edited.status_code == 200, edited.text
        # The rule and its citations are read once, as the write found them; neither is read back after the commit.
        assert sum(s.startswith("SELECT rule.id") for s in statements) == 1, statements
        assert sum("FROM rule_source" in s for s in statements) == 1, statements
        assert services.store.snapshot.revision == revision + 1
        answer = client.get(URL, params=PARAMS).json()
        assert answer["dataset_revision"] == revision + 1
        assert answer["decisions"][0]["reasons"][0].endswith("Edited over HTTP.")
        assert client.get(f"/v1/rules/{RULE}").json()["summary"] == "Edited over HTTP."
        monkeypatch.undo()
        _same_as_a_full_read(services)
