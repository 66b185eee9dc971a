"""Decisions for categories without rules come from templates that give what the engine and the rendering give."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import orjson
import pytest

from app.policy import answer, parse_query
from app.policy.freshness import with_freshness
from app.policy.model import JurisdictionKind
from app.policy.wording import CATALOGS, ENGLISH, Wording
from app.policy.wording import en as english
from app.serving import answers as answers_module
from app.serving import no_rule
from app.serving.caching import dumps
from app.serving.documents import check_result, render_decision
from tests.conftest import memo_free
from tests.serving.test_answers import service as service_on

TODAY = date(2026, 11, 29)


def _full_path(snapshot, parsed, wording) -> bytes:
    """The decision as the engine and the rendering make it, without templates."""
    (decision,) = with_freshness(snapshot, answer(snapshot, parsed), TODAY, 365)
    return dumps(render_decision(decision, wording))


def _full_check(snapshot, parsed, wording) -> bytes:
    """A batch check's whole result as the full path makes it, without templates."""
    return dumps(check_result(snapshot, parsed, orjson.Fragment(_full_path(snapshot, parsed, wording))))


def _questions(snapshot, count: int, seed: int):
    """Questions about categories without rules, over every platform, many countries, days and situations."""
    rng = random.Random(seed)
    pairs = [(p, c) for p in snapshot.platforms for c in snapshot.categories if (p, c) not in snapshot.uses_by_pair]
    countries = [None, "DE", "FR", "GB", "US", "CH", "NO", "BR", "IN", "JP", "CA", "AU", "IE"]
    for _ in range(count):
        platform, category = rng.choice(pairs)
        params = {"category": category, "as_of": (date(1990, 1, 1) + timedelta(days=rng.randrange(20_000))).isoformat()}
        if (country := rng.choice(countries)) is not None:
            params["country"] = country
        if rng.random() < 0.5:
            params["age"] = str(rng.choice([12, 16, 30]))
        if rng.random() < 0.3:
            params["objected_on"] = params["as_of"]
        yield platform, params


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_template_gives_byte_for_byte_what_the_engine_and_rendering_give(seeded_snapshot, lang):
    wording = Wording(lang)
    for platform, params in _questions(seeded_snapshot, 3000, seed=len(lang)):
        parsed = parse_query(seeded_snapshot, platform, params, TODAY)
        part = no_rule.no_rule_decision(seeded_snapshot, parsed, wording)
        assert part is not None
        assert orjson.dumps(part) == _full_path(seeded_snapshot, parsed, wording), (platform, params)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_check_template_gives_byte_for_byte_what_the_full_path_gives(seeded_snapshot, lang):
    wording = Wording(lang)
    for platform, params in _questions(seeded_snapshot, 3000, seed=len(lang) + 20):
        parsed = parse_query(seeded_snapshot, platform, params, TODAY)
        whole = no_rule.no_rule_check(seeded_snapshot, parsed, wording)
        assert whole is not None
        assert orjson.dumps(whole) == _full_check(seeded_snapshot, parsed, wording), (platform, params)


def test_questions_about_rules_or_whole_platforms_take_the_full_path(seeded_snapshot):
    platform, category = next(iter(seeded_snapshot.uses_by_pair))
    with_rules = parse_query(seeded_snapshot, platform, {"category": category, "country": "DE"}, TODAY)
    whole = parse_query(seeded_snapshot, platform, {"country": "DE"}, TODAY)
    assert no_rule.no_rule_decision(seeded_snapshot, with_rules, ENGLISH) is None
    assert no_rule.no_rule_decision(seeded_snapshot, whole, ENGLISH) is None


def test_a_template_that_fails_its_check_is_not_used(seeded_snapshot, monkeypatch):
    # A wording that writes days in sentences otherwise than its "day" phrase says: the check must catch it.
    monkeypatch.setitem(CATALOGS["en"], "day", lambda p, w: p["day"].strftime("%d/%m/%Y"))
    fresh = memo_free(seeded_snapshot)  # no templates made yet
    platform, params = next(_questions(fresh, 1, seed=7))
    parsed = parse_query(fresh, platform, params, TODAY)
    assert no_rule.no_rule_decision(fresh, parsed, ENGLISH) is None
    assert no_rule.no_rule_check(fresh, parsed, ENGLISH) is None
    # The service answers by the full path, with the same words as ever, alone and in a batch.
    service = service_on(fresh)
    body = orjson.loads(service.single(platform, _query(params), "/x").body)
    (check,) = orjson.loads(service.batch([{"platform": platform, **params}]))["results"]
    assert check["decision"] == body["decisions"][0]
    assert (
        body["decisions"][0]["summary"]
        == "Unknown: "
        + english.CATALOG["no_rule"](
            {
                "category_id": params["category"],
                "category": fresh.categories[params["category"]].name,
                "platform": fresh.platforms[platform].name,
                "where": params.get("country", "GLOBAL"),
                "day": date.fromisoformat(params["as_of"]),
            },
            ENGLISH,
        )
        + "."
    )


