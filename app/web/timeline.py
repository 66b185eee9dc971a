"""Lay out a platform's rules and deadlines over time, for the server-rendered SVG timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from app.policy import Deadline, Rule, Snapshot

WIDTH, LABEL_WIDTH, LANE_HEIGHT, TOP, BOTTOM = 960, 300, 26, 28, 40


@dataclass(frozen=True, slots=True)
class Bar:
    """One rule's span, in SVG units."""

    rule: Rule
    x: float
    width: float
    start: date | None  # None: the rule has always applied
    end: date | None  # None: the rule still applies


@dataclass(frozen=True, slots=True)
class Lane:
    """The rules of one category in one jurisdiction (and for one user of the content)."""

    category_id: str
    jurisdiction: str
    third_parties: bool
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class Mark:
    """A dated mark on the time axis: a deadline, a year, or today."""

    x: float
    on: date
    deadline: Deadline | None = None


@dataclass
class Timeline:
    """Everything the SVG template draws."""

    width: int
    height: int
    label_width: int
    lanes: list[Lane] = field(default_factory=list)
    deadlines: list[Mark] = field(default_factory=list)
    years: list[Mark] = field(default_factory=list)
    today: Mark | None = None


def build(snapshot: Snapshot, platform_id: str, chain: tuple[str, ...], today: date) -> Timeline:
    """Return the timeline of the platform's rules in the given jurisdictions, and of their deadlines."""
    rules = [r for r in snapshot.rules.values() if r.platform_id == platform_id and r.jurisdiction in chain]
    deadlines = sorted(
        (d for d in snapshot.deadlines.values() if d.platform_id == platform_id and d.jurisdiction in chain),
        key=lambda d: (d.on, d.id),
    )
    days = [today, *(d.on for d in deadlines)]
    for rule in rules:
        days += [day for day in (rule.effective_from, rule.effective_until) if day is not None]
    first = _shifted(min(days), -90)
    last = _shifted(max(days), 120)
    span = (last - first).days
    scale = (WIDTH - LABEL_WIDTH) / span

    def x_of(day: date) -> float:
        return round(LABEL_WIDTH + (day - first).days * scale, 1)

    category_order = {cid: i for i, cid in enumerate(snapshot.categories)}
    grouped: dict[tuple[str, str, bool], list[Rule]] = {}
    for rule in rules:
        grouped.setdefault((rule.category_id, rule.jurisdiction, rule.used_by.value != "platform"), []).append(rule)
    keys = sorted(grouped, key=lambda k: (category_order.get(k[0], 99), chain.index(k[1]), k[2]))
    timeline = Timeline(WIDTH, TOP + len(keys) * LANE_HEIGHT + BOTTOM, LABEL_WIDTH)
    for index, key in enumerate(keys):
        bars = []
        for rule in sorted(grouped[key], key=lambda r: (r.effective_from or date.min, r.id)):
            start = x_of(rule.effective_from) if rule.effective_from else LABEL_WIDTH
            end = x_of(_shifted(rule.effective_until, 1)) if rule.effective_until else WIDTH
            bars.append(Bar(rule, start, round(max(end - start, 2), 1), rule.effective_from, rule.effective_until))
        timeline.lanes.append(Lane(*key, TOP + index * LANE_HEIGHT, tuple(bars)))
    timeline.deadlines = [Mark(x_of(d.on), d.on, d) for d in deadlines]
    timeline.years = [Mark(x_of(date(year, 1, 1)), date(year, 1, 1)) for year in range(first.year + 1, last.year + 1)]
    timeline.today = Mark(x_of(today), today)
    return timeline


def _shifted(day: date, days: int) -> date:
    """Return the day moved by some days, held within the days a date can hold."""
    # Query days are bounded, but a record stored before the bounds were checked may still name date.min or date.max.
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min
