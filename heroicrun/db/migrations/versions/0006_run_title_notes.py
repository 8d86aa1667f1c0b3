"""a run's title and notes, as the runner gives them

Revision ID: 0006
Revises: 0005

Both start empty: a run without a title is shown with its default one (the time of day, the sport
and the place, heroicrun.localtime), so nothing is written for the runs already stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("notes", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("notes")
        batch_op.drop_column("title")
