"""Checks a write must pass against the stored data: record shape, references, overlaps, referrers."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import CompoundSelect, bindparam, literal, tuple_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.dataset.checks import path_text
from app.dataset.files import describe_error
from app.dataset.invariants import (
    on_aggregators_alone,
    other_platforms_deadline,
    references,
    replaces_loop,
    rules_overlap,
)
from app.store import models, records
from app.store.errors import InvalidRecord
from app.store.registry import KINDS, SECTION_KINDS


def validate_record(resource: str, record: records.Record, *, key: str) -> records.Record:
    """Return the record in canonical JSON form, or raise InvalidRecord naming each bad field."""
    model = KINDS[resource].record
    key_field = records.ADAPTERS[resource].key
    record = {key_field: key, **record}
    if str(record[key_field]) != key:
        raise InvalidRecord(
            f"{key_field} {record[key_field]!r} does not match the path's {key!r}",
            errors=[{"field": key_field, "message": "does not match the id in the path"}],
        )
    try:
        parsed = model.model_validate(record)
    except ValidationError as exc:
        errors = [{"field": _field_of(err, model, key_field), "message": describe_error(err)} for err in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise InvalidRecord(f"invalid {resource}: {detail}", errors=errors) from None
    dumped = parsed.model_dump(mode="json")
    return {name: dumped.get(name) for name in records.FIELDS[resource]}


def _field_of(err: ErrorDetails, model: type[BaseModel], key_field: str) -> str:
    """Return the field an error is about: its location, or for a check of the whole record the field it names
    (the later of two dates out of order, a field it says is missing), else the key."""
    located = ".".join(str(p) for p in err["loc"])
    if located:
        return located
    named = (err.get("ctx") or {}).get("last") or err["type"]
    return named if named in model.model_fields else key_field


def check_references(
    session: Session, resource: str, record: records.Record, seen: dict[tuple[str, str], str | None] | None = None
) -> None:
    """Raise InvalidRecord, before anything is stored, if a record refers to something missing.

    `seen` remembers, for one write, each referenced key's kind (None: missing), so a large import looks each
    one up once.
    """
    seen = {} if seen is None else seen
    _raise_if([{"field": f, "message": m} for f, m in _references(session, resource, record, seen)])
    if resource == "rule":
        _raise_if(_aggregators_alone(record, seen))


def references_kept(resource: str, before: records.Record, after: records.Record) -> bool:
    """Return whether an update leaves a record's references (and a rule's treatment) as they were stored.

    Such an update cannot break them: what it refers to existed when the record was stored, and nothing it refers to
    can be deleted while it does (referrers); so a note's or a summary's edit skips the lookup under the revision
    lock.
    """
    section = KINDS[resource].section
    if resource == "rule" and before.get("treatment") != after.get("treatment"):
        return False
    return _referenced(section, before) == _referenced(section, after)


def _referenced(section: str, record: records.Record) -> list[tuple[str, str]]:
    return [(target, key) for _, target, key in references(section, record)]


def _aggregators_alone(record: records.Record, seen: dict[tuple[str, str], str | None]) -> list[dict[str, str]]:
    """Refuse a decided rule whose every cited source is an aggregator (contract v1.1).

    The kinds come from `seen`: _references has just looked every cited source up.
    """
    kinds = (seen.get(("source", citation["id"])) for citation in record.get("sources") or [])
    if not on_aggregators_alone(record.get("treatment") or "", kinds):
        return []
    return [
        {
            "field": "sources",
            "message": f"a {record['treatment']} rule cannot rest on aggregators alone; cite a "
            "primary source or independent publishers, or make it unknown with the "
            "reason",
        }
    ]


def demotes_to_aggregator(resource: str, before: records.Record | None, after: records.Record) -> bool:
    """Return whether a write makes a stored source an aggregator: the decided rules citing it need checking again."""
    return (
        resource == "source"
        and before is not None
        and before.get("kind") != "aggregator"
        and after.get("kind") == "aggregator"
    )


def check_aggregator_support(session: Session, keys: list[str]) -> None:
    """Raise InvalidRecord if, once the whole write is applied, a decided rule citing one of these sources (each just
    made an aggregator) cites aggregators alone: the check a rule's own write makes (contract v1.1), from the other
    side."""
    R, RS, S = models.Rule, models.RuleSource, models.Source
    other = select(RS.rule_id).join(S, col(S.id) == col(RS.source_id)).where(col(S.kind) != "aggregator")
    query = (
        select(RS.source_id, R.id)
        .join(R, col(R.id) == col(RS.rule_id))
        .where(col(RS.source_id).in_(keys), R.treatment != "unknown", col(R.id).not_in(other))
        .order_by(col(RS.source_id), col(R.id))
    )
    stranded: dict[str, list[str]] = {}
    for source_id, rule_id in session.exec(query).all():
        stranded.setdefault(source_id, []).append(rule_id)
    _raise_if(
        [
            {
                "field": "kind",
                "message": f"source {source_id!r} cannot become an aggregator: the decided "
                f"rule{'s' if len(rules) > 1 else ''} {', '.join(repr(r) for r in rules)} would rest on "
                "aggregators alone; cite a primary source or independent publishers there, or make "
                f"{'them' if len(rules) > 1 else 'it'} unknown with the reason",
            }
            for source_id, rules in stranded.items()
        ]
    )


def leaves_countries(resource: str, before: records.Record | None, after: records.Record) -> bool:
    """Return whether a write makes a stored country a group or GLOBAL: the groups listing it must not."""
    return resource == "jurisdiction" and before is not None and before.get("kind") == "country" != after.get("kind")


def check_members(session: Session, keys: list[str]) -> None:
    """Raise InvalidRecord if, once the whole write is applied, a group still lists one of these former countries
    as a member: the check a group's own write makes (members are countries), from the other side."""
    M = models.JurisdictionMember
    listed: dict[str, list[str]] = {}
    query = select(M.country_code, M.group_code).where(col(M.country_code).in_(keys))
    for code, group in session.exec(query.order_by(col(M.country_code), col(M.group_code))).all():
        listed.setdefault(code, []).append(group)
    _raise_if(
        [
            {
                "field": "kind",
                "message": f"{code!r} is a member of {', '.join(repr(g) for g in groups)}, whose members are "
                "countries: take it out of them first, or in the same write",
            }
            for code, groups in listed.items()
        ]
    )


