"""Who is calling, and may they? One dependency, ``authorize(scope)``, guards every route.

A caller is identified by, in this order: a bearer API token (``Authorization: Bearer xy_...``), a
signed session cookie (web login), or nobody (the public). ``authorize`` then checks the one scope the
route names. The public's calls are rate-limited per client address, and so are calls with a bearer token
that is refused (guessing tokens costs the same quota as anonymous calls). The client address is the
peer's, or — only when the peer is one of ``Settings.trusted_proxies`` — the nearest untrusted address in
``X-Forwarded-For``. Staff of a department that is not active are nobody: their sessions count as no
login and their tokens are refused.

Browser sessions must echo their CSRF token (header ``X-CSRF-Token``, or the form field ``csrf_token``)
on every call that changes something. A browser session's read of non-public data (any scope beyond
``public:read`` and ``account:self``: every read that writes the query log) must come from the
platform's own pages: the browser's ``Sec-Fetch-Site`` must say ``same-origin`` or ``none`` (an address
typed or bookmarked); a client that sends no ``Sec-Fetch-Site`` must echo the CSRF token. Another site
can therefore not make a logged-in reader's browser read (and log) a credit file. Bearer tokens are
never sent by a browser on its own, so token calls are not concerned.

``authorize``'s dependency is a plain function, which FastAPI runs in its thread pool: its database work
never blocks the event loop. Only reading a form's CSRF field (``form_csrf``) runs on the loop.

tests/security/test_route_table.py walks every route of the app and checks its scope against an
explicit role × route table, so a route without ``authorize`` fails the suite.
"""

from __future__ import annotations

import functools
import ipaddress
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.departments import repository as departments
from xinyong.kit.clock import Clock
from xinyong.kit.errors import DomainError, Forbidden, Unauthenticated
from xinyong.models import AccountKind, Department, User
from xinyong.security import repository
from xinyong.security.accounts import StaffOfInactiveDepartment, check_token, record_token_use
from xinyong.security.roles import Role, Scope, scopes_of
from xinyong.web import get_clock, get_session, get_settings_dep

SESSION_COOKIE = "xy_session"
CSRF_HEADER = "X-CSRF-Token"
#: Hidden field carrying the CSRF token in HTML forms.
CSRF_FIELD = "csrf_token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Scopes a browser session may use from anywhere; every other scope reads non-public data.
OPEN_SCOPES = frozenset({Scope.public_read, Scope.account_self})
#: ``Sec-Fetch-Site`` values of a request the platform's own pages (or the user's address bar) made.
OWN_SITE = frozenset({"same-origin", "none"})
#: How many characters of a region code a level covers: a province sees 32xxxx, a city 3209xx.
LEVEL_PREFIX = {"province": 2, "city": 4, "county": 6}


def region_prefix(region_code: str, level: str) -> str:
    """The leading digits of the region codes a body of ``level`` in ``region_code`` covers: a county its
    county (6), a city its city and counties (4), a province its province (2)."""
    return region_code[: LEVEL_PREFIX.get(level, 6)]


#: Roles whose data range is their whole region, not only their own department's line.
REGION_WIDE_ROLES = frozenset({Role.platform_admin, Role.implementing_unit, Role.auditor})


@dataclass(frozen=True)
class Principal:
    """The caller of one request."""

    username: str
    scopes: frozenset[Scope]
    roles: frozenset[Role] = frozenset({Role.public})
    via: Literal["anonymous", "session", "token"] = "anonymous"
    user_id: int | None = None
    kind: AccountKind | None = None
    department_id: int | None = None
    #: The department's region, platform level and kind: the caller's data range (数据范围).
    region_code: str | None = None
    level: str | None = None
    department_kind: str | None = None
    subject_id: int | None = None
    token_id: int | None = None
    client: str | None = None
    csrf: str | None = field(default=None, repr=False)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def account_id(self) -> int:
        """The caller's user id; 401 for the public (a route that needs an account names a scope the
        public does not hold, so this is a guard, not a decision)."""
        if self.user_id is None:
            raise Unauthenticated()
        return self.user_id

    def in_region(self, region_code: str | None) -> bool:
        """Whether ``region_code`` lies in the caller's region: a county department's county, a city
        department's city and its counties, a province department's province."""
        prefix = self.region_prefix
        return prefix is not None and region_code is not None and region_code.startswith(prefix)

    @property
    def region_prefix(self) -> str | None:
        """The leading region digits the caller's region covers (None: no region, covers nothing)."""
        if self.region_code is None or self.level is None:
            return None
        return region_prefix(self.region_code, self.level)

    def in_range(self, source: Department) -> bool:
        """Whether non-public records from ``source`` lie in the caller's data range (数据范围).

        Region-wide roles (the credit office, implementing units, auditors) see every department of
        their region. A department's own staff (operators, reviewers) see their own line only: the
        departments of the same kind in their region, so a county market regulator sees the county's
        market-regulation records and not the county tax office's (谁产生、谁负责)."""
        if not self.in_region(source.region_code):
            return False
        if self.roles & REGION_WIDE_ROLES:
            return True
        return self.department_kind is not None and source.kind == self.department_kind


