"""The Dockerfile lints clean and runs commands the package really has."""

import json
import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from app.cli import cli
from app.settings import REPO_ROOT

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()


def test_hadolint_passes():
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), str(REPO_ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_serve_as_a_non_root_user_with_a_healthcheck():
    cmd = json.loads(re.search(r"^CMD (.+)$", DOCKERFILE, re.M).group(1))
    assert cmd[:2] == ["trainwatch", "serve"] and "migrate" not in DOCKERFILE.split("CMD")[-1]
    assert re.search(r"^USER (?!root|0\b)\S+", DOCKERFILE, re.M)
    assert "/healthz" in re.search(r"HEALTHCHECK[\s\S]+?CMD (.+)", DOCKERFILE).group(1)
    assert DOCKERFILE.count("FROM ") >= 2


def test_the_image_commands_exist_in_the_package():
    runner = CliRunner()
    for command in (["serve", "--help"], ["migrate", "--help"], ["seed", "--help"]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 0, (command, result.output)
    for line in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.M):
        for name in line.split():
            assert (REPO_ROOT / name).exists(), name
