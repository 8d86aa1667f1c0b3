"""a team's runs summed up to a point, so that judging the team reads only the runs after it

Revision ID: 0012
Revises: 0011

`team_runs.start_time` is the credited run's start, copied by the database (on insert, and
whenever the run's start changes), so that a team's runs are read in judging's order (start,
then id) from their own index, from any point on.

`team_folds` keeps, for each team, its credited runs up to one run (`through_start`,
`through_run_id`: the order runs are judged in) summed as judging needs them
(heroicrun.play.team_judging). It holds while `clubs.settled` is what it was when the fold was
made: triggers change `settled` whenever what a fold sums may have changed, rather than grown at
the end:
- a run credited to a team that comes at or before the team's fold (a run recorded long ago,
  sent late);
- a credited run taken from a team, or a team's chapter deleted or changed;
- a credited run's facts changed (re-marked, re-measured, found to repeat another).
As with `clubs.version` (migration 0010), SQLite drops a table's triggers when it rebuilds the
table: a later migration that rebuilds one of these tables must create them again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SQLITE_RANDOM = "(random() & 4611686018427387903)"
POSTGRES_RANDOM = "floor(random() * 4611686018427387903)::bigint"
# What a run's judging reads of it (heroicrun.play.missions.FACT_COLUMNS, and whether it
# repeats another run).
FACTS = (
    "start_time",
    "counted_distance_m",
    "elapsed_s",
    "sport",
    "marked_sport",
    "gps",
    "distance_m",
    "counted_moving_s",
    "overlaps_run_id",
    "sha256",
    "outing",
)
# A credit's own columns: its start copied in changes no fold.
CREDIT = "team_enrolment_id, run_id, runner_id"
RUN_START = "SELECT start_time FROM runs WHERE id = {row}.run_id"
TEAM_CLUB = "SELECT club_id FROM team_enrolments WHERE id = {row}.team_enrolment_id"
RUN_CLUBS = (
    "SELECT team_enrolments.club_id FROM team_runs JOIN team_enrolments"
    " ON team_enrolments.id = team_runs.team_enrolment_id WHERE team_runs.run_id = NEW.id"
)
# A run credited at or before the team's fold, in judging's order (start, then id).
BEFORE_FOLD = (
    "EXISTS (SELECT 1 FROM team_folds JOIN runs ON runs.id = NEW.run_id"
    " WHERE team_folds.team_enrolment_id = NEW.team_enrolment_id"
    " AND (runs.start_time < team_folds.through_start OR (runs.start_time ="
    " team_folds.through_start AND runs.id <= team_folds.through_run_id)))"
)


def upgrade() -> None:
    op.add_column(
        "clubs", sa.Column("settled", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column("team_runs", sa.Column("start_time", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE team_runs SET start_time = (SELECT start_time FROM runs WHERE runs.id = run_id)"
    )
    op.create_index(
        "team_runs_in_order", "team_runs", ["team_enrolment_id", "start_time", "run_id"]
    )
    op.create_table(
        "team_folds",
        sa.Column("team_enrolment_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("through_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("through_run_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_enrolment_id"], ["team_enrolments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_enrolment_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _changed(old: str, new: str, differ: str) -> str:
    return " OR ".join(f"{old}.{column} {differ} {new}.{column}" for column in FACTS)


def _sqlite_triggers() -> None:
    op.execute(
        "CREATE TRIGGER team_runs_start_insert AFTER INSERT ON team_runs BEGIN "
        f"UPDATE team_runs SET start_time = ({RUN_START.format(row='NEW')}) "
        "WHERE team_enrolment_id = NEW.team_enrolment_id AND run_id = NEW.run_id; END"
    )
    op.execute(
        "CREATE TRIGGER runs_team_start_update AFTER UPDATE OF start_time ON runs BEGIN "
        "UPDATE team_runs SET start_time = NEW.start_time WHERE run_id = NEW.id; END"
    )
    settle = f"UPDATE clubs SET settled = {SQLITE_RANDOM} WHERE id IN"
    for table, event in (
        ("team_runs", f"UPDATE OF {CREDIT}"),
        ("team_runs", "DELETE"),
        ("team_unlocks", "UPDATE"),
        ("team_unlocks", "DELETE"),
    ):
        op.execute(
            f"CREATE TRIGGER {table}_club_settled_{event.split()[0].lower()} AFTER {event} "
            f"ON {table} BEGIN {settle} ({TEAM_CLUB.format(row='OLD')}); END"
        )
    op.execute(
        "CREATE TRIGGER team_runs_club_settled_insert AFTER INSERT ON team_runs "
        f"WHEN {BEFORE_FOLD} BEGIN {settle} ({TEAM_CLUB.format(row='NEW')}); END"
    )
    op.execute(
        "CREATE TRIGGER runs_club_settled_update AFTER UPDATE ON runs "
        f"WHEN {_changed('OLD', 'NEW', 'IS NOT')} BEGIN {settle} ({RUN_CLUBS}); END"
    )


def _postgres_triggers() -> None:
    op.execute(
        "CREATE FUNCTION team_runs_start() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"NEW.start_time := ({RUN_START.format(row='NEW')}); RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER team_runs_start BEFORE INSERT ON team_runs "
        "FOR EACH ROW EXECUTE FUNCTION team_runs_start()"
    )
    op.execute(
        "CREATE FUNCTION runs_team_start() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE team_runs SET start_time = NEW.start_time WHERE run_id = NEW.id; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER runs_team_start AFTER UPDATE OF start_time ON runs "
        "FOR EACH ROW EXECUTE FUNCTION runs_team_start()"
    )
    settle = f"UPDATE clubs SET settled = {POSTGRES_RANDOM} WHERE id IN"
    op.execute(
        "CREATE FUNCTION team_club_settled() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {settle} ({TEAM_CLUB.format(row='NEW')}); "
        f"ELSE {settle} ({TEAM_CLUB.format(row='OLD')}); END IF; RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER team_runs_club_settled AFTER UPDATE OF {CREDIT} OR DELETE ON team_runs "
        "FOR EACH ROW EXECUTE FUNCTION team_club_settled()"
    )
    # PostgreSQL allows no query in a trigger's WHEN: the function asks.
    op.execute(
        "CREATE FUNCTION team_runs_club_settled_insert() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF {BEFORE_FOLD} THEN {settle} ({TEAM_CLUB.format(row='NEW')}); END IF; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER team_runs_club_settled_insert AFTER INSERT ON team_runs "
        "FOR EACH ROW EXECUTE FUNCTION team_runs_club_settled_insert()"
    )
    op.execute(
        "CREATE TRIGGER team_unlocks_club_settled AFTER UPDATE OR DELETE ON team_unlocks "
        "FOR EACH ROW EXECUTE FUNCTION team_club_settled()"
    )
    op.execute(
        "CREATE FUNCTION runs_club_settled() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{settle} ({RUN_CLUBS}); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER runs_club_settled AFTER UPDATE ON runs FOR EACH ROW "
        f"WHEN ({_changed('OLD', 'NEW', 'IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION runs_club_settled()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER runs_team_start ON runs")
        op.execute("DROP FUNCTION runs_team_start()")
        op.execute("DROP TRIGGER team_runs_start ON team_runs")
        op.execute("DROP FUNCTION team_runs_start()")
        op.execute("DROP TRIGGER runs_club_settled ON runs")
        op.execute("DROP FUNCTION runs_club_settled()")
        op.execute("DROP TRIGGER team_runs_club_settled ON team_runs")
        op.execute("DROP TRIGGER team_runs_club_settled_insert ON team_runs")
        op.execute("DROP FUNCTION team_runs_club_settled_insert()")
        op.execute("DROP TRIGGER team_unlocks_club_settled ON team_unlocks")
        op.execute("DROP FUNCTION team_club_settled()")
    else:
        op.execute("DROP TRIGGER runs_team_start_update")
        op.execute("DROP TRIGGER team_runs_start_insert")
        op.execute("DROP TRIGGER runs_club_settled_update")
        op.execute("DROP TRIGGER team_runs_club_settled_insert")
        for table in ("team_runs", "team_unlocks"):
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_club_settled_{event}")
    op.drop_table("team_folds")
    op.drop_index("team_runs_in_order", table_name="team_runs")
    # In place, not by rebuilding the tables: SQLite refuses to rename a table other tables'
    # triggers name.
    op.execute("ALTER TABLE team_runs DROP COLUMN start_time")
    op.execute("ALTER TABLE clubs DROP COLUMN settled")