def anonymous(client: str | None) -> Principal:
    return Principal(username="anonymous", scopes=scopes_of([Role.public]), client=client)


class RateLimiter:
    """A sliding window per client: at most ``limit`` calls in ``window`` seconds. In memory, per process
    (a deployment with several processes puts a shared limiter in front; see docs/operations.md)."""

    def __init__(self, limit: int, window: float = 60.0, now: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self._now = limit, window, now
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self._now()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 100_000:  # forget idle clients
                for k in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                    del self._hits[k]
            return True


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    status = 429
    message = "访问过于频繁，请稍后再试"


class ScopeMissing(Forbidden):
    code = "SCOPE_MISSING"
    message = "当前账户无权使用此功能"


class CsrfFailed(Forbidden):
    code = "CSRF_FAILED"
    message = "页面已过期或请求来源不可信，请刷新页面后重试"


class CrossSiteRead(Forbidden):
    code = "CROSS_SITE_READ"
    message = "非公开信息只能从本平台的页面查询：其他网站发起的请求已拒绝"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.session_secret, salt="xinyong-session")


def make_session_cookie(settings: Settings, user: User) -> tuple[str, str]:
    """A signed cookie value for ``user`` and the CSRF token bound to it."""
    csrf = secrets.token_urlsafe(24)
    return _serializer(settings).dumps({"uid": user.id, "epoch": user.session_epoch, "csrf": csrf}), csrf


def read_session_cookie(settings: Settings, value: str) -> dict[str, Any] | None:
    try:
        data = _serializer(settings).loads(value, max_age=settings.session_hours * 3600)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