def test_a_service_answer_and_a_batch_check_carry_the_templates_decision(seeded_snapshot):
    fresh = memo_free(seeded_snapshot)
    service = service_on(fresh)
    for platform, params in _questions(fresh, 50, seed=11):
        parsed = parse_query(fresh, platform, params, TODAY)
        expected = orjson.loads(_full_path(fresh, parsed, Wording("de")))
        query = "&".join(f"{k}={v}" for k, v in {**params, "lang": "de"}.items()).encode()
        single = orjson.loads(service.single(platform, query, "/x").body)
        assert single["decisions"] == [expected]
        (check,) = orjson.loads(service.batch([{"platform": platform, **params}], lang="de"))["results"]
        assert check["decision"] == expected and check["as_of"] == params["as_of"]


@pytest.mark.parametrize("accept_language", [None, "de-CH, en;q=0.5"])
def test_answers_and_their_etags_are_those_of_the_full_path(seeded_snapshot, monkeypatch, accept_language):
    questions = list(_questions(seeded_snapshot, 300, seed=13))

    def answers() -> list[tuple[bytes, str | None, tuple]]:
        service = service_on(memo_free(seeded_snapshot))
        out = []
        for platform, params in questions:
            found = service.single(platform, _query(params), "/x", accept_language)
            out.append((found.body, found.etag, found.head))
        body = service.batch([{"platform": platform, **params} for platform, params in questions], lang="de")
        return [*out, (body, None, ())]

    templated = answers()
    monkeypatch.setattr(answers_module, "no_rule_decision", lambda *args: None)
    monkeypatch.setattr(answers_module, "no_rule_check", lambda *args: None)
    assert templated == answers()


def test_a_category_that_gains_a_rule_is_answered_from_its_rule(seeded_snapshot):
    before = memo_free(seeded_snapshot)
    platform, params = next(_questions(before, 1, seed=17))
    parsed = parse_query(before, platform, params, TODAY)
    assert no_rule.no_rule_decision(before, parsed, ENGLISH) is not None  # a template is made and kept
    assert no_rule.no_rule_check(before, parsed, ENGLISH) is not None
    other_platform, other = next((p, q) for p, q in _questions(before, 100, seed=18) if p != platform)
    assert no_rule.no_rule_check(before, parse_query(before, other_platform, other, TODAY), ENGLISH) is not None
    model = next(iter(before.rules.values()))
    rule = replace(model, id="new-rule", platform_id=platform, category_id=params["category"], jurisdiction="GLOBAL")
    patched = before.patched(before.revision + 1, {"new-rule": rule})
    assert patched.memo[no_rule.TEMPLATES] is before.memo[no_rule.TEMPLATES]  # kept, yet no longer used here
    assert patched.memo[no_rule.CHECK_TEMPLATES] is before.memo[no_rule.CHECK_TEMPLATES]
    assert no_rule.no_rule_decision(patched, parse_query(patched, platform, params, TODAY), ENGLISH) is None
    service = service_on(patched)
    body = orjson.loads(service.single(platform, _query(params), "/x").body)
    assert body["decisions"][0]["rule_id"] == "new-rule"
    # In a batch: the category with its new rule, and one still without any, each from the patched snapshot.
    changed, unchanged = orjson.loads(
        service.batch([{"platform": platform, **params}, {"platform": other_platform, **other}])
    )["results"]
    assert changed["decision"]["rule_id"] == "new-rule"
    parsed_other = parse_query(patched, other_platform, other, TODAY)
    assert unchanged == orjson.loads(_full_check(patched, parsed_other, ENGLISH))
    assert unchanged["dataset_revision"] == before.revision + 1


def test_one_template_serves_every_country(seeded_snapshot):
    fresh = memo_free(seeded_snapshot)
    platform, category = next(
        (p, c) for p in fresh.platforms for c in fresh.categories if (p, c) not in fresh.uses_by_pair
    )
    countries = [j.code for j in fresh.jurisdictions.values() if j.kind is JurisdictionKind.COUNTRY]
    assert len(countries) > 100
    for country in [*countries, None]:
        params = {"category": category, "as_of": "2025-09-01", **({"country": country} if country else {})}
        parsed = parse_query(fresh, platform, params, TODAY)
        assert orjson.dumps(no_rule.no_rule_decision(fresh, parsed, ENGLISH)) == _full_path(fresh, parsed, ENGLISH)
        assert orjson.dumps(no_rule.no_rule_check(fresh, parsed, ENGLISH)) == _full_check(fresh, parsed, ENGLISH)
    assert len(fresh.memo[no_rule.TEMPLATES]) == 1
    assert len(fresh.memo[no_rule.CHECK_TEMPLATES]) == 1


def _query(params: dict[str, str]) -> bytes:
    return "&".join(f"{k}={v}" for k, v in params.items()).encode()
