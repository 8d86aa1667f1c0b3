"""activities: a run's fingerprint, and the earlier run of the same outing

Revision ID: 0002
Revises: 0001

Runs stored before this have no fingerprint until `heroicrun runs recompute` measures them
again (which also marks the same outing stored twice); until then only their bytes identify them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("activity_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("overlaps_run_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("one_run_per_activity", ["runner_id", "activity_key"])
        batch_op.create_foreign_key(
            "runs_overlaps_run_id_fkey", "runs", ["overlaps_run_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(
            batch_op.f("ix_runs_overlaps_run_id"), ["overlaps_run_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_overlaps_run_id"))
        batch_op.drop_constraint("runs_overlaps_run_id_fkey", type_="foreignkey")
        batch_op.drop_constraint("one_run_per_activity", type_="unique")
        batch_op.drop_column("overlaps_run_id")
        batch_op.drop_column("activity_key")
