"""One fixture set for both databases.

Every database test runs twice: on a fresh SQLite file and, when ``XINYONG_TEST_DATABASE_URL``
points at one, on PostgreSQL (in a schema of its own, dropped afterwards). Without that variable
the PostgreSQL half is skipped with a reason — except in CI (``CI=true``), where a skipped
PostgreSQL test is a failure. Each test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from xinyong import schema
from xinyong.db import make_engine
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher

#: The browser tests' fixtures (server, browser, page): one instance for the whole run, whichever
#: modules use them (a fixture imported into each module would be one per module, and Playwright's sync
#: API cannot be started twice).
pytest_plugins = ["browserkit"]

PG_URL = os.environ.get("XINYONG_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TEST_SECRET = "test-secret-key"
TEST_KEY = bytes(range(32))


def _pg_schema_url(base: str, schema_name: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema_name}')}"


class Database:
    """A migrated database the tests can use: its URL (for subprocesses) and engine."""

    def __init__(self, kind: str, url: str, engine: Engine) -> None:
        self.kind, self.url, self.engine = kind, url, engine


def _make_sqlite(tmp: Path) -> Database:
    url = f"sqlite:///{tmp / 'xinyong-test.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    return Database("sqlite", url, engine)


def _make_postgres() -> tuple[Database, str]:
    name = f"xy_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    admin.dispose()
    url = _pg_schema_url(PG_URL, name)
    engine = make_engine(url)
    schema.upgrade(engine)
    return Database("postgresql", url, engine), name


def _drop_pg_schema(name: str) -> None:
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    if request.param == "sqlite":
        db = _make_sqlite(tmp_path_factory.mktemp("sqlite"))
        yield db
        db.engine.dispose()
        return
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI must run the PostgreSQL tests: XINYONG_TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL 测试已跳过：未设置 XINYONG_TEST_DATABASE_URL")
    db, name = _make_postgres()
    yield db
    db.engine.dispose()
    _drop_pg_schema(name)


@pytest.fixture
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path, database: Database) -> Iterator[Database]:
    """A database of the same kind, new for this test (for CLI subprocesses that commit)."""
    if database.kind == "sqlite":
        db = _make_sqlite(tmp_path)
        yield db
        db.engine.dispose()
        return
    db, name = _make_postgres()
    yield db
    db.engine.dispose()
    _drop_pg_schema(name)


@pytest.fixture
def connection(database: Database) -> Iterator[Connection]:
    conn = database.engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions bound to the test's outer transaction: their commits become savepoints."""
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    s = sessions()
    yield s
    s.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 3, 16, 10, 0))


@pytest.fixture
def cipher() -> PersonalDataCipher:
    return PersonalDataCipher(TEST_KEY, index_secret=TEST_SECRET)
