"""Immutable value types the decision engine reads and returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import InitVar, dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, NamedTuple


class Treatment(StrEnum):
    """What a rule says happens to the content while it is in force."""

    USED = "used"  # used for training; no objection changes that
    NOT_USED = "not_used"  # documented as not used (exclusion, pause, promise)
    OPT_OUT = "opt_out"  # used unless the user objected through the rule's opt-out
    OPT_IN = "opt_in"  # not used unless the user switched it on (default off)
    UNKNOWN = "unknown"  # disputed or not confirmed by the sources


class UsedBy(StrEnum):
    """Who trains on the content: the platform itself, or third parties it licenses or shares the content with."""

    PLATFORM = "platform"
    THIRD_PARTIES = "third-parties"


class UnderAge(StrEnum):
    """What a rule with a minimum age says about younger accounts."""

    NOT_USED = "not_used"  # the sources say younger accounts are excluded
    UNKNOWN = "unknown"  # the sources speak only of older accounts; nothing is confirmed for younger ones


class NotOptedIn(StrEnum):
    """What an opt-in rule says of users who have not switched it on."""

    NOT_USED = "not_used"  # the sources say content is used only once switched on
    UNKNOWN = "unknown"  # the sources speak only of those who switched it on; nothing is confirmed for the others


class LateObjection(StrEnum):
    """What an objection made after the deadline (or after the start) covers."""

    COVERS_LATER_POSTS = "covers_later_posts"  # only content posted from the objection day on
    STOPS_FUTURE_TRAINING = "stops_future_training"  # all future training stops; past training stays
    NO_EFFECT = "no_effect"  # a late objection changes nothing
    UNKNOWN = "unknown"  # the sources do not say what a late objection covers


class BeforeStart(StrEnum):
    """What an objection made before a rule took effect (where it names no deadline) does."""

    KEEPS_ALL_OUT = "keeps_all_out"  # the rule starts when the use began: an earlier objection keeps everything out
    # The rule starts on the first day the sources confirm it, and the use may have begun before: an objection before
    # that day is not known to keep everything out, so it counts as a late one.
    LATE = "late"


class Phrase(NamedTuple):
    """Wording as data: a message code and its parameters, made into a sentence per language by policy.wording."""

    code: str
    params: Mapping[str, Any] = {}  # never mutated: a shared empty default is safe


def phrase(code: str, **params: Any) -> Phrase:
    """Return the phrase with this code and these parameters."""
    # A tuple is the cheapest immutable value to build: answers to never-seen questions build dozens of these.
    return Phrase(code, params)


class Verdict(StrEnum):
    """The answer to "is this content used for AI training?"."""

    USED = "used"
    NOT_USED = "not_used"
    CONDITIONAL = "conditional"
    UNKNOWN = "unknown"


class Confidence(StrEnum):
    """How well the sources support a rule."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class JurisdictionKind(StrEnum):
    """Whether a jurisdiction is a country, a group of countries, or the whole world."""

    COUNTRY = "country"
    GROUP = "group"
    GLOBAL = "global"


GLOBAL = "GLOBAL"

# The days questions may ask about and records may name (docs/api.md, app/data/FORMAT.md): far wider than any policy's
# dates, and far inside date.min..date.max, so a few days' arithmetic around them can never leave the calendar.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
_ONE_DAY = timedelta(days=1)


def day_after(day: date) -> date | None:
    """Return the next day, or None after the last day a date can hold."""
    # The engine must never fail: a day from before the bounds were checked (a stored record) may still be date.max.
    return day + _ONE_DAY if day < date.max else None


def day_before(day: date) -> date | None:
    """Return the previous day, or None before the first day a date can hold."""
    return day - _ONE_DAY if day > date.min else None


# Query parameters that can appear in depends_on, in the order the contract lists them.
DEPENDS_ON_ORDER = ("country", "age", "objected", "objected_on", "posted_on", "opted_in")


