"""A pure ASGI layer that answers the hot decision route before FastAPI's routing and validation.

It calls the same AnswerService and builds the same Response as the documented FastAPI route, so both answer
byte for byte alike (tests/api/test_fastpath.py checks this over generated queries); everything else passes through.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.errors import problem_response
from app.api.outage import unavailable
from app.api.responses import to_response
from app.serving.answers import AnswerService
from app.store.failures import classify

ROUTE = re.compile(r"/v1/platforms/([^/]+)/ai-training")
TEMPLATE = "/v1/platforms/{platform_id}/ai-training"  # what the access log and metrics name this route


class DecisionFastPath:
    """Serve GET /v1/platforms/{id}/ai-training directly from the answer service."""

    def __init__(self, app: ASGIApp, service: AnswerService) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = ROUTE.fullmatch(scope["path"])
            if match is not None:
                await self._answer(scope, receive, send, match.group(1))
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send, platform_id: str) -> None:
        if_none_match = accept_language = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"accept-language":
                accept_language = value.decode("latin-1")
        scope["trainwatch.route"] = TEMPLATE
        try:
            ans = self.service.single(platform_id, scope["query_string"], scope["path"], accept_language)
        except Exception as exc:  # no snapshot loaded and the database failing: 503 like the routed path
            kind = classify(exc)
            if kind is None:
                raise
            self.service.store.database.report(kind)
            await problem_response(unavailable(kind), scope["path"])(scope, receive, send)
            return
        await to_response(ans, if_none_match)(scope, receive, send)
