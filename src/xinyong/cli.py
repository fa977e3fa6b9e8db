"""Command line: init, serve, demo, check-id, catalog, workdays, audit, depts, users, tokens, keys.

Each command prints Chinese messages; on a domain error it prints the code and exits with status 2."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from xinyong.config import get_settings
from xinyong.db import make_engine, session_factory, transaction
from xinyong.kit.clock import SystemClock
from xinyong.kit.errors import DomainError
from xinyong.security.roles import ROLE_ZH, Role, Scope

app = typer.Typer(help="xinyong 公共信用信息平台", no_args_is_help=True, pretty_exceptions_enable=False)
catalog_app = typer.Typer(help="公共信用信息目录：导入、导出、校验", no_args_is_help=True)
workdays_app = typer.Typer(help="工作日：计算与年度节假日安排", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(workdays_app, name="workdays")
app.add_typer(audit_app, name="audit")
users_app = typer.Typer(help="账户：创建、停用、启用", no_args_is_help=True)
tokens_app = typer.Typer(help="接口访问令牌：签发、吊销、列表", no_args_is_help=True)
keys_app = typer.Typer(help="个人信息加密密钥", no_args_is_help=True)
depts_app = typer.Typer(help="部门：创建、列表", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(keys_app, name="keys")
app.add_typer(depts_app, name="depts")

out = Console()
err = Console(stderr=True)


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli:unknown"


def _sessions() -> sessionmaker[Session]:
    """Sessions on the configured database, which must already be initialised (``xinyong init``).

    An uninitialised database is refused with a Chinese message and exit status 2 — and a missing
    SQLite file is not created by asking."""
    from sqlalchemy.engine import make_url

    from xinyong import schema

    url = get_settings().effective_database_url
    parsed = make_url(url)
    missing_file = (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not Path(str(parsed.database)).exists()
    )
    engine = None if missing_file else make_engine(url)
    revision = None if engine is None else schema.current_revision(engine)
    if revision is None:
        fail(DomainError("数据库尚未初始化，请先运行 xinyong init", code="DB_NOT_INITIALISED"))
    if revision not in schema.heads():
        fail(
            DomainError(
                f"数据库结构不是最新版本（{revision}），请先运行 xinyong init 升级",
                code="DB_SCHEMA_OUTDATED",
            )
        )
    assert engine is not None
    return session_factory(engine)


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
    from rich.markup import escape

    err.print(f"[red]错误 {exc.code}[/red]：{escape(exc.message)}", soft_wrap=True, highlight=False)
    for problem in exc.details.get("errors", []):
        err.print(f"  - {_problem(problem)}", soft_wrap=True, markup=False, highlight=False)
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
            accounts = _demo_accounts(session)
    except DomainError as exc:
        fail(exc)
    out.print(summary.describe())
    out.print(accounts)


def _demo_accounts(session: Session) -> str:
    """Create the demo accounts and describe them (development only)."""
    from xinyong.security.demo_users import DEMO_PASSWORD, load_demo_users

    accounts = load_demo_users(session, settings=get_settings(), actor=actor(), clock=_clock())
    lines = [f"演示账户（密码均为 {DEMO_PASSWORD}，仅供开发演示）："]
    lines += [f"  {a.username:<14}{ROLE_ZH[a.role]}：{a.what}" for a in accounts]
    return "\n".join(lines)


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
                out.print(_demo_accounts(session))
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
        "warnings": [{"code": w.code, "message": w.message} for w in verdict.warnings],
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
    from xinyong.workdays.service import calendar

    with transaction(_sessions()) as session:
        result = calendar(session).add_workdays(_parse_date(start), n)
    print(result.date.isoformat() + (" provisional" if result.provisional else ""))


@workdays_app.command("between")
def workdays_between(start: str, end: str) -> None:
    """START（不含）到 END（含）之间的工作日数。"""
    from xinyong.workdays.service import calendar

    with transaction(_sessions()) as session:
        result = calendar(session).workdays_between(_parse_date(start), _parse_date(end))
    print(str(result.days) + (" provisional" if result.provisional else ""))


@workdays_app.command("is-workday")
def workdays_is(day: str) -> None:
    """某日是否为工作日。"""
    from xinyong.workdays.service import calendar

    with transaction(_sessions()) as session:
        cal = calendar(session)
        d = _parse_date(day)
        answer = "工作日" if cal.is_workday(d) else "休息日"
        print(answer + (" provisional" if cal.is_provisional(d) else ""))


@workdays_app.command("load")
def workdays_load(file: Path) -> None:
    """载入某年的节假日和调休安排（YAML），并重算该年的临时期限和信用记录的临时及时性结论。"""
    from xinyong.workdays.service import load_schedule

    try:
        with transaction(_sessions()) as session:
            result = load_schedule(session, file.read_text(encoding="utf-8"), actor=actor())
    except DomainError as exc:
        fail(exc)
    out.print(
        f"已载入 {result.year} 年安排：放假 {result.holidays} 天，调休上班 {result.workdays} 天；"
        f"重算临时期限 {result.recomputed} 个，重算信用记录及时性 {result.recomputed_records} 条"
    )


@audit_app.command("verify")
def audit_verify() -> None:
    """逐条校验审计日志的哈希链，报告第一处断链。"""
    from xinyong.audit.service import verify

    with transaction(_sessions()) as session:
        report = verify(session)
    if report.ok:
        out.print(f"审计日志完整：共校验 {report.checked} 条")
        return
    err.print(f"[red]审计日志已被篡改[/red]：{report.reason}（已校验 {report.checked} 条完好）")
    raise typer.Exit(1)


def _clock() -> SystemClock:
    return SystemClock()


@depts_app.command("create")
def depts_create(
    code: Annotated[str, typer.Argument(help="部门代码，如 320902-SCJG")],
    name: Annotated[str, typer.Argument(help="部门全称，如 盐城市亭湖区市场监督管理局")],
    kind: Annotated[str, typer.Option("--kind", help="部门类别，与目录的来源部门类别对应，如 市场监管")],
    region: Annotated[str, typer.Option("--region", help="所服务行政区划的 6 位代码，如 320902")],
    level: Annotated[
        str | None, typer.Option("--level", help="层级 province / city / county；省略则取行政区划的层级")
    ] = None,
) -> None:
    """创建部门：校验行政区划代码和层级，写入审计日志。"""
    from xinyong.departments.service import LEVEL_ZH, create_department

    try:
        with transaction(_sessions()) as session:
            dept = create_department(
                session,
                code=code,
                name=name,
                kind=kind,
                region_code=region,
                level=level,
                actor=actor(),
                clock=_clock(),
            )
            where = f"{dept.region_code}，{LEVEL_ZH[dept.level]}"
            line = f"已创建部门 {dept.code}：{dept.name}（{dept.kind}，{where}）"
    except DomainError as exc:
        fail(exc)
    out.print(line)


@depts_app.command("list")
def depts_list(
    region: Annotated[str | None, typer.Option("--region", help="只列出该行政区划的部门")] = None,
) -> None:
    """列出部门：代码、名称、类别、行政区划、层级、状态。"""
    from xinyong.departments.service import LEVEL_ZH, list_departments

    with transaction(_sessions()) as session:
        depts = list_departments(session, region_code=region)
        rows = [
            f"{d.code}\t{d.name}\t{d.kind}\t{d.region_code}\t{LEVEL_ZH.get(d.level, d.level)}"
            f"\t{'启用' if d.active else '停用'}"
            for d in depts
        ]
    for row in rows:
        print(row)
    if not rows:
        out.print("尚无部门")


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[
        list[str], typer.Option("--role", help="角色，可重复：" + "、".join(r.value for r in Role))
    ],
    name: Annotated[str | None, typer.Option("--name", help="显示名称")] = None,
    dept: Annotated[str | None, typer.Option("--dept", help="部门代码（部门账户必填）")] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="信用主体的统一社会信用代码或身份证号码（主体账户必填）")
    ] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码")] = False,
) -> None:
    """创建账户（部门工作人员、信用主体或信用服务机构）。不带 --password-stdin 时交互输入密码。"""
    from xinyong.config import cipher_from_settings
    from xinyong.security.accounts import create_user
    from xinyong.subjects.service import resolve

    try:
        roles = [Role(r) for r in role]
    except ValueError as exc:
        fail(DomainError(f"未知角色：{exc}", code="ROLE_UNKNOWN"))
    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("密码：")
    try:
        with transaction(_sessions()) as session:
            subject_id = (
                resolve(session, subject, cipher=cipher_from_settings()).subject.id if subject else None
            )
            user = create_user(
                session,
                username=username,
                display_name=name or username,
                roles=roles,
                password=password or None,
                actor=actor(),
                clock=_clock(),
                department_code=dept,
                subject_id=subject_id,
            )
            out.print(f"已创建账户 {user.username}（{user.kind.value}，角色 {', '.join(user.roles)}）")
    except DomainError as exc:
        fail(exc)


def _set_active(username: str, active: bool) -> None:
    from xinyong.security.accounts import set_active

    try:
        with transaction(_sessions()) as session:
            set_active(session, username, active, actor=actor(), clock=_clock())
    except DomainError as exc:
        fail(exc)
    out.print(f"账户 {username} 已{'启用' if active else '停用'}")


@users_app.command("disable")
def users_disable(username: str) -> None:
    """停用账户：不能再登录，其令牌一并失效。"""
    _set_active(username, False)


@users_app.command("enable")
def users_enable(username: str) -> None:
    """重新启用账户。"""
    _set_active(username, True)


@tokens_app.command("issue")
def tokens_issue(
    username: str,
    name: Annotated[str, typer.Option("--name", help="令牌用途，如“市场监管局报送系统”")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="权限，可重复；默认为账户角色的全部权限")
    ] = None,
    days: Annotated[int, typer.Option("--days", help="有效天数")] = 90,
) -> None:
    """为部门系统签发访问令牌。令牌只显示这一次，平台只保存其哈希。"""
    from xinyong.security.accounts import issue_token

    try:
        scopes = [Scope(s) for s in scope] if scope else None
    except ValueError as exc:
        fail(DomainError(f"未知权限：{exc}", code="SCOPE_UNKNOWN"))
    try:
        with transaction(_sessions()) as session:
            issued = issue_token(
                session,
                username=username,
                name=name,
                scopes=scopes,
                days=days,
                settings=get_settings(),
                actor=actor(),
                clock=_clock(),
            )
            token_id, expires = issued.record.id, issued.record.expires_at
    except DomainError as exc:
        fail(exc)
    out.print(f"令牌编号 {token_id}，有效期至 {expires:%Y-%m-%d %H:%M}。请妥善保存，令牌不会再次显示：")
    print(issued.token)


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """吊销令牌，立即生效。"""
    from xinyong.security.accounts import revoke_token

    try:
        with transaction(_sessions()) as session:
            revoke_token(session, token_id, actor=actor(), clock=_clock())
    except DomainError as exc:
        fail(exc)
    out.print(f"令牌 {token_id} 已吊销")


@tokens_app.command("list")
def tokens_list(username: Annotated[str | None, typer.Argument()] = None) -> None:
    """列出令牌（只显示前缀）。"""
    from sqlalchemy import select

    from xinyong.models import ApiToken, User

    with transaction(_sessions()) as session:
        stmt = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        if username:
            stmt = stmt.where(User.username == username)
        for token, owner in session.execute(stmt):
            state = "已吊销" if token.revoked_at else f"有效期至 {token.expires_at:%Y-%m-%d}"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "从未使用"
            out.print(f"{token.id}\t{owner}\t{token.prefix}…\t{token.name}\t{state}\t最近使用：{used}")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """用当前密钥（XINYONG_DATA_KEY）重新加密仍由旧密钥（XINYONG_DATA_KEYS_OLD）加密的个人信息。"""
    from xinyong.config import cipher_from_settings
    from xinyong.security.keys import rotate

    try:
        report = rotate(_sessions(), cipher_from_settings(get_settings()), actor=actor(), clock=_clock())
    except DomainError as exc:
        fail(exc)
    for label, n in report.rotated.items():
        out.print(f"{label}：重新加密 {n} 个，原已为当前密钥 {report.current.get(label, 0)} 个")
    out.print(f"密钥轮换完成：共重新加密 {report.total_rotated} 个值")


def _register_ingest() -> None:
    from xinyong.ingest.cli import ingest_command

    app.command("ingest")(ingest_command)


_register_ingest()


def main() -> None:
    app()
