"""Get, create, replace, patch and delete one catalog record: the routes every resource shares."""

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from pydantic import BaseModel
from sqlmodel import Session
from starlette.responses import Response

from app.api.auth import WriteKey, actor, writing_as
from app.api.bodies import PATCH_BODY, JsonBody, merge_patch, write_body
from app.api.deps import CatalogDep, Services, get_catalog, get_services, get_today
from app.api.errors import Problem
from app.api.outage import busy
from app.api.responses import (
    Page,
    cached,
    if_match_versions,
    list_etag,
    paginated,
    record_etag,
    refused_by_if_none_match,
    written,
)
from app.api.schemas.decisions import problem_responses
from app.policy import COUNTRY_ALIASES
from app.serving.catalog import Catalog, Entry
from app.store import records
from app.store.errors import InvalidRecord
from app.store.models import ApiKey
from app.store.registry import KINDS, ResourceKind
from app.store.writes import Applied, Op, apply_changes

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag a read returned (e.g. "v3"): the write happens only if the record is '
        "still at that version, else 412. Without it the last write wins.",
    ),
]
log = logging.getLogger("trainwatch.api")


@dataclass(frozen=True)
class Kind:
    """One catalog resource as the API serves it: its registry entry, read model, example and embedded records."""

    kind: ResourceKind
    model: type[BaseModel]  # what a read of one record returns
    example: records.Record
    embed: Callable[[Request, Catalog, Entry], dict[str, Any]] | None = None
    today_bound: bool = False  # whether the embedded part depends on today's date

    @classmethod
    def of(cls, name: str, model: type[BaseModel], example: records.Record, **options: Any) -> "Kind":
        """Return the API view of the registry's kind with this name."""
        return cls(KINDS[name], model, example, **options)

    @property
    def resource(self) -> str:
        """Return the write path's name of the kind ("rule")."""
        return self.kind.name

    @property
    def path(self) -> str:
        """Return the URL segment under /v1 ("rules")."""
        return self.kind.route

    @property
    def param(self) -> str:
        """Return the path parameter's name ("rule_id", or "code" for jurisdictions)."""
        return self.kind.key if self.kind.key != "id" else f"{self.kind.name}_id"

    @property
    def noun(self) -> str:
        """Return the kind's name for documentation ("data category")."""
        return self.kind.noun

    @property
    def record_model(self) -> type[BaseModel]:
        """Return the dataset file's record model, for the request body's schema."""
        return self.kind.record

    @property
    def key_field(self) -> str:
        """Return the record field holding the key ("id" or "code")."""
        return self.kind.key

    def record_of(self, body: dict[str, Any]) -> records.Record:
        """Drop what a read adds (version, embedded records), so a read can be edited and sent back."""
        read_only = set(self.model.model_fields) - set(self.kind.fields)
        return {name: value for name, value in body.items() if name not in read_only}


def example(value: Any) -> dict[str, dict[str, Any]]:
    """Return a parameter's example for /docs, shown beside the parameter rather than inside its schema."""
    return {str(value): {"value": value}}


def today(request: Request) -> date:
    """Return today (UTC), as the app's decision answers see it."""
    return get_today(get_services(request))


def stored_key(catalog: Catalog, resource: str, key: str) -> str:
    """Return the key a record is stored under for the key in a path: as given, else in capitals (codes and source
    ids, which reads and writes alike take in any case), a jurisdiction's alias (UK, EL) as its code."""
    if catalog.get(resource, key) is not None or not key.isascii():
        return key
    upper = key.upper()
    if resource == "jurisdiction":
        upper = COUNTRY_ALIASES.get(upper, upper)
    return upper if catalog.get(resource, upper) is not None else key


def entry_or_404(catalog: Catalog, kind: Kind, key: str) -> Entry:
    """Return a record's entry, or answer 404 naming what was not found."""
    entry = catalog.get(kind.resource, stored_key(catalog, kind.resource, key))
    if entry is None:
        raise Problem(
            404, f"There is no {kind.noun} {key!r}; see /v1/{kind.path} for the list.", title=f"Unknown {kind.noun}"
        )
    return entry


