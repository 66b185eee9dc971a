"""Batch checks about a rule in force come from templates per class of question, and give byte for byte what the
engine and the rendering give."""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import product

import orjson
import pytest

from app.policy import parse_query, rules_apply
from app.policy.wording import Wording
from app.serving import rule_checks
from app.serving.caching import dumps
from tests.conftest import memo_free
from tests.serving.test_answers import service as service_on

TODAY = date(2026, 11, 29)
COUNTRIES = [None, "DE", "FR", "IT", "IE", "NO", "GB", "CH", "US", "JP", "BR"]


def _rule_questions(snapshot, count: int, seed: int):
    """Questions about rules in force, many to a class: a few pairs, many countries, days and situations."""
    rng = random.Random(seed)
    # A few pairs, two of them a platform's own training and third parties' decided apart.
    pairs = sorted(p for p, uses in snapshot.uses_by_pair.items() if len(uses) == 1)
    apart = sorted(p for p, uses in snapshot.uses_by_pair.items() if len(uses) > 1)
    pairs = rng.sample(pairs, 10) + rng.sample(apart, 2)
    start = date(2024, 1, 1)
    asked = 0
    while asked < count:
        platform, category = rng.choice(pairs)
        as_of = start + timedelta(days=rng.randrange(900))
        params = {"platform": platform, "category": category, "as_of": as_of.isoformat()}
        if (country := rng.choice(COUNTRIES)) is not None:
            params["country"] = country
        if rng.random() < 0.4:
            params["age"] = rng.choice([15, 17, 30])
        if rng.random() < 0.3:
            params["objected_on"] = (as_of - timedelta(days=rng.randrange(400))).isoformat()
        elif rng.random() < 0.2:
            params["objected"] = rng.random() < 0.5
        if rng.random() < 0.2:
            params["posted_on"] = (as_of - timedelta(days=rng.randrange(400))).isoformat()
        if rng.random() < 0.1:
            params["opted_in"] = rng.random() < 0.5
        elif rng.random() < 0.05:
            params["opted_in_on"] = (as_of - timedelta(days=rng.randrange(400))).isoformat()
        check = dict(params)
        parsed = _parsed(snapshot, check)
        if parsed is not None and rules_apply(snapshot, parsed.query):
            asked += 1
            yield check


def _parsed(snapshot, check, today=TODAY):
    params = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in check.items() if k != "platform"}
    try:
        return parse_query(snapshot, check["platform"], params, today)
    except Exception:  # a posted_on after as_of: not a question about a rule
        return None


def _full(service, snapshot, check, wording, today=TODAY) -> bytes:
    """The check's whole result as the engine and the rendering make it, without templates."""
    return dumps(service.full_check(snapshot, _parsed(snapshot, check, today), today, wording))


def _same_as_full(service, snapshot, check, wording) -> bool:
    """Ask a check through the service and compare it with the full path; return False (asking nothing) where it is
    not a question about a rule in force."""
    parsed = _parsed(snapshot, check)
    if parsed is None or not rules_apply(snapshot, parsed.query):
        return False
    got = orjson.dumps(service.check(snapshot, check, TODAY, wording))
    assert got == _full(service, snapshot, check, wording), check
    return True


def _kinds(snapshot) -> dict[str, int]:
    """Count the entries of the templates memo: templates, bases waiting for their check, classes refused."""
    counts = {"template": 0, "base": 0, "refused": 0}
    for value in snapshot.memo.get(rule_checks.RULE_CHECKS, {}).values():
        counts["template" if isinstance(value, tuple) else "refused" if value == b"" else "base"] += 1
    return counts


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_rule_check_from_its_template_is_byte_for_byte_the_full_path(seeded_snapshot, lang):
    snapshot = memo_free(seeded_snapshot)
    service = service_on(snapshot)
    wording = service.wording(snapshot, lang)
    sources = service.encoded_sources(snapshot)
    checks = list(_rule_questions(snapshot, 4000, seed=len(lang)))
    asked_engine = []
    decisions = service.decisions
    service.decisions = lambda *args: asked_engine.append(args) or decisions(*args)  # type: ignore[method-assign]
    from_engine = 0
    # Two days on which the questions are asked, in turn: the reviews' freshness differs between them.
    todays = [TODAY, date(2028, 1, 1)]
    for n, check in enumerate(checks):
        today = todays[n % 2]
        before = len(asked_engine)
        got = orjson.dumps(service.check(snapshot, check, today, wording, sources))
        from_engine += len(asked_engine) > before
        assert got == _full(service, snapshot, check, wording, today), (check, today)
    assert from_engine < 0.75 * len(checks), from_engine  # over a quarter came from templates (32 % with these seeds)
    kinds = _kinds(snapshot)
    # Templates were made and used: most classes met again were answered from one.
    assert kinds["template"] > 300, kinds
    assert kinds["refused"] == 0, kinds