@dataclass(frozen=True, slots=True)
class Source:
    """A published document a rule or deadline rests on."""

    id: str
    url: str
    title: str
    publisher: str
    retrieved_on: date
    published_on: str | None = None  # ISO date, or "YYYY-MM" / "YYYY" where the source gives no day
    quote: str | None = None  # in an answer: the words that support the rule citing it
    kind: str = "secondary"  # primary | secondary | aggregator
    where: str | None = None  # in an answer: the place in the source (section, paragraph)


@dataclass(frozen=True, slots=True)
class Citation:
    """A rule's or deadline's link to a source, with the exact words (and place) that support it."""

    source_id: str
    quote: str | None = None
    where: str | None = None


@dataclass(frozen=True, slots=True)
class Platform:
    """A service whose users' content may be used for AI training."""

    id: str
    name: str
    operator: str
    website: str | None = None
    privacy_policy_url: str | None = None


@dataclass(frozen=True, slots=True)
class Category:
    """A kind of user data, such as public posts or private messages."""

    id: str
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """A country, a group of countries (EU, EEA) or GLOBAL."""

    code: str
    name: str
    kind: JurisdictionKind
    members: frozenset[str] = frozenset()  # country codes, for groups only


@dataclass(frozen=True, slots=True)
class Deadline:
    """A dated event users must act by, or that changes what happens to their data."""

    id: str
    platform_id: str
    jurisdiction: str
    kind: str
    on: date
    summary: str
    after: str | None = None  # what happens to people who act after this day
    source_ids: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()  # the quotes for source_ids, where known
    replaces: str | None = None  # the earlier deadline this one moved


def in_force(deadlines: Mapping[str, Deadline]) -> dict[str, Deadline]:
    """Return, for each deadline's id, the deadline in force in its place: the last of the deadlines that moved it
    (`replaces`), or itself. A rule names the deadline it was written with; a move must reach its answers too."""
    moved_to = {d.replaces: d for d in deadlines.values() if d.replaces}
    found: dict[str, Deadline] = {}
    for deadline_id, deadline in deadlines.items():
        seen = {deadline_id}
        while (later := moved_to.get(deadline.id)) is not None and later.id not in seen:  # writes refuse loops
            seen.add(later.id)
            deadline = later
        found[deadline_id] = deadline
    return found


@dataclass(frozen=True, slots=True)
class OptOut:
    """How a user objects to one rule's training, and what a late objection covers."""

    method: str
    late_objection: LateObjection
    url: str | None = None
    deadline_id: str | None = None
    deadline: date | None = None  # the deadline's day, resolved from deadline_id by the snapshot
    after_deadline: str | None = None  # plain-language note on late objections
    objection_before_start: BeforeStart = BeforeStart.KEEPS_ALL_OUT

    @property
    def start_keeps_all_out(self) -> bool:
        """Return whether an objection before the rule took effect keeps everything out (no deadline given)."""
        return self.objection_before_start is BeforeStart.KEEPS_ALL_OUT


@dataclass(frozen=True, slots=True)
class Finding:
    """A check of a cited source, after the rule's last review, that found the page changed or vanished."""

    source_id: str
    outcome: str  # changed | quote-missing | moved | gone
    checked_on: date


