"""If-Match on reads: a GET or HEAD whose If-Match names no tag of the answer is 412 (RFC 9110 section 13.1.1).

Writes evaluate If-Match themselves, against the version stored under the write lock. A read has nothing to lock,
so its answer's own ETag decides, as it leaves: the routes need not know the header exists. Requests without
If-Match (nearly all) pass through untouched.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.serving.caching import identity_tag
from app.serving.problems import PROBLEM_JSON, Problem, problem_bytes


def if_match_holds(if_match: str, etag: str | None) -> bool:
    """Return whether If-Match holds for an answer with this ETag (None: it has none): `*`, or a tag equal to it by
    strong comparison; a compressed variant's tag names the same content, so either encoding's tag holds."""
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        return True  # the resource has a current representation: this answer
    if etag is None or etag.startswith("W/"):
        return False  # strong comparison: a weak tag never matches
    current = identity_tag(etag)
    return any(not tag.startswith("W/") and identity_tag(tag) == current for tag in tags)


class ReadPreconditions:
    """Answer 412 in place of a GET or HEAD answer that If-Match does not name."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if_match = next((value for name, value in scope["headers"] if name == b"if-match"), None)
        if if_match is None:
            await self.app(scope, receive, send)
            return
        refused = False

        async def send_checked(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start":
                # Only an answer that shows the resource: an error (404, 422) says more than 412 would.
                if message["status"] in (200, 304):
                    headers = message.get("headers", [])
                    tag = next((v.decode("latin-1") for k, v in headers if k.lower() == b"etag"), None)
                    refused = not if_match_holds(if_match.decode("latin-1"), tag)
                if refused:
                    await _send_refusal(send, if_match.decode("latin-1"), scope["path"])
                    return
            elif refused:
                return  # the body of the answer refused
            await send(message)

        await self.app(scope, receive, send_checked)


async def _send_refusal(send: Send, if_match: str, path: str) -> None:
    """Send the 412 problem for a read whose If-Match names none of its answer's tags."""
    problem = Problem(
        412,
        f"If-Match {shown(if_match)} names no current version of this answer; read it without If-Match for its ETag.",
        title="Precondition failed",
        param="If-Match",
    )
    body = problem_bytes(problem, path)
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    headers += [(name.lower().encode(), value.encode()) for name, value in problem.headers.items()]
    await send({"type": "http.response.start", "status": 412, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def shown(header: str, limit: int = 200) -> str:
    """Return a header as a problem's detail quotes it: a header of kilobytes is cut, not echoed whole."""
    return header if len(header) <= limit else header[:limit] + "…"
