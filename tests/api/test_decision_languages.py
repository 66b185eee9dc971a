"""Answers in English or German (contract v1.1): `lang`, Accept-Language, Content-Language, Vary and the ETag."""

from __future__ import annotations

from datetime import date

import pytest
from catalog_support import bearer
from starlette.testclient import TestClient

from app.dataset.translations import read_translations
from app.main import DATA_DIR, create_app
from tests.api.fastpath_spy import FastPathSpy
from tests.conftest import make_settings

URL = "/v1/platforms/instagram/ai-training?category=public-posts&country=DE&as_of=2025-09-01"
GERMAN = (
    "Wird seit dem 27. Mai 2025 zum Training von Meta AI genutzt, außer Sie haben widersprochen; Widersprüche "
    "bis zum 26. Mai 2025 hielten alles heraus, spätere erfassen nur Inhalte, die ab dann veröffentlicht wurden; "
    "Konten unter 18 Jahren sind ausgenommen."
)


@pytest.fixture(scope="module", params=[True, False], ids=["fast-path", "fastapi-route"])
def both(request, shared_seeded_url):
    """Both ways the decision route is served, which must answer alike (the fast path's with a spy on it)."""
    with TestClient(create_app(make_settings(shared_seeded_url, fast_path=request.param))) as client:
        if request.param:
            FastPathSpy(client.app)
        else:
            assert client.app.fast_path is None
        yield client


def served_as_named(client: TestClient) -> None:
    """Assert the requests since the last call went the way the `both` client is named: all by the fast path."""
    spy = client.app.fast_path
    if spy is None:
        return  # the FastAPI route's client: it has no fast path
    served = spy.take()
    # A fast path that declined would leave this client on the FastAPI route too, testing that route twice.
    assert served and all(served), served


def test_lang_de_words_summary_and_reasons_in_german(both: TestClient) -> None:
    response = both.get(URL + "&age=30&objected=false&lang=de")
    assert response.status_code == 200
    assert response.headers["content-language"] == "de"
    assert "accept-language" not in response.headers.get("vary", "").lower()
    decision = response.json()["decisions"][0]
    assert decision["verdict"] == "used"
    assert decision["summary"] == GERMAN  # the rule's own summary, from translations-de.yaml
    assert decision["reasons"][0].startswith(
        "Regel instagram-eea-public-posts-2025 (EEA, in Kraft ab 27. Mai 2025) "
        "gilt am 1. September 2025 für DE: Wird seit dem 27. Mai 2025"
    )
    assert "Sie haben nicht widersprochen." in decision["reasons"]
    served_as_named(both)


def test_engine_summaries_are_german_too(both: TestClient) -> None:
    late = both.get(URL + "&age=30&objected_on=2025-07-01&posted_on=2025-03-01&lang=de").json()["decisions"][0]
    assert late["summary"] == (
        "Weiterhin genutzt: Ihr Widerspruch vom 1. Juli 2025 kam nach der Frist am 26. Mai "
        "2025 und erfasst nur Inhalte, die ab diesem Tag veröffentlicht wurden."
    )
    minor = both.get(URL + "&age=15&lang=de").json()["decisions"][0]
    assert minor["summary"] == "Nicht genutzt: Konten unter 18 Jahren sind ausgenommen."
    served_as_named(both)


def test_accept_language_chooses_when_lang_is_absent(both: TestClient) -> None:
    german = both.get(URL, headers={"Accept-Language": "fr-FR, de;q=0.8, en;q=0.5"})
    assert german.headers["content-language"] == "de"
    assert "Accept-Language" in german.headers["vary"]
    assert german.json()["decisions"][0]["summary"].startswith("Genutzt, außer Sie haben widersprochen")
    english = both.get(URL)
    assert english.headers["content-language"] == "en"
    assert "Accept-Language" in english.headers["vary"]  # another header could have chosen German
    assert english.json()["decisions"][0]["summary"].startswith("Used unless you objected")
    explicit = both.get(URL + "&lang=en", headers={"Accept-Language": "de"})
    assert explicit.headers["content-language"] == "en"
    assert "accept-language" not in explicit.headers.get("vary", "").lower()
    served_as_named(both)


def test_the_etag_covers_the_language(both: TestClient) -> None:
    english = both.get(URL + "&lang=en").headers["etag"]
    german = both.get(URL + "&lang=de").headers["etag"]
    assert english != german
    assert both.get(URL, headers={"Accept-Language": "de", "If-None-Match": german}).status_code == 304
    assert both.get(URL, headers={"Accept-Language": "en", "If-None-Match": german}).status_code == 200
    served_as_named(both)