def test_a_class_whose_result_names_a_value_otherwise_keeps_the_full_path(seeded_snapshot):
    # A result that names the month of its day besides the day itself: the template made from one question would
    # give a second one the first one's month. Its check fails, and every answer stays the full path's.
    snapshot = memo_free(seeded_snapshot)
    service = service_on(snapshot)
    wording = Wording("en")
    base = {"platform": "instagram", "category": "public-posts", "country": "DE", "objected": True}
    days = [date(2025, 9, 1) + timedelta(days=40 * k) for k in range(8)]
    answered = []
    for k, day in enumerate(days):
        check = {**base, "as_of": day.isoformat(), "country": ["DE", "FR"][k % 2]}
        parsed = _parsed(snapshot, check)

        def full(check=check, parsed=parsed, day=day) -> bytes:
            result = orjson.loads(_full(service, snapshot, check, wording))
            result["decision"]["summary"] += f" ({day:%B})"
            return orjson.dumps(result)

        got = orjson.dumps(rule_checks.rule_check(snapshot, parsed, wording, TODAY, full))
        assert got == full(), check
        answered.append(got)
    assert _kinds(snapshot) == {"template": 0, "base": 0, "refused": 1}
    assert len(set(answered)) == len(days)


def test_a_template_is_used_only_after_a_question_differing_in_every_hole_checked_it(seeded_snapshot):
    snapshot = memo_free(seeded_snapshot)
    service = service_on(snapshot)
    wording = Wording("en")
    calls = []

    def ask(country: str, as_of: str) -> bytes:
        check = {"platform": "instagram", "category": "public-posts", "country": country, "as_of": as_of}
        parsed = _parsed(snapshot, check)

        def full() -> bytes:
            calls.append(check)
            return _full(service, snapshot, check, wording)

        return orjson.dumps(rule_checks.rule_check(snapshot, parsed, wording, TODAY, full))

    ask("DE", "2025-09-01")  # the base
    ask("FR", "2025-09-01")  # the same day: cannot show the day's holes, so no check and no template
    assert _kinds(snapshot) == {"template": 0, "base": 1, "refused": 0}
    ask("DE", "2025-09-02")  # the same country: no check either
    assert _kinds(snapshot)["template"] == 0
    ask("FR", "2025-09-03")  # differs in both: checked, and the template kept
    assert _kinds(snapshot) == {"template": 1, "base": 0, "refused": 0}
    assert len(calls) == 4
    check = {"platform": "instagram", "category": "public-posts", "country": "IT", "as_of": "2025-10-07"}
    assert ask("IT", "2025-10-07") == _full(service, snapshot, check, wording)
    assert len(calls) == 4  # from the template: the engine was not asked


def test_a_rule_write_drops_the_templates_of_its_pair_only(seeded_snapshot):
    snapshot = memo_free(seeded_snapshot)
    service = service_on(snapshot)
    wording = Wording("en")
    pairs = [("instagram", "public-posts"), ("facebook", "public-posts")]
    for (platform, category), (k, country) in product(pairs, enumerate(["DE", "FR", "IT", "ES"])):
        check = {"platform": platform, "category": category, "country": country, "as_of": f"2025-09-0{k + 1}"}
        service.check(snapshot, check, TODAY, wording)
    memo = snapshot.memo[rule_checks.RULE_CHECKS]
    assert _kinds(snapshot)["template"] == 2
    rule = next(r for r in snapshot.rules.values() if (r.platform_id, r.category_id) == pairs[0])
    patched = snapshot.patched(snapshot.revision + 1, {rule.id: rule})
    kept = patched.memo[rule_checks.RULE_CHECKS]
    assert [key[0] for key in kept] == [pairs[1]]
    assert len(memo) == 2  # the old snapshot's memo is untouched


