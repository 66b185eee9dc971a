"""Add N synthetic rules (old, country-level, never in force for current questions) through the write path."""

import sys
from itertools import product

from sqlmodel import Session

from app.store.db import make_engine
from app.store.repository import load_snapshot
from app.store.writes import Op, apply_changes

SOURCE = {
    "url": "https://example.com/trainwatch-benchmark",
    "title": "Synthetic benchmark rule",
    "publisher": "Trainwatch benchmark",
    "published_on": None,
    "retrieved_on": "2026-11-26",
    "kind": "primary",  # a decided rule needs a quoted primary source (or two publishers)
    "quote": None,
    "via": None,
}


def main(db: str, count: int) -> None:
    """Write `count` rules spread over every platform, category and country, years 1900 onwards."""
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        snapshot = load_snapshot(session)
        countries = sorted(c for c, j in snapshot.jurisdictions.items() if j.kind == "country")
        taken = {(r.platform_id, r.category_id, r.jurisdiction) for r in snapshot.rules.values()}
        # Skip a country that already has a real rule: an always-in-force rule would overlap every synthetic year.
        triples = [
            t for t in product(sorted(snapshot.platforms), sorted(snapshot.categories), countries) if t not in taken
        ]
        ops = [Op("source", "create", "BENCH1", SOURCE)]
        for n in range(count):
            platform, category, country = triples[n % len(triples)]
            year = 1900 + n // len(triples)
            ops.append(
                Op(
                    "rule",
                    "create",
                    f"bench-{n}",
                    {
                        "platform": platform,
                        "category": category,
                        "jurisdiction": country,
                        "treatment": "used",
                        "effective_from": f"{year}-01-01",
                        "effective_until": f"{year}-12-31",
                        "summary": "Synthetic benchmark rule.",
                        "sources": [{"id": "BENCH1", "quote": "Synthetic.", "where": None}],
                    },
                )
            )
        applied = apply_changes(session, ops, actor="benchmark")
    print(f"added {count} rules at revision {applied.revision}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