@dataclass(frozen=True, slots=True)
class Rule:
    """What happens to one platform's category of content in one jurisdiction for a span of days."""

    id: str
    platform_id: str
    category_id: str
    jurisdiction: str
    treatment: Treatment
    summary: str
    confidence: Confidence
    source_ids: tuple[str, ...] = ()
    effective_from: date | None = None  # None: has always applied
    effective_until: date | None = None  # last day in force, inclusive; None: still applies
    posted_from: date | None = None  # the rule covers only content posted in this window
    posted_until: date | None = None  # inclusive
    min_age: int | None = None  # the rule covers accounts at least this old; younger ones get `under_age`
    under_age: UnderAge = UnderAge.NOT_USED
    not_opted_in: NotOptedIn = NotOptedIn.NOT_USED  # an opt-in rule: what holds for users who did not switch it on
    legal_basis: str | None = None
    opt_out: OptOut | None = None
    notes: tuple[str, ...] = ()  # extra reasons: non-generative uses, approximate dates, caveats
    used_by: UsedBy = UsedBy.PLATFORM  # rules for different users of the content may coexist
    citations: tuple[Citation, ...] = ()  # the quotes for source_ids, where known
    reviewed_on: date | None = None  # the day a person last checked the rule against its sources
    findings: tuple[Finding, ...] = ()  # what source checks found since that review
    # The rule record's own reviewed_on, before its reviews and its sources' dates are weighed: a write that leaves it
    # and the citations as they were leaves reviewed_on and findings as they were too (store.repository.load_rules).
    recorded_reviewed_on: date | None = None

    def in_force_on(self, day: date) -> bool:
        """Return whether the rule applies on the given day."""
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_until is None or day <= self.effective_until

    def covers_posted_on(self, day: date) -> bool:
        """Return whether content posted on the given day falls inside the rule's posting window."""
        if self.posted_from is not None and day < self.posted_from:
            return False
        return self.posted_until is None or day <= self.posted_until

    @property
    def has_posting_window(self) -> bool:
        """Return whether the rule covers only content posted in a window of days."""
        return self.posted_from is not None or self.posted_until is not None


# Not frozen: every question builds one, and a frozen dataclass's __init__ (object.__setattr__ for each field)
# costs five times as much (0.78 against 0.16 µs, a twentieth of a batch check). Nothing changes a query once made.
@dataclass(slots=True)
class Query:
    """One question: a platform, a category, a country, a day and what is known about the user."""

    platform_id: str
    category_id: str
    as_of: date
    country: str | None = None  # normalised ISO 3166-1 alpha-2 code; None: GLOBAL
    age: int | None = None
    objected: bool | None = None  # None: not said; objected_on implies True
    objected_on: date | None = None
    posted_on: date | None = None
    opted_in: bool | None = None  # for opt-in rules: None: not said; opted_in_on implies True
    opted_in_on: date | None = None

    @property
    def opted(self) -> bool | None:
        """Return whether the user had opted in by as_of (one dated later had not happened yet); None: not said."""
        if self.opted_in is None:
            return None
        return self.opted_in and (self.opted_in_on is None or self.opted_in_on <= self.as_of)


@dataclass(slots=True)  # not frozen, as Query: one per answer resting on a rule; nothing changes one once made
class OptOutFacts:
    """The opt-out as it stands for a decision's day."""

    available: bool
    method: str
    url: str | None
    deadline: date | None
    deadline_passed: bool | None
    after_deadline: str | None


@dataclass(slots=True)  # not frozen, as Query: each answer builds one or more; nothing changes one once made
class Decision:
    """The engine's answer for one category, with everything it rests on."""

    category_id: str
    verdict: Verdict
    summary: Phrase
    reasons: tuple[Phrase, ...]
    depends_on: tuple[str, ...] = ()
    rule: Rule | None = None
    opt_out: OptOutFacts | None = None
    sources: tuple[Source, ...] = ()
    rule_ids: tuple[str, ...] = ()  # every rule the answer rests on, for its freshness
    reviewed_on: date | None = None  # the oldest last review among those rules
    stale: bool = False

    @property
    def used(self) -> bool | None:
        """Return True or False for a definite verdict, None for conditional or unknown."""
        return _USED.get(self.verdict)


