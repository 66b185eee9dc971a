"""HTTP responses of the reads: ETags, 304s, public caching, prepared decision answers and paginated lists."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.responses import Response

from app.api.errors import Problem
from app.api.preconditions import shown
from app.serving.answers import Answer
from app.serving.caching import dumps, etag_matches, held_tag, identity_tag, max_age, next_midnight

MAX_AGE = 60  # seconds a public cache may reuse a catalog read before revalidating with its ETag
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
MAX_OFFSET = 2**31 - 1  # far beyond any list; bounds what reaches SQL
MAX_REVISION = 2**63 - 1  # revisions are 64-bit in the schema
_VERSION_TAG = re.compile(r'"v(\d{1,18})(?:-[0-9a-f]{1,32})?"')  # bounded: int() of 5,000 digits fails


def _digest(value: Any) -> str:
    return hashlib.blake2b(dumps(value), digest_size=6).hexdigest()


def record_etag(version: int, embedded: Any = None) -> str:
    """Return a record's ETag: its version, plus a digest of what it embeds from other records."""
    return f'"v{version}"' if embedded is None else f'"v{version}-{_digest(embedded)}"'


def declared_query(request: Request) -> list[tuple[str, str]]:
    """Return the request's query parameters that its route declares, in their order: what the answer depends on (one
    the route does not know changes nothing, so it neither changes an ETag nor travels on in a `next` link)."""
    route = request.scope.get("route")
    # A walk of a few dependencies per list read (microseconds): routes are not hashable, so it is not memoised.
    names = _query_names(route.dependant) if isinstance(route, APIRoute) else None
    return [(k, v) for k, v in request.query_params.multi_items() if names is None or k in names]


def _query_names(dependant: Dependant) -> set[str]:
    """Return the names (aliases) of the query parameters a route and its dependencies declare."""
    names = {field.alias for field in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


def one_value_each(request: Request) -> None:
    """Refuse a query parameter the route declares given more than once (422 naming it), as decisions do: of
    `platform=a&platform=b` which one the client meant is not for us to pick."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    names = _query_names(route.dependant)
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name in names:
            if name in seen:
                raise Problem(
                    422, f"{name} is given more than once; give it once.", title="Invalid parameter", param=name
                )
            seen.add(name)


def list_etag(revision: int, request: Request, *extra: Any) -> str:
    """Return a list's ETag: the dataset revision plus the query's declared parameters (and anything else it depends
    on), in the request's order (a declared parameter comes once: one_value_each)."""
    return f'"r{revision}-{_digest([request.url.path, declared_query(request), *extra])}"'


def _max_age(today_bound: bool) -> int:
    now = time.time()
    return max_age(MAX_AGE, next_midnight(datetime.fromtimestamp(now, UTC).date()) if today_bound else None, now)


def cached(
    request: Request, payload: Any, etag: str, *, today_bound: bool = False, headers: dict[str, str] | None = None
) -> Response:
    """Return a public, cacheable JSON response, or 304 when If-None-Match names its ETag."""
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={_max_age(today_bound)}", **(headers or {})}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(dumps(payload), media_type="application/json", headers=headers)


def written(payload: Any, etag: str | None, *, status: int = 200, location: str | None = None) -> Response:
    """Return the answer to a write: the record as a read now shows it, never cached."""
    headers = {"Cache-Control": "no-store"}
    if etag is not None:
        headers["ETag"] = etag
    if location is not None:
        headers["Location"] = location
    return Response(dumps(payload), status_code=status, media_type="application/json", headers=headers)


def refused_by_if_none_match(header: str | None, version: int) -> bool:
    """Return whether If-None-Match stops a write to a record at this version: `*` (any record) or its ETag."""
    if header is None:
        return False
    # Compared weakly, as RFC 9110 says; a compressed variant's tag names the same version.
    tags = [identity_tag(tag.strip()) for tag in header.split(",")]
    if "*" in tags:
        return True
    return any((m := _VERSION_TAG.fullmatch(tag)) and int(m.group(1)) == version for tag in tags)


def if_match_versions(header: str | None) -> set[int] | None:
    """Return the versions an If-Match header accepts; None when absent or `*` (any current version)."""
    if header is None or header.strip() == "*":
        return None
    # A compressed variant's tag ("v3-…-br") names the version its plain body has.
    tags = [identity_tag(tag.strip()) for tag in header.split(",") if not tag.strip().startswith("W/")]
    versions = {int(m.group(1)) for tag in tags if (m := _VERSION_TAG.fullmatch(tag))}
    if not versions:
        raise Problem(
            412,
            f'If-Match {shown(header)} names no version of this record; send the ETag a read returned, such as "v3".',
            title="Precondition failed",
            param="If-Match",
        )
    return versions


class AnswerResponse(Response):
    """A response sent from prepared headers, skipping Starlette's header assembly on the hot path."""

    def __init__(self, status: int, body: bytes, raw_headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code = status
        self.body = body
        self.raw_headers = raw_headers  # a new list each time: middleware appends to it
        self.background = None


def answer_parts(ans: Answer, if_none_match: str | None) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """Return the status, body and headers of a decision answer: 304 when the client's copy is current.

    The FastAPI route and the fast path both send what this returns, so they answer alike.
    """
    cache_control = ans.cache_control(time.time())
    held = held_tag(if_none_match, ans.etag)  # only 200s have an ETag
    if held is not None:
        # The tag of the copy the client holds, whichever encoding it is in: the same content.
        headers = [ans.head[0] if held == ans.etag else (b"etag", held.encode("latin-1")), cache_control]
        if ans.vary:
            headers.append((b"vary", ", ".join(ans.vary).encode()))
        return 304, b"", headers
    headers = list(ans.head)
    headers.insert(1, cache_control)
    return ans.status, ans.body, headers


def to_response(ans: Answer, if_none_match: str | None) -> Response:
    """Return the HTTP response for a decision answer: 304 when the client's copy is current."""
    return AnswerResponse(*answer_parts(ans, if_none_match))


@dataclass(frozen=True)
class Page:
    """Which slice of a list to return."""

    limit: int
    offset: int

    def of(self, items: Sequence[Any]) -> list[Any]:
        """Return this page's slice of the whole ordered list."""
        return list(items[self.offset : self.offset + self.limit])


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many items.")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many items of the ordered list.")] = 0,
) -> Page:
    """Read the pagination parameters."""
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(page_params)]


