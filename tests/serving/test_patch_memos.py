"""A rule write keeps the memos it cannot change, and the answers after it are those of a snapshot read whole."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.policy import answer, parse_query
from app.policy.engine import SOURCES
from app.policy.explain import NOTES
from app.policy.freshness import FRESHNESS
from app.policy.model import LateObjection, Rule, Snapshot, Treatment, UnderAge
from app.policy.worlds import ANALYSES
from app.serving.answers import ENCODED_SOURCES
from app.serving.documents import PLATFORM_JSON
from app.serving.holes import WORDED_DAYS
from app.serving.no_rule import TEMPLATES
from tests.conftest import memo_free
from tests.serving.test_answers import TODAY
from tests.serving.test_answers import service as service_on
from tests.serving.test_no_rule import _query

RULE = "instagram-eea-public-posts-2025"  # has notes, citations, an opt-out and a review
PLATFORMS = ("instagram", "facebook", "linkedin", "x")


def _questions(snapshot: Snapshot, count: int, seed: int):
    """Questions about the platforms' categories, with rules and without, over countries, days and situations."""
    rng = random.Random(seed)
    pairs = [(p, c) for p in PLATFORMS for c in snapshot.categories]
    countries = [None, "DE", "FR", "IE", "GB", "US", "BR"]
    for _ in range(count):
        platform, category = rng.choice(pairs)
        params = {"category": category, "as_of": (date(2023, 1, 1) + timedelta(days=rng.randrange(1460))).isoformat()}
        if (country := rng.choice(countries)) is not None:
            params["country"] = country
        if rng.random() < 0.5:
            params["age"] = str(rng.choice([15, 17, 30]))
        if rng.random() < 0.4:
            params["objected_on"] = (date(2024, 1, 1) + timedelta(days=rng.randrange(700))).isoformat()
        yield platform, params


def _about_the_rule(count: int, seed: int):
    """Questions about the changed rule's own platform, category and countries, every fact its answer turns on."""
    rng = random.Random(seed)
    for _ in range(count):
        as_of = date(2025, 1, 1) + timedelta(days=rng.randrange(640))
        params = {"category": "public-posts", "country": rng.choice(["DE", "FR", "IE"]), "as_of": as_of.isoformat()}
        if rng.random() < 0.7:
            params["age"] = str(rng.choice([15, 17, 30]))
        if rng.random() < 0.6:
            params["objected_on"] = (date(2025, 1, 1) + timedelta(days=rng.randrange(640))).isoformat()
        if rng.random() < 0.5:
            params["posted_on"] = (
                date(2024, 6, 1) + timedelta(days=rng.randrange((as_of - date(2024, 6, 1)).days))
            ).isoformat()
        yield "instagram", params


def _answers(snapshot: Snapshot, questions: list[tuple[str, dict[str, str]]]) -> list[bytes]:
    """Every way the service answers the questions: single, in German, whole platforms, and as one batch."""
    service = service_on(snapshot)
    out = []
    for platform, params in questions:
        out.append(service.single(platform, _query(params), "/x").body)
        out.append(service.single(platform, _query({**params, "lang": "de"}), "/x").body)
    for platform in PLATFORMS:
        out.append(service.single(platform, b"country=DE&as_of=2025-09-01", "/x").body)
    out.append(service.batch([{"platform": platform, **params} for platform, params in questions]))
    return out


def _read_whole(snapshot: Snapshot) -> Snapshot:
    """Return the snapshot's dataset as a full read builds it: every index derived, no memo."""
    return Snapshot(
        revision=snapshot.revision,
        platforms=snapshot.platforms,
        categories=snapshot.categories,
        jurisdictions=snapshot.jurisdictions,
        rules=dict(snapshot.rules),
        deadlines=snapshot.deadlines,
        sources=snapshot.sources,
    )


def _undated(rule: Rule) -> Rule:
    """Return the rule with an opt-out but no deadline: an objection then counts before the rule starts."""
    assert rule.opt_out is not None
    return replace(rule, opt_out=replace(rule.opt_out, deadline=None, deadline_id=None))


def _other_category(snapshot: Snapshot) -> str:
    return next(c for c in snapshot.categories if ("instagram", c) not in snapshot.uses_by_pair)


