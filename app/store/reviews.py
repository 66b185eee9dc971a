"""The review queue: rules whose sources changed since a person last checked them, and recording such checks."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from app.store.models import Rule, RuleReview, RuleSource, Source, SourceCheck
from app.store.writes import Applied, Note, NotFound, apply_changes

REVIEW_OUTCOMES = ("confirmed", "changed")
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


@dataclass
class QueueItem:
    """A rule in the review queue, each flagged source with the diff of its main text since the review."""

    rule_id: str
    reviewed_on: date | None
    sources: list[dict[str, Any]] = field(default_factory=list)


def freshness(session: Session, rule_ids: list[str] | None = None) -> dict[str, Freshness]:
    """Return every rule's freshness (or the named rules'), with one query per table."""
    rules = session.exec(select(Rule.id, Rule.reviewed_on)).all()
    cited: dict[str, list[str]] = {}
    for rule_id, source_id in session.exec(select(RuleSource.rule_id, RuleSource.source_id)).all():
        cited.setdefault(rule_id, []).append(source_id)
    sources = {s.id: s for s in session.exec(select(Source)).all()}
    reviews = dict(session.exec(select(RuleReview.rule_id, func.max(RuleReview.reviewed_at))
                                .group_by(RuleReview.rule_id)).all())
    findings: dict[str, list[SourceCheck]] = {}
    for check in session.exec(select(SourceCheck).options(defer(SourceCheck.text))  # type: ignore[arg-type]
                              .where(SourceCheck.finding == True).order_by(SourceCheck.id)).all():  # noqa: E712
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
        flags = [Flag(c.source_id, sources[c.source_id].url if c.source_id in sources else c.url, c.outcome,
                      c.checked_at, c.status, c.final_url, c.error)
                 for s in ids for c in findings.get(s, []) if c.checked_at > since]
        out[rule_id] = Freshness(day, since, _latest_per_source(flags))
    return out


def _latest_per_source(flags: list[Flag]) -> tuple[Flag, ...]:
    latest: dict[str, Flag] = {}
    for flag in flags:
        latest[flag.source_id] = flag
    return tuple(latest.values())


def queue(session: Session, rule_ids: list[str] | None = None) -> list[QueueItem]:
    """Return the rules that need review, by id, each flagged source with a unified diff since the review."""
    found = {rule_id: f for rule_id, f in freshness(session, rule_ids).items() if f.flags}
    texts = _texts(session, {flag.source_id for f in found.values() for flag in f.flags})
    items = []
    for rule_id in sorted(found):
        f = found[rule_id]
        item = QueueItem(rule_id, f.reviewed_on)
        for flag in f.flags:
            item.sources.append({
                "source": flag.source_id, "url": flag.url, "outcome": flag.outcome,
                "checked_at": flag.checked_at.isoformat().replace("+00:00", "Z"), "status": flag.status,
                "final_url": flag.final_url, "error": flag.error,
                "diff": _diff(flag.source_id, texts.get(flag.source_id, []), f.since),
            })
        items.append(item)
    return items


def _texts(session: Session, source_ids: set[str]) -> dict[str, list[tuple[datetime, bytes]]]:
    """Return the stored main texts of these sources, oldest first."""
    out: dict[str, list[tuple[datetime, bytes]]] = {}
    rows = session.exec(select(SourceCheck.source_id, SourceCheck.checked_at, SourceCheck.text)
                        .where(col(SourceCheck.source_id).in_(source_ids), col(SourceCheck.text).is_not(None))
                        .order_by(SourceCheck.id)).all()
    for source_id, checked_at, text in rows:
        out.setdefault(source_id, []).append((checked_at, text))
    return out


def _diff(source_id: str, texts: list[tuple[datetime, bytes]], since: datetime) -> str:
    """Return the unified diff from the text in force at the review (else the first kept) to the newest."""
    from app.watch.text import decompress

    if not texts:
        return ""
    before = [t for t in texts if t[0] <= since]
    old, new = (before[-1] if before else texts[0]), texts[-1]
    lines = difflib.unified_diff(decompress(old[1]).splitlines(), decompress(new[1]).splitlines(),
                                 fromfile=f"{source_id} {old[0].date().isoformat()}",
                                 tofile=f"{source_id} {new[0].date().isoformat()}", lineterm="")
    return "\n".join(lines)


def record_review(session: Session, rule_id: str, outcome: str, note: str | None, *, at: datetime,
                  actor: str) -> tuple[RuleReview, Applied]:
    """Record a person's review of a rule; it leaves the queue, and the review goes to the change log."""
    if session.get(Rule, rule_id) is None:
        raise NotFound(f"rule {rule_id!r} does not exist")
    flags = freshness(session, [rule_id])[rule_id].flags
    review = RuleReview(rule_id=rule_id, reviewed_at=at, outcome=outcome, note=note, actor=actor)
    session.add(review)
    applied = apply_changes(session, [], actor=actor, notes=[Note("review", rule_id, {
        "rule": rule_id, "outcome": outcome, "note": note, "reviewed_at": at.isoformat().replace("+00:00", "Z"),
        "sources": [{"source": f.source_id, "outcome": f.outcome} for f in flags],
    })])
    session.refresh(review)
    return review, applied