def up_to_id_param(
    up_to_id: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_OFFSET,
            description="Only items up to this id. The `next` link sets it to the id of the first page's newest item, "
            "so items added while you page through this newest-first list do not shift its pages.",
        ),
    ] = None,
) -> int | None:
    """Read the id a newest-first list of records with growing ids is held to."""
    return up_to_id


UpToIdDep = Annotated[int | None, Depends(up_to_id_param)]


def next_page(request: Request, total: int, page: Page, pin: dict[str, Any] | None = None) -> str | None:
    """Return the URL of the page after this one (None on the last): the request's declared parameters, `pin`'s
    (what holds the next page to the same list) and the next offset."""
    following = page.offset + page.limit
    if following >= total:
        return None
    fixed = {**(pin or {}), "limit": page.limit, "offset": following}
    kept = [(name, value) for name, value in declared_query(request) if name not in fixed]
    return f"{request.url.path}?{urlencode([*kept, *fixed.items()])}"


def next_link(next_url: str | None) -> dict[str, str]:
    """Return the Link header naming the next page, if there is one."""
    return {"Link": f'<{next_url}>; rel="next"'} if next_url else {}


def paginated(
    request: Request,
    items: list[Any],
    total: int,
    page: Page,
    revision: int,
    etag: str,
    *,
    today_bound: bool = False,
    pin: dict[str, Any] | None = None,
) -> Response:
    """Return one page of a list with its total and the link to the next page (also as a Link header)."""
    next_url = next_page(request, total, page, pin)
    payload = {
        "items": items,
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
        "next": next_url,
        "dataset_revision": revision,
    }
    return cached(request, payload, etag, today_bound=today_bound, headers=next_link(next_url))
