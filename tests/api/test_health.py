"""Probes and the offline docs."""

import re

from starlette.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings


def test_healthz_and_readyz_on_a_seeded_database(client):
    assert client.get("/healthz").json() == {
        "status": "ok",
        "dataset_revision": None,
        "platforms": None,
        "database": None,
    }
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["platforms"] >= 17


def _ready(url):
    with TestClient(create_app(make_settings(url))) as c:
        return c.get("/readyz")


def test_readyz_is_503_without_data(empty_url):
    response = _ready(empty_url)
    assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
    assert "trainwatch seed" in response.json()["detail"]


def test_readyz_is_503_before_migrations(databases):
    response = _ready(databases.new_url())
    assert response.status_code == 503 and "trainwatch migrate" in response.json()["detail"]


def test_readyz_is_503_while_the_database_is_down():
    response = _ready("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    assert response.status_code == 503 and "unreachable" in response.json()["detail"]


def test_docs_load_every_asset_from_the_service(client):
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        urls = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
        assert urls and all(u.startswith("/") for u in urls), urls
        for url in urls:
            assert client.get(url).status_code == 200, url
    assert b"cdn.redoc.ly" not in client.get("/static/docs/redoc.standalone.js").content
    assert '"validatorUrl": null' in client.get("/docs").text
    assert client.get("/static/docs/nope.js").status_code == 404
