"""Reads of the stored dataset for the engine: load_snapshot reads all of it, load_rules what a write changed."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from app.policy import model as pm
from app.policy.confidence import support
from app.store import freshness, models, records


def load_snapshot(session: Session) -> pm.Snapshot:
    """Read the whole dataset at one revision into an immutable snapshot."""
    revision = session.exec(select(models.DatasetRevision.revision)).one()
    members = records.members_by_group(session)
    deadline_sources = records.links_by_owner(session, models.DeadlineSource, "deadline_id")
    sources = {
        s.id: pm.Source(
            id=s.id,
            url=s.url,
            title=s.title,
            publisher=s.publisher,
            retrieved_on=s.retrieved_on,
            published_on=s.published_on,
            quote=s.quote,
            kind=s.kind,
        )
        for s in records.table_rows(session, models.Source, "id")
    }
    weights = {s.id: (s.kind, s.publisher) for s in sources.values()}
    deadlines = {
        d.id: pm.Deadline(
            id=d.id,
            platform_id=d.platform_id,
            jurisdiction=d.jurisdiction_code,
            kind=d.kind,
            on=d.on,
            summary=d.summary,
            after=d.after,
            replaces=d.replaces_id,
            **cited(deadline_sources.get(d.id, [])),
        )
        for d in records.table_rows(session, models.Deadline, "id")
    }
    return pm.Snapshot(
        revision=revision,
        platforms={
            p.id: pm.Platform(
                id=p.id, name=p.name, operator=p.operator, website=p.website, privacy_policy_url=p.privacy_policy_url
            )
            for p in records.table_rows(session, models.Platform, "id")
        },
        categories={
            c.id: pm.Category(id=c.id, name=c.name, description=c.description)
            for c in records.table_rows(session, models.DataCategory, "id")
        },
        jurisdictions={
            j.code: pm.Jurisdiction(
                code=j.code, name=j.name, kind=pm.JurisdictionKind(j.kind), members=frozenset(members.get(j.code, ()))
            )
            for j in records.table_rows(session, models.Jurisdiction, "code")
        },
        rules=_all_rules(session, pm.in_force(deadlines), weights),
        deadlines=deadlines,
        sources=sources,
    )


def _all_rules(
    session: Session, deadlines: Mapping[str, pm.Deadline], weights: Mapping[str, tuple[str, str]]
) -> dict[str, pm.Rule]:
    """Read every rule, a chunk at a time with its citations, in id order."""
    rules: dict[str, pm.Rule] = {}
    shared: dict[Any, Any] = {}  # equal citations, opt-outs and notes: one object for every rule repeating them
    # Freshness in one go: per chunk it took a fifth longer to load 100,000 rules, for no less resident memory.
    fresh = freshness.freshness(session)
    for rows in records.table_chunks(session, models.Rule, "id"):
        ids = [r.id for r in rows]
        links = records.links_by_owner(session, models.RuleSource, "rule_id", ids)
        for r in rows:
            rule = _rule(r, links.get(r.id, []), deadlines, weights, fresh.get(r.id), shared)
            rules[rule.id] = rule
    return rules


def cited(citations: list[records.Record], shared: dict[Any, Any] | None = None) -> dict[str, Any]:
    """Return the source_ids and citations fields of a rule or deadline; equal ones already in `shared` are reused."""
    source_ids = tuple(sys.intern(c["id"]) for c in citations)
    cites = tuple(pm.Citation(sys.intern(c["id"]), _text(c["quote"]), _text(c["where"])) for c in citations)
    return {"source_ids": _shared(source_ids, shared), "citations": _shared(cites, shared)}


def _shared(value: Any, shared: dict[Any, Any] | None) -> Any:
    """Return the object equal to `value` kept in `shared` (adding it if none is): immutable values of many rules."""
    return value if shared is None or value is None else shared.setdefault(value, value)


def _text(value: str | None) -> str | None:
    """Keep equal text once: the catalog copy interns the same strings, and many rules repeat ids and quotes."""
    return sys.intern(value) if value is not None else None


@lru_cache(maxsize=4096)
def _day(value: date | None) -> date | None:
    """Return one shared object per day (rules repeat a few hundred days)."""
    return value


def rule_confidence(citations: list[records.Record], sources: Mapping[str, tuple[str, str]]) -> pm.Confidence:
    """Derive a rule's confidence from its quoted citations and the (kind, publisher) of each source."""
    return support((*sources[c["id"]], c["quote"] is not None) for c in citations if c["id"] in sources).confidence


