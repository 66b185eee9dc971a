"""Choose the values to try for each fact a query leaves open, and read which of them change an outcome."""

from __future__ import annotations

from datetime import date

from .index import Context
from .model import Query, Treatment, Verdict, day_after, day_before


class Samples:
    """The ages, objection days (None: no objection) and posting days to try, and which of them are open."""

    # Outcome tables hold one verdict per (posting day, age, objection), in that nesting order.
    __slots__ = ("ages", "objections", "posted", "open_age", "open_objected", "open_day", "open_posted", "opted")

    def __init__(self, query: Query, given_day: date | None, ctx: Context) -> None:
        ends, posted_days = _sample_days(query, given_day, ctx)
        self.opted = query.opted  # opted in by as_of, known not to have, or not said (None)
        self.open_age = query.age is None and bool(ctx.min_ages)
        # One age just under and one at each limit stand for every age.
        self.ages = tuple(sorted({a for m in ctx.min_ages for a in (m - 1, m)})) if self.open_age else (query.age,)
        self.open_objected = self.open_day = False
        said_nothing = query.objected is None and query.objected_on is None
        disputed_only = all(r.treatment is Treatment.UNKNOWN for r in ctx.opt_outs)
        if (
            not ctx.opt_outs
            or query.objected_on is not None
            or query.objected is False
            or (said_nothing and disputed_only)
        ):
            self.objections: tuple[date | None, ...] = (given_day,)
        elif query.objected:
            self.objections, self.open_day = ends, True
        else:
            self.objections, self.open_day, self.open_objected = (None, *ends), True, True
        self.open_posted = query.posted_on is None and bool(
            ctx.windows or (ctx.covers and any(d is not None for d in self.objections))
        )
        self.posted: tuple[date | None, ...] = posted_days if self.open_posted else (query.posted_on,)

    def varying(self, table: tuple[Verdict, ...]) -> set[str]:
        """Return the open facts that, changed alone, change some outcome in the table."""
        found: set[str] = set()
        if table.count(table[0]) == len(table):
            return found
        n_days, n_ages = len(self.objections), len(self.ages)
        if self.open_posted and _varies(table, len(self.posted), n_ages * n_days):
            found.add("posted_on")
        if self.open_age and _varies(table, n_ages, n_days):
            found.add("age")
        if not self.open_day:
            return found
        first = 1 if self.open_objected else 0  # with objected open, slot 0 is "no objection"
        for start in range(0, len(table), n_days):
            row = table[start : start + n_days]
            days = row[first:]
            if first and days.count(row[0]) != len(days):
                found.add("objected")
            if days.count(days[0]) != len(days):
                found.add("objected_on")
        return found


def _varies(table: tuple[Verdict, ...], size: int, stride: int) -> bool:
    block = size * stride
    for start in range(0, len(table), block):
        for offset in range(stride):
            row = table[start + offset : start + block : stride]
            if row.count(row[0]) != size:
                return True
    return False


def _sample_days(query: Query, given_day: date | None, ctx: Context) -> tuple[tuple[date, ...], tuple[date, ...]]:
    """Return the last day up to as_of of every span the rules cannot tell apart, and the posting days to try."""
    cuts = set(ctx.cuts)
    if given_day is not None:
        cuts.add(given_day)  # posted before the objection day, or from it
    after = None if query.posted_on is None else day_after(query.posted_on)
    if after is not None:  # None: posted on date.max, so no objection can come later
        cuts.add(after)  # objected by the posting day, or later
    as_of = query.as_of
    # The day before each cut ends a span; a cut on date.min has no span before it (None).
    ends = {as_of} | {e for e in map(day_before, cuts) if e is not None and e <= as_of}
    posted = set(ends)
    if ctx.covers:
        # Objection and posting days are compared with each other too: with the objection on the last day of a
        # span, the day before stands for content posted earlier in the same span.
        posted |= {e for e in map(day_before, ends) if e is not None}
    return tuple(sorted(ends)), tuple(sorted(posted))
