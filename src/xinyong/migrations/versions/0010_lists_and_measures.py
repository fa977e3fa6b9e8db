"""lists measures screening feedback objections (issue 12)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 00:22:56.499925
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "list_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("incentive", "punishment", name="measurekind", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["catalog_versions.id"], name=op.f("fk_list_measures_version_id_catalog_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_measures")),
        sa.UniqueConstraint("version_id", "code", name=op.f("uq_list_measures_version_id_code")),
    )
    with op.batch_alter_table("list_measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_measures_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_measures_version_id"), ["version_id"], unique=False)

    op.create_table(
        "list_scopes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column(
            "list_kind",
            sa.Enum("red", "black", name="listkind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["catalog_versions.id"], name=op.f("fk_list_scopes_version_id_catalog_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_scopes")),
        sa.UniqueConstraint("version_id", "code", name=op.f("uq_list_scopes_version_id_code")),
    )
    with op.batch_alter_table("list_scopes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_scopes_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_scopes_version_id"), ["version_id"], unique=False)

    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "target_kind",
            sa.Enum("record", "entry", name="objectiontarget", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("dept_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "upheld", "rejected", name="objectionstatus", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.String(length=100), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["dept_id"], ["departments.id"], name=op.f("fk_objections_dept_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_objections_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objections_dept_id"), ["dept_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objections_subject_id"), ["subject_id"], unique=False)
        batch_op.create_index("ix_objections_target", ["target_kind", "target_id", "status"], unique=False)

    op.create_table(
        "list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "list_kind",
            sa.Enum("red", "black", name="listkind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("scope_code", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("initiating_dept_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "proposed",
                "notified",
                "decided",
                "published",
                "exited",
                name="entrystate",
                native_enum=False,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("doc_kind", sa.String(length=40), nullable=False),
        sa.Column("doc_no", sa.String(length=200), nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=False),
        sa.Column("doc_issuer", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "leniency",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column(
            "notice",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("objection_due", sa.Date(), nullable=True),
        sa.Column("objection_waived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "decision",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column(
            "exit_cause",
            sa.Enum(
                "period_over",
                "repaired",
                "revoked",
                "overturned",
                "withdrawn",
                name="exitcause",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("exit_note", sa.Text(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["initiating_dept_id"],
            ["departments.id"],
            name=op.f("fk_list_entries_initiating_dept_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["scope_id"], ["list_scopes.id"], name=op.f("fk_list_entries_scope_id_list_scopes")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_list_entries_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_entries")),
        sa.UniqueConstraint("number", name=op.f("uq_list_entries_number")),
    )
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_list_entries_initiating_dept_id"), ["initiating_dept_id"], unique=False
        )
        batch_op.create_index("ix_list_entries_public", ["list_kind", "state", "published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_entries_scope_id"), ["scope_id"], unique=False)
        batch_op.create_index("ix_list_entries_subject_state", ["subject_id", "state"], unique=False)

    op.create_table(
        "screening_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column(
            "state",
            sa.Enum("queued", "running", "done", "failed", name="batchstate", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("scenario", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "data_version",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("result_path", sa.String(length=500), nullable=True),
        sa.Column("result_sha256", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_screening_batches_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_screening_batches_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_batches")),
        sa.UniqueConstraint("number", name=op.f("uq_screening_batches_number")),
    )
    with op.batch_alter_table("screening_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screening_batches_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "feedback_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("measure_code", sa.String(length=40), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "applied",
                "not_applicable",
                "objection",
                "closed",
                name="taskstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("case_ref", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_feedback_tasks_department_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["list_entries.id"], name=op.f("fk_feedback_tasks_entry_id_list_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_tasks")),
    )
    with op.batch_alter_table("feedback_tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_tasks_dept_status", ["department_id", "status", "due_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_tasks_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "list_entry_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=12), nullable=True),
        sa.Column("to_state", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["list_entries.id"], name=op.f("fk_list_entry_events_entry_id_list_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_entry_events")),
    )
    with op.batch_alter_table("list_entry_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_entry_events_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("scenario", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=False),
        sa.Column(
            "request",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "data_version",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["screening_batches.id"], name=op.f("fk_screenings_batch_id_screening_batches")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_screenings_department_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_screenings_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_screenings_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")),
        sa.UniqueConstraint("code", name=op.f("uq_screenings_code")),
        sa.UniqueConstraint("number", name=op.f("uq_screenings_number")),
    )
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screenings_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_screenings_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screenings_department_id"), ["department_id"], unique=False)
        batch_op.create_index("ix_screenings_subject_at", ["subject_id", "at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.drop_index("ix_screenings_subject_at")
        batch_op.drop_index(batch_op.f("ix_screenings_department_id"))
        batch_op.drop_index(batch_op.f("ix_screenings_batch_id"))
        batch_op.drop_index(batch_op.f("ix_screenings_at"))

    op.drop_table("screenings")
    with op.batch_alter_table("list_entry_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_entry_events_entry_id"))

    op.drop_table("list_entry_events")
    with op.batch_alter_table("feedback_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_tasks_entry_id"))
        batch_op.drop_index("ix_feedback_tasks_dept_status")

    op.drop_table("feedback_tasks")
    with op.batch_alter_table("screening_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_batches_department_id"))

    op.drop_table("screening_batches")
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_list_entries_subject_state")
        batch_op.drop_index(batch_op.f("ix_list_entries_scope_id"))
        batch_op.drop_index("ix_list_entries_public")
        batch_op.drop_index(batch_op.f("ix_list_entries_initiating_dept_id"))

    op.drop_table("list_entries")
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index("ix_objections_target")
        batch_op.drop_index(batch_op.f("ix_objections_subject_id"))
        batch_op.drop_index(batch_op.f("ix_objections_dept_id"))

    op.drop_table("objections")
    with op.batch_alter_table("list_scopes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_scopes_version_id"))
        batch_op.drop_index(batch_op.f("ix_list_scopes_code"))

    op.drop_table("list_scopes")
    with op.batch_alter_table("list_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_measures_version_id"))
        batch_op.drop_index(batch_op.f("ix_list_measures_code"))

    op.drop_table("list_measures")
