"""PostgreSQL schemas at the current migration for the tests of one process, made and emptied
cheaply: every test still gets a schema that looks as if it had just been migrated.

Making one costs ~15 tables, their indexes and sequences, each a few files for the server to
create (and to remove again on DROP): ~50 ms on an idle machine and 150-300 ms with the suite
running, more than most tests take. So a schema a test has finished with is emptied instead (its
rows deleted, its sequences restarted) and handed to the next test, unless the test changed its
shape (a table, column, index, constraint, trigger, function or type, or the Alembic revision):
then it is dropped, and the next test gets a new one.

A new one is made by sending the statements the migrations sent once, recorded (`recorded`):
the same schema, without Alembic's work in Python. (CREATE DATABASE ... TEMPLATE is quicker on an
idle server, but it writes the whole database through the WAL and waits for the disk.)
"""

from __future__ import annotations

import secrets
from typing import Any

import psycopg
from sqlalchemy import Engine, event, text

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate

Statement = tuple[str, Any, bool]  # SQL as the driver got it, its parameters, executemany

# Everything a test could change about a schema's shape, one line each, names unqualified (the
# schema is first on the search path while this runs).
SHAPE = """
SELECT md5(string_agg(line, E'\\n' ORDER BY line)) FROM (
  SELECT format('relation %s %s', relkind, relname) AS line
    FROM pg_class WHERE relnamespace = to_regnamespace(current_schema())
  UNION ALL
  SELECT format('column %s.%s %s %s %s', c.relname, a.attname,
                format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = to_regnamespace(current_schema()) AND a.attnum > 0
      AND NOT a.attisdropped
  UNION ALL
  SELECT format('constraint %s %s', conname, pg_get_constraintdef(oid))
    FROM pg_constraint WHERE connamespace = to_regnamespace(current_schema())
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relnamespace = to_regnamespace(current_schema())
  UNION ALL
  SELECT format('trigger %s %s', pg_get_triggerdef(t.oid), t.tgenabled)
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE c.relnamespace = to_regnamespace(current_schema()) AND NOT t.tgisinternal
  UNION ALL
  SELECT format('function %s %s', proname, md5(prosrc))
    FROM pg_proc WHERE pronamespace = to_regnamespace(current_schema())
  UNION ALL
  SELECT format('type %s %s', typname, typtype)
    FROM pg_type WHERE typnamespace = to_regnamespace(current_schema())
  UNION ALL
  SELECT 'revision ' || version_num FROM alembic_version
) AS shape
"""
TABLES = """
SELECT relname FROM pg_class
WHERE relnamespace = to_regnamespace(current_schema()) AND relkind IN ('r', 'p')
  AND relname <> 'alembic_version'
"""
SEQUENCES = """
SELECT relname FROM pg_class
WHERE relnamespace = to_regnamespace(current_schema()) AND relkind = 'S'
"""


def url(base: str, schema: str) -> str:
    """The PostgreSQL URL `base` with `schema` first on the search path."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def new_name() -> str:
    return f"test_{secrets.token_hex(6)}"


def recorded(admin: Engine, base: str) -> list[Statement]:
    """What the migrations send PostgreSQL to bring an empty schema up to date, in order."""
    schema = new_name()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = db_engine.connect(url(base, schema))
    sent: list[Statement] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _note(*args: Any) -> None:
        _connection, _cursor, statement, parameters, _context, many = args
        sent.append((statement, parameters, many))

    migrate.upgrade(engine)
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    return sent


class MigratedSchemas:
    """Schemas at the current migration, each lent to one test at a time."""

    def __init__(self, admin: Engine, migration: list[Statement]) -> None:
        self.admin = admin
        self.migration = migration
        self.free: list[str] = []
        self.shape: str | None = None  # that of a schema just migrated
        self.tables: list[str] = []
        self.sequences: list[str] = []
        with admin.connect() as connection:
            # Deleting rows in any order, with no trigger firing, takes a superuser.
            self.reusable = bool(
                connection.execute(
                    text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                ).scalar()
            )

    def take(self) -> str:
        """A schema's name: an emptied one, or a new one."""
        if self.free:
            return self.free.pop()
        schema = new_name()
        with self.admin.connect() as connection:
            driver = connection.connection.driver_connection
            assert isinstance(driver, psycopg.Connection)
            with driver.transaction(), driver.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{schema}"')
                cursor.execute(f'SET LOCAL search_path TO "{schema}"')
                for statement, parameters, many in self.migration:
                    if many:
                        cursor.executemany(statement, parameters)
                    else:
                        cursor.execute(statement, parameters)
                if self.shape is None:
                    self.shape = _one(cursor, SHAPE)
                    self.tables = _all(cursor, TABLES)
                    self.sequences = _all(cursor, SEQUENCES)
        return schema

    def give_back(self, schema: str) -> None:
        """Empty the schema for the next test, or drop it if the test changed its shape."""
        if self.reusable and self._emptied(schema):
            self.free.append(schema)
            return
        self.drop(schema)

    def drop(self, schema: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    def close(self) -> None:
        while self.free:
            self.drop(self.free.pop())

    def _emptied(self, schema: str) -> bool:
        with self.admin.connect() as connection:
            driver = connection.connection.driver_connection
            assert isinstance(driver, psycopg.Connection)
            try:
                with driver.transaction(), driver.cursor() as cursor:
                    cursor.execute(f'SET LOCAL search_path TO "{schema}"')
                    # A connection the test left in a transaction would hold the rows: the
                    # schema is dropped instead, as before.
                    cursor.execute("SET LOCAL lock_timeout TO '2s'")
                    if _one(cursor, SHAPE) != self.shape:
                        return False
                    cursor.execute("SET LOCAL session_replication_role TO replica")
                    cursor.execute("".join(f'DELETE FROM "{name}";' for name in self.tables))
                    for name in self.sequences:
                        cursor.execute(f'ALTER SEQUENCE "{name}" RESTART')
            except psycopg.Error:
                return False
        return True


def _one(cursor: psycopg.Cursor[Any], query: str) -> str:
    found = cursor.execute(query).fetchone()
    assert found is not None
    return str(found[0])


def _all(cursor: psycopg.Cursor[Any], query: str) -> list[str]:
    return [str(row[0]) for row in cursor.execute(query).fetchall()]
