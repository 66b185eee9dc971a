"""The HTTP edge as a pure ASGI layer: security headers, refusal of control characters, HEAD and OPTIONS.

It sits outside every other layer (the fast path included), so all answers get the same headers. It allocates one
header list per answer and nothing else on the hot path.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import PROBLEM_JSON, Problem, problem_bytes

# Answers that are not HTML pages load nothing and may be framed by no one.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# What every JSON answer outside /embed carries, in the order this layer adds them; the fast path sends the same.
API_ANSWER_HEADERS = (
    (b"content-security-policy", API_CSP.encode()),
    *COMMON,
    (b"x-frame-options", b"DENY"),
)
# Control characters (NUL included) in a path or, percent-encoded, in a query: refused the same on every database.
CONTROL_PATH = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_QUERY = re.compile(rb"%(?:[01][0-9a-fA-F]|7[fF])|[\x00-\x1f\x7f]")
# What a Host field may hold (RFC 9112 section 3.2, RFC 3986 section 3.2.2): a bracketed IP literal, or a name or
# IPv4 address of unreserved, percent-encoded and sub-delimiter characters; then an optional port.
HOST = re.compile(
    rb"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|\[[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+\]"
    rb"|(?:[A-Za-z0-9\-._~!$&'()*+,;=]++|%[0-9A-Fa-f]{2})*+)(?::[0-9]*)?"
)


def page_csp(script_hashes: Iterable[str] = (), *, frame_ancestors: str = "'none'") -> str:
    """Return a strict Content-Security-Policy for an HTML page whose assets are all served from this origin."""
    scripts = " ".join(["'self'", *(f"'sha256-{h}'" for h in script_hashes)])
    # Swagger UI and ReDoc set style attributes and inject <style> elements; ReDoc runs its search in a blob worker.
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"font-src 'self'; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {frame_ancestors}"
    )


class SecurityHeaders:
    """Add security headers to every answer; answer HEAD like GET without a body and OPTIONS with `Allow`."""

    def __init__(
        self, app: ASGIApp, routes: list[BaseRoute], embed_prefix: str = "/embed", embed_frame_ancestors: str = "*"
    ) -> None:
        self.app = app
        self.routes = routes
        self.embed_prefix = embed_prefix
        self.headers = [*COMMON, (b"x-frame-options", b"DENY")]
        self.csp = (b"content-security-policy", API_CSP.encode())
        # Embeds may be framed by the configured sites; nothing else may be framed at all.
        self.embed_headers = list(COMMON)
        embed_csp = API_CSP.replace("frame-ancestors 'none'", f"frame-ancestors {embed_frame_ancestors}")
        self.embed_csp = (b"content-security-policy", embed_csp.encode())
        # HTML pages (the explorer, the demo) load their own scripts, styles and images and submit their own forms.
        # The demo page frames this origin's own card.
        page = page_csp().replace("form-action 'none'", "form-action 'self'") + "; frame-src 'self'"
        self.page_csp = (b"content-security-policy", page.encode())
        embed_page = page.replace("frame-ancestors 'none'", f"frame-ancestors {embed_frame_ancestors}")
        self.embed_page_csp = (b"content-security-policy", embed_page.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        embed = scope["path"].startswith(self.embed_prefix)
        extra, csp = (self.embed_headers, self.embed_csp) if embed else (self.headers, self.csp)
        html_csp = self.embed_page_csp if embed else self.page_csp
        if CONTROL_PATH.search(scope["path"]) or CONTROL_QUERY.search(scope["query_string"]):
            problem = Problem(
                422,
                "The path or query contains a control character (such as NUL); remove it.",
                title="Invalid request",
                param="path" if CONTROL_PATH.search(scope["path"]) else "query",
            )
            # The path, as every other problem names it, with its control characters percent-encoded.
            instance = CONTROL_PATH.sub(lambda m: f"%{ord(m.group()):02X}", scope["path"])
            await _send_problem(send, problem, extra, csp, instance=instance)
            return
        if (fault := host_fault(scope)) is not None:
            problem = Problem(400, f"{fault} (RFC 9112 section 3.2).", title="Invalid Host", param="Host")
            await _send_problem(send, problem, extra, csp, instance=scope["path"])
            return
        if method == "OPTIONS" and not _is_preflight(scope):
            allowed = self._allowed(scope)
            if allowed:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 204,
                        "headers": [(b"allow", ", ".join(allowed).encode()), *extra, csp],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
        head = method == "HEAD"
        if head:
            scope["method"] = "GET"  # in place, so the access log still sees the route the router matched

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                if head:
                    # The server reads the method from this same scope to know that no body follows the head (else
                    # it waits for Content-Length bytes, fails and drops the connection): HEAD again from here on.
                    scope["method"] = "HEAD"
                headers = list(message.get("headers", ()))
                if message["status"] == 405 and (allowed := self._allowed(scope)):
                    # The router names the methods of the first route matching the path; RFC 9110 section 15.5.6
                    # wants every method the path serves (GET and PATCH of a record are routes of their own).
                    headers = [(n, v) for n, v in headers if n.lower() != b"allow"]
                    headers.append((b"allow", ", ".join(allowed).encode()))
                if not any(name == b"content-security-policy" for name, _ in headers):
                    html = any(name == b"content-type" and value.startswith(b"text/html") for name, value in headers)
                    headers.append(html_csp if html else csp)
                headers.extend(extra)
                message["headers"] = headers
            elif head:
                message = {"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)}
            await send(message)

        await self.app(scope, receive, send_secured)
        if head:
            scope["method"] = "HEAD"

    def _allowed(self, scope: Scope) -> list[str]:
        """Return the methods some route serves at this path (with HEAD beside GET, and OPTIONS)."""
        # Ask the routes themselves, method by method: included routers nest, so there is no flat list to read.
        methods = {
            method
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
            if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in self.routes)
        }
        if not methods:
            return []
        if "GET" in methods:
            methods.add("HEAD")
        return sorted(methods | {"OPTIONS"})


# Fields whose value is a comma-separated list: sent on several lines, they mean the lines joined with commas (RFC
# 9110 section 5.3). The fast path and the routes each read one line of a field, and read different ones.
LIST_FIELDS = frozenset(
    {b"accept", b"accept-encoding", b"accept-language", b"if-match", b"if-none-match", b"cache-control"}
)


def join_list_lines(scope: Scope) -> None:
    """Join the lines of each list field of a request into one, where a field comes on several lines (rare)."""
    headers = scope["headers"]
    if len(headers) > 1 and len({name for name, _ in headers}) < len(headers):
        scope["headers"] = combined_lists(headers)


def combined_lists(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Return the headers with the lines of each list field joined into one, where the first of them stood."""
    joined: dict[bytes, list[bytes]] = {}
    out: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if name not in LIST_FIELDS:
            out.append((name, value))
        elif name in joined:
            joined[name].append(value)
        else:
            joined[name] = [value]
            out.append((name, b""))  # a placeholder, filled in below
    return [(name, b", ".join(joined[name])) if name in joined else (name, value) for name, value in out]


