"""The committed static files (web component, card script, style sheets) and the catalogs, read once."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from app.web.wording import catalog

STATIC = Path(__file__).resolve().parent / "static"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
FILES = ("trainwatch.js", "trainwatch.css", "card.js", "site.css", "favicon.svg")


@cache
def get(name: str) -> tuple[bytes, str] | None:
    """Return a static file's bytes and media type, or None for a name that is not one of FILES."""
    if name not in FILES:
        return None
    path = STATIC / name
    return path.read_bytes(), TYPES[path.suffix]


def dumps(value: Any) -> bytes:
    """Serialise compactly, keeping non-ASCII letters readable."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@cache
def catalog_bytes(lang: str) -> bytes:
    """Return one language's catalog as the web component loads it."""
    return dumps(catalog(lang))
