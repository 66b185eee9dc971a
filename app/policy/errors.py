"""Typed errors the engine and the query parser raise for questions they cannot answer."""

from __future__ import annotations


class QueryError(ValueError):
    """Report a question that names something unknown or malformed, with the HTTP status it maps to."""

    def __init__(self, status: int, param: str, detail: str, valid: tuple[str, ...] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.param = param
        self.detail = detail
        self.valid = valid

    def __repr__(self) -> str:
        return f"QueryError({self.status}, {self.param!r}, {self.detail!r})"
