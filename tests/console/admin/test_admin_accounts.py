"""系统管理 in the console, pages and JSON twins, on both databases: departments (create, stop, resume),
accounts (create with roles and department, disable), API tokens (the secret appears once, revocation)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.models import ApiToken, Department, User

from secworld import (
    COUNTY_A,
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    world,  # noqa: F401
)

ADMIN = "admin"


def test_departments_are_created_checked_and_stopped(
    world: World, client: RecordingClient, session: Session
) -> None:
    form = {"code": "320902-SW", "name": "亭湖区税务局", "kind": "税务", "region_code": COUNTY_A}
    made = client.post(
        "/console/departments", data=form, headers=bearer(world, ADMIN), follow_redirects=False
    )
    assert (made.status_code, made.headers["location"]) == (303, "/console/departments?done=dept-created")
    listing = client.get("/api/v1/admin/departments", headers=bearer(world, ADMIN)).json()
    made_row = next(d for d in listing if d["code"] == "320902-SW")
    assert (made_row["level"], made_row["level_zh"], made_row["active"]) == ("county", "县级", True)
    # A region that does not exist: the form comes back with the service's message, nothing stored.
    bad = client.post(
        "/console/departments",
        data={**form, "code": "999999-X", "region_code": "999999"},
        headers=bearer(world, ADMIN),
    )
    assert (
        bad.status_code == 422 and "行政区划代码 999999 不存在" in bad.text and 'value="999999-X"' in bad.text
    )
    assert session.scalar(select(Department).where(Department.code == "999999-X")) is None
    twice = client.post("/api/v1/admin/departments", json=form, headers=bearer(world, ADMIN))
    assert (twice.status_code, twice.json()["code"]) == (409, "DEPT_CODE_TAKEN")
    stopped = client.post(
        "/console/departments/320902-SW/status",
        data={"active": "false"},
        headers=bearer(world, ADMIN),
        follow_redirects=False,
    )
    assert stopped.headers["location"] == "/console/departments?done=dept-disabled"
    resumed = client.post(
        "/api/v1/admin/departments/320902-SW/status", json={"active": True}, headers=bearer(world, ADMIN)
    )
    assert resumed.json()["active"] is True
    missing = client.post(
        "/api/v1/admin/departments/NOPE-1/status", json={"active": True}, headers=bearer(world, ADMIN)
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "DEPT_NOT_FOUND")
    page = client.get("/console/departments?done=dept-disabled", headers=bearer(world, ADMIN))
    assert "部门已停用" in page.text and "亭湖区税务局" in page.text


def test_accounts_are_created_with_roles_and_department_and_disabled(
    world: World, client: RecordingClient, session: Session
) -> None:
    dept = world.depts["a"].code
    form = {
        "username": "reviewer2",
        "display_name": "审核员二",
        "roles": ["dept_reviewer"],
        "department_code": dept,
        "password": "a-long-enough-password",
    }
    made = client.post("/console/users", data=form, headers=bearer(world, ADMIN), follow_redirects=False)
    assert made.headers["location"] == "/console/users?done=user-created"
    user = session.scalar(select(User).where(User.username == "reviewer2"))
    assert user is not None and user.roles == ["dept_reviewer"] and user.department_id == world.depts["a"].id
    # Staff without a department, and roles of two kinds of account: refused with the service's words.
    alone = client.post(
        "/console/users", data={**form, "username": "x1", "department_code": ""}, headers=bearer(world, ADMIN)
    )
    assert alone.status_code == 422 and "部门账户必须属于一个部门" in alone.text
    mixed = client.post(
        "/api/v1/admin/users",
        json={"username": "x2", "roles": ["dept_reviewer", "agency"], "department_code": dept},
        headers=bearer(world, ADMIN),
    )
    assert (mixed.status_code, mixed.json()["code"]) == (422, "ROLE_KIND_MIXED")
    listing = client.get("/api/v1/admin/users", params={"limit": 500}, headers=bearer(world, ADMIN)).json()
    row = next(u for u in listing["users"] if u["username"] == "reviewer2")
    assert (row["roles_zh"], row["department_code"], row["active"]) == (["部门审核员"], dept, True)
    # Disabling ends the account's tokens: clerk_a's token stops working.
    off = client.post("/console/users/clerk_a/status", data={"active": "false"}, headers=bearer(world, ADMIN))
    assert off.status_code == 200 and "账户已停用" in off.text
    assert client.get("/api/v1/me", headers=bearer(world, "clerk_a")).status_code == 401
    missing = client.post(
        "/api/v1/admin/users/no-such-user/status", json={"active": False}, headers=bearer(world, ADMIN)
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "USER_NOT_FOUND")


def test_a_token_secret_is_shown_once_then_never_again(
    world: World, client: RecordingClient, session: Session
) -> None:
    form = {
        "username": "operator_a",
        "name": "市场监管局报送系统",
        "days": "30",
        "scopes": ["records:submit"],
    }
    issued = client.post("/console/tokens", data=form, headers=bearer(world, ADMIN), follow_redirects=False)
    assert (issued.status_code, issued.headers["location"]) == (303, "/console/tokens")
    assert "xy_" not in issued.headers["location"]
    shown = client.get("/console/tokens", headers=bearer(world, ADMIN))
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    secret = shown.text.split('id="token-secret">')[1].split("<")[0]
    assert secret.startswith("xy_") and len(secret) > 30
    token = session.scalar(select(ApiToken).where(ApiToken.name == "市场监管局报送系统"))
    assert token is not None and token.scopes == ["records:submit"] and secret not in token.token_hash
    # Never again: not on reload, not in the list, not in the JSON twin.
    assert secret not in client.get("/console/tokens", headers=bearer(world, ADMIN)).text
    assert secret not in client.get("/api/v1/admin/tokens", headers=bearer(world, ADMIN)).text
    works = client.get("/api/v1/ingest/batches", headers={"Authorization": f"Bearer {secret}"})
    assert works.status_code == 200  # records:submit, and nothing more:
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 403
    revoked = client.post(
        f"/console/tokens/{token.id}/revocation", headers=bearer(world, ADMIN), follow_redirects=False
    )
    assert revoked.headers["location"] == "/console/tokens?done=token-revoked"
    refused = client.get("/api/v1/ingest/batches", headers={"Authorization": f"Bearer {secret}"})
    assert (refused.status_code, refused.json()["code"]) == (401, "TOKEN_REVOKED")


def test_the_json_twin_issues_once_and_refuses_scopes_the_account_lacks(
    world: World, client: RecordingClient
) -> None:
    body = {"username": "operator_a", "name": "接口", "days": 10}
    issued = client.post("/api/v1/admin/tokens", json=body, headers=bearer(world, ADMIN))
    assert issued.status_code == 201
    secret, token_id = issued.json()["token"], issued.json()["record"]["id"]
    listed = client.get("/api/v1/admin/tokens", headers=bearer(world, ADMIN)).json()
    assert listed[0]["id"] == token_id and listed[0]["prefix"] == secret[:10] and listed[0]["live"] is True
    too_much = client.post(
        "/api/v1/admin/tokens", json={**body, "scopes": ["admin:manage"]}, headers=bearer(world, ADMIN)
    )
    assert (too_much.status_code, too_much.json()["code"]) == (422, "TOKEN_SCOPE_NOT_HELD")
    page = client.post(
        "/console/tokens", data={**body, "scopes": ["admin:manage"]}, headers=bearer(world, ADMIN)
    )
    assert (
        page.status_code == 422
        and "账户的角色不具备这些权限" in page.text
        and 'id="token-secret"' not in page.text
    )
    gone = client.post(f"/api/v1/admin/tokens/{token_id}/revocation", headers=bearer(world, ADMIN))
    assert gone.json()["revoked_at"] is not None and gone.json()["live"] is False
    assert (
        client.post("/api/v1/admin/tokens/999999/revocation", headers=bearer(world, ADMIN)).status_code == 404
    )


def test_the_secret_cookie_shows_only_to_the_account_that_issued_it(
    world: World, client: RecordingClient
) -> None:
    """A secret left in the browser's cookie is not shown to another account using the same browser."""
    form = {"username": "operator_a", "name": "另一个", "days": "30"}
    client.post("/console/tokens", data=form, headers=bearer(world, ADMIN), follow_redirects=False)
    issued = client.post("/api/v1/admin/users", json={"username": "office2", "roles": ["platform_admin"],
                                                       "department_code": world.depts["city"].code},
                         headers=bearer(world, ADMIN))  # fmt: skip
    assert issued.status_code == 201
    other = client.post(
        "/api/v1/admin/tokens",
        json={"username": "office2", "name": "t", "days": 1},
        headers=bearer(world, ADMIN),
    ).json()["token"]
    page = client.get("/console/tokens", headers={"Authorization": f"Bearer {other}"})
    assert page.status_code == 200 and 'id="token-secret"' not in page.text


def test_the_forms_are_checked_as_their_json_twins_bodies(
    world: World, client: RecordingClient, session: Session
) -> None:
    """An account without a role and a token without a purpose are refused by the page as by the API."""
    admin_headers = bearer(world, ADMIN)
    no_role = {"username": "norole", "display_name": "无角色", "department_code": world.depts["a"].code}
    page = client.post("/console/users", data=no_role, headers=admin_headers)
    assert page.status_code == 422 and "角色" in page.text and "填写有误" in page.text
    api = client.post("/api/v1/admin/users", json={**no_role, "roles": []}, headers=admin_headers)
    assert api.status_code == 422
    assert session.scalar(select(User).where(User.username == "norole")) is None
    unnamed = {"username": "operator_a", "name": "", "days": "30"}
    page = client.post("/console/tokens", data=unnamed, headers=admin_headers)
    assert page.status_code == 422 and "令牌用途" in page.text
    assert session.scalar(select(ApiToken).where(ApiToken.name == "")) is None
