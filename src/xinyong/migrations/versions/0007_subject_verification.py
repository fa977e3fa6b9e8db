"""subjects held as unverified (待核验) until the registry or the credit office confirms them (issue 10)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Subjects that exist today were registered before the hold existed: they stay verified. A plain
    # ADD/DROP COLUMN (SQLite 3.35+), not a table copy: other tables' foreign keys point at subjects.
    op.add_column("subjects", sa.Column("verified", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    op.drop_column("subjects", "verified")
