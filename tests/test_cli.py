"""The trainwatch command: one-line errors naming the setting, keys printed once, openapi check."""

import os
import subprocess
import sys

import pytest
from sqlmodel import Session, select

from app.store.db import make_engine
from app.store.models import ApiKey

TRAINWATCH = [sys.executable, "-m", "app.cli"]


def run(*args, url, check=False):
    env = {**os.environ, "TRAINWATCH_DATABASE_URL": url}
    return subprocess.run([*TRAINWATCH, *args], env=env, capture_output=True, text=True, timeout=120, check=check)


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://root@127.0.0.1/x", "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"]
)
def test_bad_database_url_is_one_line_naming_the_setting(url):
    result = run("migrate", url=url)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: TRAINWATCH_DATABASE_URL="), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"TRAINWATCH_WEBHOOKS_KEEP_DAYS": "0"}, ["error: TRAINWATCH_WEBHOOKS_KEEP_DAYS='0': Input should be greater"]),
        (
            {"TRAINWATCH_WEBHOOKS_KEEP_DAYS": "0", "TRAINWATCH_WEBHOOKS_RETRY_HOURS": "a day"},
            ["error: TRAINWATCH_WEBHOOKS_RETRY_HOURS='a day': ", "error: TRAINWATCH_WEBHOOKS_KEEP_DAYS='0': "],
        ),
        ({"TRAINWATCH_CORS_ORIGINS": "[https://a.example"}, ["error: TRAINWATCH_CORS_ORIGINS is not a JSON list"]),
        (
            {"TRAINWATCH_CORS_ORIGINS": "[1]"},
            ["error: TRAINWATCH_CORS_ORIGINS (item 0)=1: Input should be a valid string"],
        ),
        # Beyond about 100 years the day job's cut-off date would overflow and stop every delivery round.
        (
            {"TRAINWATCH_WEBHOOKS_KEEP_DAYS": "1000000"},
            ["error: TRAINWATCH_WEBHOOKS_KEEP_DAYS='1000000': Input should be less"],
        ),
    ],
)
def test_a_setting_that_cannot_be_used_is_one_line_each_naming_it(tmp_path, env, expected):
    # Settings are read by whichever command needs them first; a traceback from pydantic named neither the variable
    # nor what was wrong with it clearly.
    environ = {**os.environ, "TRAINWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env}
    result = subprocess.run(
        [*TRAINWATCH, "deliver", "--once"], env=environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(expected) and all(
        line.startswith(start) for line, start in zip(sorted(lines), sorted(expected), strict=True)
    )


def test_a_validation_error_of_anything_but_the_settings_is_not_reported_as_a_setting(monkeypatch):
    from pydantic import BaseModel, ValidationError

    from app import cli

    class Record(BaseModel):
        days: int

    def broken() -> None:
        Record(days="many")  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "cli", broken)
    with pytest.raises(ValidationError):
        cli.main()


def test_migrate_then_keys_create_list_revoke(databases):
    url = databases.new_url()
    assert run("migrate", url=url).returncode == 0
    created = run("keys", "create", "--scope", "write", "--name", "ci", url=url, check=True)
    token = created.stdout.strip()
    assert token.startswith("tw_") and "\n" not in token
    with Session(make_engine(url)) as session:
        key = session.exec(select(ApiKey)).one()
        assert token not in (key.key_hash, key.id) and key.scope == "write"
    listed = run("keys", "list", url=url, check=True).stdout
    assert key.id in listed and token not in listed
    assert run("keys", "revoke", key.id, url=url).returncode == 0
    assert run("keys", "revoke", key.id, url=url).returncode == 1
    assert run("keys", "create", "--scope", "admin", url=url).returncode == 1


def test_openapi_check_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "openapi.json"
    stale.write_text("{}")
    result = subprocess.run([*TRAINWATCH, "openapi", str(stale), "--check"], capture_output=True, text=True)
    assert result.returncode == 1 and "make openapi" in result.stderr
