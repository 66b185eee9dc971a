"""Build small snapshots by hand for the engine's table tests; no database anywhere."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from worded import decide

from app.policy.model import (
    GLOBAL,
    BeforeStart,
    Category,
    Confidence,
    Deadline,
    Jurisdiction,
    JurisdictionKind,
    LateObjection,
    OptOut,
    Platform,
    Query,
    Rule,
    Snapshot,
    Source,
    Treatment,
)

EU = frozenset({"DE", "FR", "IE", "GR", "NL", "AT"})
EEA = EU | {"NO", "IS", "LI"}
COUNTRIES = sorted(EEA | {"GB", "CH", "US", "AU", "BR", "CA"})
CATEGORIES = (
    "public-posts",
    "public-comments",
    "public-media",
    "profile-info",
    "private-content",
    "private-messages",
    "group-content",
    "ai-interactions",
    "usage-data",
)

T = Treatment
COVERS = LateObjection.COVERS_LATER_POSTS
STOPS = LateObjection.STOPS_FUTURE_TRAINING
NO_EFFECT = LateObjection.NO_EFFECT


def d(text: str | None) -> date | None:
    """Return the date an ISO string names, passing None through."""
    return None if text is None else date.fromisoformat(text)


def opt_out(
    late: LateObjection = COVERS,
    deadline: str | None = None,
    deadline_id: str | None = None,
    method: str = "objection form",
    url: str | None = "https://example.test/object",
    before_start: BeforeStart = BeforeStart.KEEPS_ALL_OUT,
) -> OptOut:
    """Return an opt-out with test defaults."""
    return OptOut(
        method=method,
        late_objection=late,
        url=url,
        deadline_id=deadline_id,
        deadline=d(deadline),
        after_deadline="A later objection covers only newer content." if late is COVERS else None,
        objection_before_start=before_start,
    )


def rule(
    rule_id: str,
    platform: str,
    category: str,
    jurisdiction: str,
    treatment: Treatment,
    *,
    summary: str | None = None,
    start: str | None = None,
    until: str | None = None,
    posted_from: str | None = None,
    posted_until: str | None = None,
    **kw: Any,
) -> Rule:
    """Return a rule with test defaults; dates are ISO strings."""
    return Rule(
        id=rule_id,
        platform_id=platform,
        category_id=category,
        jurisdiction=jurisdiction,
        treatment=treatment,
        summary=summary or f"Summary of {rule_id}.",
        confidence=Confidence.HIGH,
        effective_from=d(start),
        effective_until=d(until),
        posted_from=d(posted_from),
        posted_until=d(posted_until),
        **kw,
    )


def jurisdictions() -> dict[str, Jurisdiction]:
    """Return the countries, the EU and EEA groups, and GLOBAL."""
    found = {c: Jurisdiction(c, c, JurisdictionKind.COUNTRY) for c in COUNTRIES}
    found["EU"] = Jurisdiction("EU", "European Union", JurisdictionKind.GROUP, EU)
    found["EEA"] = Jurisdiction("EEA", "European Economic Area", JurisdictionKind.GROUP, EEA)
    found[GLOBAL] = Jurisdiction(GLOBAL, "Worldwide", JurisdictionKind.GLOBAL)
    return found


def build(
    rules: Iterable[Rule],
    *,
    platforms: Iterable[str] = (),
    deadlines: Iterable[Deadline] = (),
    sources: Iterable[str] = (),
) -> Snapshot:
    """Return a snapshot holding the rules, their platforms, every category and the given sources."""
    rules = list(rules)
    platform_ids = dict.fromkeys([*platforms, *(r.platform_id for r in rules)])
    source_ids = dict.fromkeys([*sources, *(s for r in rules for s in r.source_ids)])
    for deadline in deadlines:
        source_ids.update(dict.fromkeys(deadline.source_ids))
    return Snapshot(
        revision=1,
        platforms={p: Platform(p, p.capitalize(), f"{p} Inc.") for p in platform_ids},
        categories={c: Category(c, c.replace("-", " ").capitalize()) for c in CATEGORIES},
        jurisdictions=jurisdictions(),
        rules={r.id: r for r in rules},
        deadlines={x.id: x for x in deadlines},
        sources={
            s: Source(s, f"https://example.test/{s}", f"Source {s}", "Publisher", date(2026, 11, 26))
            for s in source_ids
        },
    )


def query(
    platform: str,
    category: str,
    as_of: str,
    country: str | None = None,
    age: int | None = None,
    objected: bool | None = None,
    objected_on: str | None = None,
    posted_on: str | None = None,
    opted_in: bool | None = None,
    opted_in_on: str | None = None,
) -> Query:
    """Return a query; dates are ISO strings."""
    return Query(
        platform, category, d(as_of), country, age, objected, d(objected_on), d(posted_on), opted_in, d(opted_in_on)
    )


META_DEADLINE = Deadline(
    "meta-eu-objection",
    "instagram",
    "EEA",
    "objection",
    date(2025, 5, 26),
    "Object by 26 May 2025 to keep earlier public content out.",
    source_ids=("M2", "M17"),
)


def world_rules() -> list[Rule]:
    """Return rules modelled on the fact sheet: Meta, LinkedIn, X, Reddit, Gemini, Quora, Threads."""
    meta_opt = opt_out(COVERS, "2025-05-26", "meta-eu-objection")
    li_opt = opt_out(STOPS, method="Data for Generative AI Improvement setting")
    x_opt = opt_out(STOPS, method="Grok data-sharing setting")
    return [
        rule("ig-eea-pause", "instagram", "public-posts", "EEA", T.NOT_USED, start="2024-06-14", until="2025-05-26"),
        rule(
            "ig-eea-posts",
            "instagram",
            "public-posts",
            "EEA",
            T.OPT_OUT,
            start="2025-05-27",
            min_age=18,
            opt_out=meta_opt,
            source_ids=("M1", "M2"),
            legal_basis="legitimate-interest",
            summary="Used for training Meta AI since 2025-05-27 unless you objected; accounts under 18 are excluded.",
        ),
        rule(
            "ig-gb-posts",
            "instagram",
            "public-posts",
            "GB",
            T.OPT_OUT,
            start="2024-09-13",
            min_age=18,
            opt_out=opt_out(COVERS),
            source_ids=("U1",),
        ),
        rule("ig-us-posts", "instagram", "public-posts", "US", T.USED, min_age=18, source_ids=("A1",)),
        rule("ig-au-posts", "instagram", "public-posts", "AU", T.USED, min_age=18, source_ids=("A2",)),
        rule(
            "ig-eea-ai",
            "instagram",
            "ai-interactions",
            "EEA",
            T.USED,
            start="2025-05-27",
            source_ids=("M1",),
            notes=("The objection form covers public content, not chats with Meta AI.",),
        ),
        rule("ig-dm", "instagram", "private-messages", GLOBAL, T.NOT_USED, source_ids=("M1",)),
        rule("li-global", "linkedin", "profile-info", GLOBAL, T.OPT_OUT, start="2024-11-20", opt_out=li_opt),
        rule("li-eea-pause", "linkedin", "profile-info", "EEA", T.NOT_USED, start="2024-09-18", until="2025-11-02"),
        rule("li-ch-pause", "linkedin", "profile-info", "CH", T.NOT_USED, start="2024-09-18", until="2025-11-02"),
        rule("li-gb-pause", "linkedin", "profile-info", "GB", T.NOT_USED, start="2024-09-20", until="2025-11-02"),
        *(
            rule(
                f"li-{j.lower()}",
                "linkedin",
                "profile-info",
                j,
                T.OPT_OUT,
                start="2025-11-03",
                min_age=18,
                opt_out=li_opt,
                notes=("Non-generative uses such as ranking are not covered by the setting.",),
            )
            for j in ("EEA", "GB", "CH")
        ),
        rule("x-global", "x", "public-posts", GLOBAL, T.OPT_OUT, start="2024-05-01", opt_out=x_opt),
        rule(
            "x-eu-window",
            "x",
            "public-posts",
            "EEA",
            T.NOT_USED,
            start="2024-08-08",
            posted_from="2024-05-07",
            posted_until="2024-08-01",
            source_ids=("X1",),
        ),
        rule(
            "x-eu-inquiry",
            "x",
            "public-posts",
            "EEA",
            T.UNKNOWN,
            start="2025-04-11",
            source_ids=("X5",),
            summary="The DPC is investigating Grok training on EU/EEA public posts.",
        ),
        rule("reddit-posts", "reddit", "public-posts", GLOBAL, T.USED, start="2024-02-22", source_ids=("R1",)),
        rule("reddit-dm", "reddit", "private-messages", GLOBAL, T.NOT_USED),
        rule("gemini-chats", "gemini", "ai-interactions", GLOBAL, T.OPT_OUT, opt_out=opt_out(STOPS)),
        rule("gemini-live", "gemini", "usage-data", GLOBAL, T.OPT_IN, start="2025-08-01"),
        rule("quora-posts", "quora", "public-posts", GLOBAL, T.NOT_USED, opt_out=opt_out(NO_EFFECT)),
        rule("threads-eea", "threads", "public-posts", "EEA", T.UNKNOWN),
    ]


@pytest.fixture(scope="session")
def world() -> Snapshot:
    """Return the shared realistic snapshot."""
    return build(world_rules(), platforms=("nothing",), deadlines=(META_DEADLINE,))


@pytest.fixture
def decide_in(world: Snapshot):
    """Return a function that decides a query (given as keyword arguments) against the world snapshot."""

    def run(platform: str, category: str, as_of: str, **facts: Any):
        return decide(world, query(platform, category, as_of, **facts))

    return run


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """Return the builder helpers, for tests that make their own snapshots."""
    return SimpleNamespace(
        build=build,
        rule=rule,
        opt_out=opt_out,
        query=query,
        d=d,
        T=T,
        COVERS=COVERS,
        STOPS=STOPS,
        NO_EFFECT=NO_EFFECT,
        LATE_BEFORE_START=BeforeStart.LATE,
        world_rules=world_rules,
        META_DEADLINE=META_DEADLINE,
    )


@pytest.fixture(scope="module")
def tricky() -> Snapshot:
    """Windows, a late objection covering later posts and age limits, stacked in one chain."""
    r = rule
    return build(
        [
            r(
                "g",
                "tricky",
                "public-posts",
                GLOBAL,
                T.OPT_OUT,
                start="2024-06-01",
                min_age=16,
                opt_out=opt_out(COVERS, deadline="2024-06-30"),
            ),
            r(
                "eea-window",
                "tricky",
                "public-posts",
                "EEA",
                T.OPT_OUT,
                start="2024-03-01",
                posted_from="2024-02-01",
                posted_until="2024-04-30",
                opt_out=opt_out(NO_EFFECT),
                min_age=18,
            ),
            r(
                "eea-gap",
                "tricky",
                "public-posts",
                "EEA",
                T.NOT_USED,
                posted_from="2024-05-10",
                posted_until="2024-05-20",
            ),
            r("de", "tricky", "public-posts", "DE", T.UNKNOWN, until="2024-02-01"),
            r(
                "us",
                "tricky",
                "public-posts",
                "US",
                T.OPT_OUT,
                start="2024-07-01",
                posted_from="2024-07-01",
                opt_out=opt_out(COVERS),
            ),
            # Objection and posting day inside one span: only some posts after the window opened are covered.
            r(
                "ca",
                "tricky",
                "public-posts",
                "CA",
                T.OPT_OUT,
                start="2024-01-01",
                posted_from="2024-07-01",
                opt_out=opt_out(COVERS),
            ),
            r("ca-old", "tricky", "public-posts", "CA", T.NOT_USED),
        ]
    )
