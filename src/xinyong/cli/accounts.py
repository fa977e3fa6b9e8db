"""``xinyong users create|disable|enable`` and ``xinyong tokens issue|revoke|list``: accounts and the
access tokens of department systems."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from xinyong.cli.common import actor, clock, fail, out, sessions
from xinyong.config import cipher_from_settings, get_settings
from xinyong.db import transaction
from xinyong.kit.errors import DomainError
from xinyong.security import repository
from xinyong.security.accounts import create_user, issue_token, revoke_token, set_active
from xinyong.security.roles import Role, Scope
from xinyong.subjects.service import resolve

users_app = typer.Typer(help="账户：创建、停用、启用", no_args_is_help=True)
tokens_app = typer.Typer(help="接口访问令牌：签发、吊销、列表", no_args_is_help=True)


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
    try:
        roles = [Role(r) for r in role]
    except ValueError as exc:
        fail(DomainError(f"未知角色：{exc}", code="ROLE_UNKNOWN"))
    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("密码：")
    try:
        with transaction(sessions()) as session:
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
                clock=clock(),
                department_code=dept,
                subject_id=subject_id,
            )
            out.print(f"已创建账户 {user.username}（{user.kind.value}，角色 {', '.join(user.roles)}）")
    except DomainError as exc:
        fail(exc)


def _set_active(username: str, active: bool) -> None:
    try:
        with transaction(sessions()) as session:
            set_active(session, username, active, actor=actor(), clock=clock())
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
    try:
        scopes = [Scope(s) for s in scope] if scope else None
    except ValueError as exc:
        fail(DomainError(f"未知权限：{exc}", code="SCOPE_UNKNOWN"))
    try:
        with transaction(sessions()) as session:
            issued = issue_token(
                session,
                username=username,
                name=name,
                scopes=scopes,
                days=days,
                settings=get_settings(),
                actor=actor(),
                clock=clock(),
            )
            token_id, expires = issued.record.id, issued.record.expires_at
    except DomainError as exc:
        fail(exc)
    out.print(f"令牌编号 {token_id}，有效期至 {expires:%Y-%m-%d %H:%M}。请妥善保存，令牌不会再次显示：")
    print(issued.token)


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """吊销令牌，立即生效。"""
    try:
        with transaction(sessions()) as session:
            revoke_token(session, token_id, actor=actor(), clock=clock())
    except DomainError as exc:
        fail(exc)
    out.print(f"令牌 {token_id} 已吊销")


@tokens_app.command("list")
def tokens_list(username: Annotated[str | None, typer.Argument()] = None) -> None:
    """列出令牌（只显示前缀）。"""
    with transaction(sessions()) as session:
        for token, owner in repository.tokens_with_owners(session, username):
            state = "已吊销" if token.revoked_at else f"有效期至 {token.expires_at:%Y-%m-%d}"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "从未使用"
            out.print(f"{token.id}\t{owner}\t{token.prefix}…\t{token.name}\t{state}\t最近使用：{used}")
