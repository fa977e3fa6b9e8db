"""credit_records.timeliness_provisional: timeliness counted for a year without a schedule

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credit_records") as batch:
        batch.add_column(
            sa.Column("timeliness_provisional", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        # Partial: only provisional rows are ever looked up, and the bulk load pays nothing for it.
        batch.create_index(
            "ix_credit_records_timeliness_provisional",
            ["timeliness_provisional"],
            unique=False,
            postgresql_where=sa.text("timeliness_provisional"),
            sqlite_where=sa.text("timeliness_provisional"),
        )


def downgrade() -> None:
    with op.batch_alter_table("credit_records") as batch:
        batch.drop_index("ix_credit_records_timeliness_provisional")
        batch.drop_column("timeliness_provisional")
