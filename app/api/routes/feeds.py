"""Feeds for following the data: the change log as Atom, deadlines as iCalendar, the whole dataset in one file."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from app.api import public_urls
from app.api.deps import CatalogDep, ServicesDep, SessionDep, TodayDep
from app.api.errors import Problem
from app.api.responses import MAX_REVISION, _max_age, declared_query, list_etag
from app.api.routes import crud
from app.api.routes.deadlines import _chain
from app.api.schemas.catalog import RESOURCE_NAMES
from app.api.schemas.decisions import problem_responses
from app.dataset.dump import dump_dataset
from app.dataset.schema import Dataset
from app.serving import calendar, feeds
from app.serving.caching import dumps, etag_matches
from app.store import history
from app.store.registry import KINDS
from app.store.repository import stored_revision
from app.store.seeding import records_dataset

router = APIRouter(tags=["feeds"])
ATOM = "application/atom+xml; charset=utf-8"
ICS = "text/calendar; charset=utf-8"
YAML = "application/yaml; charset=utf-8"
IMMUTABLE = "public, max-age=31536000, immutable"  # an earlier revision of the dataset never changes


def send(
    request: Request,
    body: bytes,
    media_type: str,
    etag: str,
    *,
    today_bound: bool = False,
    cache_control: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Return a cacheable response of any media type, or 304 when If-None-Match names its ETag."""
    headers = {
        "ETag": etag,
        "Cache-Control": cache_control or f"public, max-age={_max_age(today_bound)}",
        **(headers or {}),
    }
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _linked(request: Request) -> dict[str, str]:
    """Return the Vary header of a feed whose links follow the request's Host header (no TRAINWATCH_PUBLIC_URL)."""
    return {"Vary": "Host"} if public_urls.host_varies(request) else {}


def _doc(media_type: str, text: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"content": {media_type.split(";")[0]: {"schema": {"type": "string"}}}, "description": text},
        304: {"description": "Not modified"},
    }


@router.get(
    "/changes.atom",
    summary="Follow the changes to the data as an Atom feed",
    response_class=Response,
    responses={**_doc(ATOM, "An Atom 1.0 feed"), **problem_responses(422)},
)
def changes_atom(
    request: Request,
    catalog: CatalogDep,
    session: SessionDep,
    platform: Annotated[
        str | None,
        Query(
            description="Only changes to this platform, its rules and its deadlines.",
            openapi_examples=crud.example("instagram"),
        ),
    ] = None,
    resource: Annotated[RESOURCE_NAMES | None, Query(description="Only changes to this kind of record.")] = None,
    since_revision: Annotated[
        int | None, Query(ge=0, le=MAX_REVISION, description="Only changes made after this revision.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many entries, newest first.")] = 100,
) -> Response:
    """One entry per change, newest first: which record, the revision, and each changed field before and after in
    words, with a link to the record. Filters as `GET /v1/changes`. Subscribe in any feed reader."""
    # A platform deleted since still has its history, its removal included (docs/feeds.md).
    if (
        platform is not None
        and catalog.get("platform", platform) is None
        and not history.ever_stored(session, "platform", platform)
    ):
        crud.known(catalog, "platform", platform, "platform", "platform")
    revision = stored_revision(session)
    # Its own URL keeps only the parameters the feed knows, as a list's `next` and ETag do: a tracking parameter
    # added by a reader must not make a new feed (RFC 4287 section 4.2.6: the id is permanent).
    base = public_urls.base_url(request)
    own = public_urls.own_url(request, query=urlencode(declared_query(request)))
    etag = list_etag(revision, request, own)  # the links, its own URL included, are part of the feed
    if etag_matches(request.headers.get("if-none-match"), etag):
        return send(request, b"", ATOM, etag, headers=_linked(request))
    rows = history.changes(
        session, upto=revision, since_revision=since_revision, resource=resource, platform=platform, limit=limit
    )
    body = feeds.atom(
        rows, base=base, self_url=own, revision=revision, now=history.revision_time(session)
    )  # an empty feed's time: stable for its ETag
    return send(request, body, ATOM, etag, headers=_linked(request))


