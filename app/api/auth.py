"""Bearer API keys for writes: no or unknown key -> 401, a key without write scope -> 403."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.deps import SessionDep
from app.api.errors import Problem
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


def require_write_key(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> ApiKey:
    """Return the live write-scope key the request presents, or refuse it with 401 or 403."""
    if credentials is None:
        raise _unauthorized("Writes need an API key: send `Authorization: Bearer <key>`.", 'Bearer realm="trainwatch"')
    key = find_key(session, credentials.credentials)
    if key is None:
        raise _unauthorized("The API key is unknown or revoked.",
                            'Bearer realm="trainwatch", error="invalid_token"')
    if key.scope != "write":
        raise Problem(403, f"The API key {key.id} has {key.scope} scope; writes need a key with write scope.",
                      title="Forbidden",
                      headers={"WWW-Authenticate": 'Bearer realm="trainwatch", error="insufficient_scope"'})
    return key


WriteKey = Annotated[ApiKey, Depends(require_write_key)]


def require_webhooks_key(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> ApiKey:
    """Return the live webhooks-scope key the request presents, or refuse it with 401 or 403."""
    if credentials is None:
        raise _unauthorized("Webhooks need an API key: send `Authorization: Bearer <key>`.",
                            'Bearer realm="trainwatch"')
    key = find_key(session, credentials.credentials)
    if key is None:
        raise _unauthorized("The API key is unknown or revoked.",
                            'Bearer realm="trainwatch", error="invalid_token"')
    if key.scope != "webhooks":
        raise Problem(403, f"The API key {key.id} has {key.scope} scope; webhooks need a key with webhooks scope "
                           "(`trainwatch keys create --scope webhooks`).", title="Forbidden",
                      headers={"WWW-Authenticate": 'Bearer realm="trainwatch", error="insufficient_scope"'})
    return key


WebhooksKey = Annotated[ApiKey, Depends(require_webhooks_key)]


def actor(key: ApiKey) -> str:
    """Return the change-log actor for a key: its public id, never its secret."""
    return f"key:{key.id}"
