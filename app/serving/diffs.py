"""Which answers changed: between two revisions of the dataset (an edit), or between two days (the calendar)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.policy import QueryError, answer, parse_query, prepare
from app.policy import model as pm
from app.serving.documents import render_decision
from app.store.repository import cited, rule_confidence

Key = tuple[str, str]
Record = dict[str, Any]
# The members of a decision that state the answer. Its summary, reasons and sources explain it (and name the day
# asked about, so they differ from one day to the next even when the answer does not).
ANSWER_FIELDS = (
    "verdict",
    "used",
    "depends_on",
    "rule_id",
    "legal_basis",
    "effective_from",
    "effective_until",
    "confidence",
    "opt_out",
)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def snapshot_from_records(revision: int, recs: Mapping[Key, Record]) -> pm.Snapshot:
    """Build the engine's snapshot from dataset records (as the change log rebuilds an earlier revision)."""
    by_kind: dict[str, list[Record]] = {}
    for (resource, _key), record in recs.items():
        by_kind.setdefault(resource, []).append(record)
    weights = {s["id"]: (s.get("kind") or "secondary", s["publisher"]) for s in by_kind.get("source", [])}
    retrieved = {s["id"]: date.fromisoformat(s["retrieved_on"]) for s in by_kind.get("source", [])}
    deadlines = {
        d["id"]: pm.Deadline(
            id=d["id"],
            platform_id=d["platform"],
            jurisdiction=d["jurisdiction"],
            kind=d["kind"],
            on=date.fromisoformat(d["on"]),
            summary=d["summary"],
            after=d.get("after"),
            replaces=d.get("replaces"),
            **cited(_citations(d.get("sources"))),
        )
        for d in sorted(by_kind.get("deadline", []), key=lambda r: r["id"])
    }
    in_force = pm.in_force(deadlines)
    snapshot = pm.Snapshot(
        revision=revision,
        platforms={
            p["id"]: pm.Platform(
                id=p["id"],
                name=p["name"],
                operator=p["operator"],
                website=p.get("website"),
                privacy_policy_url=p.get("privacy_policy_url"),
            )
            for p in sorted(by_kind.get("platform", []), key=lambda r: r["id"])
        },
        categories={
            c["id"]: pm.Category(id=c["id"], name=c["name"], description=c.get("description") or "")
            for c in sorted(by_kind.get("category", []), key=lambda r: r["id"])
        },
        jurisdictions={
            j["code"]: pm.Jurisdiction(
                code=j["code"],
                name=j["name"],
                kind=pm.JurisdictionKind(j["kind"]),
                members=frozenset(j.get("members") or ()),
            )
            for j in sorted(by_kind.get("jurisdiction", []), key=lambda r: r["code"])
        },
        rules={
            r["id"]: _rule(r, in_force, weights, retrieved)
            for r in sorted(by_kind.get("rule", []), key=lambda r: r["id"])
        },
        deadlines=deadlines,
        sources={
            s["id"]: pm.Source(
                id=s["id"],
                url=s["url"],
                title=s["title"],
                publisher=s["publisher"],
                retrieved_on=date.fromisoformat(s["retrieved_on"]),
                published_on=s.get("published_on"),
                quote=s.get("quote"),
                kind=s.get("kind") or "secondary",
            )
            for s in sorted(by_kind.get("source", []), key=lambda r: r["id"])
        },
    )
    prepare(snapshot)
    return snapshot


def _citations(items: Iterable[Any] | None) -> list[Record]:
    """Return citations as mappings (id, quote, where); a bare source id is a citation without a quote."""
    return [c if isinstance(c, dict) else {"id": c, "quote": None, "where": None} for c in items or ()]