@router.get(
    "/deadlines.ics",
    summary="Opt-out deadlines as a calendar to subscribe to",
    response_class=Response,
    responses={**_doc(ICS, "An iCalendar (RFC 5545) document"), **problem_responses(422)},
)
def deadlines_ics(
    request: Request,
    catalog: CatalogDep,
    today: TodayDep,
    platform: Annotated[
        str | None, Query(description="Only this platform's deadlines.", openapi_examples=crud.example("instagram"))
    ] = None,
    country: Annotated[
        str | None,
        Query(
            description="Only deadlines that apply in this country (its own, its "
            "groups' and GLOBAL ones). ISO 3166-1 alpha-2.",
            openapi_examples=crud.example("DE"),
        ),
    ] = None,
    upcoming: Annotated[bool | None, Query(description="true: only deadlines on or after today (UTC).")] = None,
) -> Response:
    """One all-day event per deadline in force, with alarms 7 days and 1 day before, the opt-out link and what
    happens after the deadline. A moved deadline keeps its event's UID and raises its SEQUENCE, so subscribed
    calendars move the event instead of adding a second one."""
    crud.known(catalog, "platform", platform, "platform", "platform")
    chain = _chain(request, country)
    day = today.isoformat()
    deadlines = catalog.entries["deadline"]
    selected = [
        key
        for key, e in deadlines.items()
        if platform in (None, e.record["platform"])
        and (chain is None or e.record["jurisdiction"] in chain)
        and (upcoming is None or (e.record["on"] >= day) == upcoming)
    ]
    base = public_urls.base_url(request)
    etag = list_etag(catalog.revision, request, day, base)
    body = calendar.calendar(
        deadlines,
        selected,
        rules=catalog.all("rule"),
        platforms=catalog.entries["platform"],
        base=base,
        today=today,
    )
    return send(request, body, ICS, etag, today_bound=True, headers=_linked(request))


@router.get(
    "/dataset",
    summary="Download the whole dataset",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/yaml": {"schema": {"type": "object"}},
            },
            "description": "The dataset",
        },
        304: {"description": "Not modified"},
        **problem_responses(404, 410, 422),
    },
)
def dataset(
    request: Request,
    catalog: CatalogDep,
    services: ServicesDep,
    format: Annotated[
        Literal["json", "yaml"],
        Query(
            description="json, or yaml: exactly what `trainwatch export` "
            "writes (a dataset file `seed` and `import` read)."
        ),
    ] = "json",
    revision: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_REVISION,
            description="An earlier dataset revision, rebuilt from the change "
            "log; 410 once the log no longer reaches back to it.",
        ),
    ] = None,
) -> Response:
    """Every record at the current revision (or an earlier one) in one request, to sync a mirror; `ETag` and
    304 as every read. The JSON holds `dataset_revision` and the six sections of a dataset file."""
    if revision is None or revision == catalog.revision:
        number = catalog.revision
        # The catalog's records also show what is derived (a rule's confidence); a dataset file holds only fields.
        stored = {
            (resource, key): {name: entry.record[name] for name in KINDS[resource].fields}
            for resource, entries in catalog.entries.items()
            for key, entry in entries.items()
        }
        cache_control = None
    else:
        with Session(services.engine) as session:
            current = stored_revision(session)
            if revision > current:
                raise Problem(
                    404,
                    f"Revision {revision} does not exist yet; the dataset is at revision {current}.",
                    title="Unknown revision",
                    param="revision",
                )
            found = history.records_at(session, revision)
        if found is None:
            raise Problem(
                410,
                f"Revision {revision} can no longer be rebuilt: the change log does not reach back "
                "to it. Download the current dataset instead.",
                title="Revision gone",
                param="revision",
            )
        number, stored, cache_control = revision, found, IMMUTABLE
    etag = f'"d{number}-{format}"'
    if etag_matches(request.headers.get("if-none-match"), etag):
        return send(request, b"", YAML, etag, cache_control=cache_control)
    # The current revision's bytes are kept (one revision, both formats): mirrors poll this, and a dump takes 0.3 s.
    kept: dict[tuple[int, str], bytes] = getattr(request.app.state, "dataset_bytes", {})  # this app's copy
    body = kept.get((number, format))
    if body is None:
        body = _render(records_dataset(stored), number, format)
        if cache_control is None:
            request.app.state.dataset_bytes = {k: v for k, v in kept.items() if k[0] == number} | {
                (number, format): body
            }
    if format == "yaml":
        headers = {
            "Content-Disposition": f'inline; filename="trainwatch-dataset-r{number}.yaml"',
            "X-Dataset-Revision": str(number),
        }
        return send(request, body, YAML, etag, cache_control=cache_control, headers=headers)
    return send(request, body, "application/json", etag, cache_control=cache_control)


def _render(data: Dataset, revision: int, format: str) -> bytes:
    if format == "yaml":
        return dump_dataset(data).encode()
    return dumps({"dataset_revision": revision, **data.canonical().model_dump(mode="json")})
