"""Alembic's entry point: migrate the database the caller's connection points at."""

from __future__ import annotations

from alembic import context

from heroicrun.db.schema import Base

connection = context.config.attributes.get("connection")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