@pytest.mark.parametrize("change", ["add", "delete", "move in", "move out"])
def test_after_a_rule_write_the_pairs_answers_are_the_full_paths(seeded_snapshot, change):
    # Templates of a pair are made, then a rule of the pair is added, deleted, or moved in from or out to another
    # pair: the patched snapshot's answers about both pairs are what the full path gives on it.
    from dataclasses import replace

    snapshot = memo_free(seeded_snapshot)
    service = service_on(snapshot)
    wording = Wording("en")
    pairs = [("instagram", "public-posts"), ("facebook", "public-posts")]
    checks = [
        {"platform": platform, "category": category, "country": country, "as_of": f"2025-09-{k + 10}"}
        for platform, category in pairs
        for k, country in enumerate(["DE", "FR", "IT", "ES", "NL"])
    ]
    for check in checks:
        service.check(snapshot, check, TODAY, wording)
    assert _kinds(snapshot)["template"] == 2
    first = next(r for r in snapshot.rules.values() if (r.platform_id, r.category_id) == pairs[0])
    other = next(r for r in snapshot.rules.values() if (r.platform_id, r.category_id) == pairs[1])
    wide = {"effective_from": None, "effective_until": None, "jurisdiction": "GLOBAL", "posted_from": None}
    changed = {
        "add": {"extra": replace(first, id="extra", **wide)},
        "delete": {first.id: None},
        "move in": {other.id: replace(other, platform_id=pairs[0][0], category_id=pairs[0][1])},
        "move out": {first.id: replace(first, platform_id=pairs[1][0], category_id=pairs[1][1])},
    }[change]
    patched = snapshot.patched(snapshot.revision + 1, changed)
    untouched = [pairs[1]] if change in ("add", "delete") else []
    assert [key[0] for key in patched.memo.get(rule_checks.RULE_CHECKS, {})] == untouched
    for check in checks * 2:
        got = orjson.dumps(service.check(patched, check, TODAY, wording))
        assert got == _full(service, patched, check, wording), check


@pytest.mark.parametrize("lang", ["en", "de"])
def test_an_opt_in_rules_answers_follow_whether_and_when_the_user_opted_in(seeded_snapshot, lang):
    # The bundled opt-in rules: each question asked without opting in, having opted in, not having opted in, and
    # having opted in on a day, from several countries and days, so each situation's class gets a template.
    from app.policy.model import Treatment

    snapshot = memo_free(seeded_snapshot)
    service = service_on(snapshot)
    wording = service.wording(snapshot, lang)
    rules = [r for r in snapshot.rules.values() if r.treatment is Treatment.OPT_IN]
    assert len(rules) >= 5
    situations = [{}, {"opted_in": True}, {"opted_in": False}, {"opted_in_on": 30}]
    asked = 0
    for rule, (k, country), situation in product(rules, enumerate(COUNTRIES), situations):
        as_of = (rule.effective_from or date(2024, 1, 1)) + timedelta(days=200 + 3 * k)
        check = {"platform": rule.platform_id, "category": rule.category_id, "as_of": as_of.isoformat()}
        if country is not None:
            check["country"] = country
        for name, value in situation.items():
            check[name] = (as_of - timedelta(days=value)).isoformat() if name == "opted_in_on" else value
        asked += _same_as_full(service, snapshot, check, wording)
    assert asked > 100
    assert _kinds(snapshot)["template"] >= 10


