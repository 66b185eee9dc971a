"""Migrations build the schema the models describe, and round-trip up and down."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app.main import DATA_DIR
from app.store import migrate
from app.store.db import make_engine, metadata
from app.store.seeding import seed


def test_models_and_migrations_agree(empty_url):
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


def test_upgrade_downgrade_upgrade_round_trips(databases):
    url = databases.new_url()
    engine = make_engine(url)
    migrate.upgrade(url)
    tables = set(inspect(engine).get_table_names())
    assert {"platform", "rule", "change", "dataset_revision", "api_key"} <= tables
    migrate.downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(url)
    assert set(inspect(engine).get_table_names()) == tables
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_migration_files_are_date_prefixed():
    names = [p.name for p in (migrate.MIGRATIONS / "versions").glob("*.py")]
    assert names and all(n[:4].isdigit() and n[4] == "-" and n[10] == "-" for n in names)


def test_citation_quotes_migration_keeps_seed_bookkeeping_and_confidence(databases):
    """0003 moves rule citations to mappings (with quotes) and drops the typed confidence, and back."""
    import json

    from sqlalchemy import text

    url = databases.new_url()
    engine = make_engine(url)
    migrate.upgrade(url, "0001")
    old_rule = {"id": "r", "confidence": "high", "sources": ["S1"], "summary": "s"}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO source (id, url, title, publisher, retrieved_on, kind, version) VALUES "
                "('S1', 'https://example.com', 't', 'Regulator', '2026-11-29', 'primary', 1)"
            )
        )
        conn.execute(text("INSERT INTO platform (id, name, operator, version) VALUES ('p', 'P', 'O', 1)"))
        conn.execute(text("INSERT INTO data_category (id, name, description, version) VALUES ('c', 'C', '', 1)"))
        conn.execute(text("INSERT INTO jurisdiction (code, name, kind, version) VALUES ('GLOBAL', 'W', 'global', 1)"))
        conn.execute(
            text(
                "INSERT INTO rule (id, platform_id, category_id, jurisdiction_code, treatment, used_by, "
                "under_age, confidence, summary, notes, version) VALUES ('r', 'p', 'c', 'GLOBAL', "
                "'used', 'platform', 'not_used', 'low', 's', '[]', 1)"
            )
        )
        conn.execute(text("INSERT INTO rule_source (rule_id, source_id, position) VALUES ('r', 'S1', 0)"))
        conn.execute(
            text("INSERT INTO seeded_record (resource, resource_id, value) VALUES ('rule', 'r', :v)"),
            {"v": json.dumps(old_rule)},
        )
    migrate.upgrade(url)
    with engine.connect() as conn:
        seeded = _json(conn.execute(text("SELECT value FROM seeded_record")).scalar_one())
        assert {c["name"] for c in inspect(conn).get_columns("rule_source")} >= {"quote", "location"}
        assert "confidence" not in {c["name"] for c in inspect(conn).get_columns("rule")}
    # 0008 adds what the rule says of users who did not opt in, at its default.
    sources = [{"id": "S1", "quote": None, "where": None}]
    assert seeded == {"id": "r", "sources": sources, "summary": "s", "not_opted_in": "not_used"}
    with engine.begin() as conn:
        conn.execute(text("UPDATE rule_source SET quote = 'the words'"))
    migrate.downgrade(url, "0001")
    with engine.connect() as conn:
        # The restored column holds the confidence derived from the quoted citation: a primary source.
        assert conn.execute(text("SELECT confidence FROM rule")).scalar_one() == "high"
        seeded = _json(conn.execute(text("SELECT value FROM seeded_record")).scalar_one())
    assert seeded == {"id": "r", "sources": ["S1"], "summary": "s", "confidence": "high"}
    engine.dispose()


def _json(value):
    """Return a JSON column's value: SQLite hands back text, PostgreSQL the decoded value."""
    import json

    return json.loads(value) if isinstance(value, str) else value


