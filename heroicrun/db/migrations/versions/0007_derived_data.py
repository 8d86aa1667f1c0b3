"""what pages read of runs, derived once: profiles, best efforts, progress snapshots

Revision ID: 0007
Revises: 0006

All three are derived from what is stored and can be derived again, so a downgrade drops them and
loses nothing. The efforts of the runs already stored are copied here from their summaries, so
records are whole at once; their profiles come with `heroicrun runs recompute` (until then their
pages read the original, as before); a snapshot missing is worked out afresh.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_profiles",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("made_with", sa.String(length=32), nullable=False),
        sa.Column("sketch", sa.Text(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_table(
        "run_efforts",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("elapsed_s", sa.Float(), nullable=False),
        sa.Column("start_distance_m", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "distance_m"),
    )
    op.create_index("run_efforts_by_distance", "run_efforts", ["distance_m", "elapsed_s"])
    _copy_efforts()
    op.create_table(
        "progress_snapshots",
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enrolment_id"], ["enrolments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("enrolment_id"),
    )


def downgrade() -> None:
    op.drop_table("progress_snapshots")
    op.drop_index("run_efforts_by_distance", table_name="run_efforts")
    op.drop_table("run_efforts")
    op.drop_table("run_profiles")


def _copy_efforts() -> None:
    runs = sa.table("runs", sa.column("id", sa.Integer), sa.column("summary_json", sa.Text))
    efforts = sa.table(
        "run_efforts",
        sa.column("run_id", sa.Integer),
        sa.column("distance_m", sa.Float),
        sa.column("name", sa.String),
        sa.column("elapsed_s", sa.Float),
        sa.column("start_distance_m", sa.Float),
    )
    connection = op.get_bind()
    rows = []
    for run_id, text in connection.execute(sa.select(runs.c.id, runs.c.summary_json)):
        for effort in json.loads(text).get("best_efforts") or []:
            if effort.get("elapsed_s") is not None:
                rows.append(
                    {
                        "run_id": run_id,
                        "distance_m": effort["distance_m"],
                        "name": effort["name"],
                        "elapsed_s": effort["elapsed_s"],
                        "start_distance_m": effort.get("start_distance_m"),
                    }
                )
        if len(rows) >= 5000:
            connection.execute(sa.insert(efforts), rows)
            rows = []
    if rows:
        connection.execute(sa.insert(efforts), rows)