def may_loop_anew(resource: str, before: records.Record | None, after: records.Record) -> bool:
    """Return whether a write gives a deadline a new `replaces`: its chain must not lead back to it."""
    return (
        resource == "deadline"
        and after.get("replaces") is not None
        and (before or {}).get("replaces") != after.get("replaces")
    )


def check_chains(session: Session, keys: list[str]) -> None:
    """Raise InvalidRecord if, once the whole write is applied, a written deadline's chain of replaced deadlines
    leads back to it (the dataset files' check, app/dataset/checks.py): an export would not load again."""
    D = models.Deadline
    # Every link, in one query: deadlines are few, and a chain is followed without a query a step.
    replaces = dict(session.exec(select(D.id, D.replaces_id).where(col(D.replaces_id).is_not(None))).all())
    loops = [loop for key in keys if (loop := replaces_loop(key, replaces)) is not None]
    _raise_if(
        [{"field": "replaces", "message": f"replaces goes round in a loop: {' -> '.join(loop)}"} for loop in loops]
    )


def deadline_may_cross(resource: str, before: records.Record | None, after: records.Record) -> bool:
    """Return whether a written deadline can make a reference to a deadline cross platforms: it replaces one anew,
    or moves to another platform (while it replaces one, or a deadline or rule of its platform names it)."""
    if resource != "deadline":
        return False
    moved = before is not None and before.get("platform") != after.get("platform")
    return moved or (after.get("replaces") is not None and (before or {}).get("replaces") != after.get("replaces"))


def rule_may_cross(resource: str, before: records.Record | None, after: records.Record) -> bool:
    """Return whether a written rule can name another platform's deadline: it names one anew, or moves."""
    named = (after.get("opt_out") or {}).get("deadline") if resource == "rule" else None
    if named is None:
        return False
    return (
        before is None
        or before.get("platform") != after.get("platform")
        or ((before.get("opt_out") or {}).get("deadline") != named)
    )


def check_deadline_platforms(session: Session, keys: list[str]) -> None:
    """Raise InvalidRecord if, once the whole write is applied, one of these deadlines replaces another platform's,
    or is replaced or named by a deadline or rule of another platform (the dataset files' check too): another
    platform's deadline would move this one's answers, or set its opt-outs' date."""
    D = models.Deadline
    replaced = models.Deadline.__table__.alias("replaced")  # type: ignore[attr-defined]
    problems: list[dict[str, str]] = []
    crossing = session.connection().execute(
        sa_select(col(D.id), replaced.c.id, replaced.c.platform_id, col(D.platform_id))
        .join(replaced, replaced.c.id == col(D.replaces_id))
        .where(replaced.c.platform_id != col(D.platform_id), col(D.id).in_(keys) | replaced.c.id.in_(keys))
        .order_by(col(D.id))
    )
    for deadline_id, target, its_platform, platform in crossing:
        if deadline_id in keys:  # the reference crosses: name it, whichever end of it this write changed
            problems.append({"field": "replaces", "message": other_platforms_deadline(target, its_platform, platform)})
        else:  # the replaced deadline was moved
            problems.append({"field": "platform", "message": _still_named("deadline", deadline_id, platform)})
    naming = _crossing_opt_outs(session, col(models.Deadline.id).in_(keys))
    problems += [{"field": "platform", "message": _still_named("rule", r, platform)} for r, _, _, platform in naming]
    _raise_if(problems)


