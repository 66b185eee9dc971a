"""seed, import and export: idempotent, round-tripping, sparing API edits, all-or-nothing on bad files."""

import os
import shutil
import subprocess
import sys

import pytest
import yaml
from sqlmodel import Session, func, select

from app.dataset.yamlio import Loader
from app.store.db import make_engine
from app.store.models import Change, Platform, Rule
from app.store.repository import stored_revision
from app.store.seeding import export_dataset, seed
from app.store.writes import Op, apply_changes
from tests.conftest import DATA


def _load(text):
    # YAML 1.2 scalars, as the dataset loader reads them (YAML 1.1 would turn the key `on` into True).
    return yaml.load(text, Loader=Loader)  # noqa: S506


def state(url):
    with Session(make_engine(url)) as session:
        return stored_revision(session), session.exec(select(func.count()).select_from(Change)).one()


def cli(*args, url):
    env = {**os.environ, "TRAINWATCH_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_seeding_twice_changes_nothing(seeded_url):
    before = state(seeded_url)
    report = seed(make_engine(seeded_url), DATA)
    assert (report.changed, report.conflicts) == (0, [])
    assert state(seeded_url) == before


def test_export_import_export_is_identical(seeded_url, empty_url, tmp_path):
    first = export_dataset(make_engine(seeded_url))
    path = tmp_path / "dataset.yaml"
    path.write_text(first)
    assert cli("import", str(path), url=empty_url).returncode == 0
    assert export_dataset(make_engine(empty_url)) == first
    assert "api_key" not in first and "revision" not in first


def test_what_the_api_stored_exports_and_imports_again(seeded_url, empty_url, tmp_path):
    # Before: the API took a decided rule citing one source by bare id (as v1 clients write), and the export of that
    # database was refused by `trainwatch import` ("used on too little"): a backup that could not be restored.
    rule = {
        "platform": "facebook",
        "category": "public-posts",
        "jurisdiction": "AQ",
        "treatment": "used",
        "summary": "Used.",
        "sources": ["M2"],
    }
    with Session(make_engine(seeded_url)) as session:
        apply_changes(session, [Op("rule", "create", "example-aq-posts", rule)], actor="test")
    exported = export_dataset(make_engine(seeded_url))
    path = tmp_path / "dataset.yaml"
    path.write_text(exported)
    done = cli("import", str(path), url=empty_url)
    assert done.returncode == 0, done.stderr
    assert export_dataset(make_engine(empty_url)) == exported
    # The bundled dataset's own check still holds it to the curated standard, and says why.
    checked = subprocess.run(
        [sys.executable, "-m", "app.dataset", str(path)], capture_output=True, text=True, timeout=300
    )
    assert checked.returncode == 1 and 'rule "example-aq-posts" is used on too little' in checked.stderr


def test_export_says_when_what_is_stored_would_not_import_again(seeded_url, tmp_path):
    # A record stored before the API checked it (here a loop of replaced deadlines, written past the API): the export
    # is written all the same, as the data stands, and fails naming what `trainwatch import` would refuse.
    from sqlalchemy import text

    engine = make_engine(seeded_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE deadline SET replaces_id = :later WHERE id = :first"),
            {"later": "claude-consumer-terms-choice-2025-10-08", "first": "claude-consumer-terms-choice-2025-09-28"},
        )
    path = tmp_path / "backup.yaml"
    done = cli("export", str(path), url=seeded_url)
    assert done.returncode == 1 and path.exists()
    assert f"{path} holds what `trainwatch import` refuses" in done.stderr
    assert "replaces goes round in a loop" in done.stderr
    assert cli("export", "-", url=seeded_url).returncode == 1


def test_the_export_of_an_empty_database_imports(empty_url, databases, tmp_path):
    # Before: "the dataset needs the global jurisdiction", for a database nobody had seeded yet.
    path = tmp_path / "empty.yaml"
    path.write_text(export_dataset(make_engine(empty_url)))
    other = databases.clone("empty")
    try:
        done = cli("import", str(path), url=other)
        assert done.returncode == 0, done.stderr
    finally:
        databases.release(other)


def test_import_refuses_a_decided_rule_on_aggregators_alone(empty_url, tmp_path):
    exported = _load(export_dataset(make_engine(empty_url))) or {}
    folder = _copy_data(tmp_path)
    _edit_rule(folder, RULE, sources=[{"id": "M14", "quote": "used, says an aggregator"}])
    done = cli("import", str(folder), url=empty_url)
    assert done.returncode == 1 and f'rule "{RULE}" is opt_out on aggregators alone' in done.stderr
    assert _load(export_dataset(make_engine(empty_url))) == exported  # nothing was written


def _copy_data(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    return folder


def _edit_rule(folder, rule_id, **changes):
    for path in sorted(folder.glob("*.yaml")):
        doc = _load(path.read_text())
        for rule in doc.get("rules") or []:
            if rule["id"] == rule_id:
                rule.update(changes)
                path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
                return
    raise AssertionError(rule_id)


RULE = "instagram-eea-public-posts-2025"


def test_seed_applies_what_changed_in_the_files(seeded_url, tmp_path):
    folder = _copy_data(tmp_path)
    _edit_rule(folder, RULE, summary="Corrected summary.")
    revision, _ = state(seeded_url)
    report = seed(make_engine(seeded_url), folder)
    assert (report.created, report.updated, report.deleted) == (0, 1, 0)
    assert state(seeded_url)[0] == revision + 1
    with Session(make_engine(seeded_url)) as session:
        assert session.get(Rule, RULE).summary == "Corrected summary."
        change = session.exec(select(Change).order_by(Change.id.desc())).first()
        assert (change.resource_id, change.operation, change.actor) == (RULE, "update", "seed")


def test_seed_leaves_api_edits_alone_unless_forced(seeded_url, tmp_path):
    engine = make_engine(seeded_url)
    with Session(engine) as session:
        record = session.exec(select(Change).where(Change.resource_id == RULE)).first().after
        apply_changes(
            session, [Op("rule", "update", RULE, {**record, "summary": "Edited via the API."})], actor="key:test"
        )
    folder = _copy_data(tmp_path)
    _edit_rule(folder, RULE, summary="Changed in the files.")
    report = seed(engine, folder)
    assert report.updated == 0 and len(report.conflicts) == 1 and RULE in report.conflicts[0]
    with Session(engine) as session:
        assert session.get(Rule, RULE).summary == "Edited via the API."
    assert seed(engine, folder).conflicts == report.conflicts  # still reported, still spared
    forced = seed(engine, folder, force=True)
    assert forced.updated == 1 and forced.conflicts == []
    with Session(engine) as session:
        assert session.get(Rule, RULE).summary == "Changed in the files."


def test_a_rule_removed_from_the_files_is_deleted(seeded_url, tmp_path):
    folder = _copy_data(tmp_path)
    meta = folder / "meta.yaml"
    doc = _load(meta.read_text())
    doc["rules"] = [r for r in doc["rules"] if r["id"] != RULE]
    meta.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    translations = folder / "translations-de.yaml"  # a translation of a rule that is gone would be an error
    doc = _load(translations.read_text())
    doc["translations"] = [t for t in doc["translations"] if t["rule"] != RULE]
    translations.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    report = seed(make_engine(seeded_url), folder)
    assert (report.deleted, report.conflicts) == (1, [])
    with Session(make_engine(seeded_url)) as session:
        assert session.get(Rule, RULE) is None


BAD_EDITS = [
    ("effective_from", "2025-13-01", 'rules[{i}].effective_from: "2025-13-01" is not a date'),
    ("platform", "twiter", "rules[{i}].platform"),
    ("sources", [], "rules[{i}].sources"),
    ("effective_from", "2020-01-01", "rules[{i}]"),  # now overlaps the 2024 pause rule
    ("colour", "red", "rules[{i}].colour"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_EDITS, ids=[b[0] + "-" + str(b[1]) for b in BAD_EDITS])
def test_a_bad_dataset_file_is_rejected_naming_file_and_field_and_nothing_changes(
    seeded_url, tmp_path, field, value, message
):
    folder = _copy_data(tmp_path)
    doc = _load((folder / "meta.yaml").read_text())
    index = next(i for i, r in enumerate(doc["rules"]) if r["id"] == RULE)
    _edit_rule(folder, RULE, **{field: value})
    before = state(seeded_url)
    result = cli("seed", "--path", str(folder), url=seeded_url)
    assert result.returncode == 1
    assert f"{folder / 'meta.yaml'}: {message.format(i=index)}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert state(seeded_url) == before


def test_a_malformed_url_is_rejected(seeded_url, tmp_path):
    folder = _copy_data(tmp_path)
    doc = _load((folder / "meta.yaml").read_text())
    doc["sources"][0]["url"] = "htp:/broken"
    (folder / "meta.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    before = state(seeded_url)
    result = cli("import", str(folder), url=seeded_url)
    assert result.returncode == 1 and "sources[0].url" in result.stderr and "meta.yaml" in result.stderr
    assert state(seeded_url) == before


def test_import_is_one_transaction(seeded_url, tmp_path):
    """A file that passes its own validation but clashes with stored data writes nothing, not even its good parts."""
    engine = make_engine(seeded_url)
    doc = _load(export_dataset(engine))
    doc["platforms"][0]["name"] = "Renamed"  # a good change
    rule = next(r for r in doc["rules"] if r["id"] == RULE)
    rule["effective_until"] = None
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    # A rule the file does not know, which the file's version of RULE will overlap once imported.
    with Session(engine) as session:
        clash = {
            **session.exec(select(Change).where(Change.resource_id == RULE)).first().after,
            "id": "clash-2030",
            "effective_from": "2030-01-01",
            "effective_until": None,
        }
        apply_changes(
            session,
            [
                Op(
                    "rule",
                    "update",
                    RULE,
                    {**clash, "id": RULE, "effective_from": "2025-05-27", "effective_until": "2029-12-31"},
                ),
                Op("rule", "create", "clash-2030", clash),
            ],
            actor="test",
        )
    before = state(seeded_url)
    result = cli("import", str(path), url=seeded_url)
    assert result.returncode == 1 and "overlaps" in result.stderr, result.stderr
    assert state(seeded_url) == before
    with Session(engine) as session:
        assert session.get(Platform, doc["platforms"][0]["id"]).name != "Renamed"