def known(catalog: Catalog, resource: str, value: str | None, param: str, noun: str) -> str | None:
    """Return a filter's id if the catalog holds it; an unknown one gets 422 naming the parameter."""
    if value is None or catalog.get(resource, value) is not None:
        return value
    raise Problem(
        422,
        f"There is no {noun} {value!r}.",
        title="Invalid parameter",
        param=param,
        valid=list(catalog.entries[resource]),
    )


def listing(
    request: Request, catalog: Catalog, entries: list[Entry], page: Page, *depends_on: Any, today_bound: bool = False
) -> Response:
    """Return one page of a filtered list of records, with an ETag for this revision and query."""
    items = [entry.body for entry in page.of(entries)]
    etag = list_etag(catalog.revision, request, *depends_on)
    return paginated(request, items, len(entries), page, catalog.revision, etag, today_bound=today_bound)


def _detail(request: Request, catalog: Catalog, kind: Kind, key: str) -> tuple[dict[str, Any], str]:
    """Return a record's full representation (record, version, embedded records) and its ETag."""
    entry = entry_or_404(catalog, kind, key)
    embedded = kind.embed(request, catalog, entry) if kind.embed else None
    return {**entry.body, **(embedded or {})}, record_etag(entry.version, embedded)


@contextmanager
def write_session(services: Services) -> Iterator[Session]:
    """Return a session for a write and the reload after it, on one connection."""
    # Each checkout costs a ping, and under load each round trip waits for a core.
    with services.engine.connect() as connection, Session(bind=connection) as session:
        yield session


def commit_and_reload(services: Services, write: Callable[[Session], Applied]) -> Applied:
    """Run a write on a session of its own, then make this process's reads and answers see what it committed.

    The write queues for the process's write lock before it takes a connection, and holds the lock until it has
    committed: the reload after it runs unlocked, so the reloads of writes that queued meanwhile can merge (a
    refresh skips a revision another has read).
    """
    if not services.writing.acquire(timeout=services.settings.db_request_timeout):
        # The write before it is stuck on a hung database longer than a request may wait: shed this one as busy.
        raise busy("Too many writes are waiting on the database; retry shortly.")
    locked = True
    try:
        with write_session(services) as session:
            try:
                applied = write(session)
            finally:
                services.writing.release()
                locked = False
            services.store.database.wrote()
            reloaded = _reload_after(services, session, applied)
    finally:
        if locked:  # no connection could be had: the write never ran
            services.writing.release()
    if not reloaded:  # after the block: a second attempt must not hold two of the pool's connections
        _reload_again(services, applied.revision)
    return applied


def _reload_after(services: Services, session: Session, applied: Applied) -> bool:
    """Read a committed write back on the write's own session; return whether that worked."""
    try:
        services.store.refresh(known_revision=applied.revision, session=session, written=applied.rules)
        return True
    except Exception:  # the write is committed: read it again once its connection is back in the pool
        with contextlib.suppress(Exception):  # a broken connection cannot even roll back
            session.rollback()
        log.warning("could not reload the dataset after revision %d; trying again", applied.revision, exc_info=True)
        return False


def _reload_again(services: Services, revision: int) -> None:
    """Read a committed write on a fresh connection (the write's own may be what failed); if that fails too, the
    store keeps trying in the background, so the write shows once the database answers again."""
    try:
        services.store.refresh(known_revision=revision)
    except Exception:
        log.warning("could not reload the dataset after revision %d", revision, exc_info=True)
        services.store.catch_up(revision)


def _write(request: Request, key: ApiKey, op: Op) -> Applied:
    """Apply one change through the write path and make this process's reads and answers see it."""
    with writing_as(request, key) as key_id:

        def write(session: Session) -> Applied:
            try:
                return apply_changes(session, [op], actor=actor(key), key_id=key_id)
            except InvalidRecord as exc:
                errors = exc.extra.get("errors") or [{"field": "body", "message": exc.detail}]
                raise Problem(422, exc.detail, title=exc.title, param=errors[0]["field"], errors=errors) from None

        return commit_and_reload(get_services(request), write)


