"""a runner's runs_version changes with their enrolments too

Revision ID: 0011
Revises: 0010

Whether a run counts (recorded before any enrolment, say) depends on the runner's enrolments as
much as on the run: with enrolments changing `runners.runs_version` as runs do (migration 0009),
what is kept of a run for its page can hang on that one version.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SQLITE_RANDOM = "(random() & 4611686018427387903)"
POSTGRES_RANDOM = "floor(random() * 4611686018427387903)::bigint"
ROWS = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION enrolments_runs_version() RETURNS trigger LANGUAGE plpgsql AS $$
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
            "CREATE TRIGGER enrolments_runs_version AFTER INSERT OR UPDATE OR DELETE ON enrolments "
            "FOR EACH ROW EXECUTE FUNCTION enrolments_runs_version()"
        )
        return
    for event, rows in ROWS.items():
        owners = ", ".join(f"{row}.runner_id" for row in rows)
        op.execute(
            f"CREATE TRIGGER enrolments_runs_version_{event.lower()} AFTER {event} ON enrolments "
            f"BEGIN UPDATE runners SET runs_version = {SQLITE_RANDOM} WHERE id IN ({owners}); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER enrolments_runs_version ON enrolments")
        op.execute("DROP FUNCTION enrolments_runs_version()")
        return
    for event in ROWS:
        op.execute(f"DROP TRIGGER enrolments_runs_version_{event.lower()}")
