"""keyed audit chain, anchors and the chained query log (issue 10)

The audit trail's hash becomes an HMAC under a key kept outside the database (xinyong.audit.keys),
entries carry the key's fingerprint and the digest of the credit-record seals they wrote (new tables
audit_seals and audit_seal_blocks), and the query log gets the same keyed chain. An existing trail is
checked the old way, then keyed, its records sealed and its query log chained (xinyong.audit.upgrade),
under the key of the configuration the migration runs with — so run ``xinyong init`` with the
installation's own keys.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 18:30:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from xinyong.audit.keys import current_key
from xinyong.audit.upgrade import key_existing, unkey

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("seal_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    with op.batch_alter_table("query_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_seals",
        sa.Column("entry_id", _ID, autoincrement=False, nullable=False),
        sa.Column("record_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "record_id", name=op.f("pk_audit_seals")),
    )
    op.create_index(op.f("ix_audit_seals_record_id"), "audit_seals", ["record_id"], unique=False)
    op.create_table(
        "audit_seal_blocks",
        sa.Column("entry_id", _ID, autoincrement=False, nullable=False),
        sa.Column("first_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("record_ids", sa.Text(), nullable=False),
        sa.Column("digests", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "first_id", name=op.f("pk_audit_seal_blocks")),
    )

    session = Session(bind=op.get_bind())
    key_existing(session, current_key(), dt.datetime.now(dt.UTC))
    session.close()

    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("key_id", existing_type=sa.String(length=16), nullable=False)
    with op.batch_alter_table("query_log") as batch:
        for name, length in (("prev_hash", 64), ("key_id", 16), ("hash", 64)):
            batch.alter_column(name, existing_type=sa.String(length=length), nullable=False)


def downgrade() -> None:
    session = Session(bind=op.get_bind())
    unkey(session)
    session.close()
    op.drop_table("audit_seal_blocks")
    op.drop_index(op.f("ix_audit_seals_record_id"), table_name="audit_seals")
    op.drop_table("audit_seals")
    with op.batch_alter_table("query_log") as batch:
        batch.drop_column("hash")
        batch.drop_column("key_id")
        batch.drop_column("prev_hash")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("key_id")
        batch.drop_column("seal_digest")
