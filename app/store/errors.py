"""Errors of the write path: a change that cannot be applied, and why; nothing was written."""

from __future__ import annotations

from typing import Any


class WriteError(Exception):
    """A change that cannot be applied; nothing was written."""

    status = 400
    title = "Bad change"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(WriteError):
    status, title = 404, "Not found"


class AlreadyExists(WriteError):
    status, title = 409, "Already exists"


class InUse(WriteError):
    status, title = 409, "Still referred to"


class StaleVersion(WriteError):
    status, title = 412, "Precondition failed"


class InvalidRecord(WriteError):
    status, title = 422, "Invalid record"


class KeyRevoked(WriteError):
    """The API key a write was sent with was revoked before the write took the revision lock."""

    status, title = 401, "Unauthorized"
