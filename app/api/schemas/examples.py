"""The OpenAPI document's success examples, recorded from the app itself on the bundled dataset.

`make openapi` (`trainwatch openapi --examples`) migrates and seeds a throw-away SQLite database, starts the app on
it with today pinned to RECORDED_AS_OF, sends every request of STEPS in order (reads of the seeded data first, then
writes that create, replace, patch and delete records of their own) and stores each answer in examples.json, which
spec.finish() puts into the document beside its operation's success status and media type. tests/api checks that
every operation has one, that each validates against its schema, and that the app still answers each request so.
"""

from __future__ import annotations

import json
import re
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

EXAMPLES_FILE = Path(__file__).with_name("examples.json")
# The day the examples are recorded as ("today" for freshness, opt-out links in force, upcoming deadlines), so that
# recording again gives the same answers whatever the calendar says.
RECORDED_AS_OF = date(2026, 11, 29)
YAML_LINES = 30
MERGE_PATCH = "application/merge-patch+json"
# What differs between two recordings of the same requests: clock times, the ids and secrets made at random.
VOLATILE = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"), "<time>"),
    (re.compile(r"DTSTAMP:\d{8}T\d{6}Z"), "DTSTAMP:<time>"),
    (re.compile(r"\bkey:[0-9a-f]+"), "key:<id>"),
    (re.compile(r"\bwh_[0-9a-f]+"), "wh_<id>"),
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=]+"), "whsec_<secret>"),
    (re.compile(r"\bmsg_[0-9a-f]+"), "msg_<id>"),
]  # the YAML download is shown up to this many lines

# Records the write examples create, replace, patch and delete again: made up, on example.com, never kept.
PLATFORM = {
    "id": "example-social",
    "name": "Example Social",
    "operator": "Example Inc.",
    "website": "https://example.com/",
    "privacy_policy_url": "https://example.com/privacy",
}
CATEGORY = {
    "id": "voice-notes",
    "name": "Voice notes",
    "description": "Voice messages and audio notes the user recorded.",
}
JURISDICTION = {"code": "NORDICS", "name": "Nordic countries", "kind": "group", "members": ["DK", "FI", "NO", "SE"]}
SOURCE = {
    "id": "EX1",
    "url": "https://example.com/privacy/ai",
    "title": "How Example Social trains AI",
    "publisher": "Example Inc.",
    "published_on": "2026-01-10",
    "retrieved_on": "2026-01-12",
    "kind": "primary",
    "quote": "From 2 March 2026 we use public posts of adults to train our AI models unless they object.",
}
DEADLINE = {
    "id": "example-social-eea-objection-2026",
    "platform": "example-social",
    "jurisdiction": "EEA",
    "kind": "objection-deadline",
    "on": "2026-03-01",
    "summary": "Last day to object before Example Social starts training on public posts.",
    "after": "A later objection covers only content posted from the day of the objection.",
    "sources": ["EX1"],
}
RULE = {
    "id": "example-social-eea-public-posts-2026",
    "platform": "example-social",
    "category": "public-posts",
    "jurisdiction": "EEA",
    "treatment": "opt_out",
    "effective_from": "2026-03-02",
    "min_age": 18,
    "legal_basis": "legitimate-interest",
    "opt_out": {
        "method": "Objection form",
        "url": "https://example.com/privacy/object",
        "deadline": "example-social-eea-objection-2026",
        "late_objection": "covers_later_posts",
        "after_deadline": "A later objection covers only content posted from the day of the objection.",
    },
    "summary": "Used for training from 2026-03-02 unless you objected.",
    "notes": [],
    "sources": [
        {
            "id": "EX1",
            "quote": "From 2 March 2026 we use public posts of adults to train our AI models unless they object.",
            "where": None,
        }
    ],
}
WEBHOOK = {
    "url": "https://dashboard.example.com/hooks/trainwatch",
    "events": ["answer.changed", "deadline.upcoming"],
    "platforms": ["instagram"],
    "categories": ["public-posts"],
    "countries": ["DE"],
}
CHECKS = {
    "checks": [
        {"platform": "instagram", "category": "public-posts", "country": "DE", "as_of": "2025-09-01", "age": 30},
        {
            "platform": "instagram",
            "category": "public-posts",
            "country": "DE",
            "as_of": "2025-09-01",
            "age": 30,
            "objected_on": "2025-05-20",
        },
        {"platform": "no-such-platform", "category": "public-posts"},
    ]
}


@dataclass(frozen=True)
class Step:
    """One example request: which operation it shows, what to send, and which key scope it needs."""

    operation: str
    method: str
    path: str  # may name {webhook_id} or {delivery_id}, filled from earlier answers
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    scope: str | None = None  # "write" or "webhooks"
    content_type: str = "application/json"

    def url(self, context: dict[str, str]) -> str:
        path = self.path.format(**context)
        return f"{path}?{urlencode(self.query)}" if self.query else path