def test_services_with_other_freshness_windows_keep_their_own_templates(seeded_snapshot):
    # Two services over one snapshot, one of which calls every review stale: neither is answered from the other's.
    snapshot = memo_free(seeded_snapshot)
    strict, lax = service_on(snapshot), service_on(snapshot)
    strict.review_max_days = 1
    wording = Wording("en")
    checks = [
        {"platform": "instagram", "category": "public-posts", "country": c, "as_of": f"2025-09-{k + 10}"}
        for k, c in enumerate(["DE", "FR", "IT", "ES", "NL", "AT"])
    ]
    for service in (lax, strict, lax, strict):
        for check in checks:
            got = orjson.loads(orjson.dumps(service.check(snapshot, check, TODAY, wording)))
            assert got["decision"]["stale"] is (service is strict)
    assert _kinds(snapshot)["template"] == 2


def test_template_refuses_a_base_whose_member_is_not_found_once():
    holes = {
        b"country": b'"DE"',
        b"jurisdictions": b'["DE","EU","EEA","GLOBAL"]',
        b"place": b"DE",
        b"as_of": b"2025-09-01",
        b"day": b"2025-09-01",
        b"revision": b"7",
    }
    head = b'{"status":200,"country":"DE","jurisdictions":["DE","EU","EEA","GLOBAL"],"as_of":"2025-09-01",'
    good = head + b'"dataset_revision":7,"decision":{"summary":"in DE on 2025-09-01, 100%"}}'
    template = rule_checks._template(rule_checks._Base(good, holes, 0))
    assert template is not None
    other = {
        **holes,
        b"country": b'"FR"',
        b"jurisdictions": b'["FR","EU","EEA","GLOBAL"]',
        b"place": b"FR",
        b"as_of": b"2025-09-02",
        b"day": b"2025-09-02",
    }
    assert template % other == good.replace(b"DE", b"FR").replace(b"2025-09-01", b"2025-09-02")
    twice = good.replace(b'"decision":{', b'"decision":{"country":"DE",')
    assert rule_checks._template(rule_checks._Base(twice, holes, 0)) is None


def test_a_full_memo_drops_the_bases_waiting_for_a_check_first(monkeypatch):
    monkeypatch.setattr(rule_checks, "LIMIT", 8)
    memo: dict[object, object] = {("t", k): b"template %d" % k for k in range(3)}
    memo.update({("b", k): rule_checks._Base(b"base", {}, 0) for k in range(5)})
    rule_checks._room(memo)
    assert sorted(memo) == [("t", 0), ("t", 1), ("t", 2)]  # the templates stay
    memo.update({("t", k): b"template %d" % k for k in range(3, 8)})
    rule_checks._room(memo)  # templates alone fill it: the classes met first go
    assert sorted(memo) == [("t", k) for k in range(4, 8)]


def test_a_memo_over_its_bytes_makes_room_at_its_next_count(monkeypatch):
    monkeypatch.setattr(rule_checks, "BUDGET", 10_000)
    monkeypatch.setattr(rule_checks, "COUNT_EVERY", 4)
    memo: dict[object, object] = {("t", k): b"x" * 3000 for k in range(3)}  # 9,000 bytes: under the budget
    rule_checks._room(memo)
    assert len(memo) == 3  # not counted (3 is no multiple of 4), and under it anyway
    memo[("b", 0)] = rule_checks._Base(b"y" * 2000, {}, 0)  # 11,000 bytes at a count of 4
    rule_checks._room(memo)
    # The base went; 9,000 bytes of templates are still over three quarters of the budget: the older half (of three,
    # one) goes too.
    assert sorted(memo) == [("t", 1), ("t", 2)]


def test_a_base_needs_hole_values_that_can_be_told_apart():
    # German days: "1. Mai 2025" stands inside "11. Mai 2025", so the two could not be told apart in a sentence.
    apart = {b"place": b"DE", b"day": b"11. Mai 2025", b"objected_on": b"2. Mai 2025", b"revision": b"3"}
    assert rule_checks._distinct(apart)
    assert not rule_checks._distinct({**apart, b"objected_on": b"1. Mai 2025"})
    assert rule_checks._distinct({**apart, b"country": b'"DE"'})  # members are found by their names, not compared
