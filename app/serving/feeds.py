"""The change log as an Atom feed: one entry per change, saying in words what it changed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator

from app.store.models import Change

# URL segment under /v1 and the noun people read, per resource.
# A review and a source check's finding are log entries about a rule and a source (docs/keeping-data-true.md).
PATHS = {
    "category": "data-categories",
    "jurisdiction": "jurisdictions",
    "platform": "platforms",
    "source": "sources",
    "deadline": "deadlines",
    "rule": "rules",
    "review": "rules",
    "source-check": "sources",
}
NOUNS = {
    "category": "Data category",
    "jurisdiction": "Jurisdiction",
    "platform": "Platform",
    "source": "Source",
    "deadline": "Deadline",
    "rule": "Rule",
    "review": "Review of rule",
    "source-check": "Check of source",
}
VERBS = {"create": "added", "update": "changed", "delete": "removed"}
# What XML 1.0 cannot carry: controls but tab, newline and return, surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Replace each character XML cannot carry with U+FFFD, so stored text never breaks the feed."""
    # Writes refuse control characters now, but older databases may hold some (in review notes, say), and lxml
    # refuses the whole document for one of them.
    return _NOT_XML.sub("\ufffd", text)


def _flat(record: Mapping[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings (a rule's opt_out) into dotted field names."""
    out: dict[str, Any] = {}
    for name, value in (record or {}).items():
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


def _value(value: Any) -> str:
    if value is None or value == []:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def describe(change: Change) -> list[str]:
    """Return sentences saying what a change did, field by field, with the values before and after."""
    before, after = _flat(change.before), _flat(change.after)
    if change.operation == "create":
        return [f"{name}: {_value(value)}" for name, value in after.items() if value not in (None, [])]
    if change.operation == "delete":
        return ["It was: " + "; ".join(f"{name}: {_value(v)}" for name, v in before.items() if v not in (None, []))]
    lines = []
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if old != new:
            lines.append(f"{name} changed from {_value(old)} to {_value(new)}.")
    return lines or ["Nothing but the record's version changed."]


def title(change: Change) -> str:
    """Return an entry title: what record, what happened, at which revision."""
    return f"{NOUNS[change.resource]} {change.resource_id} {VERBS[change.operation]} (revision {change.revision})"


def record_link(base: str, change: Change) -> str:
    """Return where to read the record a change touched (its change history once it is gone)."""
    if change.operation == "delete":
        return f"{base}/v1/changes?resource={change.resource}&resource_id={change.resource_id}"
    return f"{base}/v1/{PATHS[change.resource]}/{change.resource_id}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def atom(changes: Iterable[Change], *, base: str, self_url: str, revision: int, now: datetime) -> bytes:
    """Return an Atom 1.0 document with one entry per change (given newest first); `now` dates an empty feed."""
    feed = FeedGenerator()
    self_url = xml_text(self_url)
    feed.id(self_url)
    feed.title("Trainwatch: changes to the AI-training data")
    feed.subtitle(f"Every change to the dataset, newest first; dataset revision {revision}.")
    feed.author({"name": "Trainwatch"})
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=f"{base}/v1/changes", rel="alternate", type="application/json")
    newest = None
    for change in changes:
        at = _aware(change.at)
        newest = newest or at
        entry = feed.add_entry(order="append")
        entry.id(f"urn:trainwatch:change:r{change.revision}:{change.seq}")
        entry.title(xml_text(title(change)))
        entry.updated(at)
        entry.published(at)
        entry.link(href=xml_text(record_link(base, change)), rel="alternate")
        entry.author({"name": xml_text(change.actor)})
        entry.category(term=change.resource, label=NOUNS[change.resource])
        entry.content(xml_text("\n".join(describe(change))), type="text")
    feed.updated(newest or _aware(now))
    document: bytes = feed.atom_str(pretty=True)
    return document
