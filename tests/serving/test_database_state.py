"""The database's state is logged once per change, and a recovery as soon as any call proves it."""

import logging

from app.serving.health import DatabaseState
from app.store.failures import READ_ONLY, UNREACHABLE


def test_an_outage_and_its_end_are_logged_once_each_and_a_write_ends_it_at_once(caplog):
    state = DatabaseState()
    with caplog.at_level(logging.WARNING, logger="trainwatch.database"):
        for _ in range(3):
            state.report(UNREACHABLE)
        assert state.problem == UNREACHABLE
        state.wrote()  # a committed write proves the database answers: no need to wait for the poller
        assert state.problem is None  # ended by the write itself, before any other call reports
        ended = [r.getMessage() for r in caplog.records]
        state.report(None)  # the poller's next success: nothing changes, nothing more is logged
    assert ended == [
        "database unreachable; reads answer from memory, writes get 503 until it recovers",
        "database answers again (was unreachable)",
    ]
    assert [r.getMessage() for r in caplog.records] == ended


def test_a_read_only_database_is_reported_until_a_write_succeeds(caplog):
    state = DatabaseState()
    with caplog.at_level(logging.WARNING, logger="trainwatch.database"):
        state.report(READ_ONLY)
        assert state.write_problem == READ_ONLY
        state.wrote()
    assert state.write_problem is None
    assert [r.getMessage() for r in caplog.records] == [
        "database cannot be written; writes get 503 until one succeeds",
        "database can be written again",
    ]
