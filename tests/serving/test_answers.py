"""The answer service's batch path: what it works out once per snapshot, and results equal to the single answers."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import orjson
import pytest

from app.policy.model import (
    GLOBAL,
    Category,
    Citation,
    Confidence,
    Jurisdiction,
    JurisdictionKind,
    LateObjection,
    OptOut,
    Platform,
    Rule,
    Snapshot,
    Source,
    Treatment,
)
from app.serving import answers
from app.serving.answers import CHECK_FIELDS, AnswerService
from app.serving.cache import BoundedCache
from app.serving.documents import platform_json

TODAY = date(2026, 11, 29)


def snapshot(revision: int = 1) -> Snapshot:
    """Return a small dataset: one platform with an opt-out rule citing two sources, and one category without rules."""
    countries = {c: Jurisdiction(c, c, JurisdictionKind.COUNTRY) for c in ("DE", "FR", "US")}
    rule = Rule(
        id="acme-eu",
        platform_id="acme",
        category_id="public-posts",
        jurisdiction="EU",
        treatment=Treatment.OPT_OUT,
        summary="Used unless you object.",
        confidence=Confidence.HIGH,
        source_ids=("S1", "S2"),
        citations=(Citation("S1", quote="We train on posts."),),
        effective_from=date(2025, 1, 1),
        min_age=18,
        opt_out=OptOut("form", LateObjection.COVERS_LATER_POSTS, url="https://acme.test/object"),
        notes=("A note.",),
        reviewed_on=date(2026, 11, 1),
    )
    return Snapshot(
        revision=revision,
        platforms={"acme": Platform("acme", "Acme", "Acme Inc.")},
        categories={c: Category(c, c.capitalize()) for c in ("public-posts", "usage-data")},
        jurisdictions={
            **countries,
            "EU": Jurisdiction("EU", "EU", JurisdictionKind.GROUP, frozenset({"DE", "FR"})),
            GLOBAL: Jurisdiction(GLOBAL, "Worldwide", JurisdictionKind.GLOBAL),
        },
        rules={rule.id: rule},
        deadlines={},
        sources={s: Source(s, f"https://src.test/{s}", f"Source {s}", "Pub", date(2026, 1, 1)) for s in ("S1", "S2")},
    )


def service(snap: Snapshot) -> AnswerService:
    return AnswerService(SimpleNamespace(snapshot=snap, answers=BoundedCache(2**24)), today=lambda: TODAY)  # type: ignore[arg-type]


CHECKS = [
    {"platform": "acme", "category": "public-posts", "country": "DE", "as_of": "2025-03-01"},
    {"platform": "acme", "category": "public-posts", "country": "fr", "as_of": "2025-03-02", "age": 17},
    {
        "platform": "acme",
        "category": "public-posts",
        "country": "DE",
        "as_of": "2025-04-01",
        "objected_on": "2025-02-01",
    },
    {"platform": "acme", "category": "public-posts", "as_of": "2024-04-01", "objected": True},
    {"platform": "acme", "category": "usage-data", "country": "US", "posted_on": "2025-01-01", "age": "40"},
    {"platform": "acme", "category": "public-posts", "country": "DE", "opted_in": False, "age": None},
    {"platform": "acme", "category": "public-posts", "age": True},
    {"platform": "acme", "category": "public-posts", "extra": 1},
    {"platform": "nope", "category": "public-posts"},
]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_batch_results_equal_the_single_answers(lang):
    svc = service(snapshot())
    results = orjson.loads(svc.batch(CHECKS, lang))["results"]
    assert {r["status"] for r in results} == {200, 404, 422}  # successes and both kinds of problem compared
    for check, result in zip(CHECKS, results, strict=True):
        params = {k: str(v).lower() if isinstance(v, bool) else v for k, v in check.items() if v is not None}
        platform = params.pop("platform")
        query = "&".join(f"{k}={v}" for k, v in {**params, "lang": lang}.items()).encode()
        single = orjson.loads(svc.single(platform, query, "/x").body)
        unknown = set(check) - CHECK_FIELDS
        if unknown:  # a check is a JSON object of known fields, where a query string's unknown parameters are ignored
            assert result["status"] == 422 and result["param"] in unknown, (check, result)
            continue
        if "status" in single:  # the single answer's problem, without the instance: a check has no URL of its own
            assert single.pop("instance") == "/x"
            if single["param"] == "platform_id":  # the single question's path parameter is the check's field
                single["param"] = "platform"
            assert result == single, check
            continue
        (decision,) = single.pop("decisions")
        assert result == {"status": 200, **single, "decision": decision}


def test_a_batch_encodes_each_list_of_sources_once(monkeypatch):
    calls = []
    encode = answers.sources_json
    monkeypatch.setattr(answers, "sources_json", lambda sources: calls.append(sources) or encode(sources))
    svc = service(snapshot())
    body = svc.batch([{**CHECKS[0], "as_of": f"2025-03-{day:02d}"} for day in range(1, 21)])
    assert len(calls) == 1  # twenty checks resting on one rule: its sources encoded once
    assert [len(r["decision"]["sources"]) for r in orjson.loads(body)["results"]] == [2] * 20
    service(snapshot(2)).batch(CHECKS[:1])
    assert len(calls) == 2  # another snapshot: encoded again


def test_the_platform_object_is_encoded_once_per_set_of_platforms():
    snap = snapshot()
    first = platform_json(snap, "acme")
    assert platform_json(snap, "acme") is first
    assert orjson.loads(orjson.dumps(first)) == {"id": "acme", "name": "Acme", "operator": "Acme Inc."}
    assert platform_json(snap.patched(2, {}), "acme") is first  # a rule write leaves platforms as they were
    assert platform_json(snapshot(2), "acme") is not first  # a snapshot read whole encodes it anew


def test_a_batch_sent_again_byte_for_byte_is_answered_from_the_cache(monkeypatch):
    computed = []  # one entry a batch worked out (its checks' lane is made once a batch)
    lane = answers.plain_checks
    monkeypatch.setattr(answers, "plain_checks", lambda *a: computed.append(1) or lane(*a))
    svc = service(snapshot())
    body = orjson.dumps({"checks": CHECKS})
    first = svc.batch(CHECKS, "en", body)
    assert svc.batch(CHECKS, "en", body) == first and len(computed) == 2  # the first left a mark, this one keeps it
    third = svc.batch(CHECKS, "en", body)
    assert third == first and svc.batch(CHECKS, "en", body) is third and len(computed) == 2  # whole, not worked out
    assert svc.batch(CHECKS, "en") == first and len(computed) == 3  # no body: nothing to key on


def test_the_batch_cache_tells_apart_what_answers_differently():
    svc = service(snapshot())
    one = [{"platform": "acme", "category": "public-posts", "age": 1}]
    true = [{"platform": "acme", "category": "public-posts", "age": True}]
    as_one = svc.batch(one, "en", orjson.dumps({"checks": one}))
    assert orjson.loads(as_one)["results"][0]["status"] == 200
    # Equal in Python (True == 1), different bytes: age true is refused, not answered from the cache.
    assert orjson.loads(svc.batch(true, "en", orjson.dumps({"checks": true})))["results"][0]["status"] == 422
    body = orjson.dumps({"checks": one})
    assert (
        orjson.loads(svc.batch(one, "de", body))["results"][0]["decision"]["summary"]
        != (orjson.loads(as_one)["results"][0]["decision"]["summary"])
    )  # another language
    later = AnswerService(svc.store, today=lambda: date(2026, 11, 30))
    assert orjson.loads(later.batch(one, "en", body))["results"][0]["as_of"] == "2026-11-30"  # another day
    svc.store.snapshot = snapshot(2)
    assert orjson.loads(svc.batch(one, "en", body))["dataset_revision"] == 2  # another snapshot


def test_fixed_headers_are_built_once_per_kind_of_answer():
    a = answers.Answer.build(200, b"{}" * 3000, answers.JSON, etag='"r1-a"', lang="de", by_header=True)
    b = answers.Answer.build(200, b"[]" * 4000, answers.JSON, etag='"r1-b"', lang="de", by_header=True)
    assert a.head == (
        (b"etag", b'"r1-a"'),
        (b"content-length", b"6000"),
        (b"content-type", b"application/json"),
        (b"content-language", b"de"),
        (b"vary", b"Accept-Language, Accept-Encoding"),
    )
    assert all(x is y for x, y in zip(a.head[2:], b.head[2:], strict=True))  # shared, not built again
    plain = answers.Answer.build(404, b"{}", "application/problem+json")
    assert plain.head == (
        (b"content-length", b"2"),
        (b"content-type", b"application/problem+json"),
        (b"content-language", b"en"),
    )
    br = a.encoded("gzip")
    assert [name for name, _ in br.head] == [
        b"etag",
        b"content-length",
        b"content-type",
        b"content-language",
        b"content-encoding",
        b"vary",
    ]
