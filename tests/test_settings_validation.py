"""Every setting is checked when it is read: a value that would crash, stall or silently weaken the server is refused
at start-up, one line naming the variable, before anything serves."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from app.settings import Settings

TRAINWATCH = [sys.executable, "-m", "app.cli"]

REFUSED = [
    ("log_level", "LOUD"),  # KeyError: 'level loud' in structlog at start-up
    ("log_level", "NOTSET"),
    ("log_level", 20),
    ("rate_limit_decisions", "lots"),  # ValueError from limits at start-up
    ("rate_limit_catalog", "0/minute"),  # every read 429
    ("rate_limit_writes", "10/fortnight"),
    ("rate_limit_auth_failures", "1/second;100/hour"),  # only the first would be enforced
    ("redis_url", "notaurl"),  # limits.errors.ConfigurationError at start-up
    ("redis_url", "http://cache:6379"),
    ("redis_url", "redis://cache:port/0"),
    ("redis_url", "redis+sentinel://cache:26379"),  # no service name
    ("batch_threads", 0),  # POST /v1/ai-training/checks never answered, SIGTERM then ignored
    ("batch_threads", -1),
    ("db_request_slots", 0),  # every database route 503
    ("db_request_timeout", 0),
    ("db_request_timeout", "inf"),
    ("db_statement_timeout", 0),  # PostgreSQL reads 0 as no timeout at all
    ("db_statement_timeout", 0.0001),  # 0 ms
    ("db_connect_timeout", -1),
    ("revision_check_seconds", -1),
    ("revision_check_seconds", "nan"),
    ("revision_check_seconds", 1e12),  # beyond what a thread can wait: OverflowError in the poller
    ("max_body_bytes", 0),
    ("answer_cache_mb", -1),
    ("webhooks_poll_seconds", 0),  # a busy loop
    ("webhooks_timeout_seconds", 0),
    ("webhooks_retry_hours", -1),
    ("webhooks_retry_hours", 1e9),  # the retry deadline leaves the calendar
    ("webhooks_disable_after", 0),
    ("webhooks_max_per_key", 0),
    ("rate_limit_ipv6_prefix", 31),
    ("rate_limit_ipv6_prefix", 129),
    ("review_max_days", 0),
    ("review_max_days", 10**7),  # today minus that many days: OverflowError on every answer
    ("check_rate_per_host", -1),
    ("check_concurrency", 0),
    ("check_timeout_seconds", 0),
    ("check_retries", -1),
    ("check_retries", 2000),  # the back-off (2**n seconds) overflows
    ("check_contact_url", "https://example.org/a b"),  # breaks the User-Agent header
    ("check_contact_url", "me at example.org"),
    ("embed_frame_ancestors", ""),
    ("embed_frame_ancestors", "* ; script-src *"),  # would add a directive to the policy
    ("embed_origins", ["https://a.example; script-src *"]),
    ("cors_origins", ["https://a.example/"]),  # never equals an Origin header
    ("metrics_allow", ["localhost"]),  # ValueError on every /metrics request
    ("public_url", "trainwatch.example"),  # no scheme: every link would be relative to the reader's page
    ("public_url", "ftp://trainwatch.example"),
    ("public_url", "https://trainwatch.example/?a=1"),  # a query would end up inside every path
    ("public_url", "https://trainwatch.example/#top"),
    ("public_url", "https://user@trainwatch.example"),
    ("public_url", "https://trainwatch.example/a b"),
    ("public_url", 'https://trainwatch.example/"><script>alert(1)</script>'),  # it lands in HTML attributes
    ("public_url", 'https://trainwatch.example"onload="alert(1)'),
    ("public_url", "https://:8000"),
    ("public_url", "https://trainwatch.example:80:80"),
]


@pytest.mark.parametrize(("name", "value"), REFUSED, ids=[f"{n}={v!r}" for n, v in REFUSED])
def test_a_value_the_server_cannot_use_is_refused_naming_the_setting(name, value):
    with pytest.raises(ValidationError) as raised:
        Settings(**{name: value})
    (error,) = raised.value.errors()
    assert error["loc"][0] == name


ACCEPTED = [
    ("log_level", "warning", "WARNING"),
    ("log_level", " Debug ", "DEBUG"),
    ("log_level", "warn", "WARNING"),
    ("rate_limit_decisions", "10 per second", "10 per second"),
    ("rate_limit_catalog", "100/5 minutes", "100/5 minutes"),
    ("redis_url", "", None),
    ("redis_url", "redis://cache:6379/0", "redis://cache:6379/0"),
    ("redis_url", "rediss://:secret@cache:6380/1", "rediss://:secret@cache:6380/1"),
    ("redis_url", "redis+sentinel://cache:26379/mymaster", "redis+sentinel://cache:26379/mymaster"),
    ("revision_check_seconds", 0, 0.0),  # never: one process only (the tests use it)
    ("answer_cache_mb", 0, 0),
    ("webhooks_retry_hours", 0, 0.0),
    ("check_rate_per_host", 0, 0.0),  # no pause
    ("check_contact_url", "", ""),
    ("check_contact_url", "mailto:ops@example.org", "mailto:ops@example.org"),
    ("embed_frame_ancestors", " 'self'  https://a.example ", "'self' https://a.example"),
    ("embed_origins", [], []),
    ("cors_origins", ["http://localhost:3000", "null"], ["http://localhost:3000", "null"]),
    ("metrics_allow", [" 10.0.0.0/8", "::1"], ["10.0.0.0/8", "::1"]),
    ("public_url", "", None),
    ("public_url", "https://trainwatch.example/", "https://trainwatch.example"),
    ("public_url", "http://127.0.0.1:8000/trainwatch", "http://127.0.0.1:8000/trainwatch"),
    ("public_url", "HTTPS://Trainwatch.example", "https://Trainwatch.example"),
    ("public_url", "http://[::1]:8000", "http://[::1]:8000"),
]


@pytest.mark.parametrize(("name", "value", "read"), ACCEPTED, ids=[f"{n}={v!r}" for n, v, _ in ACCEPTED])
def test_values_the_server_can_use_are_read(name, value, read):
    assert getattr(Settings(**{name: value}), name) == read


def test_the_defaults_are_valid():
    assert Settings().model_dump() == Settings(**Settings().model_dump()).model_dump()


def test_serve_refuses_each_bad_setting_in_one_line_before_serving(tmp_path):
    # Before: a KeyError or ConfigurationError traceback at start-up, or a server that hung on the first batch.
    bad = {
        "TRAINWATCH_LOG_LEVEL": "LOUD",
        "TRAINWATCH_RATE_LIMIT_DECISIONS": "lots",
        "TRAINWATCH_REDIS_URL": "notaurl",
        "TRAINWATCH_BATCH_THREADS": "0",
        "TRAINWATCH_DB_REQUEST_SLOTS": "0",
    }
    env = {**os.environ, "TRAINWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **bad}
    result = subprocess.run([*TRAINWATCH, "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = {line.split("=", 1)[0].removeprefix("error: "): line for line in result.stderr.strip().splitlines()}
    assert sorted(lines) == sorted(bad)  # one line each, and nothing else (no "serves on ..." line)
    assert lines["TRAINWATCH_LOG_LEVEL"].startswith(
        "error: TRAINWATCH_LOG_LEVEL='LOUD': Input should be 'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'"
    )
    assert lines["TRAINWATCH_RATE_LIMIT_DECISIONS"].startswith(
        "error: TRAINWATCH_RATE_LIMIT_DECISIONS='lots': Value error, couldn't parse rate limit string 'lots'"
    )
    assert lines["TRAINWATCH_REDIS_URL"].startswith("error: TRAINWATCH_REDIS_URL='notaurl': Value error, not a Redis")
    assert lines["TRAINWATCH_BATCH_THREADS"].endswith("='0': Input should be greater than or equal to 1")
    assert lines["TRAINWATCH_DB_REQUEST_SLOTS"].endswith("='0': Input should be greater than or equal to 1")


def test_start_refuses_a_bad_setting_before_migrating(tmp_path):
    env = {**os.environ, "TRAINWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "TRAINWATCH_BATCH_THREADS": "0"}
    result = subprocess.run([*TRAINWATCH, "start", "--port", "0"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == "error: TRAINWATCH_BATCH_THREADS='0': Input should be greater than or equal to 1"
    assert not (tmp_path / "x.db").exists()  # nothing migrated or seeded
