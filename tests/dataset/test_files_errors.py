"""No data is silently skipped (app/data/FORMAT.md): a *.yaml entry of a dataset folder that is not a regular file
(a broken link, a folder, a pipe) is an error naming it, and a path that is neither a file nor a folder says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session

from app.dataset import load_dataset
from app.settings import REPO_ROOT
from app.store.db import make_engine
from app.store.models import DatasetRevision

TRAINWATCH = [sys.executable, "-m", "app.cli"]


@pytest.fixture
def data(base, write) -> Path:
    """A folder holding the small valid dataset in one file."""
    write("data/all.yaml", base)
    return Path("data")


def test_a_broken_link_is_an_error_naming_it(data, load_errors) -> None:
    (data / "zz.yaml").symlink_to("nowhere.yaml")
    assert load_errors(data) == ["data/zz.yaml: a broken symbolic link to nowhere.yaml: its target does not exist"]


def test_a_folder_named_like_a_dataset_file_is_an_error(data, load_errors) -> None:
    (data / "sub.yaml").mkdir()
    (data / "sub.yaml" / "more.yaml").write_text("rules: []\n", encoding="utf-8")
    assert load_errors(data) == ["data/sub.yaml: not a regular file but a folder; sub-folders are not read"]


def test_a_pipe_is_an_error_and_is_never_opened(data, load_errors) -> None:
    os.mkfifo(data / "p.yaml")  # opening it would wait for a writer forever
    os.mkfifo(data / "q.yml")
    assert load_errors(data) == [
        "data/p.yaml: not a regular file but a named pipe",
        "data/q.yml: not a regular file but a named pipe",
    ]


def test_a_loop_of_links_is_an_error(data, load_errors) -> None:
    (data / "a.yaml").symlink_to("b.yaml")
    (data / "b.yaml").symlink_to("a.yaml")
    errors = load_errors(data)
    assert [e.split(":")[0] for e in errors] == ["data/a.yaml", "data/b.yaml"]
    assert all("cannot read: Too many levels of symbolic links" in e for e in errors)


def test_what_is_still_read_or_ignored(data, base) -> None:
    (data / "drafts").mkdir()  # a folder not named like a dataset file is not data
    (data / "notes.md").write_text("# notes\n", encoding="utf-8")
    (data / ".hidden.yaml").symlink_to("nowhere.yaml")  # hidden entries are ignored, as before
    (data / "all.yaml").rename(data / "real.data")
    (data / "all.yaml").symlink_to("real.data")  # a link to a regular file is read
    assert len(load_dataset(data).rules) == len(base["rules"])


def test_only_broken_entries_do_not_also_claim_the_folder_is_empty(write, load_errors) -> None:
    write("data/README.md", "nothing")
    Path("data/zz.yaml").symlink_to("gone.yaml")
    assert load_errors(Path("data")) == ["data/zz.yaml: a broken symbolic link to gone.yaml: its target does not exist"]


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
def test_a_device_is_not_a_regular_file_or_folder(device, load_errors) -> None:
    assert load_errors(Path(device)) == [f"{device}: not a regular file or folder but a character device"]


def test_a_pipe_or_broken_link_given_directly(write, load_errors) -> None:
    write("x.txt", "")
    os.mkfifo("pipe.yaml")
    Path("link.yaml").symlink_to("gone.yaml")
    assert load_errors(Path("pipe.yaml")) == ["pipe.yaml: not a regular file or folder but a named pipe"]
    assert load_errors(Path("link.yaml")) == [
        "link.yaml: a broken symbolic link to gone.yaml: its target does not exist"
    ]
    assert load_errors(Path("nowhere")) == ["nowhere: no such file or folder"]


def _import(path: Path, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRAINWATCH_DATABASE_URL": url}
    return subprocess.run(
        [*TRAINWATCH, "import", str(path)], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def _revision(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        row = session.get(DatasetRevision, 1)
    engine.dispose()
    return row.revision if row else 0


def test_import_refuses_a_folder_with_a_broken_link_and_writes_nothing(seeded_url, tmp_path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "meta.yaml").write_text((REPO_ROOT / "app" / "data" / "meta.yaml").read_text(encoding="utf-8"))
    (folder / "zz.yaml").symlink_to(tmp_path / "moved" / "zz.yaml")
    (folder / "sub.yaml").mkdir()
    before = _revision(seeded_url)
    result = _import(folder, seeded_url)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.splitlines() == [
        f"error: {folder / 'sub.yaml'}: not a regular file but a folder; sub-folders are not read",
        f"error: {folder / 'zz.yaml'}: a broken symbolic link to {tmp_path / 'moved' / 'zz.yaml'}: its target does "
        "not exist",
        "error: 2 error(s); nothing was written",
    ]
    assert _revision(seeded_url) == before


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
def test_import_of_a_device_says_what_it_is(device, tmp_path) -> None:
    result = _import(Path(device), f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {device}: not a regular file or folder but a character device",
        "error: 1 error(s); nothing was written",
    ]
