"""``xinyong backup FILE`` and ``xinyong restore FILE``: a consistent copy of the live SQLite database,
and that copy put back — each followed by ``audit verify`` on the copy.

The copy is made with SQLite's online backup API (readers and writers go on meanwhile; the copy is one
consistent snapshot), written beside the target under a temporary name, checked (``PRAGMA
quick_check``), switched out of WAL into a single self-contained file and then renamed into place, so a
failed backup never leaves a half file under the chosen name. Restoring refuses to overwrite a database
that holds anything unless ``--force`` is given, upgrades an older copy's structure, and verifies the
audit trail of what it restored (anchors taken after the backup may hold more entries: those are notes,
not problems). PostgreSQL is backed up with its own tools, pg_dump / pg_restore and WAL archiving for
point-in-time recovery (docs/operations.md): both commands say so and exit with status 2.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from xinyong import schema
from xinyong.audit import service as audit
from xinyong.audit.findings import Report
from xinyong.cli.audit import default_anchor_file, print_report
from xinyong.cli.common import err, fail, out
from xinyong.config import get_settings
from xinyong.db import make_engine, session_factory, transaction
from xinyong.kit.errors import DomainError

PG_BACKUP = (
    "当前数据库是 PostgreSQL：请用 pg_dump 备份（例如 pg_dump --format=custom --file=FILE 数据库地址），"
    "并按 docs/operations.md 的“备份与恢复”一节配置 WAL 归档以便按时间点恢复"
)
PG_RESTORE = (
    "当前数据库是 PostgreSQL：请用 pg_restore 恢复 pg_dump 的备份"
    "（例如 pg_restore --dbname=数据库地址 FILE），恢复后运行 xinyong audit verify；"
    "步骤见 docs/operations.md 的“备份与恢复”一节"
)


def _sqlite_path() -> Path | None:
    """The configured SQLite file, or None for PostgreSQL."""
    url = make_url(get_settings().effective_database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        fail(DomainError("配置的 SQLite 数据库不是文件，无法备份或恢复", code="BACKUP_NOT_A_FILE"))
    return Path(url.database).resolve()


@contextlib.contextmanager
def _connect(path: Path, *, readonly: bool = False) -> Iterator[sqlite3.Connection]:
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    conn = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


def _revision(path: Path) -> str | None:
    """The schema revision of a SQLite file, after checking that it is one and is sound."""
    try:
        with _connect(path, readonly=True) as conn:
            if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise sqlite3.DatabaseError("quick_check")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        fail(
            DomainError(
                f"{path} 不是完好的 xinyong 数据库备份（SQLite 文件损坏或缺少结构版本）",
                code="BACKUP_INVALID",
            )
        )
    return row[0] if row else None


def _holds_data(path: Path) -> bool:
    """Whether a SQLite file has any row in any table but the schema version."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with _connect(path, readonly=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return any(
            conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in tables if t != "alembic_version"
        )


def _verify(engine: Engine, *, older_copy: bool) -> Report:
    """``audit verify`` on a copy, with the installation's anchors."""
    try:
        with transaction(session_factory(engine)) as session:
            return audit.verify(session, anchor_paths=[default_anchor_file()], older_copy=older_copy)
    finally:
        engine.dispose()


def _copy(source: Path, target: Path) -> None:
    """SQLite's online backup of ``source`` into a new file ``target`` (one self-contained file, 0600)."""
    with _connect(source) as src, _connect(target) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        if dst.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise sqlite3.DatabaseError("the copy failed its quick_check")
    os.chmod(target, 0o600)


def backup_command(
    file: Annotated[Path, typer.Argument(help="备份文件（SQLite 数据库文件）", dir_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="覆盖已有的备份文件")] = False,
) -> None:
    """在线备份 SQLite 数据库（服务可照常运行），并校验备份中的审计日志。PostgreSQL 请用 pg_dump。"""
    source = _sqlite_path()
    if source is None:
        err.print(PG_BACKUP, soft_wrap=True, highlight=False)
        raise typer.Exit(2)
    target = file.resolve()
    if not source.exists() or _revision(source) is None:
        fail(DomainError("数据库尚未初始化，请先运行 xinyong init", code="DB_NOT_INITIALISED"))
    if target == source:
        fail(DomainError("备份文件不能是数据库本身", code="BACKUP_SAME_FILE"))
    if target.exists() and not force:
        fail(DomainError(f"备份文件 {target} 已存在；确认覆盖请加 --force", code="BACKUP_FILE_EXISTS"))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    out.print(f"已备份到 {target}（{target.stat().st_size:,} 字节）", highlight=False)
    # Read-only, as it is: the copy is checked without being touched (no WAL files beside it).
    report = _verify(create_engine(f"sqlite:///file:{target}?mode=ro&uri=true"), older_copy=False)
    print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def restore_command(
    file: Annotated[Path, typer.Argument(help="xinyong backup 写出的备份文件", dir_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="覆盖已有数据的数据库")] = False,
) -> None:
    """把备份恢复到配置的 SQLite 数据库（已有数据时须加 --force），并校验恢复后的审计日志。"""
    target = _sqlite_path()
    if target is None:
        err.print(PG_RESTORE, soft_wrap=True, highlight=False)
        raise typer.Exit(2)
    source = file.resolve()
    if not source.is_file():
        fail(DomainError(f"备份文件 {source} 不存在", code="BACKUP_NOT_FOUND"))
    revision = _revision(source)
    if revision not in _known_revisions():
        fail(
            DomainError(
                f"备份的结构版本 {revision} 不是本版本 xinyong 所知的版本", code="BACKUP_UNKNOWN_REVISION"
            )
        )
    if source == target:
        fail(DomainError("备份文件就是当前数据库", code="BACKUP_SAME_FILE"))
    if _holds_data(target) and not force:
        fail(
            DomainError(
                f"数据库 {target} 已有数据；恢复会覆盖全部现有数据，确认请加 --force",
                code="RESTORE_TARGET_NOT_EMPTY",
            )
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with _connect(source, readonly=True) as src, _connect(target) as dst:
        src.backup(dst)
    url = f"sqlite:///{target}"
    out.print(f"已从 {source} 恢复到 {target}", highlight=False)
    if revision not in schema.heads():
        schema.upgrade(make_engine(url))
        out.print(f"备份的结构版本为 {revision}，已升级到 {schema.heads()[0]}", highlight=False)
    report = _verify(make_engine(url), older_copy=True)
    print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(schema.alembic_config()).walk_revisions()}
