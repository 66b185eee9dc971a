"""The review queue: rules whose sources changed since a person last checked them, and recording such checks."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.store.errors import NotFound
from app.store.freshness import freshness
from app.store.models import Rule, RuleReview, SourceCheck
from app.store.paging import held
from app.store.writes import Applied, Note, apply_changes

REVIEW_OUTCOMES = ("confirmed", "changed")


@dataclass
class QueueItem:
    """A rule in the review queue, each flagged source with the diff of its main text since the review."""

    rule_id: str
    reviewed_on: date | None
    sources: list[dict[str, Any]] = field(default_factory=list)


def queue(session: Session, rule_ids: list[str] | None = None) -> list[QueueItem]:
    """Return the rules that need review, by id, each flagged source with a unified diff since the review."""
    found = {rule_id: f for rule_id, f in freshness(session, rule_ids).items() if f.flags}
    texts = _texts(session, {flag.source_id for f in found.values() for flag in f.flags})
    items = []
    for rule_id in sorted(found):
        f = found[rule_id]
        item = QueueItem(rule_id, f.reviewed_on)
        for flag in f.flags:
            item.sources.append(
                {
                    "source": flag.source_id,
                    "url": flag.url,
                    "outcome": flag.outcome,
                    "checked_at": flag.checked_at.isoformat().replace("+00:00", "Z"),
                    "status": flag.status,
                    "final_url": flag.final_url,
                    "error": flag.error,
                    "diff": _diff(flag.source_id, texts.get(flag.source_id, []), f.since),
                }
            )
        items.append(item)
    return items


def _texts(session: Session, source_ids: set[str]) -> dict[str, list[tuple[datetime, bytes]]]:
    """Return the stored main texts of these sources, oldest first."""
    out: dict[str, list[tuple[datetime, bytes]]] = {}
    rows = session.exec(
        select(SourceCheck.source_id, SourceCheck.checked_at, SourceCheck.text)
        .where(col(SourceCheck.source_id).in_(source_ids), col(SourceCheck.text).is_not(None))
        .order_by(col(SourceCheck.id))
    ).all()
    for source_id, checked_at, text in rows:
        if text is not None:
            out.setdefault(source_id, []).append((checked_at, text))
    return out


def _diff(source_id: str, texts: list[tuple[datetime, bytes]], since: datetime) -> str:
    """Return the unified diff from the text in force at the review (else the first kept) to the newest."""
    from app.watch.text import decompress

    if not texts:
        return ""
    before = [t for t in texts if t[0] <= since]
    old, new = (before[-1] if before else texts[0]), texts[-1]
    lines = difflib.unified_diff(
        decompress(old[1]).splitlines(),
        decompress(new[1]).splitlines(),
        fromfile=f"{source_id} {old[0].date().isoformat()}",
        tofile=f"{source_id} {new[0].date().isoformat()}",
        lineterm="",
    )
    return "\n".join(lines)


def record_review(
    session: Session,
    rule_id: str,
    outcome: str,
    note: str | None,
    *,
    at: datetime,
    actor: str,
    key_id: str | None = None,
) -> tuple[RuleReview, Applied]:
    """Record a person's review of a rule; it leaves the queue, and the review goes to the change log (as the API
    key `key_id`, when given: see apply_changes)."""
    if session.get(Rule, rule_id) is None:
        raise NotFound(f"rule {rule_id!r} does not exist")
    flags = freshness(session, [rule_id])[rule_id].flags
    review = RuleReview(rule_id=rule_id, reviewed_at=at, outcome=outcome, note=note, actor=actor)
    session.add(review)
    applied = apply_changes(
        session,
        [],
        actor=actor,
        key_id=key_id,
        notes=[
            Note(
                "review",
                rule_id,
                {
                    "rule": rule_id,
                    "outcome": outcome,
                    "note": note,
                    "reviewed_at": at.isoformat().replace("+00:00", "Z"),
                    "sources": [{"source": f.source_id, "outcome": f.outcome} for f in flags],
                },
            )
        ],
    )
    session.refresh(review)
    return review, applied


def reviews_of(
    session: Session, rule_id: str, *, up_to_id: int | None = None, offset: int = 0, limit: int = 100
) -> tuple[int | None, int, list[RuleReview]]:
    """Return the newest review id the page is held to (up_to_id, else the newest now; None if there is none), how
    many reviews of the rule there are up to it, and one page of them, newest first."""
    found = held(session, col(RuleReview.id), [col(RuleReview.rule_id) == rule_id], up_to_id)
    if found is None:
        return None, 0, []
    statement = select(RuleReview).where(*found.where).order_by(col(RuleReview.id).desc()).offset(offset).limit(limit)
    return found.up_to, found.total, list(session.exec(statement).all())
