"""`sources check` and `review list` name what they were asked for and do not know: a typo fails (exit 1) instead
of passing a CI job as "checked 0 sources" or "0 rules need review"."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlmodel import Session

from app.cli_watch import chosen_sources
from app.store.checks import platform_source_ids
from app.store.db import make_engine

TRAINWATCH = [sys.executable, "-m", "app.cli"]
ADOBE = "adobe-global-private-content-2024"


def run(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "TRAINWATCH_DATABASE_URL": url,
        "TRAINWATCH_CHECK_CONTACT_URL": "https://example.org/trainwatch-operator",
        # Nothing may be fetched: every case fails before the first request.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    return subprocess.run([*TRAINWATCH, *args], env=env, capture_output=True, text=True, timeout=120)


def test_an_unknown_platform_is_an_error(seeded_url):
    result = run("sources", "check", "--platform", "nope", "--fail-on-change", url=seeded_url)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "error: no platform 'nope'\n")


def test_a_source_the_platform_does_not_cite_is_named_as_such(seeded_url):
    result = run("sources", "check", "--source", "BS1", "--platform", "instagram", url=seeded_url)
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "error: source BS1 is not cited by platform 'instagram'\n",
    )
    both = run("sources", "check", "--source", "BS1", "--source", "NOPE", "--platform", "instagram", url=seeded_url)
    assert both.returncode == 1
    assert both.stderr == "error: no source NOPE; source BS1 is not cited by platform 'instagram'\n"


def test_an_unknown_rule_is_an_error(seeded_url):
    result = run("review", "list", "--rule", "nope", "--rule", ADOBE, "--rule", "nada", url=seeded_url)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "error: no rule 'nope', 'nada'\n")
    known = run("review", "list", "--rule", ADOBE, url=seeded_url)
    assert (known.returncode, known.stdout) == (0, "0 rules need review\n"), known.stderr


@pytest.fixture(scope="module")
def session(shared_seeded_url):
    engine = make_engine(shared_seeded_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_chosen_sources(session):
    instagram = platform_source_ids(session, "instagram")
    assert instagram and "BS1" not in instagram
    some = sorted(instagram)[0]
    assert chosen_sources(session, None, None) is None  # every source
    assert chosen_sources(session, ["BS1"], None) == {"BS1"}
    assert chosen_sources(session, None, "instagram") == instagram
    assert chosen_sources(session, [some], "instagram") == {some}
    assert chosen_sources(session, ["BS1"], "bluesky") == {"BS1"}


@pytest.mark.parametrize(
    ("sources", "platform", "message"),
    [
        (None, "nope", "no platform 'nope'"),
        (["BS1"], "nope", "no platform 'nope'"),
        (["NOPE", "NADA"], None, "no source NADA, NOPE"),
        (["BS1"], "instagram", "source BS1 is not cited by platform 'instagram'"),
        (["BS1", "BS2"], "instagram", "sources BS1, BS2 are not cited by platform 'instagram'"),
    ],
)
def test_chosen_sources_refuses(session, sources, platform, message):
    with pytest.raises(LookupError) as raised:
        chosen_sources(session, sources, platform)
    assert str(raised.value) == message
