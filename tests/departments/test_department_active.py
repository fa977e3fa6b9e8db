"""A department that is not active (``Department.active``) keeps its history, but its staff cannot log in
or call the API, and no account, token or submission is made in its name (issue 10 item 8)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.departments.service import active_department, set_department_active
from xinyong.kit.errors import DomainError
from xinyong.models import AuditEntry
from xinyong.security import accounts
from xinyong.security.roles import Role

from secworld import (
    PASSWORD,
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    world,  # noqa: F401
)


def _stop_county_a(world: World, session: Session) -> str:
    code = world.depts["a"].code
    set_department_active(session, code, False, actor="admin", clock=world.clock)
    session.commit()
    return code


def test_staff_of_a_stopped_department_cannot_call_the_api(
    world: World, client: RecordingClient, session: Session
) -> None:
    assert client.get("/api/v1/me", headers=bearer(world, "operator_a")).status_code == 200
    code = _stop_county_a(world, session)
    for username in ("operator_a", "clerk_a"):
        refused = client.get("/api/v1/me", headers=bearer(world, username))
        assert refused.status_code == 401 and refused.json()["code"] == "DEPT_INACTIVE", username
    batch = {"item": "CF-001", "records": [{"subject_name": "x"}]}
    submitted = client.post("/api/v1/records:batch", json=batch, headers=bearer(world, "operator_a"))
    assert submitted.status_code == 401 and submitted.json()["code"] == "DEPT_INACTIVE"
    # Staff of other departments are not concerned.
    assert client.get("/api/v1/me", headers=bearer(world, "clerk_b")).status_code == 200
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "department")).all()
    assert "department.disabled" in actions
    set_department_active(session, code, True, actor="admin", clock=world.clock)
    session.commit()
    assert client.get("/api/v1/me", headers=bearer(world, "operator_a")).status_code == 200


def _login(client: RecordingClient, username: str) -> tuple[int, str]:
    page = client.get("/login")
    token = page.text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
    data = {"username": username, "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data=data, follow_redirects=False)
    return response.status_code, response.text


def test_staff_of_a_stopped_department_cannot_log_in_nor_keep_a_session(
    world: World, client: RecordingClient, session: Session
) -> None:
    assert _login(client, "clerk_a")[0] == 303
    assert client.get("/api/v1/me").json()["username"] == "clerk_a"
    _stop_county_a(world, session)
    assert client.get("/api/v1/me").json()["code"] == "UNAUTHENTICATED"  # the session counts for nothing
    client.cookies.clear()
    status, page = _login(client, "clerk_a")
    assert status == 401 and "账户所属部门已停用" in page
    with pytest.raises(DomainError) as caught:
        accounts.login(session, "clerk_a", PASSWORD, settings=Settings(), clock=world.clock, client="x")
    assert caught.value.code == "DEPT_INACTIVE"
    # A wrong password is answered as for anyone: the department's state is told only to its staff.
    with pytest.raises(DomainError) as caught:
        accounts.login(session, "clerk_a", "wrong", settings=Settings(), clock=world.clock, client="x")
    assert caught.value.code == "LOGIN_FAILED"


def test_no_account_token_or_submission_in_a_stopped_departments_name(world: World, session: Session) -> None:
    code = _stop_county_a(world, session)
    with pytest.raises(DomainError) as caught:
        accounts.create_user(
            session,
            username="new-clerk",
            display_name="新审核员",
            roles=[Role.dept_reviewer],
            password=None,
            actor="admin",
            clock=world.clock,
            department_code=code,
        )
    assert caught.value.code == "DEPT_INACTIVE" and caught.value.status == 403
    with pytest.raises(DomainError) as caught:
        accounts.issue_token(
            session,
            username="operator_a",
            name="报送系统",
            scopes=None,
            days=30,
            settings=Settings(),
            actor="admin",
            clock=world.clock,
        )
    assert caught.value.code == "DEPT_INACTIVE"
    with pytest.raises(DomainError) as caught:
        active_department(session, code)
    assert caught.value.code == "DEPT_INACTIVE" and code in caught.value.message
    assert active_department(session, world.depts["b"].code).code == world.depts["b"].code
