"""A write is visible in the next decision: at once in-process, within about a second from another process."""

import os
import subprocess
import sys
import time

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
