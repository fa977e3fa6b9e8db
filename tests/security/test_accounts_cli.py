"""Accounts and tokens: the service rules, and the `xinyong users` / `xinyong tokens` commands."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.app import create_app
from xinyong.config import Settings
from xinyong.kit.clock import FixedClock
from xinyong.kit.errors import DomainError
from xinyong.models import AuditEntry, Base, User
from xinyong.security import accounts
from xinyong.security.roles import Role, Scope

from conftest import Database
from secworld import TODAY, World, world  # noqa: F401


def test_account_rules(world: World, session: Session) -> None:
    clock = world.clock

    def refused(code: str, **kwargs: object) -> None:
        args: dict[str, object] = {
            "username": "x",
            "display_name": "x",
            "roles": [Role.dept_operator],
            "password": "long-enough-password",
            "actor": "t",
            "clock": clock,
            "department_code": world.depts["a"].code,
        }
        args.update(kwargs)
        with pytest.raises(DomainError) as caught:
            accounts.create_user(session, **args)  # type: ignore[arg-type]
        assert caught.value.code == code

    refused("PASSWORD_TOO_SHORT", password="short")
    refused("ROLE_KIND_MIXED", roles=[Role.dept_operator, Role.agency])
    refused("USER_DEPARTMENT_REQUIRED", department_code=None)
    refused("USER_SUBJECT_REQUIRED", roles=[Role.subject], department_code=None)
    refused("USERNAME_TAKEN", username="clerk_a")
    refused("ROLE_NOT_ASSIGNABLE", roles=[Role.public])
    refused("DEPT_NOT_FOUND", department_code="320902-NOPE")
    user = session.scalar(select(User).where(User.username == "clerk_a"))
    assert user is not None and user.password_hash and user.password_hash.startswith("$argon2")


def test_tokens_narrow_and_expire(world: World, session: Session) -> None:
    settings = Settings()
    with pytest.raises(DomainError) as caught:
        accounts.issue_token(
            session,
            username="operator_a",
            name="x",
            scopes=[Scope.admin_manage],
            days=30,
            settings=settings,
            actor="t",
            clock=world.clock,
        )
    assert caught.value.code == "TOKEN_SCOPE_NOT_HELD"
    with pytest.raises(DomainError) as caught:
        accounts.issue_token(
            session,
            username="operator_a",
            name="x",
            scopes=None,
            days=0,
            settings=settings,
            actor="t",
            clock=world.clock,
        )
    assert caught.value.code == "TOKEN_LIFETIME_INVALID"
    issued = accounts.issue_token(
        session,
        username="operator_a",
        name="报送系统",
        scopes=[Scope.records_submit],
        days=365,
        settings=settings,
        actor="t",
        clock=world.clock,
    )
    assert issued.record.scopes == ["records:submit"]
    # Only the token's SHA-256 is stored; the token itself is in no column of any table.
    session.flush()
    assert issued.record.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            assert issued.token not in str(tuple(row)), f"the token is stored in {table.name}"
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "api_token")).all()
    assert "token.issued" in actions


def _cli(db: Database, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env["XINYONG_DATABASE_URL"] = db.url
    return subprocess.run(
        [sys.executable, "-m", "xinyong", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=300,
    )


def test_users_and_tokens_commands(fresh_database: Database) -> None:
    assert _cli(fresh_database, "demo", "--subjects", "20").returncode == 0
    created = _cli(
        fresh_database,
        "users",
        "create",
        "scjg-system",
        "--role",
        "dept_operator",
        "--dept",
        "320900-SCJG",
        "--name",
        "市场监管局报送系统",
        "--password-stdin",
        stdin="a-long-password-1\n",
    )
    assert created.returncode == 0, created.stderr
    bad_role = _cli(fresh_database, "users", "create", "x", "--role", "king", "--password-stdin", stdin="p\n")
    assert bad_role.returncode == 2 and "ROLE_UNKNOWN" in bad_role.stderr
    issued = _cli(fresh_database, "tokens", "issue", "scjg-system", "--name", "报送接口", "--days", "30")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    assert token.startswith("xy_")

    app = create_app(
        Settings(database_url=fresh_database.url), engine=fresh_database.engine, clock=FixedClock(TODAY)
    )
    with TestClient(app) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        # The token was issued on the real clock; the app runs on a fixed one before that: still valid.
        assert me.status_code == 200 and me.json()["roles_zh"] == ["部门信息报送员"]
        listed = _cli(fresh_database, "tokens", "list", "scjg-system")
        token_id = listed.stdout.split()[0]
        assert token[:10] in listed.stdout and token not in listed.stdout
        assert _cli(fresh_database, "tokens", "revoke", token_id).returncode == 0
        assert (
            client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["code"]
            == "TOKEN_REVOKED"
        )
        assert _cli(fresh_database, "users", "disable", "scjg-system").returncode == 0
    with Session(fresh_database.engine) as session:
        user = session.scalar(select(User).where(User.username == "scjg-system"))
        assert user is not None and not user.active
        assert session.scalar(select(User).where(User.username == "admin")) is not None  # demo accounts
