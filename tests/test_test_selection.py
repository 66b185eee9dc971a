"""Which tests run on which database (scripts/run-tests): every test that uses the test database runs on PostgreSQL
as well, and the PostgreSQL run fails when one of them is deselected."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What scripts/run-tests passes to the PostgreSQL run (PG_TESTS=(...) plus --every-database-test).
POSTGRES_RUN = [
    *shlex.split(re.search(r"^PG_TESTS=\((.*)\)$", (ROOT / "scripts" / "run-tests").read_text(), re.M).group(1)),
    "--every-database-test",
]


def pytest(*args: str) -> subprocess.CompletedProcess:
    # No PostgreSQL is needed: nothing here reaches a database (lost tests fail before their fixtures).
    env = {
        **os.environ,
        "TRAINWATCH_TEST_DATABASE": "postgresql",
        "TRAINWATCH_TEST_POSTGRES_URL": "postgresql+psycopg://x@127.0.0.1:1/x",
    }
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_postgresql_run_takes_the_database_tests_and_leaves_the_others_and_the_browser_to_sqlite():
    run = pytest("--collect-only", *POSTGRES_RUN, "tests/test_cli.py", "tests/web/test_pages_browser.py")
    assert run.returncode == 0, run.stdout + run.stderr
    selected = [line for line in run.stdout.splitlines() if "::" in line]
    assert selected == ["tests/test_cli.py::test_migrate_then_keys_create_list_revoke"]
    assert "1/22 tests collected (21 deselected)" in run.stdout  # 11 in test_cli.py, 11 in the browser


def test_a_database_test_deselected_on_postgresql_fails_the_run_naming_it():
    run = pytest("-m", "not database", "--every-database-test", "tests/store/test_migrations.py")
    assert run.returncode == 1, run.stdout + run.stderr
    lost = "tests/store/test_migrations.py::test_upgrade_downgrade_upgrade_round_trips uses the test database but "
    assert lost + "was deselected on postgresql" in run.stdout
    assert "6 errors" in run.stdout.splitlines()[-1]


def test_without_the_check_a_deselection_is_the_callers_choice():
    run = pytest("--collect-only", "-m", "not database", "tests/store/test_migrations.py")
    assert run.returncode == 0 and "1/7 tests collected (6 deselected)" in run.stdout
