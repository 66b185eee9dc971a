"""A small valid dataset to break in tests, and helpers to write it and collect load errors."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.dataset import DatasetError, load_dataset

# Quoted citations of primary sources: enough for a decided rule.
Q_M1 = {"id": "M1", "quote": "we will begin training our AI at Meta using public content", "where": None}
Q_X1 = {"id": "X1", "quote": "X has agreed to suspend its processing of the personal data", "where": "paragraph 2"}

BASE: dict[str, list[dict[str, Any]]] = {
    "categories": [
        {"id": "public-posts", "name": "Public posts", "description": "Posts the user published publicly."},
        {"id": "private-messages", "name": "Private messages", "description": "Direct messages and chats."},
    ],
    "jurisdictions": [
        {"code": "GLOBAL", "name": "Worldwide", "kind": "global"},
        {"code": "DE", "name": "Germany", "kind": "country"},
        {"code": "FR", "name": "France", "kind": "country"},
        {"code": "NO", "name": "Norway", "kind": "country"},
        {"code": "EU", "name": "European Union", "kind": "group", "members": ["DE", "FR"]},
        {"code": "EEA", "name": "European Economic Area", "kind": "group", "members": ["DE", "FR", "NO"]},
    ],
    "platforms": [
        {"id": "facebook", "name": "Facebook", "operator": "Meta Platforms", "website": "https://www.facebook.com/"},
        {"id": "x", "name": "X", "operator": "X Corp.", "privacy_policy_url": "https://x.com/en/privacy"},
    ],
    "sources": [
        {
            "id": "M1",
            "url": "https://about.fb.com/news/",
            "title": "Making AI Work Harder for Europeans",
            "publisher": "Meta Newsroom",
            "published_on": "2025-04-14",
            "retrieved_on": "2026-11-26",
            "kind": "primary",
        },
        {
            "id": "M17",
            "url": "https://www.radiohagen.de/artikel/x",
            "title": "KI-Training verhindern",
            "publisher": "dpa/tmn via Radio Hagen",
            "published_on": "2025-04",
            "retrieved_on": "2026-11-26",
            "kind": "secondary",
            "quote": "Ein Widerspruch am 27. Mai oder später",
            "via": None,
        },
        {
            "id": "X1",
            "url": "https://www.dataprotection.ie/en/news",
            "title": "DPC welcomes X undertaking",
            "publisher": "Irish DPC",
            "published_on": "2024",
            "retrieved_on": "2026-11-26",
            "kind": "primary",
        },
    ],
    "deadlines": [
        {
            "id": "meta-eea-objection-2025",
            "platform": "facebook",
            "jurisdiction": "EEA",
            "kind": "objection-deadline",
            "on": "2025-05-26",
            "summary": "Object by this day to keep old posts out.",
            "after": "A later objection covers only later posts.",
            "sources": ["M1", "M17"],
        },
    ],
    "rules": [
        {
            "id": "facebook-eea-public-posts-2025",
            "platform": "facebook",
            "category": "public-posts",
            "jurisdiction": "EEA",
            "treatment": "opt_out",
            "effective_from": "2025-05-27",
            "min_age": 18,
            "legal_basis": "legitimate-interest",
            "opt_out": {
                "method": "objection form",
                "url": "https://www.facebook.com/help/contact/712876720715583",
                "deadline": "meta-eea-objection-2025",
                "late_objection": "covers_later_posts",
            },
            "summary": "Used unless you objected.",
            "sources": [Q_M1, {"id": "M17"}],
        },
        {
            "id": "facebook-global-private-messages",
            "platform": "facebook",
            "category": "private-messages",
            "jurisdiction": "GLOBAL",
            "treatment": "not_used",
            "summary": "Private messages are not used.",
            "notes": ["Chats with Meta AI are another category."],
            "sources": [Q_M1],
        },
        {
            "id": "x-eu-public-posts-paused",
            "platform": "x",
            "category": "public-posts",
            "jurisdiction": "EU",
            "treatment": "not_used",
            "posted_from": "2024-05-07",
            "posted_until": "2024-08-01",
            "summary": "Posts from this window are not used.",
            "sources": [Q_X1],
        },
        {
            "id": "x-global-public-posts",
            "platform": "x",
            "category": "public-posts",
            "jurisdiction": "GLOBAL",
            "treatment": "opt_out",
            "effective_from": "2023-09-29",
            "opt_out": {"method": "Grok setting", "late_objection": "stops_future_training"},
            "summary": "Used unless you switch it off.",
            "sources": [Q_X1],
        },
        {
            "id": "facebook-de-public-posts-2024",
            "platform": "facebook",
            "category": "public-posts",
            "jurisdiction": "DE",
            "treatment": "not_used",
            "effective_from": "2024-06-14",
            "effective_until": "2025-05-26",
            "summary": "Paused.",
            "sources": [Q_M1],
        },
    ],
}


@pytest.fixture
def base() -> dict[str, list[dict[str, Any]]]:
    """Return a fresh copy of the valid dataset, to break one field at a time."""
    return copy.deepcopy(BASE)


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Any], Path]:
    """Return a function writing YAML text or data to a path relative to a fresh working folder."""
    monkeypatch.chdir(tmp_path)

    def _write(name: str, content: Any) -> Path:
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def errors_of(path: Path) -> list[str]:
    """Return the messages load_dataset raises for a path, failing the test when it loads cleanly."""
    try:
        load_dataset(path)
    except DatasetError as exc:
        return exc.errors
    pytest.fail(f"{path} loaded without errors")


@pytest.fixture
def load_errors() -> Callable[[Path], list[str]]:
    """Return errors_of, for tests that collect load errors."""
    return errors_of
