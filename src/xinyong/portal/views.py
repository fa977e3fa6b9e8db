"""Public portal pages (信用门户), the web login and the account page. Each page asks one service for a
schema and renders it."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.kit.clock import Clock
from xinyong.kit.errors import DomainError
from xinyong.portal import api, pages
from xinyong.portal.service import SummaryCache, home_page
from xinyong.security import service as security
from xinyong.security.accounts import end_sessions
from xinyong.security.accounts import login as check_login
from xinyong.security.auth import (
    SESSION_COOKIE,
    Principal,
    RateLimited,
    RateLimiter,
    authorize,
    client_address,
    make_session_cookie,
)
from xinyong.security.roles import Scope
from xinyong.ui.render import render
from xinyong.web import get_clock, get_session, get_settings_dep

#: Pages are left out of the OpenAPI document one by one; the JSON twins this router includes are in it.
router = APIRouter()

#: Double-submit cookie protecting the login form itself (there is no session yet to bind it to).
LOGIN_CSRF_COOKIE = "xy_login_csrf"


def _page(
    request: Request, name: str, settings: Settings, principal: Principal, status: int = 200, **context: Any
) -> HTMLResponse:
    return render(request, name, principal, status=status, **context)


def _summary_cache(request: Request) -> SummaryCache:
    """The app's cache of the home page's figures (made on first use: one per app, so per process)."""
    cache: SummaryCache | None = getattr(request.app.state, "portal_summary", None)
    if cache is None:
        cache = SummaryCache()
        request.app.state.portal_summary = cache
    return cache


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(
    request: Request,
    principal: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    """首页: the search box, the platform's figures (cached) and the latest 双公示."""
    page = home_page(session, _summary_cache(request), today=clock.today())
    return _page(request, "home.html", settings, principal, page=page)


def _login_form(
    request: Request, settings: Settings, principal: Principal, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    page = _page(request, "login.html", settings, principal, status, login_csrf=token, error=error)
    page.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(settings))
    return page


def _secure(settings: Settings) -> bool:
    return settings.environment == "production"


@router.get("/login", response_model=None, include_in_schema=False)
def login_page(
    request: Request,
    principal: Principal = Depends(authorize(Scope.public_read)),
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    if principal.via == "session":  # already logged in in this browser
        return RedirectResponse("/me", status_code=303)
    return _login_form(request, settings, principal)


@router.post("/login", response_model=None, include_in_schema=False)
def login_submit(
    request: Request,
    username: str = Form(..., max_length=80),
    password: str = Form(..., max_length=200),
    csrf_token: str = Form(""),
    principal: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
    clock: Clock = Depends(get_clock),
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        return _login_form(request, settings, principal, error="页面已过期，请重新登录", status=403)
    limiter: RateLimiter = request.app.state.login_limiter
    client = client_address(request)
    # per address, and per (name, address): a stranger's guesses cannot use up the owner's quota
    if not (limiter.allow(f"client:{client}") and limiter.allow(f"user:{username}@{client}")):
        return _login_form(request, settings, principal, error=RateLimited.message, status=429)
    try:
        user = check_login(session, username, password, settings=settings, clock=clock, client=client)
    except DomainError as exc:
        # The form comes back as an answer, not as an error, so the request's transaction commits the
        # failure count (and a lock) when the route returns.
        return _login_form(request, settings, principal, error=exc.message, status=exc.status)
    cookie, _csrf = make_session_cookie(settings, user)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(settings),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", response_model=None, include_in_schema=False)
def logout(
    principal: Principal = Depends(authorize(Scope.account_self)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    """End every web session of this account (the cookie alone is not trusted to be deleted)."""
    if principal.user_id is not None:
        end_sessions(session, principal.user_id, actor=f"user:{principal.username}", clock=clock)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me", response_class=HTMLResponse, include_in_schema=False)
def my_page(
    request: Request,
    principal: Principal = Depends(authorize(Scope.account_self)),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    """我的账户: roles and data range; for a subject, who looked at its file and its grants."""
    page = security.me_page(session, principal)
    return _page(request, "me.html", settings, principal, page=page)


router.include_router(pages.router)
router.include_router(api.router)