def host_fault(scope: Scope) -> str | None:
    """Return why a request's Host field breaks RFC 9112 section 3.2, which has a server answer it 400: missing from
    an HTTP/1.1 request, sent twice, or not a host and port; None when it is sound."""
    found = None
    for name, value in scope["headers"]:
        if name == b"host":
            if found is not None:
                return "The request has more than one Host field"
            found = value
    if found is None:
        return "An HTTP/1.1 request must have a Host field" if scope.get("http_version") == "1.1" else None
    match = HOST.fullmatch(found)
    if match is None or (match["ip6"] is not None and not _ipv6(match["ip6"])):
        return "The Host field is not a host name or address with an optional port"
    return None


def _ipv6(text: bytes) -> bool:
    """Return whether the text in a Host's brackets is an IPv6 address."""
    try:
        ipaddress.IPv6Address(text.decode("ascii"))
    except ValueError:
        return False
    return True


def _is_preflight(scope: Scope) -> bool:
    """Return whether an OPTIONS request is a CORS preflight (which the CORS layer answers)."""
    return any(name == b"access-control-request-method" for name, _ in scope["headers"])


async def _send_problem(
    send: Send, problem: Problem, extra: list[tuple[bytes, bytes]], csp: tuple[bytes, bytes], instance: str
) -> None:
    body = problem_bytes(problem, instance)
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *((name.lower().encode(), value.encode()) for name, value in problem.headers.items()),
                *extra,
                csp,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
