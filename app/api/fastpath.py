"""The hot decision route, answered before every other layer.

GET /v1/platforms/{id}/ai-training is most of the traffic. This layer answers it in one pass and does itself what
the layers it skips would do: the rate limit, the security headers, CORS, the access log and the metrics (each a
few µs as a layer of its own). Anything out of the ordinary (HEAD, a control character, a refused rate limit, no
snapshot while the database fails) it leaves to the full stack, which answers through the documented FastAPI
route. Both answer byte for byte alike: tests/api/test_fastpath.py compares them over generated queries.
"""

from __future__ import annotations

import re
import time

from starlette.types import Receive, Scope, Send

from app.api.cors import SimpleCors
from app.api.logs import AccessLog, request_id_from
from app.api.ratelimit import COUNTED, RateLimiter
from app.api.responses import answer_parts
from app.api.security import API_ANSWER_HEADERS, CONTROL_QUERY
from app.serving.answers import AnswerService

ROUTE = re.compile(r"/v1/platforms/([^/\x00-\x1f\x7f]+)/ai-training")  # control characters: the full stack's 422
TEMPLATE = "/v1/platforms/{platform_id}/ai-training"  # what the access log and metrics name this route


class DecisionFastPath:
    """Serve GET /v1/platforms/{id}/ai-training directly from the answer service."""

    def __init__(
        self, service: AnswerService, access_log: AccessLog, limiter: RateLimiter | None, cors: SimpleCors
    ) -> None:
        self.service = service
        self.access_log = access_log
        self.limiter = limiter
        self.cors = cors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer the request and return True, or return False to leave it to the full stack."""
        if scope["method"] != "GET":
            return False
        path = scope["path"]
        match = ROUTE.fullmatch(path)
        if match is None or CONTROL_QUERY.search(scope["query_string"]):
            return False
        started = time.perf_counter()
        if_none_match = accept_language = accept_encoding = origin = request_id = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"accept-encoding":
                accept_encoding = value.decode("latin-1")
            elif name == b"accept-language":
                accept_language = value.decode("latin-1")
            elif name == b"origin":
                origin = value
            elif name == b"x-request-id" and request_id is None:
                request_id = value
            elif name == b"if-match":
                return False  # rare on a read: the full stack evaluates it (api/preconditions.py)
        limiter = self.limiter
        if limiter is not None:
            client = limiter.client(scope)
            if limiter.counters is not None:  # this worker's own counters: no coroutine to await
                problem = limiter.hit_now("decisions", client)
            else:
                problem = await limiter.hit("decisions", client)
            scope[COUNTED] = problem or False  # the full stack, if it answers, must not count this request again
            if problem is not None:
                return False
        try:
            ans = self.service.single(match.group(1), scope["query_string"], path, accept_language, accept_encoding)
        except Exception:  # no snapshot and the database failing: the route answers 503 (or logs the error)
            return False
        status, body, headers = answer_parts(ans, if_none_match)
        self.cors.apply(headers, origin)
        headers.extend(API_ANSWER_HEADERS)
        rid = request_id_from(request_id)
        headers.append((b"x-request-id", rid.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        self.access_log.request(rid, "GET", TEMPLATE, path, status, time.perf_counter() - started)
        return True
