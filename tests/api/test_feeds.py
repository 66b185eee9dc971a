"""The feeds: the change log as Atom, deadlines as iCalendar, and the whole dataset in one download."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta

import feedparser
import yaml
from catalog_support import bearer, key_id
from icalendar import Calendar
from sqlalchemy import delete
from sqlmodel import Session

from app.store.db import make_engine
from app.store.models import Change

RULE = "/v1/rules/facebook-eea-public-posts-2025"
CLAUDE_FIRST = "claude-consumer-terms-choice-2025-09-28"
CLAUDE_MOVED = "claude-consumer-terms-choice-2025-10-08"


def _atom(client, **params):
    response = client.get("/v1/changes.atom", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def _events(client, **params):
    response = client.get("/v1/deadlines.ics", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_atom_feed_is_valid_with_one_entry_per_change_and_a_link_to_the_record(client):
    feed = _atom(client, resource="rule", limit=5)
    assert len(feed.entries) == 5
    entry = feed.entries[0]
    assert entry.title.startswith("Rule ") and "(revision 1)" in entry.title
    rule_id = entry.title.split()[1]
    assert entry.link == f"http://testserver/v1/rules/{rule_id}"
    assert f"id: {rule_id}" in entry.content[0].value
    assert client.get(entry.link.removeprefix("http://testserver")).status_code == 200
    assert len({e.id for e in _atom(client, limit=1000).entries}) == len(_atom(client, limit=1000).entries)


def test_atom_filters_by_platform_resource_and_revision(client):
    feed = _atom(client, platform="claude", limit=1000)
    assert feed.entries and all("claude" in e.content[0].value for e in feed.entries)
    assert {e.tags[0].term for e in feed.entries} >= {"platform", "rule", "deadline"}
    assert _atom(client, since_revision=1).entries == []
    empty = [client.get("/v1/changes.atom", params={"since_revision": 1}) for _ in range(2)]
    assert empty[0].content == empty[1].content and empty[0].headers["etag"] == empty[1].headers["etag"]
    for params in ({"platform": "nope"}, {"resource": "rules"}, {"since_revision": -1}):
        response = client.get("/v1/changes.atom", params=params)
        assert response.status_code == 422 and response.json()["param"] == next(iter(params))


def test_atom_entry_says_what_changed_before_and_after_and_etag_moves(write_client, seeded_url):
    first = write_client.get("/v1/changes.atom")
    assert write_client.get("/v1/changes.atom", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    auth = bearer(seeded_url)
    response = write_client.patch(RULE, json={"effective_from": "2025-06-01"}, headers=auth)
    assert response.status_code == 200, response.text
    again = write_client.get("/v1/changes.atom", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200 and again.headers["etag"] != first.headers["etag"]
    newest = feedparser.parse(again.content).entries[0]
    assert newest.title == "Rule facebook-eea-public-posts-2025 changed (revision 2)"
    assert newest.content[0].value == "effective_from changed from 2025-05-27 to 2025-06-01."
    assert newest.author == "key:" + key_id(auth)


def test_calendar_has_one_event_per_deadline_in_force_with_alarms_and_opt_out(client):
    events = _events(client, platform="facebook", country="DE")
    assert events
    event = events["facebook-eea-objection-2025@trainwatch"]
    assert event.decoded("dtstart") == date(2025, 5, 26)
    assert event.decoded("dtend") == date(2025, 5, 27)
    assert int(event["sequence"]) == 0
    description = str(event["description"])
    assert "How to object or opt out:" in description and "https://" in description
    assert "After the deadline: An objection filed from 27 May 2025 on covers only" in description
    triggers = sorted(alarm.decoded("trigger") for alarm in event.walk("VALARM"))
    assert triggers == [timedelta(days=-7), timedelta(days=-1)]
    assert not _events(client, platform="facebook", country="US").keys() & {"facebook-eea-objection-2025@trainwatch"}


def test_a_replaced_deadline_is_one_event_with_the_first_uid_and_a_higher_sequence(client):
    events = _events(client, platform="claude")
    assert list(events) == [f"{CLAUDE_FIRST}@trainwatch"]
    event = events[f"{CLAUDE_FIRST}@trainwatch"]
    assert event.decoded("dtstart") == date(2025, 10, 8) and int(event["sequence"]) == 1


def test_moving_a_deadline_keeps_its_uid_and_raises_its_sequence(write_client, seeded_url):
    auth = bearer(seeded_url)
    uid = "facebook-eea-objection-2025@trainwatch"
    before = write_client.get("/v1/deadlines.ics", params={"platform": "facebook"})
    old = _events(write_client, platform="facebook")[uid]
    response = write_client.patch("/v1/deadlines/facebook-eea-objection-2025", json={"on": "2025-06-02"}, headers=auth)
    assert response.status_code == 200, response.text
    moved = _events(write_client, platform="facebook")[uid]
    assert moved.decoded("dtstart") == date(2025, 6, 2)
    assert int(moved["sequence"]) > int(old["sequence"])
    stale = write_client.get(
        "/v1/deadlines.ics", params={"platform": "facebook"}, headers={"If-None-Match": before.headers["etag"]}
    )
    assert stale.status_code == 200
    # Moved again by a new record that replaces it: still the same event, one step later.
    new = {
        "id": "facebook-eea-objection-2025-later",
        "platform": "facebook",
        "jurisdiction": "EEA",
        "kind": "objection-deadline",
        "on": "2025-06-09",
        "summary": "Moved once more.",
        "replaces": "facebook-eea-objection-2025",
        "sources": ["M8"],
    }
    assert write_client.post("/v1/deadlines", json=new, headers=auth).status_code == 201
    events = _events(write_client, platform="facebook")
    assert uid in events and "facebook-eea-objection-2025-later@trainwatch" not in events
    assert events[uid].decoded("dtstart") == date(2025, 6, 9)
    assert int(events[uid]["sequence"]) > int(moved["sequence"])


def test_calendar_upcoming_filter_etag_and_bad_parameters(write_client):
    write_client.app.state.services.answers.today = lambda: date(2025, 5, 27)
    upcoming = _events(write_client, platform="facebook", upcoming="true")
    assert all(e.decoded("dtstart") >= date(2025, 5, 27) for e in upcoming.values())
    assert "facebook-eea-objection-2025@trainwatch" not in upcoming
    first = write_client.get("/v1/deadlines.ics")
    assert write_client.get("/v1/deadlines.ics", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    for params in ({"platform": "nope"}, {"country": "XX"}, {"upcoming": "soon"}):
        response = write_client.get("/v1/deadlines.ics", params=params)
        assert response.status_code == 422 and response.json()["param"] == next(iter(params)), response.text


def _export(url: str) -> bytes:
    env = {**os.environ, "TRAINWATCH_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "export", "-"], env=env, capture_output=True, timeout=120, check=True
    )
    return result.stdout


def test_dataset_download_as_json_and_as_the_export_writes_it(write_client, seeded_url):
    body = write_client.get("/v1/dataset")
    assert body.status_code == 200 and body.headers["content-type"] == "application/json"
    data = body.json()
    assert data["dataset_revision"] == 1
    assert {"categories", "jurisdictions", "platforms", "sources", "deadlines", "rules"} <= set(data)
    assert [p["id"] for p in data["platforms"]] == sorted(p["id"] for p in data["platforms"])
    as_yaml = write_client.get("/v1/dataset", params={"format": "yaml"})
    assert as_yaml.status_code == 200 and as_yaml.headers["content-type"].startswith("application/yaml")
    exported = _export(seeded_url)
    assert as_yaml.content == exported
    assert yaml.safe_load(as_yaml.content)["rules"] == data["rules"]
    assert write_client.get("/v1/dataset", headers={"If-None-Match": body.headers["etag"]}).status_code == 304

    # After an edit the current download moves on and the earlier revision is still there, byte for byte.
    edit = write_client.patch(RULE, json={"summary": "Edited for a test."}, headers=bearer(seeded_url))
    assert edit.status_code == 200
    assert write_client.get("/v1/dataset", headers={"If-None-Match": body.headers["etag"]}).status_code == 200
    assert write_client.get("/v1/dataset", params={"format": "yaml"}).content == _export(seeded_url) != exported
    old = write_client.get("/v1/dataset", params={"format": "yaml", "revision": 1})
    assert old.status_code == 200 and old.content == exported
    assert "immutable" in old.headers["cache-control"]
    assert write_client.get("/v1/dataset", params={"revision": 0}).json()["rules"] == []


def test_dataset_revision_beyond_the_log_is_gone_and_a_future_one_unknown(write_client, seeded_url):
    write_client.patch(RULE, json={"summary": "Edited for a test."}, headers=bearer(seeded_url))
    assert write_client.get("/v1/dataset", params={"revision": 3}).status_code == 404
    engine = make_engine(seeded_url)
    with Session(engine) as session:  # the log of revision 2 pruned: revision 1 can no longer be rebuilt
        session.exec(delete(Change).where(Change.revision == 2))
        session.commit()
    engine.dispose()
    gone = write_client.get("/v1/dataset", params={"revision": 1})
    assert gone.status_code == 410 and gone.headers["content-type"] == "application/problem+json"
    assert write_client.get("/v1/dataset", params={"revision": 2}).status_code == 200
    for params in ({"format": "xml"}, {"revision": -1}):
        response = write_client.get("/v1/dataset", params=params)
        assert response.status_code == 422 and response.json()["param"] == next(iter(params))


def test_each_platform_page_links_its_calendar_and_its_change_feed(client):
    feeds = client.get("/v1/platforms/claude").json()["feeds"]
    assert feeds == {"calendar": "/v1/deadlines.ics?platform=claude", "changes": "/v1/changes.atom?platform=claude"}
    assert client.get(feeds["calendar"]).status_code == 200 and client.get(feeds["changes"]).status_code == 200


def test_a_parameter_the_feed_does_not_know_changes_neither_its_id_nor_its_etag(client):
    plain = client.get("/v1/changes.atom", params={"limit": 1})
    tracked = client.get("/v1/changes.atom", params={"limit": 1, "utm_source": "reader"})
    assert plain.headers["etag"] == tracked.headers["etag"]
    ids = [feedparser.parse(r.content).feed.id for r in (plain, tracked)]
    assert ids[0] == ids[1] and ids[0].endswith("/v1/changes.atom?limit=1"), ids


def test_a_deleted_platforms_feed_still_shows_its_history_and_its_removal(write_client, seeded_url):
    auth = bearer(seeded_url)
    assert (
        write_client.post(
            "/v1/platforms", json={"id": "gone", "name": "Gone", "operator": "G"}, headers=auth
        ).status_code
        == 201
    )
    assert write_client.delete("/v1/platforms/gone", headers=auth).status_code == 204
    feed = _atom(write_client, platform="gone")
    assert len(feed.entries) == 2  # created, then deleted
    never = write_client.get("/v1/changes.atom", params={"platform": "never-was"})
    assert never.status_code == 422 and never.json()["param"] == "platform"
