"""indexes for a credit file read a tab and a page at a time, and for the dashboard (issue 11)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 22:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A subject's records newest decision first, carrying every column the readers' filters test
#: (files.repository.shown_clause): a tab's count and a page's ids are read from the index alone.
FILE_PAGE_COLUMNS = [
    "subject_id",
    "decision_date",
    "id",
    "catalog_item_id",
    "status",
    "published",
    "publish_from",
    "publish_max_end",
    "source_dept_id",
]
#: The dashboard's months: records received per month, department and item, and whether late.
DASHBOARD_COLUMNS = ["received_on", "source_dept_id", "catalog_item_id", "late"]


def upgrade() -> None:
    op.create_index("ix_credit_records_file_page", "credit_records", FILE_PAGE_COLUMNS)
    op.create_index("ix_credit_records_received_dashboard", "credit_records", DASHBOARD_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_credit_records_received_dashboard", table_name="credit_records")
    op.drop_index("ix_credit_records_file_page", table_name="credit_records")
