"""Checks that span records: unique ids, references that resolve, and rules that do not overlap."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

from app.policy.confidence import Support, support
from app.policy.model import GLOBAL, Confidence, JurisdictionKind, Treatment

from .invariants import (
    DEADLINE_PLACES,
    on_aggregators_alone,
    other_platforms_deadline,
    references,
    replaces_loop,
    rules_overlap,
)
from .schema import SECTIONS, Dataset, RuleRecord
from .yamlio import Loc

# Where a record came from: (kind, index in the dataset) -> (file, index in that file's list).
Origin = Mapping[tuple[str, int], tuple[str, int]]

_SINGULAR = {
    "categories": "category",
    "jurisdictions": "jurisdiction",
    "platforms": "platform",
    "sources": "source",
    "deadlines": "deadline",
    "rules": "rule",
    "translations": "translation",
}


class DatasetError(ValueError):
    """Report every problem found in a dataset, one message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the dataset:\n" + "\n".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem, at a location such as ("rules", 3, "opt_out", "deadline")."""

    loc: Loc
    message: str
    missing: tuple[str, str] | None = None  # (kind, id) of a reference that does not resolve
    other: Loc | None = None  # the record this one clashes with, for duplicates

    def where(self, origin: Origin | None = None) -> str:
        """Return the location as `file: kind[index].field`, or `kind[index].field` without an origin."""
        return locate(self.loc, origin)


def locate(loc: Loc, origin: Origin | None = None) -> str:
    """Render a location, translated through the origin to the file and the index in it when known."""
    prefix = ""
    if origin is not None and len(loc) >= 2 and (loc[0], loc[1]) in origin:
        prefix, index = origin[(loc[0], loc[1])]  # type: ignore[index]
        prefix += ": "
        loc = (loc[0], index, *loc[2:])
    return prefix + path_text(loc)


def path_text(loc: Loc) -> str:
    """Render ("rules", 3, "opt_out", "url") as rules[3].opt_out.url."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def format_issue(issue: Issue, origin: Origin | None = None) -> str:
    """Render an issue as `where: message`, naming the clashing record's place when there is one."""
    text = f"{issue.where(origin)}: {issue.message}"
    if issue.other is not None:
        text += f" (first at {locate(issue.other, origin)})"
    return text


def validate_dataset(dataset: Dataset, *, origin: Origin | None = None) -> None:
    """Raise DatasetError listing every cross-record problem in the dataset."""
    issues = check_dataset(dataset)
    if issues:
        raise DatasetError([format_issue(issue, origin) for issue in issues])


def check_dataset(dataset: Dataset, *, curated: bool = True) -> list[Issue]:
    """Return the cross-record problems: duplicate ids, dangling references, a missing GLOBAL, overlapping rules.

    `curated` holds decided rules to the bundled dataset's standard (`unsupported`); without it, to what the API
    accepts (contract v1.1: not on aggregators alone), so whatever the API stored, exported, loads again.
    """
    issues: list[Issue] = []
    ids = {kind: _ids(dataset, kind, issues) for kind in SECTIONS}
    _check_jurisdictions(dataset, ids, issues, curated=curated)
    replaces = {d.id: d.replaces for d in dataset.deadlines}
    deadline_platforms = {d.id: d.platform for d in dataset.deadlines}
    for section in ("deadlines", "rules"):
        for i, record in enumerate(getattr(dataset, section)):
            for place, target, key in references(section, record.model_dump()):
                resolves = _ref(issues, ids, target, key, (section, i, *place))
                if place == ("replaces",) and resolves:
                    _check_chain(dataset, i, replaces, issues)
                # Only between known platforms: an unknown one is reported as such.
                known = resolves and record.platform in ids["platforms"]
                if place in DEADLINE_PLACES and known and deadline_platforms[key] != record.platform:
                    message = other_platforms_deadline(key, deadline_platforms[key], record.platform)
                    issues.append(Issue((section, i, *place), message))
    issues.extend(_overlaps(dataset.rules))
    issues.extend(unsupported(dataset) if curated else aggregators_alone(dataset))
    _check_translations(dataset, ids, issues)
    return issues


def _check_translations(dataset: Dataset, ids: dict[str, dict[str, int]], issues: list[Issue]) -> None:
    """Check that each translation names a known rule, once per language."""
    first: dict[tuple[str, str], int] = {}
    for i, translation in enumerate(dataset.translations):
        at = ("translations", i)
        _ref(issues, ids, "rules", translation.rule, (*at, "rule"))
        key = (translation.rule, translation.lang)
        if key in first:
            issues.append(
                Issue(
                    (*at, "rule"),
                    f'a second {translation.lang} translation of rule "{translation.rule}"',
                    other=("translations", first[key]),
                )
            )
        else:
            first[key] = i


def rule_support(dataset: Dataset) -> list[Support]:
    """Return what each rule's quoted citations amount to, in rule order."""
    sources = {s.id: s for s in dataset.sources}
    return [
        support(
            (sources[c.id].kind.value, sources[c.id].publisher, c.quote is not None)
            for c in rule.sources
            if c.id in sources
        )
        for rule in dataset.rules
    ]


