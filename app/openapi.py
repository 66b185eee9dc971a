"""The OpenAPI document as committed in openapi.json."""

from __future__ import annotations

import json

from app.settings import Settings


def render_openapi() -> str:
    """Return the app's OpenAPI spec as stable, indented JSON text."""
    from app.main import create_app

    app = create_app(Settings(database_url="sqlite://"))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