def check_rule_deadline_platforms(session: Session, keys: list[str]) -> None:
    """Raise InvalidRecord if, once the whole write is applied, one of these rules names another platform's deadline
    in its opt-out (the dataset files' check too)."""
    named = _crossing_opt_outs(session, col(models.Rule.id).in_(keys))
    _raise_if(
        [
            {"field": "opt_out.deadline", "message": other_platforms_deadline(target, its_platform, platform)}
            for _, target, its_platform, platform in named
        ]
    )


def _crossing_opt_outs(session: Session, which: Any) -> Sequence[Any]:
    """Return (rule, deadline, the deadline's platform, the rule's) for each rule among `which` whose opt-out names a
    deadline of another platform."""
    D, R = models.Deadline, models.Rule
    return (
        session.connection()
        .execute(
            sa_select(col(R.id), col(D.id), col(D.platform_id), col(R.platform_id))
            .join(D, col(D.id) == col(R.opt_out_deadline_id))
            .where(col(D.platform_id) != col(R.platform_id), which)
            .order_by(col(R.id))
        )
        .all()
    )


def _still_named(kind: str, key: str, platform: str) -> str:
    return f'{kind} "{key}" of platform "{platform}" refers to this deadline, so it stays a deadline of "{platform}"'


# What a record written with other records can break from the other side, checked once the whole write is applied
# (so the same write may mend it): whether a written record concerns the check (resource, before, after), and the
# check over the keys of those that do (sorted, each once; not called when none does).
WHOLE_WRITE_CHECKS: tuple[
    tuple[Callable[[str, records.Record | None, records.Record], bool], Callable[[Session, list[str]], None]],
    ...,
] = (
    (demotes_to_aggregator, check_aggregator_support),
    (may_loop_anew, check_chains),
    (deadline_may_cross, check_deadline_platforms),
    (rule_may_cross, check_rule_deadline_platforms),
    (leaves_countries, check_members),
)


# What decides whether two rules overlap: their scope (platform, category, jurisdiction, user) and their dates.
OVERLAP_FIELDS = (
    "platform",
    "category",
    "jurisdiction",
    "used_by",
    "effective_from",
    "effective_until",
    "posted_from",
    "posted_until",
)


def may_overlap_anew(resource: str, before: records.Record | None, after: records.Record) -> bool:
    """Return whether a written record needs the overlap check: a new rule, or one whose scope or dates changed.

    The stored rules overlap no other (every write that placed them was checked), so an edit of a note or a
    summary cannot make one overlap: it skips a query under the revision lock.
    """
    if resource != "rule":
        return False
    return before is None or any(before.get(field) != after.get(field) for field in OVERLAP_FIELDS)


GROUPS_PER_QUERY = 300  # (platform, category, jurisdiction) triples in one IN list: 900 parameters


def check_overlaps(session: Session, written: Iterable[tuple[str, str]]) -> None:
    """Raise InvalidRecord if a written rule overlaps another rule once the whole write is applied."""
    keys = {key for resource, key in written if resource == "rule"}
    if not keys:
        return
    # The rules that share a platform, category and jurisdiction with a written rule: a single write finds them
    # with one query (its groups by a subquery), so it reads a handful of rules, not its platform's, and holds the
    # revision lock one round trip less; a large import costs two queries, not one each.
    group_of = (col(models.Rule.platform_id), col(models.Rule.category_id), col(models.Rule.jurisdiction_code))
    groups: dict[tuple[str, str, str, str], list[models.Rule]] = {}
    if len(keys) <= GROUPS_PER_QUERY:
        same_group = tuple_(*group_of).in_(select(*group_of).where(col(models.Rule.id).in_(sorted(keys))))
    else:
        wanted = {tuple(g) for g in session.exec(select(*group_of).where(col(models.Rule.id).in_(keys))).all()}
        if len(wanted) <= GROUPS_PER_QUERY:
            same_group = tuple_(*group_of).in_(sorted(wanted))
        else:  # its platforms' rules, rather than more parameters than a database accepts
            same_group = col(models.Rule.platform_id).in_({platform for platform, _, _ in wanted})
    for rule in session.exec(select(models.Rule).where(same_group)).all():
        groups.setdefault((rule.platform_id, rule.category_id, rule.jurisdiction_code, rule.used_by), []).append(rule)
    errors = [
        {
            "field": "effective_from",
            "message": f"rule {rule.id!r} overlaps rule {other.id!r} (same platform, "
            "category, jurisdiction and user, overlapping dates)",
        }
        for group in groups.values()
        for rule in group
        if rule.id in keys
        for other in group
        if other.id != rule.id and (other.id not in keys or rule.id < other.id) and rules_overlap(rule, other)
    ]
    _raise_if(errors)


