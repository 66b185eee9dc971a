"""A batch's plain checks are answered straight from their fields, and give byte for byte what the full path gives;
checks in any other spelling, or not valid, are left to the full path."""

from __future__ import annotations

import random
from datetime import date, timedelta

import orjson
import pytest

from app.policy import ParsedQuery, QueryError, parse_query, rules_apply
from app.serving.answers import check_params
from app.serving.plain_checks import PLAIN_FIELDS, plain_checks
from tests.conftest import memo_free
from tests.serving.test_answers import service as service_on

TODAY = date(2026, 11, 29)
COUNTRIES = [None, "DE", "FR", "IE", "NO", "GB", "US", "JP", "BR", "IN", "AU"]


def _checks(snapshot, count: int, seed: int) -> list[dict[str, str]]:
    """Checks over every platform and category, many of them plain, some in other spellings or not valid."""
    rng = random.Random(seed)
    platforms, categories = sorted(snapshot.platforms), sorted(snapshot.categories)
    start = date(2023, 1, 1)
    out = []
    for _ in range(count):
        day = start + timedelta(days=rng.randrange(1460))
        check = {"platform": rng.choice(platforms), "category": rng.choice(categories), "as_of": day.isoformat()}
        if (country := rng.choice(COUNTRIES)) is not None:
            check["country"] = country
        if rng.random() < 0.4:
            check["age"] = rng.choice(["15", "17", "40", "150"])
        for name in ("objected_on", "posted_on", "opted_in_on"):
            if rng.random() < 0.2:
                check[name] = (day - timedelta(days=rng.randrange(-30, 400))).isoformat()  # posted_on may be after
        if rng.random() < 0.1:  # as_of left out: today
            del check["as_of"]
        out.append(check)
    return out


def _odd(check: dict[str, str], rng: random.Random) -> dict[str, object]:
    """Return the check in a spelling the lane leaves to the full path (valid or not)."""
    odd = dict(check)
    field, value = rng.choice(
        [
            ("country", "de"),
            ("country", " DE"),
            ("country", "UK"),  # an alias of GB
            ("country", "EU"),  # a group, not a country
            ("country", "XX"),
            ("age", " 25"),
            ("age", "025"),
            ("age", "151"),
            ("age", 25),
            ("age", True),
            ("as_of", "2025-6-1"),
            ("as_of", "2025-02-30"),
            ("objected", "yes"),
            ("objected", False),
            ("opted_in", True),
            ("posted_on", "tomorrow"),
            ("platform", ["instagram"]),
            ("category", {"id": "public-posts"}),
            ("notes", "x"),
        ]
    )
    odd[field] = value
    return odd


def _full(service, snapshot, check, wording, sources) -> bytes:
    """The check's whole result as AnswerService.check gives it, the lane aside."""
    return orjson.dumps(service.check(snapshot, check, TODAY, wording, sources))


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_lane_gives_what_the_full_path_gives_and_leaves_the_rest(seeded_snapshot, lang):
    snapshot = memo_free(seeded_snapshot)
    service = service_on(snapshot)
    wording = service.wording(snapshot, lang)
    sources = service.encoded_sources(snapshot)
    rng = random.Random(len(lang))
    checks = _checks(snapshot, 6000, seed=len(lang))
    for check in checks[:3000]:  # the full path first makes the templates the lane reads
        _full(service, snapshot, check, wording, sources)
    lane = plain_checks(snapshot, TODAY, wording)
    answered = parsed = left = 0
    for check in checks[3000:]:
        got = lane(check)
        full = _full(service, snapshot, check, wording, sources)
        if isinstance(got, ParsedQuery):
            # A rule is in force: the parsed question is parse_query's, and the service answers it as the full path.
            assert got == parse_query(snapshot, check["platform"], _params(check), TODAY), check
            assert rules_apply(snapshot, got.query)
            assert orjson.dumps(service.rule_check(snapshot, got, TODAY, wording, sources)) == full, check
            parsed += 1
        elif got is not None:
            assert orjson.dumps(got) == full, check
            answered += 1
        else:
            left += 1
        odd = _odd(check, rng)
        assert lane(odd) is None, odd  # another spelling, a bad value or another field: the full path's
        if "country" not in check and got is not None and not isinstance(got, ParsedQuery):
            # null is read as left out, on both paths
            assert orjson.dumps(lane({**check, "country": None})) == full
    # Most plain checks are answered by the lane; those it leaves are valid checks the full path answers otherwise
    # (posted_on after as_of, a template not made yet) or refuses.
    assert answered > 0.6 * 3000 and parsed > 0.05 * 3000, (answered, parsed, left)
    assert left < 0.2 * 3000, left


def _params(check: dict[str, str]) -> dict[str, str]:
    params = check_params(check)
    params.pop("platform")
    return params


def test_a_check_the_lane_leaves_is_refused_or_answered_by_the_full_path(seeded_snapshot):
    snapshot = memo_free(seeded_snapshot)
    lane = plain_checks(snapshot, TODAY, service_on(snapshot).wording(snapshot, "en"))
    base = {"platform": "instagram", "category": "public-posts", "country": "DE", "as_of": "2025-09-01"}
    assert isinstance(lane(base), ParsedQuery)  # a rule in force
    for bad in ({"age": "151"}, {"posted_on": "2025-09-02"}, {"objected_on": "2025-13-01"}, {"country": "EU"}):
        assert lane({**base, **bad}) is None
        with pytest.raises(QueryError):
            parse_query(snapshot, "instagram", _params({**base, **bad}), TODAY)
    assert lane([base]) is None and lane("instagram") is None
    assert lane({**base, "extra": "1"}) is None and "extra" not in PLAIN_FIELDS


def test_a_pair_without_a_template_yet_is_left_to_the_full_path(seeded_snapshot):
    snapshot = memo_free(seeded_snapshot)
    service = service_on(snapshot)
    wording = service.wording(snapshot, "en")
    platform, category = next(
        (p, c)
        for p in sorted(snapshot.platforms)
        for c in sorted(snapshot.categories)
        if (p, c) not in snapshot.uses_by_pair
    )
    check = {"platform": platform, "category": category, "country": "DE", "as_of": "2025-09-01"}
    lane = plain_checks(snapshot, TODAY, wording)
    assert lane(check) is None  # no template made for the pair yet
    full = _full(service, snapshot, check, wording, service.encoded_sources(snapshot))  # makes it
    assert orjson.dumps(lane(check)) == full
    other_day = {**check, "as_of": "2024-02-29", "country": "FR"}
    assert orjson.dumps(lane(other_day)) == _full(service, snapshot, other_day, wording, None)


def test_a_rule_write_keeps_the_lanes_templates_and_each_answer_names_its_own_revision(seeded_snapshot):
    snapshot = memo_free(seeded_snapshot)
    service = service_on(snapshot)
    wording = service.wording(snapshot, "en")
    checks = _checks(snapshot, 400, seed=7)
    for check in checks:  # the full path makes the templates
        _full(service, snapshot, check, wording, None)
    before = plain_checks(snapshot, TODAY, wording)
    answered = [(check, got) for check in checks if (got := before(check)) is not None]
    assert len(answered) > 200
    patched = snapshot.patched(snapshot.revision + 1, {})  # as a rule write elsewhere patches it
    after = plain_checks(patched, TODAY, wording)
    for check, got in answered:
        again = after(check)
        if isinstance(got, ParsedQuery):
            assert again == got
            continue
        result = orjson.loads(orjson.dumps(again))
        assert result["dataset_revision"] == patched.revision, check  # filled in, not kept from the template
        assert orjson.dumps(again) == _full(service, patched, check, wording, None), check
