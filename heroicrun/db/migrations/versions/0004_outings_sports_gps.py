"""outings, sports and runs without GPS: one run per outing of a file

Revision ID: 0004
Revises: 0003

A file may hold several outings, each stored as a run of its own sharing the file's original:
`one_run_per_file` becomes one run per (runner, file, outing). Every run stored before this is
outing 1 of its file, of no declared sport, recorded with GPS, until `heroicrun runs recompute`
measures it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outing", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("sport", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("gps", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.drop_constraint("one_run_per_file", type_="unique")
        batch_op.create_unique_constraint("one_run_per_file", ["runner_id", "sha256", "outing"])


def downgrade() -> None:
    # Only the first outing of each file keeps its run: the old constraint allows no more.
    op.execute(
        sa.text("DELETE FROM verdicts WHERE run_id IN (SELECT id FROM runs WHERE outing > 1)")
    )
    op.execute(sa.text("DELETE FROM runs WHERE outing > 1"))
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_constraint("one_run_per_file", type_="unique")
        batch_op.create_unique_constraint("one_run_per_file", ["runner_id", "sha256"])
        batch_op.drop_column("gps")
        batch_op.drop_column("sport")
        batch_op.drop_column("outing")