def test_secret_rotation_migration_keeps_subscriptions_and_their_deliveries(databases):
    """0006 adds the previous secret to subscriptions and drops it again, leaving their deliveries alone (a
    rebuilt table on SQLite would cascade-delete them)."""
    from sqlalchemy import text

    url = databases.new_url()
    engine = make_engine(url)
    migrate.upgrade(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO webhook_subscription (id, key_id, url, secret, events, created_at, enabled, failures, "
                "previous_secret, previous_secret_until) VALUES ('wh_1', 'k', 'https://example.com/h', 'whsec_new', "
                "'[\"webhook.ping\"]', '2026-12-01 00:00:00', true, 0, 'whsec_old', '2026-12-02 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO webhook_event (id, type, payload, created_at) VALUES "
                "('msg_1', 'webhook.ping', '{}', '2026-12-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO webhook_delivery (event_id, subscription_id, status, attempts, created_at, retry_until) "
                "VALUES ('msg_1', 'wh_1', 'pending', 0, '2026-12-01 00:00:00', '2026-12-02 00:00:00')"
            )
        )
    migrate.downgrade(url, "0002")
    with engine.connect() as conn:
        assert "previous_secret" not in {c["name"] for c in inspect(conn).get_columns("webhook_subscription")}
        assert conn.execute(text("SELECT secret FROM webhook_subscription")).scalar_one() == "whsec_new"
        assert conn.execute(text("SELECT count(*) FROM webhook_delivery")).scalar_one() == 1
    migrate.upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT previous_secret FROM webhook_subscription")).scalar_one() is None
        assert conn.execute(text("SELECT count(*) FROM webhook_delivery")).scalar_one() == 1


def test_objection_before_start_migration_keeps_rules_and_their_citations(databases):
    """0007 adds what an objection before a rule's start does, and drops it again, leaving the rules' citations alone
    (a rebuilt `rule` table on SQLite would cascade-delete them)."""
    from sqlalchemy import text

    url = databases.new_url()
    engine = make_engine(url)
    migrate.upgrade(url)
    seed(engine, DATA_DIR)
    with engine.connect() as conn:
        links = conn.execute(text("SELECT count(*) FROM rule_source")).scalar_one()
        late = conn.execute(
            text("SELECT objection_before_start FROM rule WHERE id = 'copilot-global-ai-interactions-2026'")
        ).scalar_one()
        marked = conn.execute(text("SELECT count(*) FROM rule WHERE objection_before_start = 'late'")).scalar_one()
        # Going back to 0006 undoes 0008 too: the rules it marks come back at their default as well.
        either = conn.execute(
            text("SELECT count(*) FROM rule WHERE objection_before_start = 'late' OR not_opted_in <> 'not_used'")
        ).scalar_one()
    assert links > 1000 and late == "late" and marked >= 60
    migrate.downgrade(url, "0006")
    with engine.connect() as conn:
        assert "objection_before_start" not in {c["name"] for c in inspect(conn).get_columns("rule")}
        assert conn.execute(text("SELECT count(*) FROM rule_source")).scalar_one() == links
    migrate.upgrade(url)
    with engine.connect() as conn:
        # Rows from before the column answer as before it: an objection before the start keeps everything out.
        assert conn.execute(text("SELECT count(objection_before_start) FROM rule")).scalar_one() == 0
    # As on a database seeded before 0007: the next seed brings each rule's new value, and takes none of them for an
    # edit made through the API (what the last seed wrote reads with the field now, as the stored rule does).
    report = seed(engine, DATA_DIR)
    assert report.conflicts == [] and report.updated == either
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM rule WHERE objection_before_start = 'late'")).scalar_one() == marked
        )
    assert seed(engine, DATA_DIR).updated == 0
    engine.dispose()


def test_not_opted_in_migration_keeps_rules_and_their_citations(databases):
    """0008 adds what an opt-in rule says of users who did not opt in, and drops it again, leaving the rules'
    citations alone; a database seeded before it takes the bundled values at its next seed, as no edit of its own."""
    from sqlalchemy import text

    url = databases.new_url()
    engine = make_engine(url)
    migrate.upgrade(url)
    seed(engine, DATA_DIR)
    unknown = "SELECT count(*) FROM rule WHERE not_opted_in = 'unknown'"
    with engine.connect() as conn:
        links = conn.execute(text("SELECT count(*) FROM rule_source")).scalar_one()
        marked = conn.execute(text(unknown)).scalar_one()
    assert links > 1000 and marked >= 1
    migrate.downgrade(url, "0007")
    with engine.connect() as conn:
        assert "not_opted_in" not in {c["name"] for c in inspect(conn).get_columns("rule")}
        assert conn.execute(text("SELECT count(*) FROM rule_source")).scalar_one() == links
    migrate.upgrade(url)
    with engine.connect() as conn:
        # Rows from before the column answer as before it: users who did not opt in are not used.
        assert conn.execute(text("SELECT count(*) FROM rule WHERE not_opted_in = 'not_used'")).scalar_one() > 300
        assert conn.execute(text(unknown)).scalar_one() == 0
    report = seed(engine, DATA_DIR)
    assert report.conflicts == [] and report.updated == marked
    with engine.connect() as conn:
        assert conn.execute(text(unknown)).scalar_one() == marked
    assert seed(engine, DATA_DIR).updated == 0
    engine.dispose()
