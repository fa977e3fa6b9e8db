"""Accounts and API tokens: creation, passwords (argon2), lockout, token issue and revocation.

Staff accounts belong to a department, subject accounts to a credit subject, agency accounts to a
credit service agency. A role can only be given to the kind of account it fits (``ROLE_KINDS``). Staff of
a department that is not active cannot be created, log in or get a token.

Lockout counts failed logins per user name *and client address* (``LoginFailure``): after
``login_max_failures`` in a row from one address, that address may not try that name again for
``login_lockout_minutes``, and is told so and until when. Other addresses are not locked, so a stranger
cannot lock the owner out. The count is kept for names that do not exist too, so the answers reveal no
user names. Disabling (or enabling again) an account ends its sessions and revokes its tokens: enabling
it never revives them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import service as audit
from xinyong.config import Settings
from xinyong.departments import repository as departments
from xinyong.departments.service import get_department, require_active
from xinyong.kit.clock import CHINA_TZ, Clock, as_aware
from xinyong.kit.errors import Conflict, DomainError, InvalidInput, NotFound, Unauthenticated
from xinyong.models import AccountKind, ApiToken, Department, User
from xinyong.models.security import LoginFailure
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


#: Failure counts idle this long are deleted (at least twice the lockout).
FAILURES_KEPT = dt.timedelta(days=1)


class LoginFailed(Unauthenticated):
    """Wrong user name or password, or a disabled account: one answer for all three, so that the answers
    do not tell which user names exist. The failure count it wrote is kept."""

    code = "LOGIN_FAILED"
    message = "用户名或密码错误；同一地址连续多次失败后将临时锁定"
    keep_changes = True


class AccountLocked(DomainError):
    """Too many failures in a row for this user name from this address: this address may not try it
    again until the time given. Said for unknown names exactly as for real ones (the count is kept per
    name typed), so it reveals nothing; other addresses are not locked. Real accounts' locks are in the
    audit trail (``user.locked``)."""

    code = "LOGIN_LOCKED"
    status = 429
    keep_changes = True

    def __init__(self, until: dt.datetime) -> None:
        local = as_aware(until).astimezone(CHINA_TZ)
        super().__init__(
            f"登录失败次数过多，该账户从当前地址的登录已锁定至 {local:%Y-%m-%d %H:%M}（北京时间），"
            "请届时再试",
            details={"locked_until": local.isoformat()},
        )


class StaffOfInactiveDepartment(Unauthenticated):
    """Staff of a department that is not active: no login, no token, no session."""

    code = "DEPT_INACTIVE"
    message = "账户所属部门已停用，不能登录或调用接口"


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD_LENGTH} 位", code="PASSWORD_TOO_SHORT")
    return _hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    """Whether ``password`` is the account's password."""
    return _password_ok(user.password_hash, password)


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
        dept = require_active(get_department(session, department_code))
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
    """Disable (or enable again) an account. Either way the account's web sessions end and its tokens
    are revoked: a disabled account's tokens stop working, and enabling it again revives neither (a new
    login, new tokens)."""
    user = get_user(session, username)
    before = user.active
    user.active = active
    repository.end_sessions(session, user.id)
    session.refresh(user)
    revoked = _revoke_tokens_of(session, user.id, actor=actor, clock=clock)
    audit.record(
        session,
        actor=actor,
        action="user.enabled" if active else "user.disabled",
        entity="user",
        entity_id=user.id,
        before={"active": before},
        after={"active": active, "sessions_ended": True, "tokens_revoked": revoked},
        clock=clock,
    )
    return user


def _revoke_tokens_of(session: Session, user_id: int, *, actor: str, clock: Clock) -> list[int]:
    """Revoke every token of the account not revoked yet (each audited); their ids."""
    live = session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    ).all()
    for token in live:
        revoke_token(session, token.id, actor=actor, clock=clock)
    return [token.id for token in live]


def end_sessions(session: Session, user_id: int, *, actor: str, clock: Clock) -> None:
    """Log the account out everywhere: cookies carry the epoch they were signed with."""
    repository.end_sessions(session, user_id)
    audit.record(
        session, actor=actor, action="user.logged_out", entity="user", entity_id=user_id, clock=clock
    )


