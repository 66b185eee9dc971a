"""Catalog reads in general: the same records as the write path, ETags, 304s, caching and pagination."""

from __future__ import annotations

import pytest
from catalog_support import bearer
from sqlmodel import Session, select

from app.api.schemas import catalog as schemas
from app.serving.catalog import load_catalog
from app.store import records
from app.store.db import make_engine

LISTS = [
    "/v1/platforms",
    "/v1/data-categories",
    "/v1/jurisdictions",
    "/v1/rules",
    "/v1/deadlines",
    "/v1/sources",
    "/v1/changes",
]


def test_the_catalog_shows_every_record_as_the_write_path_stores_it(shared_seeded_url):
    engine = make_engine(shared_seeded_url)
    with Session(engine) as session:
        catalog = load_catalog(session)
        for resource, adapter in records.ADAPTERS.items():
            rows = session.exec(select(adapter.table)).all()
            assert rows, resource
            # A rule's read adds only its confidence, derived from the citations.
            assert {
                getattr(row, adapter.key): (records.row_to_record(session, resource, row), row.version) for row in rows
            } == {
                key: ({k: v for k, v in e.record.items() if k != "confidence"}, e.version)
                for key, e in catalog.entries[resource].items()
            }
    engine.dispose()


@pytest.mark.parametrize("path", LISTS)
def test_lists_are_paginated_cacheable_and_revalidate_with_304(client, path):
    response = client.get(path, params={"limit": 2})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "public, max-age=60"
    body = response.json()
    assert len(body["items"]) == 2 and body["total"] > 2 and (body["limit"], body["offset"]) == (2, 0)
    # The change log grows with every write: its next link holds the list to the revision of this page.
    pinned = f"up_to_revision={body['dataset_revision']}&" if path == "/v1/changes" else ""
    assert body["next"] == f"{path}?{pinned}limit=2&offset=2"
    assert response.headers["link"] == f'<{body["next"]}>; rel="next"'
    etag = response.headers["etag"]
    assert etag.startswith(f'"r{body["dataset_revision"]}-')
    again = client.get(path, params={"limit": 2}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other_query = client.get(path, params={"limit": 3}, headers={"If-None-Match": etag})
    assert other_query.status_code == 200 and other_query.headers["etag"] != etag


@pytest.mark.parametrize("path", LISTS)
def test_following_next_walks_the_whole_list_once_in_a_stable_order(client, path):
    whole = client.get(path, params={"limit": 1000}).json()
    assert (whole["next"] is None) is (whole["total"] <= 1000) and len(whole["items"]) == min(whole["total"], 1000)
    seen, url = [], f"{path}?limit=7"
    while url:
        page = client.get(url).json()
        seen += page["items"]
        url = page["next"]
    assert seen[:1000] == whole["items"] and len(seen) == whole["total"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"offset": -1}, {"limit": "ten"}])
def test_bad_pagination_is_422_naming_the_parameter(client, params):
    response = client.get("/v1/rules", params=params)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["param"] == next(iter(params))


def test_an_offset_past_the_end_is_an_empty_page(client):
    body = client.get("/v1/data-categories", params={"offset": 10_000}).json()
    assert body["items"] == [] and body["total"] > 0 and body["next"] is None


def test_a_record_read_has_its_version_in_the_etag_and_revalidates(client):
    response = client.get("/v1/data-categories/public-posts")
    assert response.status_code == 200 and response.headers["cache-control"] == "public, max-age=60"
    body = response.json()
    assert response.headers["etag"] == f'"v{body["version"]}"'
    assert (
        client.get(
            "/v1/data-categories/public-posts", headers={"If-None-Match": f'"x", {response.headers["etag"]}'}
        ).status_code
        == 304
    )
    assert client.get("/v1/data-categories/public-posts", headers={"If-None-Match": '"v999"'}).status_code == 200


def test_an_unknown_record_is_404_problem(client):
    response = client.get("/v1/data-categories/nothing-like-this")
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
    assert "nothing-like-this" in response.json()["detail"]