_USED = {Verdict.USED: True, Verdict.NOT_USED: False}


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a field hash on every lookup cost 0.2 µs
class MemoKind:
    """A named memo kept on a snapshot, and what of it a snapshot patched for some rules may keep.

    A snapshot is patched only for rule writes (serving.cache.PATCHED): a kind's entries may rest on sources,
    deadlines, reviews or platforms, which such a write leaves alone. Patching for more than rules means revisiting
    every kind.
    """

    name: str
    # None: an entry follows from its key and from what a rule write leaves alone (names, days, or rule behaviour
    # held in the key), so a patched snapshot shares the memo itself; otherwise the ids of the rules an entry rests
    # on, and a patched snapshot keeps the entries that rest on no changed rule.
    rule_ids: Callable[[Any], Iterable[str]] | None = None
    # Or the (platform, category) pair an entry answers about, where it rests on that pair's rules (any of them): a
    # patched snapshot keeps the entries of the pairs no changed rule belonged to, before or after.
    pair: Callable[[Any], tuple[str, str]] | None = None


def key_rule_ids(key: tuple[str, ...]) -> tuple[str, ...]:
    """Return the rule ids of a memo keyed by them."""
    return key


@dataclass(frozen=True)
class Snapshot:
    """The whole dataset at one revision, indexed for the engine; never mutated after it is built."""

    revision: int
    platforms: dict[str, Platform]
    categories: dict[str, Category]
    jurisdictions: dict[str, Jurisdiction]
    rules: dict[str, Rule]
    deadlines: dict[str, Deadline]
    sources: dict[str, Source]
    # Derived indexes, filled in __post_init__.
    rules_by_pair: dict[tuple[str, str], tuple[Rule, ...]] = field(default_factory=dict, repr=False)
    categories_by_platform: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    uses_by_pair: dict[tuple[str, str], tuple[UsedBy, ...]] = field(default_factory=dict, repr=False)
    chains: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    # Indexes the engine derives lazily from the fields above; a cache, so it takes no part in equality.
    memo: dict[object, object] = field(default_factory=dict, repr=False, compare=False)
    # True when the derived indexes are given (by `patched`) rather than to be derived from the rules.
    derived: InitVar[bool] = False

    def __post_init__(self, derived: bool) -> None:
        if derived:
            return
        by_pair: dict[tuple[str, str], list[Rule]] = {}
        for rule in self.rules.values():
            by_pair.setdefault((rule.platform_id, rule.category_id), []).append(rule)
        self.rules_by_pair.update({key: tuple(sorted(rs, key=_rule_order)) for key, rs in by_pair.items()})
        self.uses_by_pair.update({key: _uses(rs) for key, rs in by_pair.items()})
        per_platform: dict[str, set[str]] = {}
        for platform_id, category_id in by_pair:
            per_platform.setdefault(platform_id, set()).add(category_id)
        self.categories_by_platform.update(
            {pid: _in_category_order(cids, self.categories) for pid, cids in per_platform.items()}
        )
        self.chains.update(_jurisdiction_chains(self.jurisdictions))

    def patched(self, revision: int, changed: Mapping[str, Rule | None]) -> Snapshot:
        """Return this dataset at `revision` with some rules replaced or added (a Rule) or removed (None).

        Only the indexes of the platform and category pairs the changed rules belong to, before or after, are
        derived again; every other index, the engine's memoised index of each untouched pair, and what each named
        memo's kind says stays true (MemoKind) are kept. A write's cost so stays flat as the dataset grows, and the
        answers after it do not start from empty memos. The result equals a snapshot built from scratch.
        """
        # dict.copy clones the table at once; dict() re-inserts every key once the table holds a deleted slot, which
        # cost a write 30 ms with 100,000 rules. A replaced rule keeps its slot, so the order stays a full load's.
        rules = self.rules.copy()
        pairs: set[tuple[str, str]] = set()
        for rule_id, rule in changed.items():
            old = rules.get(rule_id) if rule is not None else rules.pop(rule_id, None)
            if old is not None:
                pairs.add((old.platform_id, old.category_id))
            if rule is not None:
                rules[rule_id] = rule
                pairs.add((rule.platform_id, rule.category_id))
        if any(rule_id not in self.rules for rule_id, rule in changed.items() if rule is not None):
            rules = dict(sorted(rules.items()))  # the order a full load reads them in
        by_pair = dict(self.rules_by_pair)
        uses = dict(self.uses_by_pair)
        for pair in pairs:
            kept = [r for r in self.rules_by_pair.get(pair, ()) if r.id not in changed]
            kept += [r for r in changed.values() if r is not None and (r.platform_id, r.category_id) == pair]
            if kept:
                by_pair[pair] = tuple(sorted(kept, key=_rule_order))
                uses[pair] = _uses(kept)
            else:
                by_pair.pop(pair, None)
                uses.pop(pair, None)
        per_platform = dict(self.categories_by_platform)
        for platform_id in {p for p, _ in pairs}:
            cids = {c for p, c in by_pair if p == platform_id}
            if cids:
                per_platform[platform_id] = _in_category_order(cids, self.categories)
            else:
                per_platform.pop(platform_id, None)
        return Snapshot(
            revision=revision,
            platforms=self.platforms,
            categories=self.categories,
            jurisdictions=self.jurisdictions,
            rules=rules,
            deadlines=self.deadlines,
            sources=self.sources,
            rules_by_pair=by_pair,
            categories_by_platform=per_platform,
            uses_by_pair=uses,
            chains=self.chains,
            memo=_kept_memos(self.memo, pairs, frozenset(changed)),
            derived=True,
        )

    def chain(self, country: str | None) -> tuple[str, ...]:
        """Return the jurisdictions a country belongs to, most specific first, ending with GLOBAL."""
        if country is None:
            return (GLOBAL,)
        return self.chains.get(country, (country, GLOBAL))


