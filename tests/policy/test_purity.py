"""Fail when app/policy imports anything outside the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

POLICY = Path(__file__).resolve().parents[2] / "app" / "policy"
FILES = sorted(POLICY.rglob("*.py"))


def _outside_stdlib(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue  # relative imports stay inside the package
        for name in names:
            if name.split(".")[0] not in sys.stdlib_module_names and not (
                name == "app.policy" or name.startswith("app.policy.")
            ):
                found.append(name)
    return found


def test_policy_package_found():
    assert POLICY / "engine.py" in FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_imports_only_standard_library(path):
    assert _outside_stdlib(ast.parse(path.read_text(), str(path))) == []


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ("import json\nfrom datetime import date\nfrom . import model\nfrom .model import Rule", []),
        ("import fastapi", ["fastapi"]),
        ("from sqlmodel import Session", ["sqlmodel"]),
        ("from app.db import engine", ["app.db"]),
        ("from app.policy.model import Rule", []),
        ("def f():\n    import pydantic", ["pydantic"]),
    ],
)
def test_checker_catches_outside_imports(source, bad):
    assert _outside_stdlib(ast.parse(source)) == bad