def _writes() -> tuple[list[Step], list[Step]]:
    """The write examples: create a record of each kind and delete it again (in reverse, so nothing still refers to
    it); replace and patch the record the routes' own examples name, as /docs pre-fills it."""
    from app.api.routes import categories, deadlines, jurisdictions, platforms, rules, sources

    made: list[Step] = []
    deletes: list[Step] = []
    for name, kind, record, patch in (
        ("Platform", platforms.KIND, PLATFORM, {"privacy_policy_url": "https://www.facebook.com/privacy/policy/"}),
        ("Category", categories.KIND, CATEGORY, {"name": "Public posts and articles"}),
        ("Jurisdiction", jurisdictions.KIND, JURISDICTION, {"name": "EEA (EU, Iceland, Liechtenstein, Norway)"}),
        ("Source", sources.KIND, SOURCE, {"retrieved_on": "2026-11-28"}),
        ("Deadline", deadlines.KIND, DEADLINE, {"summary": "Last day to object before Meta trained on public posts."}),
        ("Rule", rules.KIND, RULE, {"notes": ["Covers public posts of users aged 18 and over."]}),
    ):
        collection = f"/v1/{kind.path}"
        known = f"{collection}/{kind.example[kind.key_field]}"
        made += [
            Step(f"create{name}", "POST", collection, body=record, scope="write"),
            Step(f"replace{name}", "PUT", known, body=kind.example, scope="write"),
            Step(f"patch{name}", "PATCH", known, body=patch, scope="write", content_type=MERGE_PATCH),
        ]
        deletes.insert(0, Step(f"delete{name}", "DELETE", f"{collection}/{record[kind.key_field]}", scope="write"))
    return made, deletes


def decision_query() -> dict[str, str]:
    """Return the decision route's query as /docs pre-fills it: every parameter's example."""
    from app.api.routes.decisions import QUERY_PARAMETERS

    return {
        p["name"]: json.dumps(p["example"]) if isinstance(p["example"], bool) else str(p["example"])
        for p in QUERY_PARAMETERS
    }


def steps() -> list[Step]:
    """Return the example requests in the order they are sent."""
    writes, deletes = _writes()
    rule = "/v1/rules/facebook-eea-public-posts-2025"
    return [
        Step("getHealth", "GET", "/healthz"),
        Step("getReadiness", "GET", "/readyz"),
        Step("getAiTraining", "GET", "/v1/platforms/instagram/ai-training", decision_query()),
        Step("checkAiTraining", "POST", "/v1/ai-training/checks", {"lang": "en"}, CHECKS),
        Step("listPlatforms", "GET", "/v1/platforms", {"operator": "Meta Platforms", "limit": "2"}),
        Step("getPlatform", "GET", "/v1/platforms/facebook"),
        Step("badgeSvg", "GET", "/v1/platforms/instagram/badge.svg", {"category": "public-posts", "country": "DE"}),
        Step(
            "shieldsJson", "GET", "/v1/platforms/instagram/shields.json", {"category": "public-posts", "country": "DE"}
        ),
        Step("listCategories", "GET", "/v1/data-categories", {"limit": "2"}),
        Step("getCategory", "GET", "/v1/data-categories/public-posts"),
        Step("listJurisdictions", "GET", "/v1/jurisdictions", {"kind": "group"}),
        Step("getJurisdiction", "GET", "/v1/jurisdictions/EEA"),
        Step("listRules", "GET", "/v1/rules", {"platform": "facebook", "category": "public-posts", "limit": "1"}),
        Step("getRule", "GET", rule),
        Step("listDeadlines", "GET", "/v1/deadlines", {"platform": "facebook"}),
        Step("getDeadline", "GET", "/v1/deadlines/facebook-eea-objection-2025"),
        Step("deadlinesIcs", "GET", "/v1/deadlines.ics", {"platform": "facebook"}),
        Step("listSources", "GET", "/v1/sources", {"limit": "2"}),
        Step("getSource", "GET", "/v1/sources/M2"),
        Step("listChanges", "GET", "/v1/changes", {"resource": "platform", "limit": "1"}),
        Step("changesAtom", "GET", "/v1/changes.atom", {"platform": "facebook", "resource": "platform", "limit": "1"}),
        Step("dataset", "GET", "/v1/dataset"),
        Step("dataset", "GET", "/v1/dataset", {"format": "yaml"}),
        Step(
            "createReview",
            "POST",
            f"{rule}/reviews",
            body={"outcome": "confirmed", "note": "The rule stands."},
            scope="write",
        ),
        Step("listReviews", "GET", f"{rule}/reviews"),
        *writes,
        *deletes,
        Step("createWebhook", "POST", "/v1/webhooks", body=WEBHOOK, scope="webhooks"),
        Step("listWebhooks", "GET", "/v1/webhooks", scope="webhooks"),
        Step("getWebhook", "GET", "/v1/webhooks/{webhook_id}", scope="webhooks"),
        Step("ping", "POST", "/v1/webhooks/{webhook_id}/ping", scope="webhooks"),
        Step("listDeliveries", "GET", "/v1/webhooks/{webhook_id}/deliveries", scope="webhooks"),
        Step("retryDelivery", "POST", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", scope="webhooks"),
        Step("rotateWebhookSecret", "POST", "/v1/webhooks/{webhook_id}/rotate-secret", scope="webhooks"),
        Step("deleteWebhook", "DELETE", "/v1/webhooks/{webhook_id}", scope="webhooks"),
    ]


def _abbreviated(step: Step, media_type: str, value: Any) -> tuple[Any, str | None]:
    """Shorten the whole-dataset download to fit in the document; return the value and a note saying so."""
    if step.operation != "dataset":
        return value, None
    if media_type == "application/yaml":
        lines = value.splitlines()
        return "\n".join(lines[:YAML_LINES]) + "\n", f"the first {YAML_LINES} of {len(lines)} lines"
    counts = {name: len(items) for name, items in value.items() if isinstance(items, list)}
    short = {name: items[:1] if isinstance(items, list) else items for name, items in value.items()}
    return short, "the first record of each section (" + ", ".join(f"{n} {name}" for name, n in counts.items()) + ")"


def record(client: Any, tokens: dict[str, str]) -> dict[str, Any]:
    """Send every step through a test client of an app on a freshly seeded database; return what it answered."""
    context: dict[str, str] = {}
    operations: dict[str, list[dict[str, Any]]] = {}
    for step in steps():
        headers = {"Content-Type": step.content_type} if step.body is not None else {}
        if step.scope:
            headers["Authorization"] = f"Bearer {tokens[step.scope]}"
        url = step.url(context)
        content = None if step.body is None else json.dumps(step.body).encode()
        response = client.request(step.method, url, content=content, headers=headers)
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"{step.method} {url} answered {response.status_code}: {response.text[:500]}")
        media_type = response.headers.get("content-type", "").split(";")[0].strip() or None
        value: Any = None
        if response.content:
            value = response.json() if media_type and media_type.endswith("json") else response.text
        if step.operation == "createWebhook":
            context["webhook_id"] = value["id"]
        if step.operation == "ping":
            context["delivery_id"] = str(value["id"])
        value, note = _abbreviated(step, media_type or "", value)
        example: dict[str, Any] = {
            "request": {"method": step.method, "url": url, **({"body": step.body} if step.body is not None else {})},
            "status": response.status_code,
            "media_type": media_type if response.content else None,
            "value": value,
        }
        if note:
            example["abbreviated"] = note
        operations.setdefault(step.operation, []).append(example)
    return {"recorded_as_of": RECORDED_AS_OF.isoformat(), "operations": operations}


