"""Engines and sessions. The same models run on SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import ARRAY, ColumnElement, Engine, String, any_, bindparam, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

#: Execution option of a SQLite connection: ``"immediate"`` makes its transactions BEGIN IMMEDIATE.
SQLITE_BEGIN: Final = "xinyong_sqlite_begin"


def writing_session(factory: sessionmaker[Session]) -> Session:
    """A session whose transaction will write: on SQLite it takes the write lock at BEGIN (see
    ``make_engine``), so that it waits its turn (busy timeout) instead of failing when another writer
    committed after it read. The transaction still begins at the first statement, not here: a request
    that reads an upload first holds no lock meanwhile."""
    bind = factory.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        return factory(bind=bind.execution_options(**{SQLITE_BEGIN: "immediate"}))
    return factory()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; for SQLite, make the folder, switch on foreign keys and WAL, and let SQLAlchemy
    own transactions (real BEGIN, working SAVEPOINTs)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            # Take transaction control away from pysqlite, which would otherwise start transactions
            # late (at the first write) and let a released SAVEPOINT commit: SQLAlchemy emits BEGIN.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A transaction that will write takes the write lock at BEGIN (IMMEDIATE): in WAL mode a
            # deferred one that read first and writes later fails at once ("database is locked", no busy
            # wait) when another writer committed in between. Readers stay deferred and never block.
            mode = conn.get_execution_options().get(SQLITE_BEGIN, "")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "immediate" else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def is_postgres(engine_or_session: Engine | Session) -> bool:
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else engine_or_session
    return bind.dialect.name == "postgresql"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit once at the end, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


#: Bound values per ``IN (...)`` statement on SQLite (its limit on parameters is 32,766).
IN_PIECE: Final = 5_000


def pieces(values: list[Any], size: int = IN_PIECE) -> list[list[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def in_values(session: Session, column: Any, values: list[str]) -> list[ColumnElement[bool]]:
    """``column IN values`` as few conditions as possible: one ``= ANY(array)`` on PostgreSQL (one
    parameter, however many values), pieces of bound parameters on SQLite. Run one query per condition."""
    if is_postgres(session):
        return [column == any_(bindparam("values", values, type_=ARRAY(String)))] if values else []
    return [column.in_(piece) for piece in pieces(values)]
