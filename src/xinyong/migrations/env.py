"""Alembic environment: runs on the connection handed over by xinyong.schema, or on the settings' URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from xinyong.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from xinyong.config import get_settings
    from xinyong.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or get_settings().effective_database_url)
    with engine.begin() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("xinyong migrations run online only")
run_migrations_online()
