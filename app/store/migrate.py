"""Run and inspect Alembic migrations from code (the CLI, /readyz and the tests use these)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from app.settings import REPO_ROOT

# A checkout keeps migrations beside app/; an installed package (the container) finds them in the working folder.
MIGRATIONS = next(
    (p for p in (REPO_ROOT / "migrations", Path.cwd() / "migrations") if p.is_dir()), REPO_ROOT / "migrations"
)


def alembic_config(url: str) -> Config:
    """Return an Alembic config for the given database URL, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database up to a revision."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database down to a revision."""
    command.downgrade(alembic_config(url), revision)


@cache
def head_revision() -> str | None:
    """Return the newest migration's id."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """Return the migration the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
