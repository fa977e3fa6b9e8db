"""What every command module shares: the consoles, the actor and clock of an operator's command, the
engine and sessions on an initialised database, and the one way a domain error ends a command (exit
status 2).

Every command but ``init``, ``demo`` and ``serve`` (which create or upgrade the database themselves)
refuses a database that ``xinyong init`` has not initialised, and says which database it looked at: the
data directory is ``XINYONG_DATA_DIR``, by default ``data`` under the directory the command runs in."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from xinyong import schema
from xinyong.config import Settings, get_settings
from xinyong.db import make_engine, session_factory
from xinyong.kit.clock import SystemClock
from xinyong.kit.errors import DomainError

out = Console()
err = Console(stderr=True)


def actor() -> str:
    """The audit trail's actor of a command: ``cli:<login name>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli:unknown"


def clock() -> SystemClock:
    return SystemClock()


def current_settings() -> Settings:
    """The settings (``config.get_settings``); a key file that cannot be used ends the command (exit 2)."""
    try:
        return get_settings()
    except DomainError as exc:
        fail(exc)


def where(settings: Settings) -> str:
    """Which database and data directory a command uses, for its messages (no password)."""
    url = make_url(settings.effective_database_url).render_as_string(hide_password=True)
    return f"数据库 {url}；数据目录 {settings.data_dir.resolve()}（XINYONG_DATA_DIR，相对路径按当前目录解析）"


def initialised_engine() -> Engine:
    """An engine on the configured database, which must already be initialised (``xinyong init``).

    An uninitialised database is refused with a Chinese message and exit status 2 — and a missing
    SQLite file is not created by asking."""
    current = current_settings()
    url = current.effective_database_url
    parsed = make_url(url)
    missing_file = (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not Path(str(parsed.database)).exists()
    )
    engine = None if missing_file else make_engine(url)
    revision = None if engine is None else schema.current_revision(engine)
    if revision is None:
        fail(
            DomainError(
                f"数据库尚未初始化，请先运行 xinyong init（{where(current)}）", code="DB_NOT_INITIALISED"
            )
        )
    if revision not in schema.heads():
        fail(
            DomainError(
                f"数据库结构不是最新版本（{revision}），请先运行 xinyong init 升级",
                code="DB_SCHEMA_OUTDATED",
            )
        )
    assert engine is not None
    return engine


def sessions() -> sessionmaker[Session]:
    """Sessions on the configured, initialised database (see :func:`initialised_engine`)."""
    return session_factory(initialised_engine())


def _problem(problem: object) -> str:
    """One entry of an error's ``details["errors"]`` as a line: ``事项 DJ-001 字段 fields[x].type：…``."""
    if isinstance(problem, dict) and "message" in problem:
        where = " ".join(
            f"{label} {problem[key]}"
            for key, label in (("item", "事项"), ("field", "字段"))
            if problem.get(key) not in (None, "")
        )
        return f"{where}：{problem['message']}" if where else str(problem["message"])
    return str(problem)


def fail(exc: DomainError) -> NoReturn:
    """Print the error's code and message (and each of its ``details["errors"]``) and exit with 2."""
    err.print(f"[red]错误 {exc.code}[/red]：{escape(exc.message)}", soft_wrap=True, highlight=False)
    for problem in exc.details.get("errors", []):
        err.print(f"  - {_problem(problem)}", soft_wrap=True, markup=False, highlight=False)
    raise typer.Exit(2)