# Rule writes that change what each kind of memo holds, each made of the rule and the snapshot before it.
CHANGES: dict[str, Callable[[Rule, Snapshot], dict[str, Rule | None]]] = {
    "notes": lambda r, _: {r.id: replace(r, notes=(*r.notes, "A note only the new revision has."))},
    "quotes": lambda r, _: {r.id: replace(r, citations=tuple(replace(c, quote="New words.") for c in r.citations))},
    "sources": lambda r, _: {r.id: replace(r, source_ids=r.source_ids[1:], citations=r.citations[1:])},
    "review": lambda r, _: {r.id: replace(r, reviewed_on=date(2020, 1, 1))},
    "treatment": lambda r, _: {r.id: replace(r, treatment=Treatment.NOT_USED, opt_out=None)},
    # One field of a rule's behaviour each, which together key the shared analyses.
    "age": lambda r, _: {r.id: replace(r, min_age=16)},
    "under age": lambda r, _: {r.id: replace(r, under_age=UnderAge.UNKNOWN)},
    "posted from": lambda r, _: {r.id: replace(r, posted_from=date(2025, 1, 1))},
    "posted until": lambda r, _: {r.id: replace(r, posted_until=date(2025, 12, 31))},
    "deadline": lambda r, _: {r.id: replace(r, opt_out=replace(r.opt_out, deadline=date(2025, 8, 1)))},
    "late objections": lambda r, _: {
        r.id: replace(r, opt_out=replace(r.opt_out, late_objection=LateObjection.UNKNOWN))
    },
    # From the rule without a deadline (SETUP), so that only its start decides.
    "starts": lambda r, _: {r.id: replace(r, effective_from=date(2025, 3, 1))},
    "deleted": lambda r, _: {r.id: None},
    "created": lambda r, s: {"instagram-new": replace(r, id="instagram-new", category_id=_other_category(s))},
}
SETUP = {"starts": _undated}  # the rule as it stands before a change, where the dataset's own will not do


@pytest.mark.parametrize("change", list(CHANGES))
def test_answers_after_a_rule_write_are_those_of_a_full_read(seeded_snapshot, change):
    before = memo_free(seeded_snapshot)
    if change in SETUP:
        before = memo_free(before.patched(before.revision, {RULE: SETUP[change](before.rules[RULE])}))
    questions = [*_questions(before, 300, seed=31), *_about_the_rule(200, seed=32)]
    _answers(before, questions)  # every memo warm, the changed rule's entries included
    patched = before.patched(before.revision + 1, CHANGES[change](before.rules[RULE], before))
    assert _answers(patched, questions) == _answers(_read_whole(patched), questions)


def test_a_rule_write_shares_the_memos_that_rest_on_no_rules_and_drops_entries_of_the_changed_rule(seeded_snapshot):
    before = memo_free(seeded_snapshot)
    _answers(before, list(_questions(before, 300, seed=37)))
    for kind in (ANALYSES, TEMPLATES, WORDED_DAYS, PLATFORM_JSON, NOTES, SOURCES, FRESHNESS, ENCODED_SOURCES):
        assert before.memo.get(kind), kind  # the questions filled every kind
    rule = before.rules[RULE]
    patched = before.patched(before.revision + 1, {RULE: replace(rule, notes=("Changed.",))})
    for kind in (ANALYSES, TEMPLATES, WORDED_DAYS, PLATFORM_JSON):
        assert patched.memo[kind] is before.memo[kind], kind
    for kind in (NOTES, SOURCES, FRESHNESS, ENCODED_SOURCES):
        kept, had = patched.memo[kind], before.memo[kind]
        assert any(RULE in kind.rule_ids(key) for key in had), kind  # type: ignore[misc]
        assert kept is not had and kept, kind  # a memo of its own, with the entries of other rules
        assert all((RULE in kind.rule_ids(key)) is (key not in kept) for key in had), kind  # type: ignore[misc]
    # The patched snapshot's answers use the new notes, not the kept ones of the old rule.
    parsed = parse_query(patched, "instagram", {"category": "public-posts", "country": "DE"}, TODAY)
    (decision,) = answer(patched, parsed)
    assert any(reason.params.get("text") == "Changed." for reason in decision.reasons)
