"""Time the explorer's matrix and page for 60 platforms: the seeded ones plus copies (`python bench/explorer.py`).

Uses the database of TRAINWATCH_DATABASE_URL (migrated and seeded); prints cold and warm timings.
"""

import time
from dataclasses import replace
from datetime import date

from sqlmodel import Session

from app.policy import Snapshot, prepare
from app.settings import get_settings
from app.store import repository
from app.store.db import make_engine
from app.web import explorer
from app.web.pages import ENV
from app.web.wording import Words, catalog

engine = make_engine(get_settings().database_url)
with Session(engine) as s:
    snap = repository.load_snapshot(s)
platforms = dict(snap.platforms)
rules = dict(snap.rules)
for p in list(snap.platforms.values())[: max(0, 60 - len(snap.platforms))]:
    pid = f"{p.id}-copy"
    platforms[pid] = replace(p, id=pid, name=p.name + " copy")
    for r in snap.rules.values():
        if r.platform_id == p.id:
            rules[r.id + "-copy"] = replace(r, id=r.id + "-copy", platform_id=pid)
big = Snapshot(snap.revision, platforms, snap.categories, snap.jurisdictions, rules, snap.deadlines, snap.sources)
prepare(big)  # as the server does before it serves a new snapshot
print(len(big.platforms), "platforms")
order = [k.removeprefix("category.") for k in catalog("en") if k.startswith("category.")]
cols = explorer.categories(big, order)
t = Words("de")
countries = sorted(((c, t.place(c)) for c in big.chains), key=lambda x: x[1])
for label in ("cold", "warm", "warm"):
    start = time.perf_counter()
    rows = explorer.matrix(big, cols, country="DE", as_of=date(2025, 9, 1))
    mid = time.perf_counter()
    html = ENV.get_template("explorer.html").render(
        t=t,
        other_lang="en",
        other_lang_url="/",
        revision=1,
        rows=rows,
        categories=cols,
        countries=countries,
        country="DE",
        as_of=date(2025, 9, 1),
        operator=None,
        operators=explorer.operators(big),
        search=None,
        query="",
    )
    end = time.perf_counter()
    print(f"{label}: matrix {1000 * (mid - start):.1f} ms, render {1000 * (end - mid):.1f} ms, {len(html)} bytes")
