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
