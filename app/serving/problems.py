"""RFC 9457 problem documents: the body of every error the service answers, independent of the web framework."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from app.serving.caching import dumps

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://trainwatch.dev/problems/"


class Problem(Exception):
    """An error to answer with a problem document; `extra` adds members such as `param` or `valid`."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.type = type_ or _type_for(status)
        # Never stored by a cache: an error answer (a 404 for a record not created yet, a 503) can turn into a success,
        # and caches may keep a 404 heuristically (RFC 9111 section 4.2.2).
        self.headers = {"Cache-Control": "no-store", **(headers or {})}
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """Return the problem document as a dict."""
        doc: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if instance is not None:
            doc["instance"] = instance
        doc.update(self.extra)
        return doc


def _type_for(status: int) -> str:
    return TYPE_BASE + HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")


def problem_bytes(problem: Problem, instance: str | None = None) -> bytes:
    """Serialise a problem document compactly, as every path of the service does."""
    return dumps(problem.body(instance))