def prepare(url: str) -> dict[str, str]:
    """Migrate and seed the database at url with the bundled dataset; return a token per key scope."""
    from sqlmodel import Session

    from app.settings import REPO_ROOT
    from app.store import migrate
    from app.store.db import make_engine
    from app.store.keys import create_key
    from app.store.seeding import seed

    migrate.upgrade(url)
    engine = make_engine(url)
    seed(engine, REPO_ROOT / "app" / "data")
    tokens = {}
    with Session(engine) as session:
        for scope in ("write", "webhooks"):
            tokens[scope] = create_key(session, scope=scope, name="examples")[1]
    engine.dispose()
    return tokens


def record_on(url: str, create_app: Callable[..., Any]) -> dict[str, Any]:
    """Seed the (empty) database at url, serve an app on it as of RECORDED_AS_OF and record every example."""
    with warnings.catch_warnings():  # starlette's note that its test client will move to httpx2
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

    from app.settings import Settings

    tokens = prepare(url)
    settings = Settings(
        database_url=url,
        rate_limits=False,
        webhooks_deliver=False,
        webhooks_allow_private=True,  # the example receiver is not resolved while recording
        revision_check_seconds=0,
        log_level="WARNING",
    )
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        app.state.services.answers.today = lambda: RECORDED_AS_OF
        return record(client, tokens)


def masked(value: Any) -> Any:
    """Return value with what differs between two recordings of the same requests (clock times, the ids and secrets
    made at random) replaced by placeholders."""
    if isinstance(value, str):
        for pattern, replacement in VOLATILE:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def write_examples(create_app: Callable[..., Any], path: Path = EXAMPLES_FILE) -> bool:
    """Record the examples on a throw-away SQLite database and write them to examples.json, unless the file already
    holds the same answers (then it is left alone, so that recording again changes no committed file); return
    whether it was written."""
    with tempfile.TemporaryDirectory(prefix="trainwatch-examples-") as folder:
        examples = record_on(f"sqlite:///{folder}/examples.db", create_app)
    if path.exists() and masked(load_examples(path)) == masked(examples):
        return False
    # Written beside the file and renamed over it: an interrupted run leaves the committed examples whole.
    fresh = path.with_name(path.name + ".new")
    try:
        fresh.write_text(json.dumps(examples, indent=1, ensure_ascii=False) + "\n")
        fresh.replace(path)
    finally:
        fresh.unlink(missing_ok=True)
    return True


def load_examples(path: Path = EXAMPLES_FILE) -> dict[str, Any]:
    """Return the recorded examples (empty if they were never recorded)."""
    return json.loads(path.read_text()) if path.exists() else {"operations": {}}
