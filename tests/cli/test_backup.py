"""Backup and restore (issue 10 item 11), as the operator runs them: ``xinyong backup FILE`` copies the live
SQLite database, ``xinyong restore FILE`` puts a copy back — each verifies the audit trail of the copy.
PostgreSQL is backed up with pg_dump and restored with pg_restore: a dump of a test schema restored into
a new schema verifies."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from xinyong.db import make_engine
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.querylog import Stated
from xinyong.security.roles import Role, scopes_of

from conftest import PG_URL, Database
from secworld import TODAY, World, build_world

CLERK = Principal(
    username="clerk_a", scopes=scopes_of([Role.dept_reviewer]), roles=frozenset({Role.dept_reviewer})
)


def cli(url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env["XINYONG_DATABASE_URL"] = url
    env["XINYONG_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "xinyong", *args], capture_output=True, text=True, env=env, timeout=300
    )


def _populate(db: Database, cipher: PersonalDataCipher) -> World:
    with Session(db.engine, expire_on_commit=False) as session:
        world = build_world(session, FixedClock(TODAY), cipher)
        assert world.company is not None
        querylog.guarded_read(
            session,
            CLERK,
            subject_id=world.company.id,
            target="subject_file",
            why=Stated("日常监管", "《江苏省社会信用条例》第三十条"),
            clock=world.clock,
        )
        session.commit()
    return world


#: Tests of one database run on that database only (not as a skipped case of the other).
ON_SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
ON_POSTGRESQL = pytest.mark.parametrize("database", ["postgresql"], indirect=True)


@pytest.fixture
def sqlite_db(fresh_database: Database) -> Database:
    assert fresh_database.kind == "sqlite"
    return fresh_database


@ON_SQLITE
def test_backup_of_a_live_database_restores_and_verifies(
    sqlite_db: Database, tmp_path: Path, cipher: PersonalDataCipher
) -> None:
    _populate(sqlite_db, cipher)
    data = tmp_path / "data"
    assert cli(sqlite_db.url, data, "audit", "anchor").returncode == 0
    backup = tmp_path / "backups" / "xinyong-2026-03-16.sqlite3"
    # A writer is in the middle of a transaction: the backup does not wait for it, nor copy its change.
    live = sqlite3.connect(sqlite_db.url.removeprefix("sqlite:///"))
    live.execute("BEGIN IMMEDIATE")
    live.execute("UPDATE departments SET name = 'uncommitted' WHERE id = 1")
    try:
        made = cli(sqlite_db.url, data, "backup", str(backup))
    finally:
        live.rollback()
        live.close()
    assert made.returncode == 0, made.stderr
    assert "已备份到" in made.stdout and "审计日志完整" in made.stdout
    assert backup.stat().st_mode & 0o777 == 0o600 and not Path(f"{backup}-wal").exists()
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT count(*) FROM departments WHERE name = 'uncommitted'").fetchone() == (0,)
    # The installation goes on and anchors again: the anchor is newer than the backup.
    with Session(sqlite_db.engine) as session:
        querylog.guarded_read(
            session,
            CLERK,
            subject_id=None,
            target="t",
            why=Stated("日常监管", "依据"),
            clock=FixedClock(TODAY),
        )
        session.commit()
    assert cli(sqlite_db.url, data, "audit", "anchor").returncode == 0

    restored_url = f"sqlite:///{tmp_path / 'restored' / 'xinyong.sqlite3'}"
    restored = cli(restored_url, data, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "已从" in restored.stdout and "审计日志完整" in restored.stdout
    assert "副本之后新增的 1 条不在其中" in restored.stdout  # the newer anchor is a note, not tampering
    again = cli(restored_url, data, "restore", str(backup))
    assert again.returncode == 2 and "RESTORE_TARGET_NOT_EMPTY" in again.stderr
    assert cli(restored_url, data, "restore", "--force", str(backup)).returncode == 0
    refused = cli(sqlite_db.url, data, "backup", str(backup))
    assert refused.returncode == 2 and "BACKUP_FILE_EXISTS" in refused.stderr


@ON_SQLITE
def test_a_backup_edited_afterwards_fails_verification_on_restore(
    sqlite_db: Database, tmp_path: Path, cipher: PersonalDataCipher
) -> None:
    world = _populate(sqlite_db, cipher)
    data = tmp_path / "data"
    backup = tmp_path / "copy.sqlite3"
    assert cli(sqlite_db.url, data, "backup", str(backup)).returncode == 0
    record = world.records["a_public"]
    with sqlite3.connect(backup) as copy:
        copy.execute(
            "UPDATE credit_records SET data = json_set(data, '$.penalty_kind', '警告') WHERE id = ?",
            (record.id,),
        )
    restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    restored = cli(restored_url, data, "restore", str(backup))
    assert restored.returncode == 1
    assert f"RECORD_ALTERED：信用记录 {record.id} 的当前内容" in restored.stderr


@ON_SQLITE
def test_restore_refuses_a_file_that_is_not_a_backup(sqlite_db: Database, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    refused = cli(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path, "restore", str(junk))
    assert refused.returncode == 2 and "BACKUP_INVALID" in refused.stderr


@ON_POSTGRESQL
def test_postgresql_points_at_pg_dump_and_pg_restore(fresh_database: Database, tmp_path: Path) -> None:
    assert fresh_database.kind == "postgresql"
    made = cli(fresh_database.url, tmp_path, "backup", str(tmp_path / "x.dump"))
    assert made.returncode == 2 and "pg_dump" in made.stderr and "docs/operations.md" in made.stderr
    restored = cli(fresh_database.url, tmp_path, "restore", str(tmp_path / "x.dump"), "--force")
    assert restored.returncode == 2 and "pg_restore" in restored.stderr


def _schema_of(url: str) -> str:
    found = re.search(r"search_path(?:=|%3D)([A-Za-z0-9_]+)", unquote(url))
    assert found, url
    return found.group(1)


def _libpq(url: str) -> str:
    """The plain PostgreSQL URL (no driver, no options) for pg_dump / psql."""
    return url.replace("postgresql+psycopg://", "postgresql://").split("?")[0]


@ON_POSTGRESQL
def test_a_pg_dump_restored_into_a_new_schema_verifies(
    fresh_database: Database, tmp_path: Path, cipher: PersonalDataCipher
) -> None:
    assert fresh_database.kind == "postgresql"
    _populate(fresh_database, cipher)
    data = tmp_path / "data"
    assert cli(fresh_database.url, data, "audit", "anchor").returncode == 0
    source, target = _schema_of(fresh_database.url), f"xy_restore_{uuid.uuid4().hex[:10]}"
    dump = tmp_path / "xinyong.dump"
    plain = _libpq(PG_URL)
    subprocess.run(["pg_dump", "--format=custom", f"--schema={source}", f"--file={dump}", plain], check=True)
    # pg_restore writes the dump as SQL; the schema is renamed on the way (schema names here are random).
    script = subprocess.run(
        ["pg_restore", "--no-owner", "--file=-", str(dump)], check=True, capture_output=True
    )
    restored_sql = script.stdout.decode().replace(source, target)
    try:
        subprocess.run(
            ["psql", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={plain}"],
            input=restored_sql.encode(),
            check=True,
            capture_output=True,
        )
        url = fresh_database.url.replace(source, target)
        verified = cli(url, data, "audit", "verify")
        assert verified.returncode == 0, verified.stderr
        assert "信用记录 4 条与其封存一致" in verified.stdout and "核对锚点 1 个" in verified.stdout
    finally:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{target}" CASCADE'))
        admin.dispose()
