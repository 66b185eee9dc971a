"""Database failures answer 503 problem+json with Retry-After, /readyz says what is down, logs say it once."""

from __future__ import annotations

import json

from catalog_support import bearer, new_app
from sqlalchemy import create_engine, make_url, text
from starlette.testclient import TestClient

from tests.conftest import BACKEND, POSTGRES_URL

RULE = "/v1/rules/facebook-eea-public-posts-2025"
DECISION = "/v1/platforms/facebook/ai-training?category=public-posts&country=DE"


def _unavailable(response, kind):
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json" and int(response.headers["retry-after"]) > 0
    assert response.json()["database"] == kind
    return response.json()


def _warnings(err: str) -> list[str]:
    return [
        entry["event"]
        for line in err.splitlines()
        if line.startswith("{")
        if (entry := json.loads(line)).get("logger") == "trainwatch.database"
    ]


def test_a_database_without_tables_answers_503_and_logs_it_once(databases, capsys):
    with TestClient(new_app(databases.new_url(), webhooks_deliver=False)) as c:
        capsys.readouterr()
        for _ in range(3):
            _unavailable(c.get("/v1/rules"), "not-migrated")
            _unavailable(c.get(DECISION), "not-migrated")
            _unavailable(c.get("/v1/changes"), "not-migrated")
        assert "trainwatch migrate" in _unavailable(c.get("/readyz"), "not-migrated")["detail"]
        assert c.get("/healthz").status_code == 200
        err = capsys.readouterr().err
    assert len(_warnings(err)) == 1 and "Traceback" not in err


def _read_only_url(seeded_url: str) -> str:
    if BACKEND == "sqlite":
        return f"sqlite:///file:{make_url(seeded_url).database}?mode=ro&uri=true"
    engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{make_url(seeded_url).database}" SET default_transaction_read_only = on'))
    engine.dispose()
    return seeded_url


def test_a_read_only_database_refuses_writes_with_503_and_is_not_ready(seeded_url, capsys):
    auth = bearer(seeded_url)
    with TestClient(new_app(_read_only_url(seeded_url), webhooks_deliver=False)) as c:
        assert c.get(RULE).status_code == 200 and c.get(DECISION).status_code == 200
        capsys.readouterr()
        for _ in range(3):
            problem = _unavailable(c.patch(RULE, json={"summary": "Nope."}, headers=auth), "read-only")
        assert "cannot be written" in problem["detail"]
        assert _unavailable(c.get("/readyz"), "read-only")["status"] == 503
        assert c.get(RULE).json()["summary"] != "Nope."
        err = capsys.readouterr().err
        assert len(_warnings(err)) == 1