def test_an_unknown_language_is_422(both: TestClient) -> None:
    response = both.get(URL + "&lang=fr")
    assert response.status_code == 422
    assert response.json()["param"] == "lang"
    assert response.json()["valid"] == ["en", "de"]
    served_as_named(both)


def test_batch_checks_answer_in_the_chosen_language(client: TestClient) -> None:
    check = {"platform": "instagram", "category": "public-posts", "country": "DE", "as_of": "2025-05-14"}
    german = client.post("/v1/ai-training/checks?lang=de", json={"checks": [check]})
    assert german.headers["content-language"] == "de"
    assert german.json()["results"][0]["decision"]["summary"].startswith("Nicht genutzt: Meta setzte seinen Plan")
    by_header = client.post("/v1/ai-training/checks", json={"checks": [check]}, headers={"Accept-Language": "de"})
    assert by_header.json() == german.json()
    assert "Accept-Language" in by_header.headers["vary"]
    english = client.post("/v1/ai-training/checks", json={"checks": [check]})
    assert english.json()["results"][0]["decision"]["summary"].startswith("Not used: Meta paused")
    assert client.post("/v1/ai-training/checks?lang=xx", json={"checks": [check]}).status_code == 422


def test_every_answer_on_a_translated_rule_is_german(client: TestClient) -> None:
    """Sweep: wherever a decided answer rests on a rule with a German summary, lang=de shows it."""
    translated = {rule for rule, lang in read_translations(DATA_DIR) if lang == "de"}
    platforms = [p["id"] for p in client.get("/v1/platforms?limit=1000").json()["items"]]
    seen = 0
    for day in (date(2024, 7, 1), date(2025, 9, 1), date(2026, 11, 1)):
        for country in ("DE", "FR", "IE", "GB", "US"):
            for platform in platforms:
                query = f"/v1/platforms/{platform}/ai-training?country={country}&as_of={day}&age=30&objected=false"
                english = client.get(query + "&lang=en").json()["decisions"]
                german = client.get(query + "&lang=de").json()["decisions"]
                for en, de in zip(english, german, strict=True):
                    assert (en["verdict"], en["rule_id"]) == (de["verdict"], de["rule_id"])
                    if en["rule_id"] in translated:
                        seen += 1
                        assert de["summary"] != en["summary"], (query, en["category"])
    assert seen > 100


def test_a_translation_of_an_older_summary_is_not_used(write_client: TestClient, seeded_url: str) -> None:
    rule = "instagram-eea-public-posts-2025"
    auth = bearer(seeded_url)
    changed = "Used for training Meta AI since 2025-05-27 unless you objected (reworded)."
    assert write_client.patch(f"/v1/rules/{rule}", json={"summary": changed}, headers=auth).status_code == 200
    write_client.app.state.services.store.refresh()
    decision = write_client.get(URL + "&age=30&objected=false&lang=de").json()["decisions"][0]
    assert decision["summary"] == changed  # English rather than a German text of what the rule no longer says


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("de;Q=0, en;q=0.5", "en"),  # the parameter's name is case-insensitive: German is refused
        ("de;q=-1, en;q=0.5", "en"),  # not a qvalue: the entry is dropped, not read as q=1
        ("de;q=NaN, en;q=0.5", "en"),
        ("en;q=0.5, de;q=0.9e-3", "en"),  # not q=0.9
        ("de;q=1.5, en;q=0.1", "en"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("en-US,en;q=0.9,de;q=0.8", "en"),
        ("fr, de;q=0.001", "de"),
    ],
)
def test_accept_language_weights_are_read_as_rfc_9110_defines_them(both, header, lang):
    response = both.get(URL, headers={"Accept-Language": header})
    assert response.status_code == 200
    assert response.headers["content-language"] == lang


def test_accept_language_on_two_lines_is_one_list(both):
    response = both.get(URL, headers=[("Accept-Language", "de"), ("Accept-Language", "en")])
    assert response.headers["content-language"] == "de"
    assert (
        both.head(URL, headers=[("Accept-Language", "de"), ("Accept-Language", "en")]).headers["content-language"]
        == "de"
    )


@pytest.mark.parametrize("repeated", ["country=FR", "as_of=2025-09-02", "category=private-messages", "lang=en"])
def test_a_decision_parameter_given_twice_is_422_naming_it(both, repeated):
    url = URL + "&lang=de&" + repeated if repeated.startswith("lang") else URL + "&" + repeated
    response = both.get(url)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["param"] == repeated.split("=")[0]
