"""public search index for names (issue 11)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from xinyong.subjects.search_index import rebuild

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_KEY = sa.String(300).with_variant(sa.String(300, collation="C"), "postgresql")
GRAM_KEY = sa.String(24).with_variant(sa.String(24, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "search_names",
        sa.Column("subject_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name_norm", NAME_KEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_search_names_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subject_id", name=op.f("pk_search_names")),
    )
    op.create_index("ix_search_names_name_norm", "search_names", ["name_norm", "subject_id"])
    op.create_table(
        "search_grams",
        sa.Column("gram", GRAM_KEY, nullable=False),
        sa.Column("subject_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("gram", "subject_id", name=op.f("pk_search_grams")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "search_gram_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gram", GRAM_KEY, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_gram_counts")),
    )
    op.create_index("ix_search_gram_counts_gram", "search_gram_counts", ["gram", "n"])
    op.create_table(
        "search_positions",
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("n", name=op.f("pk_search_positions")),
    )
    # Backfill: every subject registered so far, set-based.
    rebuild(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_table("search_positions")
    op.drop_index("ix_search_gram_counts_gram", table_name="search_gram_counts")
    op.drop_table("search_gram_counts")
    op.drop_table("search_grams")
    op.drop_index("ix_search_names_name_norm", table_name="search_names")
    op.drop_table("search_names")
