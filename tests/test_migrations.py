"""Migrations: one head, and the models match what the migrations build (on both databases)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from xinyong import schema
from xinyong.models import Base

from conftest import Database


def test_one_head() -> None:
    assert len(schema.heads()) == 1


def test_models_match_migrations(database: Database) -> None:
    assert schema.current_revision(database.engine) == schema.heads()[0]
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diff == []
