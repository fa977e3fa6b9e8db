"""Accounts and API tokens: creation, passwords (argon2), lockout, token issue and revocation.

Staff accounts belong to a department, subject accounts to a credit subject, agency accounts to a
credit service agency. A role can only be given to the kind of account it fits (``ROLE_KINDS``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import service as audit
from xinyong.config import Settings
from xinyong.departments.service import get_department
from xinyong.kit.clock import Clock, as_aware
from xinyong.kit.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from xinyong.models import AccountKind, ApiToken, Department, User
from xinyong.security import repository
from xinyong.security.roles import Role, Scope, scopes_of

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "xy_"
#: A token's last use is written at most this often: a token called all day long costs one committed
#: write per interval, not one per request.
TOKEN_USE_RESOLUTION = dt.timedelta(minutes=5)

#: Which kind of account may hold each role.
ROLE_KINDS: dict[Role, AccountKind] = {
    Role.platform_admin: AccountKind.staff,
    Role.dept_operator: AccountKind.staff,
    Role.dept_reviewer: AccountKind.staff,
    Role.implementing_unit: AccountKind.staff,
    Role.auditor: AccountKind.staff,
    Role.subject: AccountKind.subject,
    Role.agency: AccountKind.agency,
}


class LoginFailed(Unauthenticated):
    """Wrong user name or password, or a locked account: one answer for all three, so that the answers
    do not tell which user names exist. The failure count it wrote is kept."""

    code = "LOGIN_FAILED"
    message = "用户名或密码错误；连续多次失败后账户将临时锁定，请稍后再试"
    keep_changes = True


class AccountLocked(LoginFailed):
    """A locked account: answered exactly like a wrong password (no lock time, no other code), since an
    unknown user name can never be locked and a different answer would reveal the real ones. The lock
    is in the audit trail (``user.locked``) and shown to administrators."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD_LENGTH} 位", code="PASSWORD_TOO_SHORT")
    return _hasher.hash(password)


def _password_ok(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("xinyong-no-such-account")


def get_user(session: Session, username: str) -> User:
    user = repository.user_by_username(session, username)
    if user is None:
        raise NotFound(f"用户 {username} 不存在", code="USER_NOT_FOUND")
    return user


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    roles: list[Role],
    password: str | None,
    actor: str,
    clock: Clock,
    department_code: str | None = None,
    subject_id: int | None = None,
) -> User:
    """Create an account. The kind follows from the roles; staff need a department, subject
    accounts a subject; every role must fit the kind."""
    if not username.strip() or len(username) > 80:
        raise InvalidInput("用户名不能为空，且不超过 80 个字符", code="USERNAME_INVALID")
    if not roles:
        raise InvalidInput("至少指定一个角色", code="ROLE_REQUIRED")
    if Role.public in roles:
        raise InvalidInput("“社会公众”不是账户角色", code="ROLE_NOT_ASSIGNABLE")
    kinds = {ROLE_KINDS[r] for r in roles}
    if len(kinds) != 1:
        raise InvalidInput(
            "一个账户的角色必须属于同一类账户（部门、信用主体或信用服务机构）", code="ROLE_KIND_MIXED"
        )
    kind = kinds.pop()
    if repository.username_taken(session, username):
        raise Conflict(f"用户名 {username} 已被使用", code="USERNAME_TAKEN")
    dept: Department | None = None
    if kind is AccountKind.staff:
        if not department_code:
            raise InvalidInput("部门账户必须属于一个部门", code="USER_DEPARTMENT_REQUIRED")
        dept = get_department(session, department_code)
    if kind is AccountKind.subject and (
        subject_id is None or not repository.subject_exists(session, subject_id)
    ):
        raise InvalidInput("信用主体账户必须属于一个已登记的信用主体", code="USER_SUBJECT_REQUIRED")
    user = User(
        username=username,
        display_name=display_name,
        kind=kind,
        roles=[r.value for r in roles],
        department_id=dept.id if dept else None,
        subject_id=subject_id if kind is AccountKind.subject else None,
        password_hash=hash_password(password) if password else None,
        active=True,
        failed_logins=0,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.created",
        entity="user",
        entity_id=user.id,
        after={"username": username, "kind": kind.value, "roles": user.roles, "department": department_code},
        clock=clock,
    )
    return user


def set_active(session: Session, username: str, active: bool, *, actor: str, clock: Clock) -> User:
    """Disable (or enable again) an account; a disabled account's tokens stop working too."""
    user = get_user(session, username)
    before = user.active
    user.active = active
    audit.record(
        session,
        actor=actor,
        action="user.enabled" if active else "user.disabled",
        entity="user",
        entity_id=user.id,
        before={"active": before},
        after={"active": active},
        clock=clock,
    )
    return user


def end_sessions(session: Session, user_id: int, *, actor: str, clock: Clock) -> None:
    """Log the account out everywhere: cookies carry the epoch they were signed with."""
    repository.end_sessions(session, user_id)
    audit.record(
        session, actor=actor, action="user.logged_out", entity="user", entity_id=user_id, clock=clock
    )


