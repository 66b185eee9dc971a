"""How fresh each rule is: its last review, and what source checks found since (read-only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from app.store.models import Rule, RuleReview, RuleSource, Source, SourceCheck

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Flag:
    """A check that found something new in a source a rule cites, after the rule's last review."""

    source_id: str
    url: str
    outcome: str
    checked_at: datetime
    status: int | None
    final_url: str | None
    error: str | None


@dataclass(frozen=True)
class Freshness:
    """When a rule was last reviewed (dataset day or a later review) and what was found since."""

    reviewed_on: date | None
    since: datetime  # findings after this instant need review
    flags: tuple[Flag, ...] = ()


def freshness(
    session: Session,
    rule_ids: list[str] | None = None,
    *,
    known: tuple[list[tuple[str, date | None]], dict[str, list[str]]] | None = None,
) -> dict[str, Freshness]:
    """Return every rule's freshness (or the named rules'), with one query per table.

    `known` gives the named rules' (id, reviewed_on) and their cited source ids when the caller has read them
    already (a write's patch), which saves two queries.
    """
    # Named rules (a write's) read only their own rows: a write's cost must not grow with the dataset.
    rule_query = select(Rule.id, col(Rule.reviewed_on))
    link_query = select(RuleSource.rule_id, RuleSource.source_id)
    review_query = select(RuleReview.rule_id, func.max(RuleReview.reviewed_at)).group_by(RuleReview.rule_id)
    if rule_ids is not None:
        rule_query = rule_query.where(col(Rule.id).in_(rule_ids))
        link_query = link_query.where(col(RuleSource.rule_id).in_(rule_ids))
        review_query = review_query.where(col(RuleReview.rule_id).in_(rule_ids))
    rules: Sequence[tuple[str, date | None]]
    cited: dict[str, list[str]] = {}
    if known is not None:
        rules, cited = known
    else:
        rules = session.exec(rule_query).all()
        for rule_id, source_id in session.exec(link_query).all():
            cited.setdefault(rule_id, []).append(source_id)
    source_query = select(Source)
    check_query = (
        select(SourceCheck)
        .options(defer(SourceCheck.text))  # type: ignore[arg-type]
        .where(col(SourceCheck.finding).is_(True))
        .order_by(col(SourceCheck.id))
    )
    if rule_ids is not None:
        source_ids = sorted({s for ids in cited.values() for s in ids})
        source_query = source_query.where(col(Source.id).in_(source_ids))
        check_query = check_query.where(col(SourceCheck.source_id).in_(source_ids))
    sources = {s.id: s for s in session.exec(source_query).all()}
    reviews = dict(session.exec(review_query).all())
    findings: dict[str, list[SourceCheck]] = {}
    for check in session.exec(check_query).all():
        findings.setdefault(check.source_id, []).append(check)
    out: dict[str, Freshness] = {}
    wanted = set(rule_ids) if rule_ids is not None else None
    for rule_id, reviewed_on in rules:
        if wanted is not None and rule_id not in wanted:
            continue
        ids = cited.get(rule_id, [])
        # A rule without its own reviewed_on was reviewed when its newest source was read.
        day = reviewed_on or max((sources[s].retrieved_on for s in ids if s in sources), default=None)
        since = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) if day else EPOCH
        last = reviews.get(rule_id)
        if last is not None and last > since:
            since, day = last, max(day or last.date(), last.date())
        flags = [
            Flag(
                c.source_id,
                sources[c.source_id].url if c.source_id in sources else c.url,
                c.outcome,
                c.checked_at,
                c.status,
                c.final_url,
                c.error,
            )
            for s in ids
            for c in findings.get(s, [])
            if c.checked_at > since
        ]
        out[rule_id] = Freshness(day, since, _latest_per_source(flags))
    return out


def _latest_per_source(flags: list[Flag]) -> tuple[Flag, ...]:
    latest: dict[str, Flag] = {}
    for flag in flags:
        latest[flag.source_id] = flag
    return tuple(latest.values())
