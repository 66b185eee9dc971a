"""Deadlines as an iCalendar (RFC 5545) feed: one all-day event per deadline, stable across moves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from app.serving.catalog import Entry

PRODID = "-//Trainwatch//Opt-out deadlines//EN"
ALARM_DAYS = (7, 1)


def _chains(deadlines: Mapping[str, Entry]) -> dict[str, list[Entry]]:
    """Return each deadline's chain of moves, oldest first, following `replaces` back to the first announcement."""
    chains: dict[str, list[Entry]] = {}
    for key, entry in deadlines.items():
        chain, seen = [entry], {key}
        current: str | None = entry.record.get("replaces")
        while current is not None and current in deadlines and current not in seen:
            seen.add(current)
            chain.append(deadlines[current])
            current = deadlines[current].record.get("replaces")
        chains[key] = chain[::-1]
    return chains


def current_deadlines(deadlines: Mapping[str, Entry]) -> dict[str, tuple[str, int]]:
    """Return the deadlines in force (replaced by none) with the UID key and SEQUENCE of their event.

    A moved deadline is either edited in place (its version rises) or replaced by a new record naming it in
    `replaces`; either way the event keeps the first announcement's id, and its SEQUENCE rises, so calendar apps
    update the event instead of adding a second one.
    """
    replaced = {e.record["replaces"] for e in deadlines.values() if e.record.get("replaces") in deadlines}
    out: dict[str, tuple[str, int]] = {}
    used_roots: set[str] = set()
    for key, chain in _chains(deadlines).items():
        if key in replaced:
            continue
        root = chain[0].record["id"]
        # Two deadlines replacing the same one would share a UID; the second keeps its own.
        uid_key = root if root not in used_roots else key
        used_roots.add(uid_key)
        out[key] = (uid_key, len(chain) - 1 + sum(e.version - 1 for e in chain))
    return out


def _opt_out(rules: Iterable[Entry], ids: set[str]) -> dict[str, Any] | None:
    """Return the opt-out of the first rule (by id) whose deadline is one of these."""
    for rule in rules:
        opt_out: dict[str, Any] | None = rule.record.get("opt_out")
        if opt_out and opt_out.get("deadline") in ids:
            return opt_out
    return None


def _description(record: Mapping[str, Any], opt_out: Mapping[str, Any] | None, link: str) -> str:
    parts = [record["summary"]]
    if opt_out is not None:
        how = opt_out.get("method") or "Opt out"
        parts.append(f"How to object or opt out: {how}" + (f" {opt_out['url']}" if opt_out.get("url") else ""))
    after = record.get("after") or (opt_out or {}).get("after_deadline")
    if after:
        parts.append(f"After the deadline: {after}")
    parts.append(f"Details and sources: {link}")
    return "\n\n".join(parts)


def calendar(
    deadlines: Mapping[str, Entry],
    selected: Iterable[str],
    *,
    rules: Iterable[Entry],
    platforms: Mapping[str, Entry],
    base: str,
    today: date,
) -> bytes:
    """Return the iCalendar document for the selected deadlines that are in force (not replaced)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Trainwatch: AI-training opt-out deadlines")
    in_force = current_deadlines(deadlines)
    chains = _chains(deadlines)
    rules = list(rules)
    stamp = datetime.combine(today, time(), tzinfo=UTC)  # stable within a day, so equal requests get equal bytes
    for key in selected:
        if key not in in_force:
            continue
        record = deadlines[key].record
        uid_key, sequence = in_force[key]
        platform = platforms.get(record["platform"])
        name = platform.record["name"] if platform else record["platform"]
        link = f"{base}/v1/deadlines/{key}"
        opt_out = _opt_out(rules, {e.record["id"] for e in chains[key]})
        day = date.fromisoformat(record["on"])
        event = Event()
        event.add("uid", f"{uid_key}@trainwatch")
        event.add("sequence", sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        if day < date.max:  # an all-day event; without DTEND it lasts the one day anyway (RFC 5545 3.6.1)
            event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"{name}: {record['kind'].replace('-', ' ')} ({record['jurisdiction']})")
        event.add("description", _description(record, opt_out, link))
        event.add("url", (opt_out or {}).get("url") or link)
        event.add("categories", [record["kind"]])
        event.add("transp", "TRANSPARENT")
        for days in ALARM_DAYS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            what = record["kind"].replace("-", " ")
            alarm.add("description", f"In {days} day{'s' if days > 1 else ''}: {name} {what}")
            alarm.add("trigger", timedelta(days=-days))
            event.add_component(alarm)
        cal.add_component(event)
    document: bytes = cal.to_ical()
    return document
