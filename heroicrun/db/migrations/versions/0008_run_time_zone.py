"""the time zone where each run started, and an index of what aggregates read of runs

Revision ID: 0008
Revises: 0007

Found from a run's first position when its profile is kept (heroicrun.play.profiles), so that the
runs list and the API title a run by its local time as its page does. The runs already stored get
theirs from `heroicrun runs recompute`, or when their page is first opened.

The index holds every column the aggregates over a runner's runs read, so that they never read
the rows themselves, which their summaries make wide.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# As heroicrun.db.schema.RUN_MEASURES was when this was written.
MEASURES = (
    "runner_id",
    "start_time",
    "id",
    "overlaps_run_id",
    "marked_sport",
    "sport",
    "gps",
    "kind",
    "distance_m",
    "counted_distance_m",
    "moving_s",
    "counted_moving_s",
    "elapsed_s",
    "time_zone",
)


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
    op.create_index("runs_by_runner_measures", "runs", list(MEASURES))


def downgrade() -> None:
    op.drop_index("runs_by_runner_measures", table_name="runs")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
