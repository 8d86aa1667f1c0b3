"""Bringing a database's schema up to date with Alembic migrations."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Apply every migration the database lacks (a new database gets the whole schema)."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@functools.cache
def _head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def is_current(engine: Engine) -> bool:
    """Whether the database has every migration applied."""
    head = _head()  # the scripts are read once: health asks often
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def revision(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