def _written(request: Request, kind: Kind, key: str, applied: Applied, status: int = 200) -> Response:
    """Answer a write with the record as a read now shows it, from a catalog that holds what the write stored."""
    catalog = get_catalog(get_services(request))
    if applied.stored and catalog.revision < applied.revision:
        # Reading it back failed twice (reload_after, reload_again): the catalog shows the record before the write,
        # or none, and answering from it would say the write did not happen (404 for a record just created).
        raise Problem(
            503,
            f"The change was saved as dataset revision {applied.revision}, but this server could not read it back "
            f"to answer: GET /v1/{kind.path}/{key} shows it once the database answers again.",
            title="Saved, but not read back",
            type_="https://trainwatch.dev/problems/saved-not-read-back",
            dataset_revision=applied.revision,
        )
    payload, etag = _detail(request, catalog, kind, key)
    location = f"/v1/{kind.path}/{key}" if status == 201 else None
    return written(payload, etag, status=status, location=location)


def _version(request: Request, kind: Kind, key: str, if_match: str | None) -> int | None:
    """Return the version an update or delete is conditional on; If-Match may list several."""
    versions = if_match_versions(if_match)
    if versions is None or len(versions) == 1:
        return next(iter(versions)) if versions else None
    with Session(get_services(request).engine) as session:
        row = records.get_row(session, kind.resource, key)
    # The write path checks the version again under its lock; this only picks which listed version to expect.
    return row.version if row is not None and row.version in versions else min(versions)


def _stored(request: Request, kind: Kind, key: str) -> str:
    """Return the stored key a write's path names, as a read of the same URL finds it."""
    return stored_key(get_catalog(get_services(request)), kind.resource, key)


def _unless(request: Request) -> Callable[[int], bool] | None:
    """Return what If-None-Match refuses a write for, RFC 9110 section 13.1.2: `*` any stored record (a PUT here never
    creates), else the versions it lists; the write path checks it under its lock."""
    header = request.headers.get("if-none-match")
    return None if header is None else partial(refused_by_if_none_match, header)


def _patch(
    request: Request, api_key: ApiKey, kind: Kind, key: str, patch: dict[str, Any], if_match: str | None
) -> Applied:
    """Merge the patch into the record as stored when the write happens (under the write lock): never 412
    without If-Match, so the last write wins; with If-Match, only if the record is at a listed version."""
    version = _version(request, kind, key, if_match)
    return _write(
        request,
        api_key,
        Op(
            kind.resource,
            "update",
            key,
            if_version=version,
            transform=lambda current: merge_patch(current, patch),
            unless=_unless(request),
        ),
    )