def test_a_write_changes_list_etags_and_the_revision(write_client, seeded_url):
    before = write_client.get("/v1/data-categories")
    response = write_client.patch(
        "/v1/data-categories/public-posts", json={"name": "Public posts (all)"}, headers=bearer(seeded_url)
    )
    assert response.status_code == 200
    after = write_client.get("/v1/data-categories", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert after.json()["dataset_revision"] == before.json()["dataset_revision"] + 1
    assert "Public posts (all)" in {c["name"] for c in after.json()["items"]}


def test_reads_need_no_key_and_are_open_to_other_origins(client):
    response = client.get("/v1/rules", params={"limit": 1}, headers={"Origin": "https://dashboard.example"})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] in (
        "*",
        "https://dashboard.example",
    )


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/v1/platforms", schemas.PlatformPage),
        ("/v1/platforms/facebook", schemas.PlatformDetail),
        ("/v1/data-categories", schemas.CategoryPage),
        ("/v1/data-categories/public-posts", schemas.CategoryOut),
        ("/v1/jurisdictions", schemas.JurisdictionPage),
        ("/v1/jurisdictions/EU", schemas.JurisdictionOut),
        ("/v1/rules", schemas.RulePage),
        ("/v1/rules/facebook-eea-public-posts-2025", schemas.RuleDetail),
        ("/v1/deadlines", schemas.DeadlinePage),
        ("/v1/deadlines/facebook-eea-objection-2025", schemas.DeadlineOut),
        ("/v1/sources", schemas.SourcePage),
        ("/v1/sources/M1", schemas.SourceOut),
        ("/v1/changes", schemas.ChangePage),
    ],
)
def test_every_read_matches_its_documented_model(client, path, model):
    body = client.get(path, params={"limit": 1000} if path.count("/") == 2 else None).json()
    model.model_validate(body, strict=False)
    documented = set(model.model_fields)
    assert set(body) == documented
    for item in body.get("items", []) if "items" in documented else []:
        assert set(item) == set(model.model_fields["items"].annotation.__args__[0].model_fields)


def test_docs_describe_every_catalog_operation_with_its_model_and_an_example(client):
    spec = client.get("/openapi.json").json()
    operations = [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if path.startswith("/v1/") and "ai-training" not in path and set(op["tags"]) & {"catalog", "history"}
    ]
    assert len(operations) == 6 * 6 + 1
    for path, method, op in operations:
        assert op["summary"] and op.get("description"), (path, method)
        success = op["responses"]["204" if method == "delete" else "201" if method == "post" else "200"]
        if method != "delete":  # a 204 has no body to show
            answer = success["content"]["application/json"]
            assert answer["schema"]["$ref"], (path, method)
            assert answer.get("example") or answer.get("examples"), (path, method)
        if method in ("post", "put", "patch"):
            assert op["requestBody"]["content"]["application/json"]["example"], (path, method)
        for param in op.get("parameters", []):
            assert param.get("description"), (path, method, param["name"])


def test_a_next_link_and_the_etag_keep_only_the_parameters_the_list_knows(client):
    asked = client.get("/v1/rules", params={"platform": "facebook", "utm_source": "x", "limit": 2})
    body = asked.json()
    assert body["next"] == "/v1/rules?platform=facebook&limit=2&offset=2"
    assert asked.headers["link"] == f'<{body["next"]}>; rel="next"'
    plain = client.get("/v1/rules", params={"platform": "facebook", "limit": 2})
    assert plain.headers["etag"] == asked.headers["etag"]
    assert (
        client.get("/v1/rules", params={"platform": "instagram", "limit": 2}).headers["etag"] != plain.headers["etag"]
    )
    # A parameter the list does not know may come twice: it changes nothing.
    twice = client.get("/v1/rules?platform=facebook&limit=2&utm_source=a&utm_source=b")
    assert twice.status_code == 200 and twice.headers["etag"] == plain.headers["etag"]


@pytest.mark.parametrize(
    "url",
    [
        "/v1/rules?platform=facebook&platform=instagram",
        "/v1/rules?limit=2&limit=3",
        "/v1/platforms?limit=1&limit=1",  # even the same value: once is the contract
        "/v1/changes?resource=rule&resource=rule",
        "/v1/deadlines.ics?platform=facebook&platform=instagram",
        "/v1/dataset?format=json&format=yaml",
        "/v1/platforms/instagram/badge.svg?country=DE&country=FR",
    ],
)
def test_a_parameter_given_twice_is_422_naming_it_as_decisions_do(client, url):
    response = client.get(url)
    assert response.status_code == 422, response.text
    name = url.split("?")[1].split("=")[0]
    assert response.json()["param"] == name
    assert response.json()["detail"] == f"{name} is given more than once; give it once."
    decision = client.get("/v1/platforms/instagram/ai-training?country=DE&country=FR").json()
    assert decision["detail"] == "country is given more than once; give it once."
