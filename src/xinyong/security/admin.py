"""系统管理 for the console and its JSON twins: departments, accounts and API tokens as schemas.

Every rule stays where it was: departments in ``departments.service``, accounts, lockout and tokens in
``security.accounts``. This module only turns their rows into what a page or a response shows (no ORM row
reaches either) and lists what the command line printed. A token's secret is in ``IssuedTokenOut`` only,
the one answer that issues it; it is never stored nor shown again.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.departments.service import (
    LEVEL_ZH,
    create_department,
    list_departments,
    set_department_active,
)
from xinyong.kit.clock import Clock, as_aware
from xinyong.models import ApiToken, Department, User
from xinyong.security import accounts, admin_repository, repository
from xinyong.security.roles import ROLE_ZH, Role, Scope
from xinyong.web import Instant

#: Roles the console gives an account: every account role but 信用主体 (a subject's account belongs to
#: its subject and is made where the subject is known) and 社会公众 (no account at all).
CONSOLE_ROLES: tuple[Role, ...] = tuple(r for r in Role if r not in (Role.public, Role.subject))


class DepartmentOut(BaseModel):
    code: str
    name: str
    kind: str
    region_code: str
    level: str
    level_zh: str
    active: bool


class DepartmentIn(BaseModel):
    code: str = Field(..., max_length=40, description="部门代码，如 320902-SCJG")
    name: str = Field(..., max_length=200, description="部门全称")
    kind: str = Field(..., max_length=40, description="部门类别，与目录的来源部门类别对应，如 市场监管")
    region_code: str = Field(..., max_length=6, description="所服务行政区划的 6 位代码")


class ActiveIn(BaseModel):
    active: bool = Field(..., description="true 启用，false 停用")


def department_out(dept: Department) -> DepartmentOut:
    return DepartmentOut(
        code=dept.code,
        name=dept.name,
        kind=dept.kind,
        region_code=dept.region_code,
        level=dept.level,
        level_zh=LEVEL_ZH.get(dept.level, dept.level),
        active=dept.active,
    )


def departments(session: Session) -> list[DepartmentOut]:
    """Every department by code (``xinyong depts list``)."""
    return [department_out(d) for d in list_departments(session)]


def add_department(session: Session, body: DepartmentIn, *, actor: str, clock: Clock) -> DepartmentOut:
    """``xinyong depts create``: the level is the region's."""
    dept = create_department(
        session,
        code=body.code,
        name=body.name,
        kind=body.kind,
        region_code=body.region_code,
        actor=actor,
        clock=clock,
    )
    return department_out(dept)


def department_active(
    session: Session, code: str, active: bool, *, actor: str, clock: Clock
) -> DepartmentOut:
    """Stop or resume a department (its staff cannot log in or call the API while it is stopped)."""
    return department_out(set_department_active(session, code, active, actor=actor, clock=clock))


# --------------------------------------------------------------------------- accounts


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    kind: str
    roles: list[str]
    roles_zh: list[str]
    department_code: str | None
    active: bool
    #: Failed logins in a row, from any address (the lockout itself is per address and ends by itself).
    failed_logins: int
    created_at: Instant


class UsersPage(BaseModel):
    total: int
    users: list[UserOut]


class UserIn(BaseModel):
    username: str = Field(..., min_length=1, max_length=80)
    display_name: str = Field("", max_length=200)
    roles: list[Role] = Field(..., min_length=1, max_length=len(Role), description="角色，至少一个")
    department_code: str | None = Field(None, max_length=40, description="部门代码（部门账户必填）")
    password: str | None = Field(None, max_length=200, description="初始密码，至少 10 位；省略则暂不能登录")


def user_out(user: User, department_code: str | None) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        kind=user.kind.value,
        roles=list(user.roles),
        roles_zh=[ROLE_ZH.get(Role(r), r) for r in user.roles],
        department_code=department_code,
        active=user.active,
        failed_logins=user.failed_logins,
        created_at=user.created_at,
    )


def users(session: Session, *, limit: int, offset: int) -> UsersPage:
    total, rows = admin_repository.users_page(session, limit=limit, offset=offset)
    return UsersPage(total=total, users=[user_out(user, code) for user, code in rows])


def add_user(session: Session, body: UserIn, *, actor: str, clock: Clock) -> UserOut:
    """``xinyong users create`` for a department's staff or an agency (the role decides the kind)."""
    user = accounts.create_user(
        session,
        username=body.username.strip(),
        display_name=body.display_name.strip() or body.username.strip(),
        roles=list(body.roles),
        password=body.password or None,
        actor=actor,
        clock=clock,
        department_code=body.department_code or None,
    )
    return user_out(user, body.department_code.strip().upper() if body.department_code else None)


def user_active(session: Session, username: str, active: bool, *, actor: str, clock: Clock) -> UserOut:
    """Disable or enable an account: either way its sessions end and its tokens are revoked."""
    user = accounts.set_active(session, username, active, actor=actor, clock=clock)
    dept = session.get(Department, user.department_id) if user.department_id else None
    return user_out(user, dept.code if dept else None)


# --------------------------------------------------------------------------- tokens


class TokenOut(BaseModel):
    id: int
    username: str
    name: str
    #: The first characters of the token: enough to recognise it, never the token.
    prefix: str
    scopes: list[str]
    expires_at: Instant
    revoked_at: Instant | None
    last_used_at: Instant | None
    created_at: Instant
    #: Neither revoked nor expired.
    live: bool


class IssuedTokenOut(BaseModel):
    """The one answer that carries the token: store it now, it is never shown again."""

    token: str
    record: TokenOut


class TokenIn(BaseModel):
    username: str = Field(..., min_length=1, max_length=80, description="令牌所属账户")
    name: str = Field(..., min_length=1, max_length=100, description="令牌用途，如“市场监管局报送系统”")
    scopes: list[Scope] | None = Field(None, max_length=len(Scope), description="权限；省略为账户的全部权限")
    days: int = Field(90, ge=1, le=3650, description="有效天数")


def token_out(token: ApiToken, owner: str, now: dt.datetime) -> TokenOut:
    return TokenOut(
        id=token.id,
        username=owner,
        name=token.name,
        prefix=token.prefix,
        scopes=list(token.scopes),
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
        created_at=token.created_at,
        live=token.revoked_at is None and as_aware(token.expires_at) > now,
    )


def tokens(session: Session, *, clock: Clock) -> list[TokenOut]:
    """Every token, newest first, by its prefix only (``xinyong tokens list``)."""
    now = clock.now()
    rows = repository.tokens_with_owners(session)
    return [token_out(token, owner, now) for token, owner in reversed(rows)]


def issue(session: Session, body: TokenIn, *, settings: Settings, actor: str, clock: Clock) -> IssuedTokenOut:
    """``xinyong tokens issue``: the token's scopes narrow its account's; it always expires."""
    issued = accounts.issue_token(
        session,
        username=body.username.strip(),
        name=body.name.strip(),
        scopes=list(body.scopes) if body.scopes else None,
        days=body.days,
        settings=settings,
        actor=actor,
        clock=clock,
    )
    return IssuedTokenOut(
        token=issued.token, record=token_out(issued.record, body.username.strip(), clock.now())
    )


def revoke(session: Session, token_id: int, *, actor: str, clock: Clock) -> TokenOut:
    """``xinyong tokens revoke``: at once; revoking a revoked token changes nothing."""
    record = accounts.revoke_token(session, token_id, actor=actor, clock=clock)
    owner = repository.user_by_id(session, record.user_id)
    return token_out(record, owner.username if owner else "", clock.now())
