"""Cross-origin reads: the one CORS configuration, given to Starlette's CORSMiddleware and to the fast path.

Reads are open to every configured origin; writes need an Authorization header, which is never allowed cross-origin,
so browsers on other sites cannot make them.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from app.serving.problems import PROBLEM_JSON, Problem, problem_bytes

ALLOW_METHODS = ["GET", "HEAD", "POST"]
ALLOW_HEADERS = ["Content-Type", "If-None-Match", "Accept", "X-Request-ID"]  # the docs invite callers to tag requests
EXPOSE_HEADERS = [
    "ETag",
    "Link",
    "Location",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
    "X-Request-ID",
]
MAX_AGE = 600


def middleware_options(origins: list[str]) -> dict[str, Any]:
    """Return the keyword arguments of Starlette's CORSMiddleware for the configured origins."""
    return {
        "allow_origins": origins,
        "allow_methods": ALLOW_METHODS,
        "allow_headers": ALLOW_HEADERS,
        "expose_headers": EXPOSE_HEADERS,
        "max_age": MAX_AGE,
    }


class SimpleCors:
    """The headers Starlette's CORSMiddleware adds to a simple (not preflight) response, without its layer.

    tests/api/test_fastpath.py compares both, with and without an Origin, for allowed and refused origins.
    """

    def __init__(self, origins: list[str]) -> None:
        self.allow_all = "*" in origins
        self.origins = frozenset(origins)
        simple = [(b"access-control-expose-headers", ", ".join(EXPOSE_HEADERS).encode())]
        if self.allow_all:
            simple.insert(0, (b"access-control-allow-origin", b"*"))
        self.simple = simple

    def apply(self, headers: list[tuple[bytes, bytes]], origin: bytes | None) -> None:
        """Add the CORS headers of a simple response for a request from `origin` (None: no Origin header)."""
        if origin is not None:
            headers.extend(self.simple)
            if not self.allow_all and origin.decode("latin-1") in self.origins:
                headers.append((b"access-control-allow-origin", origin))
        # Every answer varies by Origin, so shared caches keep one copy per origin.
        for i, (name, value) in enumerate(headers):
            if name == b"vary":
                headers[i] = (name, value + b", Origin")
                return
        headers.append((b"vary", b"Origin"))


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS layer, whose refused preflight is problem+json like every other error (it is text/plain)."""

    def preflight_response(self, request_headers: Headers) -> Response:
        """Answer a preflight as Starlette does; a refusal names what was not allowed in a problem document."""
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        problem = Problem(
            400,
            f"This cross-origin request is not allowed (its {refused}): the API allows GET, HEAD and POST from the "
            "configured origins, with the headers Content-Type, If-None-Match and Accept.",
            title="CORS preflight refused",
            param="Origin"
            if refused.startswith("origin")
            else "Access-Control-Request-" + refused.split(",")[0].title(),
        )
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
        return Response(problem_bytes(problem), status_code=400, media_type=PROBLEM_JSON, headers=headers)
