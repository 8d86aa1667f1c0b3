"""the ledger of unlocks, the runner's mark of a run's sport, and its counted moving time

Revision ID: 0005
Revises: 0004

`unlocks` keeps each chapter unlocked in an enrolment with its credit (the run, when). It starts
empty: chapters earned before it are derived from the runs as before, and written down with the
runner's next upload, deletion or mark. `runs.marked_sport` is the sport the runner marked a run
as (none yet). `runs.counted_moving_s` is copied from each stored summary, so that a run's speeds
can judge whether it was ridden without reading the summary.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counted_moving_s", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("marked_sport", sa.String(length=32), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        value = "CAST(CAST(summary_json AS json) ->> 'counted_moving_s' AS double precision)"
    else:
        value = "CAST(json_extract(summary_json, '$.counted_moving_s') AS REAL)"
    op.execute(sa.text(f"UPDATE runs SET counted_moving_s = {value}"))
    op.create_table(
        "unlocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("beat", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("unlocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enrolment_id"], ["enrolments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enrolment_id", "beat", name="one_unlock_per_beat"),
    )
    with op.batch_alter_table("unlocks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unlocks_enrolment_id"), ["enrolment_id"])
        batch_op.create_index(batch_op.f("ix_unlocks_run_id"), ["run_id"])


def downgrade() -> None:
    with op.batch_alter_table("unlocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unlocks_run_id"))
        batch_op.drop_index(batch_op.f("ix_unlocks_enrolment_id"))
    op.drop_table("unlocks")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("marked_sport")
        batch_op.drop_column("counted_moving_s")