def _rule(
    row: models.Rule,
    citations: list[records.Record],
    deadlines: Mapping[str, pm.Deadline],  # in force in the place of each id (pm.in_force)
    weights: Mapping[str, tuple[str, str]],
    fresh: freshness.Freshness | None = None,
    shared: dict[Any, Any] | None = None,
    kept: pm.Rule | None = None,
) -> pm.Rule:
    """Return the engine's rule for a row; `kept`, the rule as it was, gives its freshness instead of `fresh`."""
    opt_out = None
    if row.opt_out_method is not None:
        deadline = deadlines.get(row.opt_out_deadline_id) if row.opt_out_deadline_id else None
        opt_out = pm.OptOut(
            method=row.opt_out_method,
            url=row.opt_out_url,
            late_objection=pm.LateObjection(row.late_objection or pm.LateObjection.NO_EFFECT),
            deadline_id=deadline.id if deadline else row.opt_out_deadline_id,
            deadline=deadline.on if deadline else None,
            after_deadline=row.after_deadline,
            objection_before_start=pm.BeforeStart(row.objection_before_start or pm.BeforeStart.KEEPS_ALL_OUT),
        )
    return pm.Rule(
        id=sys.intern(row.id),
        platform_id=sys.intern(row.platform_id),
        category_id=sys.intern(row.category_id),
        jurisdiction=sys.intern(row.jurisdiction_code),
        treatment=pm.Treatment(row.treatment),
        summary=sys.intern(row.summary),
        confidence=rule_confidence(citations, weights),
        **cited(citations, shared),
        effective_from=_day(row.effective_from),
        effective_until=_day(row.effective_until),
        posted_from=_day(row.posted_from),
        posted_until=_day(row.posted_until),
        min_age=row.min_age,
        legal_basis=_text(row.legal_basis),
        opt_out=_shared(opt_out, shared),
        notes=_shared(tuple(sys.intern(n) for n in row.notes or ()), shared),
        used_by=pm.UsedBy(row.used_by),
        under_age=pm.UnderAge(row.under_age),
        not_opted_in=pm.NotOptedIn(row.not_opted_in),
        reviewed_on=kept.reviewed_on if kept else fresh.reviewed_on if fresh else row.reviewed_on,
        findings=kept.findings if kept else _findings(fresh),
        recorded_reviewed_on=row.reviewed_on,
    )


def _findings(fresh: freshness.Freshness | None) -> tuple[pm.Finding, ...]:
    return tuple(pm.Finding(f.source_id, f.outcome, f.checked_at.date()) for f in fresh.flags) if fresh else ()


PATCH_LIMIT = 500  # past this many changed records, reading everything again is as cheap as patching


# Built once, run on the session's connection: each write and each reload runs them, and building a statement and
# going through the ORM cost more CPU than the database's answer (0.4 against 0.2 ms a query, measured).
_CHANGE = models.Change.__table__.c  # type: ignore[attr-defined]
_CHANGED = (
    core_select(_CHANGE.resource, _CHANGE.resource_id)
    .where(_CHANGE.revision > bindparam("since"), _CHANGE.revision <= bindparam("until"))
    .limit(PATCH_LIMIT + 1)
)
_REVISION = models.DatasetRevision.__table__.c  # type: ignore[attr-defined]
_STORED_REVISION = core_select(_REVISION.revision).where(_REVISION.id == 1)


def changed_since(session: Session, revision: int, until: int) -> dict[str, set[str]] | None:
    """Return the ids of the records each resource changed in revisions (revision, until], from the change log;
    None when there are more than PATCH_LIMIT of them."""
    rows = session.connection().execute(_CHANGED, {"since": revision, "until": until}).all()
    if len(rows) > PATCH_LIMIT:
        return None
    changed: dict[str, set[str]] = {}
    for resource, resource_id in rows:
        changed.setdefault(resource, set()).add(resource_id)
    return changed


