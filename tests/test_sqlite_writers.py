"""SQLite writers: a request that writes begins IMMEDIATE, so two of them queue on the write lock instead of
one failing with "database is locked" (in WAL mode a deferred transaction that read before another writer
committed cannot write any more, and SQLite does not wait for it)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from xinyong.db import make_engine, session_factory, writing_session


def _factory(tmp_path: Path) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    return session_factory(engine)


def test_a_deferred_reader_that_writes_late_fails(tmp_path: Path) -> None:
    sessions = _factory(tmp_path)
    late = sessions()
    late.execute(text("SELECT count(*) FROM t"))  # its snapshot
    other = writing_session(sessions)
    other.execute(text("INSERT INTO t VALUES (1)"))
    other.commit()
    with pytest.raises(OperationalError, match="locked"):
        late.execute(text("INSERT INTO t VALUES (2)"))
    late.rollback()


def test_writing_sessions_queue_instead(tmp_path: Path) -> None:
    sessions = _factory(tmp_path)
    first = writing_session(sessions)
    first.execute(text("SELECT count(*) FROM t"))
    done: list[int] = []

    def second() -> None:
        s = writing_session(sessions)  # waits for the first to commit (busy timeout)
        n = s.execute(text("SELECT count(*) FROM t")).scalar_one()
        s.execute(text("INSERT INTO t VALUES (2)"))
        s.commit()
        done.append(int(n))

    thread = threading.Thread(target=second)
    thread.start()
    first.execute(text("INSERT INTO t VALUES (1)"))
    first.commit()
    thread.join(timeout=30)
    assert done == [1]  # the second saw the first's row: it ran after it, and both wrote
    check = sessions()
    assert check.execute(text("SELECT count(*) FROM t")).scalar_one() == 2


def test_a_writing_session_takes_the_lock_at_its_first_statement(tmp_path: Path) -> None:
    """A request that reads an upload before touching the database holds no lock meanwhile."""
    sessions = _factory(tmp_path)
    waiting = writing_session(sessions)  # created: nothing begun yet
    other = writing_session(sessions)
    other.execute(text("INSERT INTO t VALUES (1)"))
    other.commit()  # not blocked by the first
    waiting.execute(text("INSERT INTO t VALUES (2)"))
    waiting.commit()
    assert sessions().execute(text("SELECT count(*) FROM t")).scalar_one() == 2