def install(router: APIRouter, kind: Kind) -> None:
    """Add GET, POST, PUT, PATCH and DELETE of one record of this kind to the router."""
    # The handlers' annotations must be real objects here, so this module does without postponed annotations.
    Key = Annotated[
        str,
        Path(
            alias=kind.param,
            description=f"The {kind.noun}'s {kind.key_field}",
            openapi_examples=example(kind.example[kind.key_field]),
        ),
    ]
    errors = problem_responses(401, 403, 404, 409, 412, 413, 422)
    body_doc = write_body(kind.record_model, kind.example)
    one = f"/{kind.path}/{{{kind.param}}}"
    docs = _docs(kind)

    @router.get(
        one,
        name=f"get_{kind.resource}",
        summary=f"Get one {kind.noun}",
        response_model=kind.model,
        description=docs["get"],
        responses={304: {"description": "Not modified"}, **problem_responses(404)},
    )
    def get_one(request: Request, catalog: CatalogDep, key: Key) -> Response:
        payload, etag = _detail(request, catalog, kind, key)
        return cached(request, payload, etag, today_bound=kind.today_bound)

    @router.post(
        f"/{kind.path}",
        name=f"create_{kind.resource}",
        summary=f"Create a {kind.noun}",
        status_code=201,
        description=docs["post"],
        response_model=kind.model,
        responses=errors,
        openapi_extra=body_doc,
    )
    def create(request: Request, api_key: WriteKey, body: JsonBody) -> Response:
        record = kind.record_of(body)
        key = record.get(kind.key_field)
        if not isinstance(key, str) or not key:
            raise Problem(
                422,
                f"A new {kind.noun} needs its {kind.key_field}.",
                title="Invalid record",
                param=kind.key_field,
                errors=[{"field": kind.key_field, "message": "required"}],
            )
        applied = _write(request, api_key, Op(kind.resource, "create", key, record, unless=_unless(request)))
        return _written(request, kind, key, applied, status=201)

    @router.put(
        one,
        name=f"replace_{kind.resource}",
        summary=f"Replace a {kind.noun}",
        response_model=kind.model,
        description=docs["put"],
        responses=errors,
        openapi_extra=body_doc,
    )
    def replace(request: Request, api_key: WriteKey, key: Key, body: JsonBody, if_match: IfMatch = None) -> Response:
        stored, given = _stored(request, kind, key), body.get(kind.key_field)
        if given == key != stored:  # the path may name the record in any case or by alias; the record may not
            raise Problem(
                422,
                f"{kind.key_field} {given!r}: this {kind.noun} is stored as {stored!r}; write that in the body.",
                title="Invalid record",
                param=kind.key_field,
            )
        key = stored
        version = _version(request, kind, key, if_match)
        op = Op(kind.resource, "update", key, kind.record_of(body), if_version=version, unless=_unless(request))
        applied = _write(request, api_key, op)
        return _written(request, kind, key, applied)

    @router.patch(
        one,
        name=f"patch_{kind.resource}",
        summary=f"Change some fields of a {kind.noun}",
        description=docs["patch"],
        response_model=kind.model,
        responses=errors,
        openapi_extra=PATCH_BODY,
    )
    def patch(request: Request, api_key: WriteKey, key: Key, body: JsonBody, if_match: IfMatch = None) -> Response:
        key = _stored(request, kind, key)
        applied = _patch(request, api_key, kind, key, kind.record_of(body), if_match)
        return _written(request, kind, key, applied)

    @router.delete(
        one,
        name=f"delete_{kind.resource}",
        summary=f"Delete a {kind.noun}",
        status_code=204,
        description=docs["delete"],
        response_class=Response,
        responses=errors,
    )
    def delete(request: Request, api_key: WriteKey, key: Key, if_match: IfMatch = None) -> Response:
        key = _stored(request, kind, key)
        version = _version(request, kind, key, if_match)
        _write(request, api_key, Op(kind.resource, "delete", key, if_version=version, unless=_unless(request)))
        return Response(status_code=204)


def _docs(kind: Kind) -> dict[str, str]:
    """Return the descriptions of a kind's operations for /docs."""
    conditional = (
        "Send the ETag of your last read in `If-Match`: if the record changed since, the answer is 412 and "
        "nothing changes. Without `If-Match` the last write wins. Needs a key with write scope."
    )
    read_only = "Members a read adds (`version`, embedded records) are ignored, so a read can be edited and sent back."
    return {
        "get": f'{kind.model.__doc__} The `ETag` carries the record\'s version (`"v3"`, plus a digest where the '
        "answer embeds other records): send it in `If-None-Match` for 304, or in `If-Match` when writing.",
        "post": f"Create a {kind.noun} from its record, as in the dataset files (app/data/FORMAT.md). Answers 201 with "
        f"`Location` and `ETag`; 409 if the {kind.key_field} is taken (412 with `If-None-Match: *`, which "
        "asks for a create only); 422 names each invalid field. "
        f"{read_only} Needs a key with write scope.",
        "put": f"Replace the whole record; fields left out become null or empty. {read_only} {conditional}",
        "patch": "Change the fields named in a JSON merge patch (RFC 7396); `null` removes an optional field. "
        "Without `If-Match` the patch applies to the record as it is when the write happens, so concurrent "
        f"edits of other fields are kept. {conditional}",
        "delete": f"Delete the {kind.noun}. If other records still refer to it the answer is 409 and `referred_by` "
        f"lists them. {conditional}",
    }
