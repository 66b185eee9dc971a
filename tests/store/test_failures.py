"""Telling database failures apart: what answers 503 (and how) and what is a bug."""

import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.store.failures import NOT_MIGRATED, READ_ONLY, UNREACHABLE, classify


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (psycopg.errors.ConnectionTimeout("connection timeout expired"), UNREACHABLE),  # a hung database
        (OperationalError("SELECT 1", {}, psycopg.errors.ConnectionTimeout("timeout")), UNREACHABLE),
        (psycopg.OperationalError("connection refused"), UNREACHABLE),
        (sqlite3.OperationalError("attempt to write a readonly database"), READ_ONLY),
        (OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: rule")), NOT_MIGRATED),
        (OperationalError("SELECT 1", {}, sqlite3.OperationalError("database or disk is full")), READ_ONLY),
        (ProgrammingError("SELECT", {}, sqlite3.ProgrammingError("bad parameter")), None),
        (ValueError("a bug"), None),
    ],
)
def test_failures_are_classified(error, kind):
    assert classify(error) == kind