def _rule(
    r: Record,
    deadlines: Mapping[str, pm.Deadline],
    weights: Mapping[str, tuple[str, str]],
    retrieved: Mapping[str, date],
) -> pm.Rule:
    opt = r.get("opt_out")
    opt_out = None
    if opt:
        deadline = deadlines.get(opt.get("deadline") or "")
        opt_out = pm.OptOut(
            method=opt["method"],
            url=opt.get("url"),
            late_objection=pm.LateObjection(opt.get("late_objection") or pm.LateObjection.NO_EFFECT),
            deadline_id=deadline.id if deadline else opt.get("deadline"),
            deadline=deadline.on if deadline else None,
            after_deadline=opt.get("after_deadline"),
            objection_before_start=pm.BeforeStart(opt.get("objection_before_start") or pm.BeforeStart.KEEPS_ALL_OUT),
        )
    return pm.Rule(
        id=r["id"],
        platform_id=r["platform"],
        category_id=r["category"],
        jurisdiction=r["jurisdiction"],
        treatment=pm.Treatment(r["treatment"]),
        summary=r["summary"],
        confidence=rule_confidence(_citations(r.get("sources")), weights),
        **cited(_citations(r.get("sources"))),
        effective_from=_day(r.get("effective_from")),
        effective_until=_day(r.get("effective_until")),
        posted_from=_day(r.get("posted_from")),
        posted_until=_day(r.get("posted_until")),
        min_age=r.get("min_age"),
        legal_basis=r.get("legal_basis"),
        opt_out=opt_out,
        notes=tuple(r.get("notes") or ()),
        used_by=pm.UsedBy(r.get("used_by") or "platform"),
        under_age=pm.UnderAge(r.get("under_age") or "not_used"),
        not_opted_in=pm.NotOptedIn(r.get("not_opted_in") or "not_used"),
        # As the store does: a rule without its own review day was reviewed when its newest source was read. Source
        # checks are not records, so a rebuilt rule has no findings (answer events leave freshness out).
        reviewed_on=_day(r.get("reviewed_on"))
        or max((retrieved[c["id"]] for c in _citations(r.get("sources")) if c["id"] in retrieved), default=None),
    )


@dataclass(frozen=True)
class Interest:
    """The answers one subscription follows; None means every platform, category or country."""

    platforms: frozenset[str] | None
    categories: frozenset[str] | None
    countries: frozenset[str] | None

    def covers(self, platform: str, category: str, country: str) -> bool:
        """Return whether this subscription follows the answer for this platform, category and country."""
        return all(
            wanted is None or value in wanted
            for wanted, value in ((self.platforms, platform), (self.categories, category), (self.countries, country))
        )


@dataclass(frozen=True)
class Changed:
    """One answer that changed: for what, and the decision before and after (None where there was none)."""

    platform: str
    category: str
    country: str
    before: Record | None
    after: Record | None


def decision(snapshot: pm.Snapshot, platform: str, category: str, country: str, day: date) -> Record | None:
    """Return the decision the API gives for this question on this day, or None if the question is invalid."""
    params = {"category": category, "country": country, "as_of": day.isoformat()}
    try:
        parsed = parse_query(snapshot, platform, params, day)
    except QueryError:
        return None
    return render_decision(answer(snapshot, parsed)[0])


def _core(found: Record | None) -> tuple[str, ...] | None:
    return None if found is None else tuple(repr(found.get(name)) for name in ANSWER_FIELDS)


def changed_answers(
    before: pm.Snapshot,
    after: pm.Snapshot,
    day_before: date,
    day_after: date,
    interests: Iterable[Interest],
    platforms: Iterable[str] | None = None,
) -> list[Changed]:
    """Return the followed answers that differ between (before, day_before) and (after, day_after).

    `platforms` limits the search to the platforms a change could touch (None: all).
    """
    interests = list(interests)
    candidates = set(before.platforms) | set(after.platforms) if platforms is None else set(platforms)
    countries = sorted(
        code
        for code, j in {**before.jurisdictions, **after.jurisdictions}.items()
        if j.kind is pm.JurisdictionKind.COUNTRY
    )
    categories = sorted(set(before.categories) | set(after.categories))
    out = []
    for platform in sorted(candidates):
        wanted = [i for i in interests if i.platforms is None or platform in i.platforms]
        if not wanted:
            continue
        for category in categories:
            if not any(i.categories is None or category in i.categories for i in wanted):
                continue
            for country in countries:
                if not any(i.covers(platform, category, country) for i in wanted):
                    continue
                old = decision(before, platform, category, country, day_before)
                new = decision(after, platform, category, country, day_after)
                if _core(old) != _core(new):
                    out.append(Changed(platform, category, country, old, new))
    return out


def platforms_with_boundaries(snapshot: pm.Snapshot, day: date) -> set[str]:
    """Return the platforms whose rules or deadlines start, end or fall due between yesterday and this day."""
    near = {day - timedelta(days=1), day}
    found = set()
    for rule in snapshot.rules.values():
        dates = {
            rule.effective_from,
            rule.effective_until,
            rule.posted_from,
            rule.posted_until,
            rule.opt_out.deadline if rule.opt_out else None,
        }
        if dates & near:
            found.add(rule.platform_id)
    found.update(d.platform_id for d in snapshot.deadlines.values() if d.on in near)
    return found
