"""clubs and team missions

Revision ID: 0010
Revises: 0009

Clubs, their members (kept after they leave, with when), a club's team enrolments, the runs
credited to each team (once per team: the key), the team's chapters with the member credited,
and each team's progress as last worked out.

`clubs.version` changes (triggers, as runners.runs_version in 0009) whenever anything a club's
page or team progress reads changes: its members, its team enrolments, the runs credited to its
teams (and those runs themselves, re-marked or re-measured) and its teams' chapters. SQLite
drops a table's triggers when it rebuilds the table: a later migration that rebuilds one of
these tables, or runs, must create its triggers again (tests check that they fire).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clubs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["runners.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("clubs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clubs_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "club_members",
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("runner_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["club_id"], ["clubs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["runner_id"], ["runners.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("club_id", "runner_id"),
    )
    with op.batch_alter_table("club_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_club_members_runner_id"), ["runner_id"], unique=False)

    op.create_table(
        "team_enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["club_id"], ["clubs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("team_enrolments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_enrolments_club_id"), ["club_id"], unique=False)

    op.create_table(
        "team_runs",
        sa.Column("team_enrolment_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("runner_id", sa.Integer(), nullable=False),
        sa.Column("credited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["runner_id"], ["runners.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_enrolment_id"], ["team_enrolments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_enrolment_id", "run_id"),
    )
    with op.batch_alter_table("team_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_runs_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            "team_runs_by_member", ["team_enrolment_id", "runner_id"], unique=False
        )

    op.create_table(
        "team_snapshots",
        sa.Column("team_enrolment_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_enrolment_id"], ["team_enrolments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_enrolment_id"),
    )
    op.create_table(
        "team_unlocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_enrolment_id", sa.Integer(), nullable=False),
        sa.Column("beat", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("runner_id", sa.Integer(), nullable=True),
        sa.Column("unlocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["runner_id"], ["runners.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["team_enrolment_id"], ["team_enrolments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_enrolment_id", "beat", name="one_team_unlock_per_beat"),
    )
    with op.batch_alter_table("team_unlocks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_team_unlocks_team_enrolment_id"), ["team_enrolment_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


# Under 2**62 on both, so a version is a positive BIGINT.
SQLITE_RANDOM = "(random() & 4611686018427387903)"
POSTGRES_RANDOM = "floor(random() * 4611686018427387903)::bigint"
# Each table whose rows change a club's version, and how a row leads to its club.
DIRECT = ("club_members", "team_enrolments")
BY_TEAM = ("team_runs", "team_unlocks")
ROWS = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}


def _clubs_of(table: str, row: str) -> str:
    """A query for the clubs a row of `table` (NEW or OLD) belongs to."""
    if table in DIRECT:
        return f"SELECT {row}.club_id"
    if table in BY_TEAM:
        return f"SELECT club_id FROM team_enrolments WHERE id = {row}.team_enrolment_id"
    # a run: the clubs whose teams it is credited to
    return (
        "SELECT team_enrolments.club_id FROM team_runs JOIN team_enrolments"
        f" ON team_enrolments.id = team_runs.team_enrolment_id WHERE team_runs.run_id = {row}.id"
    )


def _sqlite_triggers() -> None:
    for table in (*DIRECT, *BY_TEAM, "runs"):
        # A run's own insert and delete reach its clubs through team_runs' triggers.
        events = ("UPDATE",) if table == "runs" else tuple(ROWS)
        for event in events:
            clubs = " UNION ".join(_clubs_of(table, row) for row in ROWS[event])
            op.execute(
                f"CREATE TRIGGER {table}_club_version_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN UPDATE clubs SET version = {SQLITE_RANDOM} WHERE id IN ({clubs}); END"
            )


def _postgres_triggers() -> None:
    for table in (*DIRECT, *BY_TEAM, "runs"):
        steps = []
        for row, skip in (("OLD", "INSERT"), ("NEW", "DELETE")):
            steps.append(
                f"IF TG_OP <> '{skip}' THEN UPDATE clubs SET version = {POSTGRES_RANDOM}"
                f" WHERE id IN ({_clubs_of(table, row)}); END IF;"
            )
        op.execute(
            f"CREATE FUNCTION {table}_club_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {' '.join(steps)} RETURN NULL; END $$"
        )
        events = "UPDATE" if table == "runs" else "INSERT OR UPDATE OR DELETE"
        op.execute(
            f"CREATE TRIGGER {table}_club_version AFTER {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_club_version()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER runs_club_version ON runs")
        op.execute("DROP FUNCTION runs_club_version()")
    else:
        op.execute("DROP TRIGGER runs_club_version_update")
    with op.batch_alter_table("team_unlocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_unlocks_team_enrolment_id"))

    op.drop_table("team_unlocks")
    op.drop_table("team_snapshots")
    with op.batch_alter_table("team_runs", schema=None) as batch_op:
        batch_op.drop_index("team_runs_by_member")
        batch_op.drop_index(batch_op.f("ix_team_runs_run_id"))

    op.drop_table("team_runs")
    with op.batch_alter_table("team_enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_enrolments_club_id"))

    op.drop_table("team_enrolments")
    with op.batch_alter_table("club_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_club_members_runner_id"))

    op.drop_table("club_members")
    with op.batch_alter_table("clubs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clubs_owner_id"))

    op.drop_table("clubs")
    if op.get_bind().dialect.name == "postgresql":  # their triggers went with their tables
        for table in (*DIRECT, *BY_TEAM):
            op.execute(f"DROP FUNCTION {table}_club_version()")