def login(session: Session, username: str, password: str, *, settings: Settings, clock: Clock) -> User:
    """Check a password. Failures are counted; after ``login_max_failures`` the account is locked
    for ``login_lockout_minutes``. The same message for an unknown user and a wrong password."""
    now = clock.now()
    user = repository.user_by_username(session, username)
    if user is None or not user.active:
        _password_ok(_dummy_hash(), password)  # same work as for a real account: no timing tell
        raise LoginFailed()
    if user.locked_until is not None and as_aware(user.locked_until) > now:
        _password_ok(_dummy_hash(), password)  # same work as any other attempt
        raise AccountLocked()
    if not _password_ok(user.password_hash, password):
        failures = repository.count_failed_login(session, user.id)
        session.refresh(user)
        if failures >= settings.login_max_failures:
            user.locked_until = now + dt.timedelta(minutes=settings.login_lockout_minutes)
            user.failed_logins = 0
            audit.record(
                session,
                actor=f"user:{username}",
                action="user.locked",
                entity="user",
                entity_id=user.id,
                after={"locked_until": user.locked_until.isoformat()},
                clock=clock,
            )
            raise AccountLocked()
        raise LoginFailed()
    user.failed_logins = 0
    user.locked_until = None
    return user


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once, never stored
    record: ApiToken


def issue_token(
    session: Session,
    *,
    username: str,
    name: str,
    scopes: list[Scope] | None,
    days: int,
    settings: Settings,
    actor: str,
    clock: Clock,
) -> IssuedToken:
    """A bearer token for a department system. Its scopes must be held by the user's roles (a token
    can only narrow); it always expires, after at most ``max_token_days``."""
    user = get_user(session, username)
    if not user.active:
        raise InvalidInput("账户已停用，不能签发令牌", code="USER_DISABLED")
    held = scopes_of(user.roles)
    wanted = set(scopes) if scopes else set(held)
    missing = sorted(s.value for s in wanted - held)
    if missing:
        raise InvalidInput(
            f"账户的角色不具备这些权限：{', '.join(missing)}",
            code="TOKEN_SCOPE_NOT_HELD",
            details={"scopes": missing},
        )
    if not 1 <= days <= settings.max_token_days:
        raise InvalidInput(f"令牌有效期须为 1 至 {settings.max_token_days} 天", code="TOKEN_LIFETIME_INVALID")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    record = ApiToken(
        user_id=user.id,
        name=name,
        prefix=token[:10],
        token_hash=token_hash(token),
        scopes=sorted(s.value for s in wanted),
        expires_at=now + dt.timedelta(days=days),
        created_at=now,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="token.issued",
        entity="api_token",
        entity_id=record.id,
        after={
            "user": username,
            "name": name,
            "scopes": record.scopes,
            "expires_at": record.expires_at.isoformat(),
        },
        clock=clock,
    )
    return IssuedToken(token, record)


def revoke_token(session: Session, token_id: int, *, actor: str, clock: Clock) -> ApiToken:
    record = repository.token_by_id(session, token_id)
    if record is None:
        raise NotFound(f"令牌 {token_id} 不存在", code="TOKEN_NOT_FOUND")
    if record.revoked_at is None:
        record.revoked_at = clock.now()
        audit.record(
            session,
            actor=actor,
            action="token.revoked",
            entity="api_token",
            entity_id=record.id,
            after={"revoked_at": record.revoked_at.isoformat()},
            clock=clock,
        )
    return record


class TokenRefused(Unauthenticated):
    pass


def check_token(session: Session, token: str, *, clock: Clock) -> tuple[ApiToken, User]:
    """The live token and its user, or a 401 saying why (unknown, expired, revoked, user disabled)."""
    record = repository.token_by_hash(session, token_hash(token))
    if record is None:
        raise TokenRefused("访问令牌无效", code="TOKEN_INVALID")
    now = clock.now()
    if record.revoked_at is not None:
        raise TokenRefused("访问令牌已被吊销", code="TOKEN_REVOKED")
    if as_aware(record.expires_at) <= now:
        raise TokenRefused("访问令牌已过期，请重新申请", code="TOKEN_EXPIRED")
    user = repository.user_by_id(session, record.user_id)
    if user is None or not user.active:
        raise TokenRefused("令牌所属账户已停用", code="USER_DISABLED")
    return record, user


def record_token_use(sessions: sessionmaker[Session], token: str, *, clock: Clock) -> None:
    """Note that ``token`` was presented, whether the call then succeeds or not.

    In a transaction of its own: the request's transaction rolls back when the call fails (403, 404,
    ...), and a token used for probing must still show its last use. Done before the request's session
    starts, so it never waits on it nor leaves it reading an old snapshot. The use is written only when
    the stored one is older than ``TOKEN_USE_RESOLUTION`` (or later than now: the clock was set back), so
    most calls cost one indexed read and no write. An unknown token changes nothing."""
    now = clock.now()
    with sessions() as side:
        found = repository.token_last_use(side, token_hash(token))
        if found is None:
            return
        token_id, last = found
        if last is not None and now - TOKEN_USE_RESOLUTION < as_aware(last) <= now:
            return
        repository.set_token_last_use(side, token_id, now)
        side.commit()
