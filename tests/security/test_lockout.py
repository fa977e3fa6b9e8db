"""Lockout per account and address, and accounts that come back without their old sessions and tokens
(issue 10 items 8 and 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.kit.errors import DomainError
from xinyong.models import AuditEntry, User
from xinyong.models.security import LoginFailure
from xinyong.security import accounts

from secworld import (
    PASSWORD,
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    world,  # noqa: F401
)

STRANGER, OWNER = "203.0.113.9", "198.51.100.4"
SETTINGS = Settings()


def _try(world: World, session: Session, username: str, password: str, client: str) -> str:
    """The outcome of one login: "ok", or the refusal's code."""
    try:
        accounts.login(session, username, password, settings=SETTINGS, clock=world.clock, client=client)
    except DomainError as exc:
        return exc.code
    return "ok"


def test_a_stranger_locks_only_their_own_address_out(world: World, session: Session) -> None:
    answers = [_try(world, session, "clerk_a", "guess", STRANGER) for _ in range(6)]
    assert answers == ["LOGIN_FAILED"] * 4 + ["LOGIN_LOCKED"] * 2
    assert _try(world, session, "clerk_a", PASSWORD, STRANGER) == "LOGIN_LOCKED"
    # The owner, elsewhere, logs in as usual; the stranger's lock stays.
    assert _try(world, session, "clerk_a", PASSWORD, OWNER) == "ok"
    assert _try(world, session, "clerk_a", PASSWORD, STRANGER) == "LOGIN_LOCKED"
    locked = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.locked")).all()
    assert len(locked) == 1
    world.clock.advance(dt.timedelta(minutes=15, seconds=1))
    assert _try(world, session, "clerk_a", "guess", STRANGER) == "LOGIN_FAILED"  # a new count


def test_the_lock_says_until_when(world: World, session: Session) -> None:
    for _ in range(4):
        _try(world, session, "clerk_b", "guess", STRANGER)
    with pytest.raises(accounts.AccountLocked) as caught:
        accounts.login(session, "clerk_b", "guess", settings=SETTINGS, clock=world.clock, client=STRANGER)
    assert "锁定至 2026-03-16 10:15（北京时间）" in caught.value.message
    assert caught.value.status == 429
    assert caught.value.details == {"locked_until": "2026-03-16T10:15:00+08:00"}


def test_failures_far_apart_do_not_add_up(world: World, session: Session) -> None:
    for _ in range(4):
        assert _try(world, session, "clerk_a", "typo", OWNER) == "LOGIN_FAILED"
    world.clock.advance(dt.timedelta(minutes=16))
    assert _try(world, session, "clerk_a", "typo", OWNER) == "LOGIN_FAILED"  # counts from 1 again
    (row,) = session.scalars(select(LoginFailure).where(LoginFailure.username == "clerk_a")).all()
    assert row.failures == 1 and row.locked_until is None
    # A success clears the count of that address.
    assert _try(world, session, "clerk_a", PASSWORD, OWNER) == "ok"
    assert session.scalars(select(LoginFailure).where(LoginFailure.username == "clerk_a")).all() == []


def test_unknown_names_are_counted_and_locked_alike(world: World, session: Session) -> None:
    real = [_try(world, session, "clerk_b", "guess", STRANGER) for _ in range(6)]
    made_up = [_try(world, session, "nobody-here", "guess", STRANGER) for _ in range(6)]
    assert real == made_up


def test_enabling_an_account_again_revives_neither_its_sessions_nor_its_tokens(
    world: World, client: RecordingClient, session: Session
) -> None:
    page = client.get("/login")
    token = page.text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
    form = {"username": "auditor", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me").json()["username"] == "auditor"
    assert client.get("/api/v1/me", headers=bearer(world, "auditor")).status_code == 200
    accounts.set_active(session, "auditor", False, actor="admin", clock=world.clock)
    accounts.set_active(session, "auditor", True, actor="admin", clock=world.clock)
    session.commit()
    # The browser still holds its cookie from before.
    assert client.get("/api/v1/me").json()["code"] == "UNAUTHENTICATED"
    assert client.get("/api/v1/me", headers=bearer(world, "auditor")).json()["code"] == "TOKEN_REVOKED"
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity.in_(["user", "api_token"])).order_by(AuditEntry.id)
    ).all()
    assert actions[-3:] == ["token.revoked", "user.disabled", "user.enabled"]
    # A new login works.
    user = session.scalar(select(User).where(User.username == "auditor"))
    assert user is not None and user.active
    with TestClient(client.app) as fresh:
        page = fresh.get("/login")
        token = page.text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
        form["csrf_token"] = token
        assert fresh.post("/login", data=form, follow_redirects=False).status_code == 303
        assert fresh.get("/api/v1/me").json()["username"] == "auditor"
