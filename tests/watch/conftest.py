"""Fixtures for the source-check tests: the local server (started once) and a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.watch.site import FakeClock, Site


@pytest.fixture(scope="session")
def _server() -> Iterator[Site]:
    server = Site()
    yield server
    server.close()


@pytest.fixture
def site(_server: Site) -> Iterator[Site]:
    """The local server, with no pages and an empty request log."""
    _server.reset()
    yield _server
    _server.reset()


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock for the crawler's pace and retry waits."""
    return FakeClock()
