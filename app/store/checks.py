"""The check history: which sources to check with which quotes, and recording what `sources check` found."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from app.store.models import Deadline, DeadlineSource, Rule, RuleSource, Source, SourceCheck
from app.store.writes import Note, apply_changes
from app.watch.check import Citation, Outcome, Result, Target


def cited_quotes(session: Session) -> list[tuple[str, str, str | None]]:
    """Return (rule id, source id, quote) for every citation of a rule: the quote to look for on the page.

    The one query that says which quote belongs to a citation (each citation carries its own since issue 10).
    """
    stmt = select(RuleSource.rule_id, RuleSource.source_id, RuleSource.quote).order_by(
        RuleSource.source_id, RuleSource.rule_id
    )
    return [(rule_id, source_id, quote) for rule_id, source_id, quote in session.exec(stmt).all()]


def platform_source_ids(session: Session, platform_id: str) -> set[str]:
    """Return the ids of the sources a platform's rules and deadlines cite."""
    ruled = (
        select(RuleSource.source_id)
        .join(Rule, col(Rule.id) == RuleSource.rule_id)
        .where(Rule.platform_id == platform_id)
    )
    dated = (
        select(DeadlineSource.source_id)
        .join(Deadline, col(Deadline.id) == DeadlineSource.deadline_id)
        .where(Deadline.platform_id == platform_id)
    )
    return set(session.exec(ruled).all()) | set(session.exec(dated).all())


def targets(session: Session, source_ids: Iterable[str] | None = None) -> list[Target]:
    """Return the sources to check (all, or those named), in id order, with their citations and last text hash."""
    query = select(Source).order_by(Source.id)
    if source_ids is not None:
        query = query.where(col(Source.id).in_(list(source_ids)))
    sources = session.exec(query).all()
    citations: dict[str, list[Citation]] = {}
    for rule_id, source_id, quote in cited_quotes(session):
        citations.setdefault(source_id, []).append(Citation(rule_id, quote))
    ids = [s.id for s in sources]
    hashes = _last(session, ids, col(SourceCheck.text_hash).is_not(None))
    outcomes = _last(session, ids, SourceCheck.outcome != Outcome.UNREACHABLE.value)
    return [
        Target(
            s.id,
            s.url,
            s.archived_url,
            tuple(citations.get(s.id, ())),
            hashes[s.id].text_hash if s.id in hashes else None,
            outcomes[s.id].outcome if s.id in outcomes else None,
        )
        for s in sources
    ]


def _last(session: Session, source_ids: Sequence[str], condition: Any) -> dict[str, SourceCheck]:
    """Return each source's last check meeting the condition (its text left unloaded)."""
    latest = (
        select(func.max(SourceCheck.id))
        .where(condition, col(SourceCheck.source_id).in_(source_ids))
        .group_by(SourceCheck.source_id)
    )
    rows = session.exec(
        select(SourceCheck)
        .options(defer(SourceCheck.text))  # type: ignore[arg-type]
        .where(col(SourceCheck.id).in_(latest.scalar_subquery()))
    ).all()
    return {row.source_id: row for row in rows}


def record_checks(session: Session, results: Sequence[Result], *, at: datetime, actor: str) -> int:
    """Store every result; the findings that need review also go to the change log, bumping the revision once.

    Returns the dataset revision after the write.
    """
    from app.watch.text import compress

    for r in results:
        f = r.fetched
        session.add(
            SourceCheck(
                source_id=r.target.source_id,
                checked_at=at,
                url=r.target.url,
                status=f.status,
                final_url=f.final_url,
                redirects=[list(hop) for hop in f.redirects],
                outcome=r.outcome.value,
                finding=r.finding,
                text_hash=r.text_hash,
                quotes=r.quotes,
                error=f.error,
                text=compress(r.text) if r.text is not None and r.text_changed else None,
            )
        )
    notes = [
        Note(
            "source-check",
            r.target.source_id,
            {
                "outcome": r.outcome.value,
                "url": r.target.url,
                "final_url": r.fetched.final_url,
                "status": r.fetched.status,
                "checked_at": at.isoformat(),
                "rules": sorted({c.rule_id for c in r.target.citations}),
            },
        )
        for r in results
        if r.finding
    ]
    applied = apply_changes(session, [], actor=actor, notes=notes)
    session.commit()  # the history alone, when nothing needs review
    return applied.revision
