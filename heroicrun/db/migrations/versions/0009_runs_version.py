"""a version on each runner that changes whenever any of their runs does

Revision ID: 0009
Revises: 0008

What pages keep between views (mission progress, totals, records, the runs list) is kept under
the runner's `runs_version`: triggers give it a new random value whenever one of the runner's
runs, or a run's kept efforts or profile, is inserted, changed or deleted. Reading it is one
row by its key, where the aggregate over every run it replaces read the whole history; and no
path that writes runs can forget to change it.

Random rather than counted, so that two databases (a restore, a test's) cannot show the same
runner id at the same version with other runs.

SQLite drops a table's triggers when it rebuilds the table, as Alembic's batch mode does for
most changes: a later migration that rebuilds runs, run_efforts or run_profiles must create
these triggers again (tests check that they fire).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("runs", "run_efforts", "run_profiles")
# Under 2**62 on both, so a version is a positive BIGINT.
SQLITE_RANDOM = "(random() & 4611686018427387903)"
POSTGRES_RANDOM = "floor(random() * 4611686018427387903)::bigint"


def upgrade() -> None:
    with op.batch_alter_table("runners", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("runs_version", sa.BigInteger(), nullable=False, server_default="0")
        )
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    op.execute(f"UPDATE runners SET runs_version = {SQLITE_RANDOM}")
    bump = f"UPDATE runners SET runs_version = {SQLITE_RANDOM} WHERE id"
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
        owners = ", ".join(f"{row}.runner_id" for row in rows)
        op.execute(
            f"CREATE TRIGGER runs_version_{event.lower()} AFTER {event} ON runs "
            f"BEGIN {bump} IN ({owners}); END"
        )
        owners = ", ".join(f"{row}.run_id" for row in rows)
        for table in TABLES[1:]:
            op.execute(
                f"CREATE TRIGGER {table}_version_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {bump} IN (SELECT runner_id FROM runs WHERE id IN ({owners})); END"
            )


def _postgres_triggers() -> None:
    op.execute(f"UPDATE runners SET runs_version = {POSTGRES_RANDOM}")
    op.execute(
        f"""
        CREATE FUNCTION runs_version_of_run() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                UPDATE runners SET runs_version = {POSTGRES_RANDOM} WHERE id = OLD.runner_id;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                UPDATE runners SET runs_version = {POSTGRES_RANDOM} WHERE id = NEW.runner_id;
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION runs_version_of_derived() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                UPDATE runners SET runs_version = {POSTGRES_RANDOM}
                WHERE id = (SELECT runner_id FROM runs WHERE id = OLD.run_id);
            END IF;
            IF TG_OP <> 'DELETE' THEN
                UPDATE runners SET runs_version = {POSTGRES_RANDOM}
                WHERE id = (SELECT runner_id FROM runs WHERE id = NEW.run_id);
            END IF;
            RETURN NULL;
        END $$
        """
    )
    for table in TABLES:
        function = "runs_version_of_run" if table == "runs" else "runs_version_of_derived"
        op.execute(
            f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_version ON {table}")
        op.execute("DROP FUNCTION runs_version_of_derived()")
        op.execute("DROP FUNCTION runs_version_of_run()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_version_{event}")
    # In place, not by copying the table as batch mode would: dropping the old runners table
    # would delete every run with it (foreign keys cascade).
    op.drop_column("runners", "runs_version")