def login(
    session: Session,
    username: str,
    password: str,
    *,
    settings: Settings,
    clock: Clock,
    client: str | None = None,
) -> User:
    """Check a password from ``client`` (its address). Failures are counted per user name and address;
    after ``login_max_failures`` in a row that address is locked out of that name for
    ``login_lockout_minutes`` (``AccountLocked``, saying until when). The same ``LoginFailed`` for an
    unknown user, a disabled account and a wrong password."""
    now = clock.now()
    name, where = username[:80], (client or "unknown")[:64]
    locked = _locked_until(session, name, where, now)
    if locked is not None:
        raise AccountLocked(locked)
    user = repository.user_by_username(session, username)
    if user is None or not user.active:
        _password_ok(_dummy_hash(), password)  # same work as for a real account: no timing tell
        _failed(session, name, where, None, settings=settings, clock=clock)
    elif not _password_ok(user.password_hash, password):
        _failed(session, name, where, user, settings=settings, clock=clock)
    dept = departments.by_id(session, user.department_id) if user.department_id else None
    if dept is not None and not dept.active:
        raise StaffOfInactiveDepartment()
    session.execute(delete(LoginFailure).where(LoginFailure.username == name, LoginFailure.client == where))
    user.failed_logins = 0
    user.locked_until = None
    return user


def _locked_until(session: Session, username: str, client: str, now: dt.datetime) -> dt.datetime | None:
    until = session.scalar(
        select(LoginFailure.locked_until).where(
            LoginFailure.username == username, LoginFailure.client == client
        )
    )
    return until if until is not None and as_aware(until) > now else None


def _failed(
    session: Session, username: str, client: str, user: User | None, *, settings: Settings, clock: Clock
) -> NoReturn:
    """Count a failure of ``username`` from ``client`` (a failure after a quiet lockout period, or after a
    lock ran out, starts a new count) and raise: ``AccountLocked`` when it is one too many."""
    now = clock.now()
    lockout = dt.timedelta(minutes=settings.login_lockout_minutes)
    session.execute(
        delete(LoginFailure).where(LoginFailure.last_failure_at < now - max(FAILURES_KEPT, 2 * lockout))
    )
    failures = _count_failure(session, username, client, now, quiet_since=now - lockout)
    if user is not None:
        repository.count_failed_login(session, user.id)
        session.refresh(user)
    if failures < settings.login_max_failures:
        raise LoginFailed()
    until = now + lockout
    session.execute(
        update(LoginFailure)
        .where(LoginFailure.username == username, LoginFailure.client == client)
        .values(locked_until=until)
    )
    if user is not None:
        audit.record(
            session,
            actor=f"user:{username}",
            action="user.locked",
            entity="user",
            entity_id=user.id,
            after={"locked_until": until.isoformat(), "client": client},
            clock=clock,
        )
    raise AccountLocked(until)


def _count_failure(
    session: Session, username: str, client: str, now: dt.datetime, *, quiet_since: dt.datetime
) -> int:
    """Add one failure to the (name, address) count in one statement (parallel attempts lose none);
    the new count."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(LoginFailure).values(
        username=username, client=client, failures=1, locked_until=None, last_failure_at=now
    )
    restart = or_(LoginFailure.last_failure_at < quiet_since, LoginFailure.locked_until.is_not(None))
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginFailure.username, LoginFailure.client],
        set_={
            "failures": case((restart, 1), else_=LoginFailure.failures + 1),
            "locked_until": None,
            "last_failure_at": now,
        },
    ).returning(LoginFailure.failures)
    failures: int = session.execute(stmt).scalar_one()
    return failures


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
    if user.department_id is not None:
        require_active(departments.by_id(session, user.department_id))
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
    user = repository.user_by_id(session, record.user_id)
    if user is None or not user.active:
        raise TokenRefused("令牌所属账户已停用", code="USER_DISABLED")
    if record.revoked_at is not None:
        raise TokenRefused("访问令牌已被吊销", code="TOKEN_REVOKED")
    if as_aware(record.expires_at) <= clock.now():
        raise TokenRefused("访问令牌已过期，请重新申请", code="TOKEN_EXPIRED")
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
