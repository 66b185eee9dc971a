"""The trainwatch command on bad input: one line `error: ...` naming the setting, option or file, a non-zero exit, no
traceback, and nothing already stored lost or half-written."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from app import cli
from app.settings import get_settings
from app.store import db, seeding
from app.store.db import DatabaseConfigError, make_engine
from app.store.keys import create_key
from app.store.models import ApiKey, SeededRecord

DATA = Path(__file__).resolve().parent.parent / "app" / "data"
TRAINWATCH = [sys.executable, "-m", "app.cli"]


def trainwatch(capsys, monkeypatch, *args: str, url: str | None = None) -> tuple[int, str, str]:
    """Run the CLI in this process; return its exit status, stdout and stderr (an exception propagates)."""
    if url is not None:
        monkeypatch.setenv("TRAINWATCH_DATABASE_URL", url)
    monkeypatch.setattr(sys, "argv", ["trainwatch", *args])
    get_settings.cache_clear()
    capsys.readouterr()
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    return code, out, err


def one_error(code: int, err: str, start: str) -> str:
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and lines[0].startswith(start), err
    return lines[0]


# 1. Database errors of any kind, and concurrent seeds


@pytest.mark.parametrize("command", [["migrate"], ["keys", "list"], ["seed"]])
def test_a_file_that_is_not_a_database_is_one_line_naming_the_setting(tmp_path, capsys, monkeypatch, command):
    # sqlite3 raises DatabaseError, the base class: only OperationalError and ProgrammingError were caught.
    notadb = tmp_path / "notadb.db"
    notadb.write_bytes(b"this is not a database\n" * 200)
    code, _, err = trainwatch(capsys, monkeypatch, *command, url=f"sqlite:///{notadb}")
    line = one_error(code, err, "error: TRAINWATCH_DATABASE_URL=")
    assert line.endswith("file is not a database"), line
    assert notadb.read_bytes() == b"this is not a database\n" * 200


def _database_whole(url: str) -> None:
    """Assert that the database holds the bundled dataset exactly once, with its seed bookkeeping."""
    desired = seeding.dataset_records(seeding.load_dataset(DATA))
    engine = make_engine(url)
    with Session(engine) as session:
        assert seeding.stored_records(session) == desired
        assert session.exec(select(func.count()).select_from(SeededRecord)).one() == len(desired)
    engine.dispose()


def test_two_seeds_at_once_seed_once_and_neither_fails(empty_url, monkeypatch):
    # The first seed pauses after reading what is stored; the second then starts. Without a lock both found nothing
    # seeded and both inserted every record: the later one failed with IntegrityError (a traceback from the CLI).
    read, go = threading.Event(), threading.Event()
    reader = seeding.stored_records

    def pausing_reader(session):
        found = reader(session)
        if threading.current_thread().name == "first":
            read.set()
            go.wait(60)
        return found

    monkeypatch.setattr(seeding, "stored_records", pausing_reader)
    results: dict[str, object] = {}

    def run() -> None:
        engine = make_engine(empty_url)
        try:
            results[threading.current_thread().name] = seeding.seed(engine, DATA)
        except Exception as exc:  # reported by the assertion below
            results[threading.current_thread().name] = exc
        finally:
            engine.dispose()

    first = threading.Thread(target=run, name="first")
    second = threading.Thread(target=run, name="second")
    first.start()
    assert read.wait(60)
    second.start()
    second.join(3)  # with the lock it waits for the first (without, it may have written everything by now)
    go.set()
    first.join(120)
    second.join(120)
    assert not first.is_alive() and not second.is_alive()
    reports = [report for report in results.values() if isinstance(report, seeding.SeedReport)]
    assert len(reports) == 2, results
    total = len(seeding.dataset_records(seeding.load_dataset(DATA)))
    assert sorted(report.changed for report in reports) == [0, total]
    _database_whole(empty_url)


def test_two_seed_commands_at_once_both_succeed(empty_url):
    env = {**os.environ, "TRAINWATCH_DATABASE_URL": empty_url}
    seeds = [
        subprocess.Popen([*TRAINWATCH, "seed"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [seed.communicate(timeout=180) for seed in seeds]
    assert [seed.returncode for seed in seeds] == [0, 0], outputs
    assert not any("Traceback" in err for _, err in outputs), outputs
    created = sorted(int(out.split(": ")[1].split(" created")[0]) for out, _ in outputs)
    assert created[0] == 0 and created[1] > 1000, outputs
    _database_whole(empty_url)


# 2. export and openapi: a whole file or none, and one line on a write error


def test_export_over_a_good_backup_that_cannot_be_written_whole_keeps_the_backup(shared_seeded_url, tmp_path):
    backup = tmp_path / "backup.yaml"
    env = {**os.environ, "TRAINWATCH_DATABASE_URL": shared_seeded_url}
    subprocess.run([*TRAINWATCH, "export", str(backup)], env=env, check=True, capture_output=True, timeout=120)
    good = backup.read_bytes()
    assert len(good) > 400_000
    # Writing past 200 KiB fails with EFBIG (Python ignores SIGXFSZ): the old export left the file cut there.
    limited = ["bash", "-c", 'ulimit -f 200 && exec "$@"', "bash", *TRAINWATCH, "export", str(backup)]
    result = subprocess.run(limited, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == [f"error: {backup}: File too large"]
    assert backup.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["backup.yaml"]  # no copy left behind


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("missing/dir/x.yaml", "the folder {tmp}/missing/dir does not exist"),
        ("a-file/x.yaml", "the folder {tmp}/a-file is not a folder"),
        ("a-folder", "Is a directory"),
    ],
)
def test_export_to_a_path_that_cannot_be_written_is_one_line(
    shared_seeded_url, tmp_path, capsys, monkeypatch, target, reason
):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder").mkdir()
    path = tmp_path / target
    code, _, err = trainwatch(capsys, monkeypatch, "export", str(path), url=shared_seeded_url)
    assert one_error(code, err, f"error: {path}: ") == f"error: {path}: {reason.format(tmp=tmp_path)}"
    assert not (tmp_path / "missing").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "a-folder"]
    assert list((tmp_path / "a-folder").iterdir()) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_export_to_a_full_device_is_one_line_and_the_device_stays(shared_seeded_url, capsys, monkeypatch):
    code, _, err = trainwatch(capsys, monkeypatch, "export", "/dev/full", url=shared_seeded_url)
    one_error(code, err, "error: /dev/full: No space left on device")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_export_writes_a_new_file_and_replaces_an_old_one_keeping_its_permissions(
    shared_seeded_url, tmp_path, capsys, monkeypatch
):
    new = tmp_path / "new.yaml"
    code, out, _ = trainwatch(capsys, monkeypatch, "export", str(new), url=shared_seeded_url)
    assert code == 0 and out == f"wrote {new}\n"
    old = tmp_path / "old.yaml"
    old.write_text("old")
    old.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(old)
    code, _, _ = trainwatch(capsys, monkeypatch, "export", str(link), url=shared_seeded_url)
    assert code == 0 and link.is_symlink()
    assert old.read_bytes() == new.read_bytes() and stat.S_IMODE(old.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "new.yaml", "old.yaml"]


def test_openapi_to_a_missing_folder_or_checking_a_folder_is_one_line(tmp_path, capsys, monkeypatch):
    missing = tmp_path / "nonexistent" / "x.json"
    code, _, err = trainwatch(capsys, monkeypatch, "openapi", str(missing))
    assert one_error(code, err, f"error: {missing}: ").endswith("does not exist")
    code, _, err = trainwatch(capsys, monkeypatch, "openapi", "--check", str(tmp_path))
    one_error(code, err, f"error: {tmp_path}: Is a directory")


def test_openapi_writes_the_spec_and_check_then_passes(tmp_path, capsys, monkeypatch):
    spec = tmp_path / "openapi.json"
    spec.write_text("{}")
    assert trainwatch(capsys, monkeypatch, "openapi", str(spec))[0] == 0
    code, out, _ = trainwatch(capsys, monkeypatch, "openapi", "--check", str(spec))
    assert code == 0 and out == f"{spec} is current\n"


def test_a_failed_replace_leaves_the_old_file_and_no_copy(tmp_path, monkeypatch):
    old = tmp_path / "backup.yaml"
    old.write_text("good")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        cli.replace_file(old, b"new" * 1000)
    assert old.read_text() == "good" and [p.name for p in tmp_path.iterdir()] == ["backup.yaml"]


# 3. serve and start: a port and a number of workers that can be used


@pytest.mark.parametrize("command", ["serve", "start"])
@pytest.mark.parametrize(
    ("option", "value"), [("--port", "99999"), ("--port", "-1"), ("--workers", "0"), ("--workers", "-3")]
)
def test_a_port_or_worker_count_out_of_range_is_a_usage_error_naming_the_option(
    tmp_path, capsys, monkeypatch, command, option, value
):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    code, out, err = trainwatch(capsys, monkeypatch, command, option, value, url=url)
    assert code == 2 and f"Invalid value for '{option}'" in err, err
    assert "serves on" not in out + err
    assert list(tmp_path.iterdir()) == []  # refused before migrating, seeding or serving


# 4. SQLite folders


@pytest.mark.parametrize(
    ("database", "reason"),
    [
        ("{tmp}/file.yaml/x.db", "the database's folder {tmp}/file.yaml is not a folder"),
        ("{tmp}/missing/dir/x.db", "the database's folder {tmp}/missing/dir does not exist"),
        ("/proc/foo/x.db", "the database's folder /proc/foo does not exist"),
    ],
)
def test_a_sqlite_folder_that_is_not_there_is_one_line_and_nothing_is_created(
    tmp_path, capsys, monkeypatch, database, reason
):
    (tmp_path / "file.yaml").write_text("x")
    url = f"sqlite:///{database.format(tmp=tmp_path)}"
    with pytest.raises(DatabaseConfigError) as raised:
        make_engine(url)
    assert str(raised.value) == f"TRAINWATCH_DATABASE_URL={url!r}: {reason.format(tmp=tmp_path)}"
    for command in (["migrate"], ["keys", "list"], ["serve"]):
        code, _, err = trainwatch(capsys, monkeypatch, *command, url=url)
        assert one_error(code, err, "error: TRAINWATCH_DATABASE_URL=") == f"error: {raised.value}"
    assert [p.name for p in tmp_path.iterdir()] == ["file.yaml"]


def test_the_default_databases_folder_is_created(tmp_path, monkeypatch):
    default = tmp_path / "var" / "trainwatch.db"
    monkeypatch.setattr(db, "DEFAULT_DATABASE_URL", f"sqlite:///{default}")
    make_engine(f"sqlite:///{default}").dispose()
    assert default.parent.is_dir()
    (tmp_path / "var").rmdir()
    (tmp_path / "var").write_text("a file")
    with pytest.raises(DatabaseConfigError, match="is not a folder"):
        make_engine(f"sqlite:///{default}")


def test_an_existing_sqlite_folder_and_memory_need_nothing_created(tmp_path):
    make_engine(f"sqlite:///{tmp_path / 'x.db'}").dispose()
    make_engine("sqlite://").dispose()
    make_engine("sqlite:///:memory:").dispose()
    assert list(tmp_path.iterdir()) == []


# 5. API key names


@pytest.mark.parametrize("name", ["line1\nline2", "a\tb", "nul\x00", "cr\r", "del\x7f", "sep\u2028"])
def test_a_key_name_with_control_characters_is_refused(empty_url, capsys, monkeypatch, name):
    code, out, err = trainwatch(capsys, monkeypatch, "keys", "create", "--name", name, url=empty_url)
    assert one_error(code, err, "error: --name ") and out == ""
    engine = make_engine(empty_url)
    with Session(engine) as session:
        assert session.exec(select(ApiKey)).all() == []
    engine.dispose()


def test_keys_list_stays_one_line_per_key_with_a_name_stored_before_names_were_checked(empty_url, capsys, monkeypatch):
    engine = make_engine(empty_url)
    with Session(engine) as session:
        create_key(session, scope="read", name="line1\nline2\tend")
        create_key(session, scope="write", name="Zoë's CI")
    engine.dispose()
    code, out, _ = trainwatch(capsys, monkeypatch, "keys", "list", url=empty_url)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 and all(len(line.split("\t")) == 5 for line in lines)
    assert sorted(line.split("\t")[2] for line in lines) == ["Zoë's CI", "line1\\u000aline2\\u0009end"]
