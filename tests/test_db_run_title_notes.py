"""Migration 0006: the runs gain an empty title and notes, kept through a downgrade and back."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate


def alembic(engine: object, action: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    with engine.begin() as connection:  # type: ignore[attr-defined]
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_0006_adds_the_title_and_notes_and_takes_them_away(database_url: str) -> None:
    engine = db_engine.connect(database_url)
    try:
        alembic(engine, "upgrade", "0005")
        assert {"title", "notes"}.isdisjoint(_columns(engine))
        alembic(engine, "upgrade", "0006")
        columns = _columns(engine)
        assert columns["title"]["nullable"] and columns["notes"]["nullable"]
        assert getattr(columns["title"]["type"], "length", None) == 120
        alembic(engine, "downgrade", "0005")
        assert {"title", "notes"}.isdisjoint(_columns(engine))
        alembic(engine, "upgrade", "head")
        assert {"title", "notes"} <= set(_columns(engine))
    finally:
        engine.dispose()


def _columns(engine: object) -> dict[str, dict[str, object]]:
    found = inspect(engine).get_columns("runs")
    return {str(column["name"]): dict(column) for column in found}