def aggregators_alone(dataset: Dataset) -> list[Issue]:
    """Report each decided rule whose every cited source is an aggregator: what no dataset may hold (contract v1.1),
    and what the API refuses too."""
    kinds = {s.id: s.kind.value for s in dataset.sources}
    found = []
    for i, rule in enumerate(dataset.rules):
        if not on_aggregators_alone(rule.treatment.value, (kinds.get(c.id) for c in rule.sources)):
            continue
        found.append(
            Issue(
                ("rules", i, "sources"),
                f'rule "{rule.id}" is {rule.treatment.value} on aggregators alone; cite a primary source or '
                "independent publishers, else make it unknown with the reason",
            )
        )
    return found


def unsupported(dataset: Dataset) -> list[Issue]:
    """Report each decided rule whose quoted citations are not enough for a decided answer.

    A decided treatment needs a quoted primary source or quoted citations from two independent publishers;
    anything less (aggregators alone, one publisher, unquoted citations) must be `unknown`, with the reason.
    """
    known = {s.id for s in dataset.sources}
    found = []
    for i, (rule, weight) in enumerate(zip(dataset.rules, rule_support(dataset), strict=True)):
        # A citation of a missing source is reported as such; weighing the rest would be a second message.
        if (
            rule.treatment == Treatment.UNKNOWN
            or weight.enough_to_decide
            or any(c.id not in known for c in rule.sources)
        ):
            continue
        found.append(
            Issue(
                ("rules", i, "sources"),
                f'rule "{rule.id}" is {rule.treatment.value} on too little '
                f"({weight.shortfall()}); a decided rule needs a quoted primary source or two "
                "independent publishers, else make it unknown with the reason",
            )
        )
    return found


def summary(dataset: Dataset) -> str:
    """Return the counts a maintainer checks: rules decided and unknown, and rules per derived confidence."""
    decided = sum(rule.treatment != Treatment.UNKNOWN for rule in dataset.rules)
    levels = Counter(weight.confidence.value for weight in rule_support(dataset))
    return f"rules: {decided} decided, {len(dataset.rules) - decided} unknown; confidence: " + ", ".join(
        f"{levels[c.value]} {c.value}" for c in Confidence
    )


def _ids(dataset: Dataset, kind: str, issues: list[Issue]) -> dict[str, int]:
    """Map each id of a kind to its first index, reporting later repeats."""
    key = SECTIONS[kind][1]
    first: dict[str, int] = {}
    for i, record in enumerate(getattr(dataset, kind)):
        value = getattr(record, key)
        if value in first:
            issues.append(
                Issue((kind, i, key), f'duplicate {_SINGULAR[kind]} {key} "{value}"', other=(kind, first[value]))
            )
        else:
            first[value] = i
    return first


def _ref(issues: list[Issue], ids: dict[str, dict[str, int]], kind: str, value: str, loc: Loc) -> bool:
    """Report a reference to a record that does not exist; return whether it resolves."""
    if value in ids[kind]:
        return True
    message = f'unknown {_SINGULAR[kind]} "{value}"'
    close = difflib.get_close_matches(value, list(ids[kind]), n=1)
    if close:
        message += f' (did you mean "{close[0]}"?)'
    issues.append(Issue(loc, message, missing=(kind, value)))
    return False


def _check_jurisdictions(
    dataset: Dataset, ids: dict[str, dict[str, int]], issues: list[Issue], *, curated: bool = True
) -> None:
    """Check that there is a GLOBAL (in the curated dataset: a database the API writes to may have none, an empty
    one to begin with) and that group members are known countries."""
    if curated and not any(j.kind == JurisdictionKind.GLOBAL for j in dataset.jurisdictions):
        issues.append(Issue(("jurisdictions",), f"the dataset needs the global jurisdiction (code {GLOBAL})"))
    kinds = {j.code: j.kind for j in dataset.jurisdictions}
    for i, jurisdiction in enumerate(dataset.jurisdictions):
        for m, member in enumerate(jurisdiction.members):
            loc = ("jurisdictions", i, "members", m)
            if member not in kinds:
                issues.append(Issue(loc, f'unknown country "{member}"', missing=("jurisdictions", member)))
            elif kinds[member] != JurisdictionKind.COUNTRY:
                issues.append(Issue(loc, f'"{member}" is a {kinds[member].value}, not a country'))


def _check_chain(dataset: Dataset, start: int, replaces: dict[str, str | None], issues: list[Issue]) -> None:
    """Report a deadline whose chain of replaced deadlines leads back to itself."""
    loop = replaces_loop(dataset.deadlines[start].id, replaces)
    if loop is not None:
        issues.append(Issue(("deadlines", start, "replaces"), f"replaces goes round in a loop: {' -> '.join(loop)}"))


def _overlaps(rules: list[RuleRecord]) -> list[Issue]:
    """Report each rule that could apply on the same day to the same post as an earlier rule of its scope."""
    groups: dict[tuple[str, str, str, str], list[int]] = {}
    for i, rule in enumerate(rules):
        # A rule on the platform's own training and one on third parties' answer different questions.
        groups.setdefault((rule.platform, rule.category, rule.jurisdiction, rule.used_by), []).append(i)
    found = []
    for indexes in groups.values():
        for a, b in combinations(indexes, 2):
            first, second = rules[a], rules[b]
            if rules_overlap(first, second):
                found.append(
                    Issue(
                        ("rules", b),
                        f'overlaps rule "{first.id}" (same platform, category and jurisdiction, overlapping dates)',
                    )
                )
    return sorted(found, key=lambda issue: issue.loc)
