"""Reads of the change log: filtered lists for feeds, and the whole dataset as it was at an earlier revision."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, or_, select

from app.policy import model as pm
from app.policy import prepare
from app.store import records
from app.store.models import Change, DatasetRevision
from app.store.repository import rule_confidence, stored_revision

Key = tuple[str, str]


def changes(session: Session, *, upto: int, since_revision: int | None = None, resource: str | None = None,
            platform: str | None = None, limit: int = 100) -> list[Change]:
    """Return the newest changes up to a revision, filtered like GET /v1/changes, plus by platform."""
    where: list[ColumnElement[bool]] = [col(Change.revision) <= upto]
    if since_revision is not None:
        where.append(col(Change.revision) > since_revision)
    if resource is not None:
        where.append(col(Change.resource) == resource)
    if platform is not None:
        # A platform's own record, and the rules and deadlines that belonged to it before or after the change.
        where.append(or_(
            (col(Change.resource) == "platform") & (col(Change.resource_id) == platform),
            col(Change.before)["platform"].as_string() == platform,
            col(Change.after)["platform"].as_string() == platform,
        ))
    statement = (select(Change).where(*where).order_by(col(Change.revision).desc(), col(Change.seq).desc())
                 .limit(limit))
    return list(session.exec(statement).all())


def revision_time(session: Session) -> datetime:
    """Return when the dataset last changed (the revision row's time), as UTC."""
    at = session.exec(select(DatasetRevision.updated_at).where(DatasetRevision.id == 1)).one()
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def changes_of(session: Session, revision: int) -> list[Change]:
    """Return the changes one revision made, in the order they were applied."""
    return list(session.exec(select(Change).where(Change.revision == revision).order_by(col(Change.seq))).all())


def current_records(session: Session) -> dict[Key, records.Record]:
    """Return every stored record, keyed by (resource, key)."""
    return {(resource, record[records.ADAPTERS[resource].key]): record
            for resource, found in records.read_all(session).items() for record, _version in found}


def can_rebuild(session: Session, revision: int, current: int | None = None) -> bool:
    """Return whether the change log holds every revision after this one, so the dataset can be rebuilt."""
    current = stored_revision(session) if current is None else current
    if revision < 0 or revision > current:
        return False
    if revision == current:
        return True
    logged = session.exec(select(func.count(func.distinct(Change.revision)))
                          .where(Change.revision > revision, Change.revision <= current)).one()
    return logged == current - revision


def records_at(session: Session, revision: int, attempts: int = 5) -> dict[Key, records.Record] | None:
    """Return the dataset as it was at a revision, undoing newer changes; None if the log cannot rebuild it."""
    for _ in range(attempts):
        current = stored_revision(session)
        if not can_rebuild(session, revision, current):
            return None
        state = current_records(session)
        newer = session.exec(select(Change).where(Change.revision > revision)).all()
        if stored_revision(session) == current:  # no write landed between the reads
            break
        session.rollback()
    return undo(state, sorted(newer, key=lambda c: (c.revision, c.seq)))


def undo(state: dict[Key, records.Record], newer: Sequence[Change]) -> dict[Key, records.Record]:
    """Return the state before a sequence of changes (given oldest first) was applied to it."""
    state = dict(state)
    for change in reversed(newer):
        key = (change.resource, change.resource_id)
        if change.before is None:
            state.pop(key, None)
        else:
            state[key] = change.before
    return state


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _cited(citations: list[records.Record] | None) -> dict[str, Any]:
    citations = citations or []
    return {"source_ids": tuple(c["id"] for c in citations),
            "citations": tuple(pm.Citation(c["id"], c.get("quote"), c.get("where")) for c in citations)}


def snapshot_from_records(revision: int, recs: Mapping[Key, records.Record]) -> pm.Snapshot:
    """Build the engine's snapshot from records (an earlier revision the change log rebuilt), as load_snapshot does
    from rows."""
    by_kind: dict[str, list[records.Record]] = {}
    for (resource, _key), record in sorted(recs.items()):
        by_kind.setdefault(resource, []).append(record)
    sources = {s["id"]: pm.Source(id=s["id"], url=s["url"], title=s["title"], publisher=s["publisher"],
                                  retrieved_on=date.fromisoformat(s["retrieved_on"]),
                                  published_on=s.get("published_on"), quote=s.get("quote"),
                                  kind=s.get("kind") or "secondary")
               for s in by_kind.get("source", [])}
    weights = {s.id: (s.kind, s.publisher) for s in sources.values()}
    deadlines = {d["id"]: pm.Deadline(id=d["id"], platform_id=d["platform"], jurisdiction=d["jurisdiction"],
                                      kind=d["kind"], on=date.fromisoformat(d["on"]), summary=d["summary"],
                                      after=d.get("after"), **_cited(d.get("sources")))
                 for d in by_kind.get("deadline", [])}
    snapshot = pm.Snapshot(
        revision=revision,
        platforms={p["id"]: pm.Platform(id=p["id"], name=p["name"], operator=p["operator"], website=p.get("website"),
                                        privacy_policy_url=p.get("privacy_policy_url"))
                   for p in by_kind.get("platform", [])},
        categories={c["id"]: pm.Category(id=c["id"], name=c["name"], description=c.get("description") or "")
                    for c in by_kind.get("category", [])},
        jurisdictions={j["code"]: pm.Jurisdiction(code=j["code"], name=j["name"], kind=pm.JurisdictionKind(j["kind"]),
                                                  members=frozenset(j.get("members") or ()))
                       for j in by_kind.get("jurisdiction", [])},
        rules={r["id"]: _rule(r, deadlines, weights) for r in by_kind.get("rule", [])},
        deadlines=deadlines,
        sources=sources,
    )
    prepare(snapshot)
    return snapshot


def _rule(r: records.Record, deadlines: Mapping[str, pm.Deadline],
          weights: Mapping[str, tuple[str, str]]) -> pm.Rule:
    opt = r.get("opt_out")
    opt_out = None
    if opt:
        deadline = deadlines.get(opt.get("deadline") or "")
        opt_out = pm.OptOut(method=opt["method"], url=opt.get("url"),
                            late_objection=pm.LateObjection(opt.get("late_objection") or pm.LateObjection.NO_EFFECT),
                            deadline_id=opt.get("deadline"), deadline=deadline.on if deadline else None,
                            after_deadline=opt.get("after_deadline"))
    return pm.Rule(
        id=r["id"], platform_id=r["platform"], category_id=r["category"], jurisdiction=r["jurisdiction"],
        treatment=pm.Treatment(r["treatment"]), summary=r["summary"],
        confidence=rule_confidence(r.get("sources") or [], weights), **_cited(r.get("sources")),
        effective_from=_day(r.get("effective_from")), effective_until=_day(r.get("effective_until")),
        posted_from=_day(r.get("posted_from")), posted_until=_day(r.get("posted_until")), min_age=r.get("min_age"),
        legal_basis=r.get("legal_basis"), opt_out=opt_out, notes=tuple(r.get("notes") or ()),
        used_by=pm.UsedBy(r.get("used_by") or "platform"), under_age=pm.UnderAge(r.get("under_age") or "not_used"),
    )
