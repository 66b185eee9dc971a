"""Newest-first lists that grow at their head (a rule's reviews, a subscription's deliveries), held to the newest
row of their first page so that rows added while a client pages do not shift the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, func, select


@dataclass(frozen=True)
class Held:
    """A list held to one newest row: that row's id, the list's filters bounded by it, and how many rows it holds."""

    up_to: int
    where: tuple[Any, ...]
    total: int


def held(session: Session, key: Any, where: list[Any], up_to_id: int | None) -> Held | None:
    """Return the list of rows matching `where` held to `up_to_id` (no further than the newest row: a pin past it
    holds nothing), or to the newest row when none is given; None when no row matches."""
    newest = session.exec(select(func.max(key)).where(*where)).one()
    if newest is None:
        return None
    up_to = newest if up_to_id is None else min(up_to_id, newest)
    bounded = (*where, key <= up_to)
    total = session.exec(select(func.count()).where(*bounded)).one()  # FROM the table the filters name
    return Held(up_to, bounded, total)