def _kept_memos(
    memo: dict[object, object], pairs: set[tuple[str, str]], changed: frozenset[str]
) -> dict[object, object]:
    """Return what a snapshot patched for the changed rules keeps of its memos: the indexes of untouched pairs, the
    named memos that rest on no rules, and the entries of the others that rest on no changed rule."""
    kept: dict[object, object] = {}
    # Copies first: requests keep adding to the memos while a write patches (dict.copy holds the GIL throughout;
    # iterating a live dict failed with "dictionary changed size during iteration" under load).
    for key, value in memo.copy().items():
        if isinstance(key, MemoKind) and isinstance(value, dict):
            ids, pair = key.rule_ids, key.pair
            if pair is not None:
                kept[key] = {k: v for k, v in value.copy().items() if pair(k) not in pairs}
            elif ids is None:
                kept[key] = value  # shared: its entries are as true of the patched snapshot
            else:
                kept[key] = {k: v for k, v in value.copy().items() if changed.isdisjoint(ids(k))}
        elif isinstance(key, tuple) and key[0] == "pair" and (key[1], key[2]) not in pairs:
            kept[key] = value
    return kept


def _uses(rules: Iterable[Rule]) -> tuple[UsedBy, ...]:
    """Return who uses a pair's content, in UsedBy's order."""
    order = list(UsedBy)
    return tuple(sorted({r.used_by for r in rules}, key=order.index))


def _in_category_order(category_ids: Iterable[str], categories: dict[str, Category]) -> tuple[str, ...]:
    """Return category ids in the order of the snapshot's categories (unknown ones last)."""
    order = {cid: i for i, cid in enumerate(categories)}
    return tuple(sorted(category_ids, key=lambda c: order.get(c, len(order))))


def _rule_order(rule: Rule) -> tuple[date, str]:
    return (rule.effective_from or date.min, rule.id)


def _jurisdiction_chains(jurisdictions: dict[str, Jurisdiction]) -> dict[str, tuple[str, ...]]:
    """Map each country to itself, its groups from smallest to largest, then GLOBAL."""
    groups = sorted(
        (j for j in jurisdictions.values() if j.kind == JurisdictionKind.GROUP),
        key=lambda j: (len(j.members), j.code),
    )
    chains: dict[str, tuple[str, ...]] = {}
    for j in jurisdictions.values():
        if j.kind == JurisdictionKind.COUNTRY:
            chains[j.code] = (j.code, *(g.code for g in groups if j.code in g.members), GLOBAL)
    return chains
