"""``xinyong init``, ``xinyong demo`` and ``xinyong serve``: the database structure, the demo data and
the web service. Unlike the other commands these create or upgrade the database themselves.

``serve`` hands Uvicorn the app factory by name (``xinyong.app:create_app``), so the web stack (FastAPI
and every router) is loaded only by the command that serves it, not by every ``xinyong`` command."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import schema
from xinyong.cli.common import actor, clock, fail, out
from xinyong.config import get_settings
from xinyong.db import make_engine, session_factory, transaction
from xinyong.demo import load_demo
from xinyong.kit.errors import DomainError
from xinyong.models import Subject
from xinyong.security.demo_users import DEMO_PASSWORD, load_demo_users
from xinyong.security.roles import ROLE_ZH

DEMO_SUBJECTS = 300
DEMO_SEED = 20261122
#: create_app() with no arguments: the settings from get_settings() and an engine on their database.
APP_FACTORY = "xinyong.app:create_app"


def init() -> None:
    """创建或升级数据库结构（Alembic 迁移到最新版本）。"""
    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    schema.upgrade(engine)
    out.print(f"数据库结构已是最新版本（{schema.current_revision(engine)}）：{engine.url.render_as_string()}")


def demo(
    subjects: Annotated[int, typer.Option("--subjects", min=1, help="生成的信用主体数量")] = DEMO_SUBJECTS,
    seed: Annotated[int, typer.Option(help="随机种子，相同种子生成相同数据")] = DEMO_SEED,
) -> None:
    """载入演示数据：一个市及其区县的部门、企业、个人和覆盖目录的信用记录。"""
    engine = make_engine(get_settings().effective_database_url)
    schema.upgrade(engine)
    try:
        with transaction(session_factory(engine)) as session:
            summary = load_demo(session, subjects=subjects, seed=seed, actor=actor(), progress=True)
            accounts = _demo_accounts(session)
    except DomainError as exc:
        fail(exc)
    out.print(summary.describe())
    out.print(accounts)


def _demo_accounts(session: Session) -> str:
    """Create the demo accounts and describe them (development only)."""
    accounts = load_demo_users(session, settings=get_settings(), actor=actor(), clock=clock())
    lines = [f"演示账户（密码均为 {DEMO_PASSWORD}，仅供开发演示）："]
    lines += [f"  {a.username:<14}{ROLE_ZH[a.role]}：{a.what}" for a in accounts]
    return "\n".join(lines)


def serve(
    host: Annotated[str | None, typer.Option(help="监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="端口")] = None,
    with_demo: Annotated[bool, typer.Option("--demo", help="数据库为空时先载入演示数据")] = False,
) -> None:
    """启动 Web 服务（门户、接口和 /docs 接口文档）。"""
    settings = get_settings()
    try:
        settings.check_production()
    except DomainError as exc:
        fail(exc)
    engine = make_engine(settings.effective_database_url)
    schema.upgrade(engine)
    if with_demo:
        with transaction(session_factory(engine)) as session:
            if not session.scalar(select(func.count()).select_from(Subject)):
                summary = load_demo(
                    session, subjects=DEMO_SUBJECTS, seed=DEMO_SEED, actor=actor(), progress=True
                )
                out.print(summary.describe())
                out.print(_demo_accounts(session))
    host, port = host or settings.host, port or settings.port
    engine.dispose()  # the app opens its own engine on the same database
    out.print(f"xinyong 已启动：http://{host}:{port}/  （接口文档 http://{host}:{port}/docs）")
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, log_level="info")