def _raise_if(errors: list[dict[str, str]]) -> None:
    if errors:
        raise InvalidRecord("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)


def _references(
    session: Session, resource: str, record: records.Record, seen: dict[tuple[str, str], str | None]
) -> list[tuple[str, str]]:
    found = [
        (path_text(place), SECTION_KINDS[section], key)
        for place, section, key in references(KINDS[resource].section, record)
    ]
    # Not `set - seen.keys()`: that walks every key seen so far, one per record of a large import (quadratic).
    _look_up(session, {(target, key) for _, target, key in found if (target, key) not in seen}, seen)
    problems = []
    for field, target, key in found:
        kind = seen[(target, key)]
        if kind is None:
            problems.append((field, f"unknown {target} {key!r}"))
        elif resource == "jurisdiction" and kind != "country":
            problems.append((field, f"{key!r} is not a country"))
    return problems


LOOKUP_CHUNK = 500  # keys of one kind in one IN list


def _look_up(session: Session, wanted: set[tuple[str, str]], seen: dict[tuple[str, str], str | None]) -> None:
    """Record in `seen` the kind of each wanted (resource, key), None if missing, in one query (UNION ALL).

    A rule cites a dozen sources and names a platform, a category, a jurisdiction and maybe a deadline; a query
    for each cost the write a round trip apiece while it held the revision lock, which every other write waits for.
    """
    by_resource: dict[str, list[str]] = {}
    for target, key in sorted(wanted):
        by_resource.setdefault(target, []).append(key)
        seen[(target, key)] = None
    chunks = [
        (target, keys[i : i + LOOKUP_CHUNK])
        for target, keys in by_resource.items()
        for i in range(0, len(keys), LOOKUP_CHUNK)
    ]
    if chunks:
        query = _lookup_query(tuple(target for target, _ in chunks))
        params = {f"keys_{n}": keys for n, (_, keys) in enumerate(chunks)}
        for target, key, kind_value in session.connection().execute(query, params).all():
            seen[(target, key)] = kind_value


@functools.lru_cache(maxsize=64)
def _lookup_query(targets: tuple[str, ...]) -> CompoundSelect[Any]:
    """Return the UNION ALL looking up keys of the given resources, one expanding IN list each (`keys_<n>`).

    Built once per shape: building and keying it each time cost more CPU than running it (a rule write's lookup took
    1.9 ms of CPU, 0.8 built once, measured in a loop); the lists' lengths do not change the statement.
    """
    parts = []
    for n, target in enumerate(targets):
        adapter = records.ADAPTERS[target]
        column = getattr(adapter.table, adapter.key)
        kind = getattr(adapter.table, "kind", None)
        kind_column = (kind if kind is not None else literal("")).label("kind")
        parts.append(
            sa_select(literal(target).label("resource"), column.label("key"), kind_column).where(
                column.in_(bindparam(f"keys_{n}", expanding=True))
            )
        )
    return union_all(*parts)


def referrers(session: Session, resource: str, key: str) -> list[str]:
    """Return "resource id" labels of records that refer to this one."""
    R, D = models.Rule, models.Deadline
    queries = {
        "platform": [
            ("rule", select(R.id).where(R.platform_id == key)),
            ("deadline", select(D.id).where(D.platform_id == key)),
        ],
        "category": [("rule", select(R.id).where(R.category_id == key))],
        "jurisdiction": [
            ("rule", select(R.id).where(R.jurisdiction_code == key)),
            ("deadline", select(D.id).where(D.jurisdiction_code == key)),
            (
                "jurisdiction",
                select(models.JurisdictionMember.group_code).where(models.JurisdictionMember.country_code == key),
            ),
        ],
        "source": [
            ("rule", select(models.RuleSource.rule_id).where(models.RuleSource.source_id == key)),
            ("deadline", select(models.DeadlineSource.deadline_id).where(models.DeadlineSource.source_id == key)),
        ],
        "deadline": [
            ("rule", select(R.id).where(R.opt_out_deadline_id == key)),
            ("deadline", select(D.id).where(col(D.replaces_id) == key)),
        ],
    }
    found = []
    for label, query in queries.get(resource, []):
        found += [f"{label} {ref}" for ref in session.exec(query.order_by(query.selected_columns[0])).all()]
    return found
