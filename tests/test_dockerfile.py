"""The Dockerfile lints clean and runs commands the package really has."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from app.cli import cli
from app.settings import REPO_ROOT

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()


def test_hadolint_passes():
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), str(REPO_ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


CMD = json.loads(re.search(r"^CMD (.+)$", DOCKERFILE, re.M).group(1))


def test_the_image_starts_as_a_non_root_user_with_a_volume_and_a_readiness_healthcheck():
    assert CMD[:2] == ["trainwatch", "start"]
    assert re.search(r"^USER (?!root|0\b)\S+", DOCKERFILE, re.M)
    assert "/readyz" in re.search(r"HEALTHCHECK[\s\S]+?CMD (.+)", DOCKERFILE).group(1)
    assert DOCKERFILE.count("FROM ") >= 2
    volume = json.loads(re.search(r"^VOLUME (.+)$", DOCKERFILE, re.M).group(1))
    database = re.search(r"TRAINWATCH_DATABASE_URL=sqlite:///(\S+)", DOCKERFILE).group(1)
    assert any(database.startswith(folder + "/") for folder in volume)


def test_the_build_context_leaves_out_local_state():
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    assert {".venv", "var", ".git"} <= set(ignored)


def _serve_like_the_image(folder: Path, port: int, **env: str) -> subprocess.Popen:
    """Run the image's CMD as the container would, on an empty volume folder (no container engine here)."""
    command = [*CMD[:-1], str(port)]
    command[command.index("--host") + 1] = "127.0.0.1"
    environ = {**os.environ, "TRAINWATCH_DATABASE_URL": f"sqlite:///{folder}/trainwatch.db", **env}
    bin_dir = str(Path(sys.executable).parent)
    environ["PATH"] = bin_dir + os.pathsep + environ["PATH"]
    return subprocess.Popen(command, env=environ, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_for(url: str, status: int, seconds: float = 90) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == status:
                return response
        except httpx.TransportError:
            response = None
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer {status}: {response and response.text}")
        time.sleep(0.3)


def test_the_image_command_serves_the_bundled_dataset_on_an_empty_volume(tmp_path):
    server = _serve_like_the_image(tmp_path, 8111)
    try:
        ready = _wait_for("http://127.0.0.1:8111/readyz", 200).json()
        assert ready["platforms"] >= 17
        answer = httpx.get("http://127.0.0.1:8111/v1/platforms/facebook/ai-training?category=public-posts&country=DE")
        assert answer.status_code == 200 and "server" not in answer.headers
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert (tmp_path / "trainwatch.db").exists() and "http://localhost:8111/docs" not in output
    assert "http://127.0.0.1:8111/docs" in output


def test_the_image_command_leaves_migrations_to_the_operator_when_asked(tmp_path):
    server = _serve_like_the_image(tmp_path, 8112, TRAINWATCH_AUTO_MIGRATE="false")
    try:
        problem = _wait_for("http://127.0.0.1:8112/readyz", 503).json()
        assert "trainwatch migrate" in problem["detail"]
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_the_image_commands_exist_in_the_package():
    runner = CliRunner()
    for command in (["start", "--help"], ["serve", "--help"], ["migrate", "--help"], ["seed", "--help"]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 0, (command, result.output)
    for line in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.M):
        for name in line.split():
            assert (REPO_ROOT / name).exists(), name
