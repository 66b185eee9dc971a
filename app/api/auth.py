"""Bearer API keys for writes: no or unknown key -> 401, a key without write scope -> 403."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.api.deps import get_services
from app.api.errors import Problem
from app.api.ratelimit import RateLimiter
from app.api.tokens import TokenMemo
from app.store.errors import KeyRevoked
from app.store.keys import find_key
from app.store.models import ApiKey

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="tw_<id>_<secret>",
    description="An API key with write scope, created with `trainwatch keys create --scope write`.",
)


def _unauthorized(detail: str, challenge: str) -> Problem:
    return Problem(401, detail, title="Unauthorized", headers={"WWW-Authenticate": challenge})


MAX_TOKEN = 200  # characters; real tokens have 52
INVALID_TOKEN = 'Bearer realm="trainwatch", error="invalid_token"'


# Write keys this process has found live: a key's later writes skip the lookup (a thread, a connection and a query
# each), and the write path checks under its lock that the key is still live (apply_changes' key_id), so a revoked
# key writes nothing either way. Each is looked up again after KEY_RECHECK_SECONDS: a key revoked from another
# process (`trainwatch keys revoke`) then gets 401 for every write within that time, one that fails before the
# write path (a malformed body, an unknown record) included.
KEY_RECHECK_SECONDS = 30.0


class VerifiedKeys(TokenMemo[ApiKey]):
    """The write keys a process has found live, each for KEY_RECHECK_SECONDS."""

    def __init__(self) -> None:
        super().__init__(ttl=KEY_RECHECK_SECONDS)


async def _live_key(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    what: str,
    verified: VerifiedKeys | None = None,
) -> ApiKey:
    """Return the live key a request presents, or refuse it with 401, or 429 when its client keeps failing.

    With `verified`, a key found there is taken without a lookup, and a live write key found by one is remembered.
    """
    if credentials is None:
        raise _unauthorized(f"{what} need an API key: send `Authorization: Bearer <key>`.", 'Bearer realm="trainwatch"')
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    client = limiter.address(request.scope) if limiter is not None else ""  # counted only where there are limits
    # A client that keeps failing is refused before any lookup: bad keys cost no database query.
    if limiter is not None and (problem := await limiter.test("auth_failures", client)) is not None:
        raise problem
    token = credentials.credentials
    key = verified.get(token) if verified is not None else None
    looked_up = key is None
    if looked_up and len(token) <= MAX_TOKEN:
        # At most a few lookups at once (app.state.auth_threads), so a flood of bad keys cannot take the threads
        # that reads and writes run on.
        key = await anyio.to_thread.run_sync(
            _lookup, get_services(request).autocommit, token, limiter=request.app.state.auth_threads
        )
    if key is None:
        if limiter is not None:
            await limiter.hit("auth_failures", client)
        raise _unauthorized("The API key is unknown or revoked.", INVALID_TOKEN)
    if looked_up and verified is not None and key.scope == "write":
        verified.remember(token, key)  # from now, not from its last use: a key in steady use is looked up again too
    if limiter is not None:
        limiter.remember(token, key.id)
    return key


def _lookup(autocommit: Engine, token: str) -> ApiKey | None:
    # One SELECT: in autocommit it needs no BEGIN and no ROLLBACK, two round trips fewer for every write.
    with Session(autocommit) as session:
        return find_key(session, token)


async def require_write_key(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> ApiKey:
    """Return the live write-scope key the request presents, or refuse it with 401, 403 or 429 (failing too often)."""
    key = await _live_key(request, credentials, "Writes", verified_keys(request))
    if key.scope != "write":
        raise Problem(
            403,
            f"The API key {key.id} has {key.scope} scope; writes need a key with write scope.",
            title="Forbidden",
            headers={"WWW-Authenticate": 'Bearer realm="trainwatch", error="insufficient_scope"'},
        )
    return key


WriteKey = Annotated[ApiKey, Depends(require_write_key)]


def verified_keys(request: Request) -> VerifiedKeys:
    """Return the app's verified write keys."""
    keys: VerifiedKeys = request.app.state.verified_keys
    return keys


@contextmanager
def writing_as(request: Request, key: ApiKey) -> Iterator[str]:
    """Yield the key's id for the write path to check under its lock; a key revoked since it was verified is
    forgotten and answered 401, as an unknown key is."""
    try:
        yield key.id
    except KeyRevoked:
        verified_keys(request).forget(lambda remembered: remembered.id == key.id)
        raise _unauthorized("The API key is unknown or revoked.", INVALID_TOKEN) from None


async def require_webhooks_key(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> ApiKey:
    """Return the live webhooks-scope key the request presents, or refuse it with 401, 403 or 429."""
    key = await _live_key(request, credentials, "Webhooks")
    if key.scope != "webhooks":
        raise Problem(
            403,
            f"The API key {key.id} has {key.scope} scope; webhooks need a key with webhooks scope "
            "(`trainwatch keys create --scope webhooks`).",
            title="Forbidden",
            headers={"WWW-Authenticate": 'Bearer realm="trainwatch", error="insufficient_scope"'},
        )
    return key


WebhooksKey = Annotated[ApiKey, Depends(require_webhooks_key)]


def actor(key: ApiKey) -> str:
    """Return the change-log actor for a key: its public id, never its secret."""
    return f"key:{key.id}"