@dataclass(frozen=True)
class WrittenRules:
    """The rules one write stored, as it stored them: their rows (None: deleted) and citations, by id."""

    revision: int  # the write's revision
    rows: dict[str, models.Rule | None]
    links: dict[str, list[records.Record]]


@dataclass(frozen=True)
class ChangedRules:
    """The rules a write changed, read once for both copies: the engine's rules and the catalog's records."""

    since: int  # the revision they were changed after
    revision: int  # the revision they were read at
    rules: dict[str, pm.Rule | None]  # every named id: the engine's rule, None where it was deleted
    records: dict[str, tuple[records.Record, int]]  # the rules that exist, as the catalog keeps them

    def merged(self, other: ChangedRules) -> ChangedRules:
        """Return these rules and another set read against the same snapshot at the same revision, these first."""
        assert (other.since, other.revision) == (self.since, self.revision)
        return ChangedRules(self.since, self.revision, {**other.rules, **self.rules}, {**other.records, **self.records})


def load_rules(session: Session, ids: Iterable[str], snapshot: pm.Snapshot, revision: int) -> ChangedRules:
    """Read the named rules as load_snapshot would, against a snapshot's deadlines and sources; None: deleted."""
    wanted = sorted(ids)
    links = records.links_by_owner(session, models.RuleSource, "rule_id", wanted)
    rows = session.exec(select(models.Rule).where(col(models.Rule.id).in_(wanted))).all()
    changed = _changed_rules(session, wanted, rows, links, snapshot, revision)
    assert changed is not None  # with a session, freshness is read where it must be
    return changed


def written_rules(written: WrittenRules, snapshot: pm.Snapshot) -> ChangedRules | None:
    """Return the rules a write stored, as load_rules would read them, without reading; None where one of them
    rests on another review or other sources than before, whose freshness only the database knows."""
    rows = [row for row in written.rows.values() if row is not None]
    return _changed_rules(None, sorted(written.rows), rows, written.links, snapshot, written.revision)


def _changed_rules(
    session: Session | None,
    wanted: list[str],
    rows: Sequence[models.Rule],
    links: Mapping[str, list[records.Record]],
    snapshot: pm.Snapshot,
    revision: int,
) -> ChangedRules | None:
    cited = {rule_id: [c["id"] for c in citations] for rule_id, citations in links.items()}
    # Only the sources these rules cite: a write's cost must not grow with the dataset.
    sources = snapshot.sources
    cited_sources = (sources.get(source_id) for source_id in {s for ids in cited.values() for s in ids})
    weights = {s.id: (s.kind, s.publisher) for s in cited_sources if s is not None}
    # A snapshot is patched only when nothing but rules changed since it was read (serving.cache.PATCHED): no review,
    # source check or source. So a rule whose own reviewed_on and cited sources are as they were is as fresh as it
    # was, and is not weighed again (three queries; most edits change a note, a summary or a date).
    kept = {r.id: old for r in rows if (old := snapshot.rules.get(r.id)) is not None and _same_freshness(old, r, cited)}
    weigh = [r for r in rows if r.id not in kept]
    fresh: dict[str, freshness.Freshness] = {}
    if weigh:
        if session is None:
            return None
        fresh = freshness.freshness(
            session,
            [r.id for r in weigh],
            known=([(r.id, r.reviewed_on) for r in weigh], {r.id: cited.get(r.id, []) for r in weigh}),
        )
    deadlines = pm.in_force(snapshot.deadlines)  # a few hundred at most: not worth keeping
    found = {
        r.id: _rule(r, links.get(r.id, []), deadlines, weights, fresh.get(r.id), kept=kept.get(r.id)) for r in rows
    }
    rules = {rule_id: found.get(rule_id) for rule_id in wanted}
    return ChangedRules(snapshot.revision, revision, rules, records.rule_records(rows, links))


def _same_freshness(old: pm.Rule, row: models.Rule, cited: Mapping[str, list[str]]) -> bool:
    """Return whether a rule row rests on what its rule in the snapshot rested on: reviewed_on and cited sources."""
    return old.recorded_reviewed_on == row.reviewed_on and list(old.source_ids) == cited.get(row.id, [])


def stored_revision(session: Session) -> int:
    """Return the stored dataset revision (one indexed row read)."""
    return int(session.connection().execute(_STORED_REVISION).scalar_one())
