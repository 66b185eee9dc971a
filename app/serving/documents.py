"""The contract's JSON documents for decisions: the answer's envelope, each decision, its platform and sources."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import orjson

from app.policy import Decision, ParsedQuery, Snapshot
from app.policy.index import bounded_memo
from app.policy.model import MemoKind, Source
from app.policy.wording import ENGLISH, Wording
from app.serving.caching import dumps


def render(
    decisions: tuple[Decision, ...],
    wording: Wording = ENGLISH,
    encoded_sources: Callable[[Decision], Any] | None = None,
) -> list[dict[str, Any]]:
    """Return decisions as the contract's JSON objects, with their sources encoded once where a memo is given."""
    return [render_decision(d, wording, None if encoded_sources is None else encoded_sources(d)) for d in decisions]


def envelope(snapshot: Snapshot, parsed: ParsedQuery, decisions: list[Any]) -> dict[str, Any]:
    """Return the response document around decisions already rendered (objects or encoded fragments)."""
    return {**_about(snapshot, parsed), "decisions": decisions}


def check_result(snapshot: Snapshot, parsed: ParsedQuery, decision: Any) -> dict[str, Any]:
    """Return one answered check of a batch: the envelope's fields around its one decision, under "decision"."""
    return {"status": 200, **_about(snapshot, parsed), "decision": decision}


def _about(snapshot: Snapshot, parsed: ParsedQuery) -> dict[str, Any]:
    """Return what an answer says about the question: its platform, country, jurisdictions, day and revision."""
    q = parsed.query
    return {
        "platform": platform_json(snapshot, q.platform_id),
        "country": q.country,
        "jurisdictions": parsed.jurisdictions,  # a tuple: orjson writes it as the list it stands for
        "as_of": q.as_of.isoformat(),
        "dataset_revision": snapshot.revision,
    }


PLATFORM_JSON = MemoKind("platform json")  # a platform's own fields: no rule write changes them


def platform_json(snapshot: Snapshot, platform_id: str) -> orjson.Fragment:
    """Return the platform object of an answer, encoded once per dataset of platforms (a rule write keeps it)."""
    memo = bounded_memo(snapshot, PLATFORM_JSON)  # one entry per platform of the snapshot
    found = memo.get(platform_id)
    if found is None:
        p = snapshot.platforms[platform_id]
        found = memo[platform_id] = orjson.Fragment(dumps({"id": p.id, "name": p.name, "operator": p.operator}))
    return found


def render_decision(d: Decision, wording: Wording = ENGLISH, sources: Any = None) -> dict[str, Any]:
    """Return one decision as the contract's JSON object, its summary and reasons worded in one language.

    `sources` may give the sources already encoded (an orjson Fragment), as the answer service keeps them.
    """
    rule = d.rule
    opt = d.opt_out
    if sources is None:
        sources = sources_json(d.sources)
    # Phrases are worded straight from the catalog: a decision has a dozen or more reasons.
    catalog = wording.catalog
    reasons = [catalog[r[0]](r[1], wording) for r in d.reasons]
    return {
        "category": d.category_id,
        "verdict": d.verdict.value,
        "used": d.used,
        "depends_on": list(d.depends_on),
        "summary": wording(d.summary),
        "reasons": reasons,
        "rule_id": rule.id if rule else None,
        "legal_basis": rule.legal_basis if rule else None,
        "effective_from": _iso(rule.effective_from) if rule else None,
        "effective_until": _iso(rule.effective_until) if rule else None,
        "confidence": rule.confidence.value if rule else None,
        "opt_out": None
        if opt is None
        else {
            "available": opt.available,
            "method": opt.method,
            "url": opt.url,
            "deadline": _iso(opt.deadline),
            "deadline_passed": opt.deadline_passed,
            "after_deadline": opt.after_deadline,
        },
        "reviewed_on": _iso(d.reviewed_on),
        "stale": d.stale,
        "sources": sources,
    }


def sources_json(sources: tuple[Source, ...]) -> list[dict[str, Any]]:
    """Return a decision's sources as the contract's JSON objects."""
    return [
        {
            "id": s.id,
            "title": s.title,
            "url": s.url,
            "publisher": s.publisher,
            "kind": s.kind,
            "published_on": s.published_on,
            "retrieved_on": s.retrieved_on.isoformat(),
            "quote": s.quote,
            "where": s.where,
        }
        for s in sources
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
