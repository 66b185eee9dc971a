"""A spy on an app's decision fast path: which requests it answered itself and which it left to the FastAPI route."""

from __future__ import annotations

from typing import Any

from starlette.types import Receive, Scope, Send

from app.api.fastpath import DecisionFastPath


class FastPathSpy:
    """Stands in for an app's fast path, passing every request on to it and recording what it returned."""

    def __init__(self, app: Any) -> None:
        # Without this, a fast path that declines everything leaves both clients on the same route, and every
        # comparison of the two is true by construction.
        assert isinstance(app.fast_path, DecisionFastPath), "this app has no fast path to spy on"
        self.inner: DecisionFastPath = app.fast_path
        self.served: list[bool] = []  # one entry a request: True if the fast path answered it
        app.fast_path = self

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> bool:
        answered = await self.inner(scope, receive, send)
        self.served.append(answered)
        return answered

    def take(self) -> list[bool]:
        """Return what was recorded since the last call, and forget it."""
        taken, self.served = self.served, []
        return taken


def spied(client: Any) -> FastPathSpy:
    """Return the spy on a TestClient's app, putting it in place the first time."""
    found = client.app.fast_path
    return found if isinstance(found, FastPathSpy) else FastPathSpy(client.app)
