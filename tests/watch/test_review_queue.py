"""Checks put the right rules in the review queue; a review takes them out; both go to the change log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from app.store.db import make_engine
from app.store.models import Change, SourceCheck
from app.store.repository import stored_revision
from app.store.reviews import queue, record_review
from app.watch.text import decompress
from tests.watch.site import Page
from tests.watch.support import check, page, point, quote_of

ADOBE, ALEXA = "adobe-global-private-content-2024", "alexa-global-ai-interactions"


@pytest.fixture
def engine(seeded_url, site):
    engine = make_engine(seeded_url)
    point(engine, site, ["AD1", "AX1"])
    for source_id in ("AD1", "AX1"):
        site.pages[f"/{source_id}"] = Page(body=page(quote_of(engine, source_id)))
    yield engine
    engine.dispose()


def revision(engine) -> int:
    with Session(engine) as session:
        return stored_revision(session)


def queued(engine) -> dict[str, list[tuple[str, str]]]:
    with Session(engine) as session:
        return {item.rule_id: [(s["source"], s["outcome"]) for s in item.sources] for item in queue(session)}


def test_findings_queue_the_citing_rules_and_a_review_takes_them_out(engine, site):
    assert check(engine, ["AD1", "AX1"]) == {"AD1": "ok", "AX1": "ok"}
    before = revision(engine)
    assert queued(engine) == {} and before == revision(engine)  # a first look is a baseline, nothing to review

    site.pages["/AD1"] = Page(body=page(quote_of(engine, "AD1"), extra="We now also license content to partners."))
    site.pages["/AX1"] = Page(410, "gone")
    assert check(engine, ["AD1", "AX1"]) == {"AD1": "changed", "AX1": "gone"}
    assert queued(engine) == {ADOBE: [("AD1", "changed")], ALEXA: [("AX1", "gone")]}
    assert revision(engine) == before + 1  # one bump for the run, so answers reload
    with Session(engine) as session:
        logged = session.exec(select(Change).where(Change.revision == before + 1)).all()
        assert sorted((c.resource, c.resource_id, c.after["outcome"]) for c in logged) == [
            ("source-check", "AD1", "changed"),
            ("source-check", "AX1", "gone"),
        ]
        (diff,) = [s["diff"] for s in queue(session, [ADOBE])[0].sources]
        texts = session.exec(select(SourceCheck.text).where(SourceCheck.source_id == "AD1")).all()
    assert "+We now also license content to partners." in diff
    assert "-Questions about this policy can be sent to our privacy team." in diff
    assert [decompress(t) is not None for t in texts if t] == [True, True]  # the baseline and the changed text

    with Session(engine) as session:
        _review, applied = record_review(
            session, ALEXA, "confirmed", "archived copy added", at=datetime.now(UTC), actor="test"
        )
        entry = session.exec(select(Change).where(Change.revision == applied.revision)).one()
    assert (entry.resource, entry.resource_id, entry.after["outcome"]) == ("review", ALEXA, "confirmed")
    assert entry.after["sources"] == [{"source": "AX1", "outcome": "gone"}]
    assert queued(engine) == {ADOBE: [("AD1", "changed")]}

    # The page stays gone and the changed text stays as it is: nothing new, so nothing comes back.
    after_review = revision(engine)
    assert check(engine, ["AD1", "AX1"]) == {"AD1": "ok", "AX1": "gone"}
    assert queued(engine) == {ADOBE: [("AD1", "changed")]} and revision(engine) == after_review


def test_a_lost_quote_and_a_move_are_findings_but_a_network_failure_is_not(engine, site):
    check(engine, ["AD1", "AX1"])
    site.pages["/AD1"] = Page(body=page("Nothing about training here."))
    site.pages["/AX1"] = Page(hang=True)
    assert check(engine, ["AD1"]) == {"AD1": "quote-missing"}
    assert check(engine, ["AX1"], check_timeout_seconds=1.0, check_retries=0) == {"AX1": "unreachable"}
    assert queued(engine) == {ADOBE: [("AD1", "quote-missing")]}
    site.pages["/AX1"] = Page(301, "", headers={"Location": "/elsewhere"})
    site.pages["/elsewhere"] = Page(body=page(quote_of(engine, "AX1")))
    assert check(engine, ["AX1"])["AX1"] == "moved"
    assert queued(engine)[ALEXA] == [("AX1", "moved")]


def test_reviews_and_findings_touch_no_platform_for_answer_change_events():
    from app.delivery.events import touched_platforms

    at = datetime.now(UTC)
    notes = [
        Change(
            revision=2,
            seq=0,
            at=at,
            resource="review",
            resource_id=ADOBE,
            operation="create",
            after={"outcome": "confirmed"},
            actor="test",
        ),
        Change(
            revision=2,
            seq=1,
            at=at,
            resource="source-check",
            resource_id="AD1",
            operation="create",
            after={"outcome": "changed"},
            actor="test",
        ),
    ]
    assert touched_platforms(notes) == set()
