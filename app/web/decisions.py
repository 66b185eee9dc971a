"""Ask the decision API's own answer service, so the card and pages show exactly what the JSON says."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from app.serving.answers import QUERY_FIELDS, AnswerService

# The decision API's query parameters that the embeds pass through unchanged.
PASSED = (*QUERY_FIELDS, "lang")


def ask(service: AnswerService, platform_id: str, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    """Return the status and JSON document GET /v1/platforms/{platform_id}/ai-training gives for these params."""
    chosen = {name: params[name] for name in PASSED if params.get(name) not in (None, "")}
    answer = service.single(platform_id, urlencode(chosen).encode(), f"/v1/platforms/{platform_id}/ai-training")
    return answer.status, json.loads(answer.body)