@functools.lru_cache(maxsize=64)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def _trusted(address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: Request) -> str:
    """The address of the client: the peer's, unless the peer is a trusted proxy; then the nearest
    address in ``X-Forwarded-For`` (read from the right, the proxies' end) that is not a trusted proxy.
    A client cannot choose its address by sending the header itself: only what trusted proxies appended
    is believed."""
    peer = request.client.host if request.client else "unknown"
    settings: Settings = request.app.state.settings
    networks = _networks(tuple(settings.trusted_proxies))
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for v in request.headers.getlist("x-forwarded-for") for h in v.split(",")]
    for hop in reversed([h for h in hops if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # not written by a proxy: the last trusted hop is the best we know
        if not _trusted(hop, networks):
            return hop
        peer = hop
    return peer


def _principal_of(
    user: User, session: Session, *, via: Literal["session", "token"], scopes: frozenset[Scope], **extra: Any
) -> Principal:
    """The principal of ``user``; ``StaffOfInactiveDepartment`` for the staff of an inactive department."""
    dept = departments.by_id(session, user.department_id) if user.department_id else None
    if dept is not None and not dept.active:
        raise StaffOfInactiveDepartment()
    return Principal(
        username=user.username,
        scopes=scopes,
        roles=frozenset(Role(r) for r in user.roles),
        via=via,
        user_id=user.id,
        kind=user.kind,
        department_id=user.department_id,
        region_code=dept.region_code if dept else None,
        level=dept.level if dept else None,
        department_kind=dept.kind if dept else None,
        subject_id=user.subject_id,
        **extra,
    )


def authenticate(request: Request, session: Session, settings: Settings, clock: Clock) -> Principal:
    """The caller, from a bearer token, a session cookie, or nobody."""
    client = client_address(request)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Authorization 请求头格式应为 Bearer <令牌>", code="TOKEN_INVALID")
        # First, before the request's own session reads anything (see record_token_use).
        record_token_use(request.app.state.sessions, token.strip(), clock=clock)
        record, user = check_token(session, token.strip(), clock=clock)
        scopes = frozenset(Scope(s) for s in record.scopes) & scopes_of(user.roles)
        return _principal_of(user, session, via="token", scopes=scopes, token_id=record.id, client=client)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        data = read_session_cookie(settings, cookie)
        cookie_user = _cookie_user(session, data)
        if (
            data
            and cookie_user is not None
            and cookie_user.active
            and data.get("epoch") == cookie_user.session_epoch
        ):
            try:
                return _principal_of(
                    cookie_user,
                    session,
                    via="session",
                    scopes=scopes_of(cookie_user.roles),
                    client=client,
                    csrf=str(data["csrf"]),
                )
            except StaffOfInactiveDepartment:
                pass
        # An expired, forged or logged-out cookie (or one of an inactive department's staff) is treated
        # as no login at all.
    return anonymous(client)


def _cookie_user(session: Session, data: dict[str, Any] | None) -> User | None:
    uid = data.get("uid") if data else None
    return repository.user_by_id(session, uid) if isinstance(uid, int) else None


async def form_csrf(request: Request) -> str:
    """The CSRF token a browser's HTML form sent in its body (field ``csrf_token``), for ``authorize``.

    Reading a body needs the event loop, so this small part of the guard is ``async`` and does nothing
    else. It reads only an unsafe form post that carries a session cookie and neither a bearer token nor
    the ``X-CSRF-Token`` header: the only case in which ``authorize`` looks at the field."""
    if request.method in SAFE_METHODS or request.headers.get(CSRF_HEADER):
        return ""
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return ""
    if SESSION_COOKIE not in request.cookies or request.headers.get("authorization"):
        return ""
    return str((await request.form()).get(CSRF_FIELD, ""))


def _csrf_echoed(principal: Principal, sent: str) -> bool:
    return bool(principal.csrf) and secrets.compare_digest(sent, principal.csrf or "")


def _check_csrf(request: Request, principal: Principal, form_token: str, scope: Scope) -> None:
    """A browser session's unsafe call must echo the session's CSRF token (header or form field); its
    read of non-public data must come from the platform's own pages (see the module's docstring)."""
    if principal.via != "session":
        return
    if request.method not in SAFE_METHODS:
        if not _csrf_echoed(principal, request.headers.get(CSRF_HEADER, "") or form_token):
            raise CsrfFailed()
        return
    if scope in OPEN_SCOPES:
        return
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site.lower() not in OWN_SITE:
            raise CrossSiteRead()
    elif not _csrf_echoed(principal, request.headers.get(CSRF_HEADER, "")):
        raise CrossSiteRead()


def _identify(request: Request, session: Session, settings: Settings, clock: Clock) -> Principal:
    """``authenticate``, with the public's quota charged for a refused bearer token as well as for an
    anonymous call (429 once it is spent)."""
    limiter: RateLimiter = request.app.state.rate_limiter
    try:
        principal = authenticate(request, session, settings, clock)
    except Unauthenticated:
        if not limiter.allow(client_address(request)):
            raise RateLimited() from None
        raise
    if principal.is_anonymous and not limiter.allow(principal.client or "unknown"):
        raise RateLimited()
    return principal


def authorize(scope: Scope) -> Callable[..., Principal]:
    """The dependency every route declares: ``principal: Principal = Depends(authorize(Scope.x))``.

    A plain function: FastAPI runs it in its thread pool, so its database work never blocks the event
    loop."""

    def dependency(
        request: Request,
        form_token: str = Depends(form_csrf),
        session: Session = Depends(get_session, scope="function"),
        settings: Settings = Depends(get_settings_dep),
        clock: Clock = Depends(get_clock),
    ) -> Principal:
        principal = _identify(request, session, settings, clock)
        if scope not in principal.scopes:
            if principal.is_anonymous:
                raise Unauthenticated()
            raise ScopeMissing(details={"scope": scope.value})
        _check_csrf(request, principal, form_token, scope)
        request.state.principal = principal
        return principal

    dependency.__xinyong_scope__ = scope  # type: ignore[attr-defined]
    dependency.__name__ = f"authorize_{scope.name}"
    return dependency


def route_scopes(dependant: Any) -> Iterator[Scope]:
    """Scopes named by ``authorize`` anywhere in a route's dependency tree (for the route table test)."""
    call = getattr(dependant, "call", None)
    scope = getattr(call, "__xinyong_scope__", None)
    if isinstance(scope, Scope):
        yield scope
    for sub in getattr(dependant, "dependencies", []):
        yield from route_scopes(sub)
