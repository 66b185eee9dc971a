"""The explorer's matrix: every platform against every data category, for one country and day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.policy import Platform, Query, Snapshot, decide_many


@dataclass(frozen=True, slots=True)
class Row:
    """One platform's verdicts, one per category of the snapshot (None where the platform has no data)."""

    platform: Platform
    verdicts: tuple[str | None, ...]


def categories(snapshot: Snapshot, order: list[str]) -> list[str]:
    """Return the snapshot's category ids, those named in `order` first and in that order."""
    rank = {cid: i for i, cid in enumerate(order)}
    return sorted(snapshot.categories, key=lambda cid: (rank.get(cid, len(rank)), cid))


def operators(snapshot: Snapshot) -> list[str]:
    """Return the operators of the snapshot's platforms, sorted, each once."""
    return sorted({p.operator for p in snapshot.platforms.values()}, key=str.casefold)


def matrix(
    snapshot: Snapshot,
    columns: list[str],
    *,
    country: str | None,
    as_of: date,
    operator: str | None = None,
    search: str | None = None,
) -> list[Row]:
    """Return a row per platform (filtered by operator and by a name search) with a verdict per column, by name."""
    wanted = operator.casefold() if operator else None
    needle = search.strip().casefold() if search else ""
    rows = []
    for platform in sorted(snapshot.platforms.values(), key=lambda p: p.name.casefold()):
        if wanted is not None and platform.operator.casefold() != wanted:
            continue
        if needle and needle not in platform.name.casefold() and needle not in platform.id:
            continue
        query = Query(platform_id=platform.id, category_id="", as_of=as_of, country=country)
        found = {d.category_id: d.verdict.value for d in decide_many(snapshot, query)}
        rows.append(Row(platform, tuple(found.get(cid) for cid in columns)))
    return rows
