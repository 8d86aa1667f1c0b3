"""Rows written into a database at an older migration, as heroicrun then wrote them: only the
columns those tables had, without the defaults today's models add for newer ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, column, insert, table

RUNNERS = table(
    "runners", column("id"), column("name"), column("password_hash"), column("created_at")
)


def add_runner(connection: Connection, name: str, at: datetime) -> int:
    """A runner without a password, as any migration's runners table holds one; its id."""
    statement = (
        insert(RUNNERS).values(name=name, password_hash=None, created_at=at).returning(RUNNERS.c.id)
    )
    return int(connection.execute(statement).scalar_one())
