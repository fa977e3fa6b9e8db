"""Command line: ``xinyong init | serve | demo | check-id | catalog ... | workdays ... | audit verify``."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from xinyong.config import get_settings
from xinyong.db import make_engine, session_factory, transaction
from xinyong.kit.errors import DomainError

app = typer.Typer(help="xinyong 公共信用信息平台", no_args_is_help=True, pretty_exceptions_enable=False)
catalog_app = typer.Typer(help="公共信用信息目录：导入、导出、校验", no_args_is_help=True)
workdays_app = typer.Typer(help="工作日：计算与年度节假日安排", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(workdays_app, name="workdays")
app.add_typer(audit_app, name="audit")

out = Console()
err = Console(stderr=True)


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli:unknown"


def _sessions() -> sessionmaker[Session]:
    return session_factory(make_engine(get_settings().effective_database_url))


def fail(exc: DomainError) -> None:
    err.print(f"[red]错误 {exc.code}[/red]：{exc.message}")
    for problem in exc.details.get("errors", []):
        err.print(f"  - {problem}")
    raise typer.Exit(2)


@app.command()
def init() -> None:
    """创建或升级数据库结构（Alembic 迁移到最新版本）。"""
    from xinyong import schema

    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    schema.upgrade(engine)
    out.print(f"数据库结构已是最新版本（{schema.current_revision(engine)}）：{engine.url.render_as_string()}")


@app.command()
def demo(
    subjects: Annotated[int, typer.Option("--subjects", min=1, help="生成的信用主体数量")] = 300,
    seed: Annotated[int, typer.Option(help="随机种子，相同种子生成相同数据")] = 20261122,
) -> None:
    """载入演示数据：一个市及其区县的部门、企业、个人和覆盖目录的信用记录。"""
    from xinyong import schema
    from xinyong.demo import load_demo

    engine = make_engine(get_settings().effective_database_url)
    schema.upgrade(engine)
    try:
        with transaction(session_factory(engine)) as session:
            summary = load_demo(session, subjects=subjects, seed=seed, actor=actor(), progress=True)
    except DomainError as exc:
        fail(exc)
    out.print(summary.describe())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="端口")] = None,
    with_demo: Annotated[bool, typer.Option("--demo", help="数据库为空时先载入演示数据")] = False,
) -> None:
    """启动 Web 服务（门户、接口和 /docs 接口文档）。"""
    import uvicorn
    from sqlalchemy import func, select

    from xinyong import schema
    from xinyong.app import create_app
    from xinyong.demo import load_demo
    from xinyong.models import Subject

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
                out.print(
                    load_demo(session, subjects=300, seed=20261122, actor=actor(), progress=True).describe()
                )
    host, port = host or settings.host, port or settings.port
    out.print(f"xinyong 已启动：http://{host}:{port}/  （接口文档 http://{host}:{port}/docs）")
    uvicorn.run(create_app(settings, engine=engine), host=host, port=port, log_level="info")


@app.command("check-id")
def check_id(code: str) -> None:
    """校验统一社会信用代码 / 身份证号码 / 旧注册号 / 组织机构代码，以 JSON 输出结论和解析结果。"""
    from xinyong.kit import ids

    verdict = ids.classify(code)
    body = {
        "kind": verdict.kind,
        "input": verdict.raw,
        "valid": verdict.valid,
        "value": verdict.value,
        "error_code": verdict.error_code,
        "message": verdict.message,
        "parts": dict(verdict.parts),
    }
    print(json.dumps(body, ensure_ascii=False, indent=2, default=str))
    if not verdict.valid:
        raise typer.Exit(1)


@catalog_app.command("validate")
def catalog_validate(file: Path) -> None:
    """校验目录文件，不写入数据库。"""
    from xinyong.catalog.schema import parse_catalog

    try:
        parsed = parse_catalog(file.read_text(encoding="utf-8"), source=str(file))
    except DomainError as exc:
        fail(exc)
    out.print(f"目录文件有效：版本 {parsed.version}，共 {len(parsed.items)} 个信息事项")


@catalog_app.command("import")
def catalog_import(
    file: Annotated[Path | None, typer.Argument(help="目录文件（YAML）；省略则导入默认目录")] = None,
) -> None:
    """导入目录文件为新版本并设为当前版本。"""
    from xinyong.catalog.schema import default_catalog_path
    from xinyong.catalog.service import import_catalog

    path = file or default_catalog_path()
    try:
        with transaction(_sessions()) as session:
            result = import_catalog(
                session, path.read_text(encoding="utf-8"), actor=actor(), source=str(path)
            )
    except DomainError as exc:
        fail(exc)
    verb = "已导入" if result.created else "内容相同，未重复导入"
    out.print(f"{verb}：目录版本 {result.version.version}，{result.items} 个信息事项")


@catalog_app.command("export")
def catalog_export(
    file: Annotated[Path | None, typer.Argument(help="输出文件；省略则写到标准输出")] = None,
    version: Annotated[str | None, typer.Option(help="目录版本；默认当前版本")] = None,
) -> None:
    """导出目录（与导入时的文本完全一致）。"""
    from xinyong.catalog.service import export_catalog

    try:
        with transaction(_sessions()) as session:
            text = export_catalog(session, version)
    except DomainError as exc:
        fail(exc)
    if file is None:
        sys.stdout.write(text)
    else:
        file.write_text(text, encoding="utf-8")
        out.print(f"已导出到 {file}")


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]错误 DATE_INVALID[/red]：日期 {value!r} 格式应为 YYYY-MM-DD")
        raise typer.Exit(2) from None


@workdays_app.command("add")
def workdays_add(start: str, n: int) -> None:
    """START 之后第 N 个工作日（不含 START 当日）。无官方安排的年份结果标注 provisional。"""
    from xinyong.deadlines.service import calendar

    with transaction(_sessions()) as session:
        result = calendar(session).add_workdays(_parse_date(start), n)
    print(result.date.isoformat() + (" provisional" if result.provisional else ""))


@workdays_app.command("between")
def workdays_between(start: str, end: str) -> None:
    """START（不含）到 END（含）之间的工作日数。"""
    from xinyong.deadlines.service import calendar

    with transaction(_sessions()) as session:
        result = calendar(session).workdays_between(_parse_date(start), _parse_date(end))
    print(str(result.days) + (" provisional" if result.provisional else ""))


@workdays_app.command("is-workday")
def workdays_is(day: str) -> None:
    """某日是否为工作日。"""
    from xinyong.deadlines.service import calendar

    with transaction(_sessions()) as session:
        cal = calendar(session)
        d = _parse_date(day)
        answer = "工作日" if cal.is_workday(d) else "休息日"
        print(answer + (" provisional" if cal.is_provisional(d) else ""))


@workdays_app.command("load")
def workdays_load(file: Path) -> None:
    """载入某年的节假日和调休安排（YAML），并重算该年的临时期限。"""
    from xinyong.deadlines.service import load_schedule

    try:
        with transaction(_sessions()) as session:
            result = load_schedule(session, file.read_text(encoding="utf-8"), actor=actor())
    except DomainError as exc:
        fail(exc)
    out.print(
        f"已载入 {result.year} 年安排：放假 {result.holidays} 天，调休上班 {result.workdays} 天；"
        f"重算临时期限 {result.recomputed} 个"
    )


@audit_app.command("verify")
def audit_verify() -> None:
    """逐条校验审计日志的哈希链，报告第一处断链。"""
    from xinyong.kit.audit import verify

    with transaction(_sessions()) as session:
        report = verify(session)
    if report.ok:
        out.print(f"审计日志完整：共校验 {report.checked} 条")
        return
    err.print(f"[red]审计日志已被篡改[/red]：{report.reason}（已校验 {report.checked} 条完好）")
    raise typer.Exit(1)


def main() -> None:
    app()
