"""Tokens, sessions, logins, rate limits, headers, authorisations and the query log, through the HTTP API.

What each reader sees of a credit file, and how its reads are logged, is in tests/files."""

from __future__ import annotations

import datetime as dt
import inspect

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.kit.clock import FixedClock, as_aware
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import ApiToken, User
from xinyong.security import accounts, querylog
from xinyong.security.auth import Principal, authorize, form_csrf
from xinyong.security.roles import Purpose, Scope
from xinyong.security.schemas import LogFilter

from conftest import Database
from secworld import (
    PASSWORD,
    PURPOSE,
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    make_client,
    world,  # noqa: F401
)


def test_expired_revoked_and_disabled_tokens_are_refused(
    world: World, client: RecordingClient, session: Session
) -> None:
    assert client.get("/api/v1/me", headers=bearer(world, "auditor")).json()["username"] == "auditor"
    world.clock.advance(dt.timedelta(days=30))  # tokens were issued for 30 days
    expired = client.get("/api/v1/me", headers=bearer(world, "auditor"))
    assert expired.status_code == 401 and expired.json()["code"] == "TOKEN_EXPIRED"
    world.clock.advance(dt.timedelta(days=-1))
    token_id = session.scalar(select(User.id).where(User.username == "admin"))
    admin_token = session.scalar(select(ApiToken).where(ApiToken.user_id == token_id))
    assert admin_token is not None
    accounts.revoke_token(session, admin_token.id, actor="t", clock=world.clock)
    session.commit()
    assert client.get("/api/v1/me", headers=bearer(world, "admin")).json()["code"] == "TOKEN_REVOKED"
    accounts.set_active(session, "auditor", False, actor="t", clock=world.clock)
    session.commit()
    assert client.get("/api/v1/me", headers=bearer(world, "auditor")).json()["code"] == "USER_DISABLED"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer xy_nonsense"})
    assert bad.status_code == 401 and bad.json()["code"] == "TOKEN_INVALID"
    # Last use is recorded, refused calls included: the auditor's token was last shown today, disabled.
    session.expire_all()
    auditor_id = session.scalar(select(User.id).where(User.username == "auditor"))
    used = session.scalar(select(ApiToken).where(ApiToken.user_id == auditor_id))
    assert used is not None and used.last_used_at is not None
    assert used.last_used_at.date() == world.clock.today() == dt.date(2026, 4, 14)


def test_token_last_use_survives_a_failed_request(
    world: World, client: RecordingClient, session: Session
) -> None:
    """Probing (403, 404) rolls the request back; the token's last use must still be written."""
    world.clock.advance(dt.timedelta(hours=5))
    missing = client.get("/api/v1/records/999999", params=PURPOSE, headers=bearer(world, "clerk_a"))
    assert missing.status_code == 404
    world.clock.advance(dt.timedelta(hours=1))
    refused = client.get("/api/v1/audit/query-log", headers=bearer(world, "clerk_a"))
    assert refused.status_code == 403
    session.expire_all()
    clerk_id = session.scalar(select(User.id).where(User.username == "clerk_a"))
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == clerk_id))
    assert token is not None and token.last_used_at is not None
    assert as_aware(token.last_used_at) == world.clock.now() == as_aware(dt.datetime(2026, 3, 16, 16, 0))


def _last_use(session: Session, username: str) -> dt.datetime | None:
    session.expire_all()
    user_id = session.scalar(select(User.id).where(User.username == username))
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == user_id))
    assert token is not None
    return as_aware(token.last_used_at) if token.last_used_at is not None else None


def test_token_last_use_is_written_at_most_every_few_minutes(
    world: World, client: RecordingClient, session: Session
) -> None:
    """A token called all day long costs one write per ``TOKEN_USE_RESOLUTION``, not one per call."""
    first = world.clock.now()
    assert client.get("/api/v1/me", headers=bearer(world, "auditor")).status_code == 200
    assert _last_use(session, "auditor") == first
    world.clock.advance(accounts.TOKEN_USE_RESOLUTION - dt.timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=bearer(world, "auditor")).status_code == 200
    assert _last_use(session, "auditor") == first  # within the resolution: not written again
    world.clock.advance(dt.timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=bearer(world, "auditor")).status_code == 200
    assert _last_use(session, "auditor") == world.clock.now()


def test_authorize_is_a_plain_function() -> None:
    """FastAPI runs a plain dependency in its thread pool: the database work of identifying the caller
    never blocks the event loop. Only the form's CSRF field is read on the loop (a body read)."""
    for scope in Scope:
        assert not inspect.iscoroutinefunction(authorize(scope))
    assert inspect.iscoroutinefunction(form_csrf)


def test_auditor_searches_the_log(world: World, client: RecordingClient) -> None:
    record = world.records["b_private"]
    client.get(f"/api/v1/records/{record.id}", params=PURPOSE, headers=bearer(world, "clerk_a"))
    found = client.get(
        "/api/v1/audit/query-log", params={"allowed": "false"}, headers=bearer(world, "auditor")
    )
    assert found.status_code == 200
    assert [(e["username"], e["department"], e["allowed"]) for e in found.json()["entries"]] == [
        ("clerk_a", "亭湖区市场监督管理局", False)
    ]


def test_public_calls_are_rate_limited_per_client(
    world: World, database: Database, sessions: sessionmaker[Session], cipher: PersonalDataCipher
) -> None:
    with make_client(database, sessions, world.clock, cipher, public_rate_limit=3) as limited:
        codes = [limited.get("/api/v1/catalog").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        last = limited.get("/api/v1/catalog")
        assert last.json()["code"] == "RATE_LIMITED" and last.headers["Retry-After"] == "60"
        # Accounts are not limited by the public quota.
        assert limited.get("/api/v1/catalog", headers=bearer(world, "admin")).status_code == 200
    assert limited.leaks({"anonymous"}) == []


def test_login_attempts_are_limited_whoever_calls(
    world: World, database: Database, sessions: sessionmaker[Session], cipher: PersonalDataCipher
) -> None:
    with make_client(database, sessions, world.clock, cipher, login_rate_limit=3) as limited:
        # Holding a token does not lift the limit on guessing passwords.
        limited.headers.update(bearer(world, "agency"))
        assert [_login(limited, "company", "guess-" + str(i)) for i in range(4)] == [401, 401, 401, 429]


def test_security_headers_on_every_response(world: World, client: RecordingClient) -> None:
    for url in ("/", "/api/v1/catalog", "/api/v1/me", "/api/v1/records/999", "/login"):
        response = client.get(url)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert client.get("/api/v1/catalog").headers["Cache-Control"] == "no-store"


def _login(client: RecordingClient, username: str, password: str) -> int:
    page = client.get("/login")
    token = page.text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    status: int = response.status_code
    return status


def test_web_login_session_and_csrf(world: World, client: RecordingClient) -> None:
    # A form post without the login page's token is refused.
    forged = client.post("/login", data={"username": "company", "password": PASSWORD}, follow_redirects=False)
    assert forged.status_code == 403
    assert _login(client, "company", PASSWORD) == 303
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["via"] == "session" and me.json()["roles"] == ["subject"]
    assert 'id="whoami"' in client.get("/").text
    # A state change from the browser session needs the CSRF token.
    body = {"agency": "agency", "purpose": "政府采购", "days": 5}
    refused = client.post("/api/v1/me/authorisations", json=body)
    assert refused.status_code == 403 and refused.json()["code"] == "CSRF_FAILED"
    home = client.get("/").text
    csrf = home.split('name="csrf_token" value="')[1].split('"')[0]
    assert (
        client.post("/api/v1/me/authorisations", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    )
    assert client.get("/login", follow_redirects=False).headers["location"] == "/me"  # already logged in
    old_cookie = client.cookies.get("xy_session")
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    # Logging out ends the session on the server too: the old cookie no longer works.
    client.cookies.set("xy_session", old_cookie or "")
    assert client.get("/api/v1/me").json()["code"] == "UNAUTHENTICATED"


def test_the_me_page_shows_what_the_api_says(world: World, client: RecordingClient) -> None:
    """The /me page and GET /api/v1/me answer from one service; a subject's page leads to 我的信用, where
    the readers (by organisation) and the grants are."""
    assert world.person is not None
    refused = client.get(f"/api/v1/agency/subjects/{world.person.id}/file", headers=bearer(world, "agency"))
    assert refused.status_code == 403
    grant = {"agency": "agency", "purpose": "人员录用", "days": 30}
    assert client.post("/api/v1/me/authorisations", json=grant, headers=bearer(world, "person")).is_success
    assert _login(client, "person", PASSWORD) == 303
    account = client.get("/api/v1/me").json()
    page = client.get("/me")
    assert page.status_code == 200
    assert f'id="me-username">{account["username"]}（{account["display_name"]}）' in page.text
    assert "、".join(account["roles_zh"]) in page.text
    # The browser's own reads of non-public JSON say they come from the platform's pages.
    own = {"Sec-Fetch-Site": "same-origin"}
    (entry,) = client.get("/api/v1/me/query-log", headers=own).json()["entries"]
    assert entry["username"] == "agency" and not entry["allowed"]
    # the page names no reader by its login name: the readers are at /space/log, by organisation
    assert 'href="/space/log"' in page.text and 'href="/space/grants"' in page.text
    assert ">agency<" not in page.text
    # The page's logout form must carry the session's CSRF token.
    assert client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False).status_code == 403


def test_a_department_account_page_shows_its_data_range(world: World, client: RecordingClient) -> None:
    assert _login(client, "clerk_a", PASSWORD) == 303
    page = client.get("/me").text
    assert "亭湖区市场监督管理局" in page and "行政区划 320902（县级）" in page
    assert 'href="/space/log"' not in page


def test_lockout_after_repeated_failures(world: World, client: RecordingClient, session: Session) -> None:
    """Five failures in a row lock the address out of the account for 15 minutes, and the answer says so
    and until when (10:00 + 15 minutes, China time), not that the password is wrong."""
    for _ in range(4):
        assert _login_answer(client, "clerk_a", "wrong-password") == (401, WRONG)
    locked = (
        429,
        "登录失败次数过多，该账户从当前地址的登录已锁定至 2026-03-16 10:15（北京时间），请届时再试",
    )
    assert _login_answer(client, "clerk_a", "wrong-password") == locked  # the fifth failure locks
    assert _login_answer(client, "clerk_a", PASSWORD) == locked  # locked, even with the right password
    user = session.scalar(select(User).where(User.username == "clerk_a"))
    assert user is not None and user.failed_logins == 5
    world.clock.advance(dt.timedelta(minutes=15, seconds=1))
    assert _login(client, "clerk_a", PASSWORD) == 303


def test_query_log_days_are_china_days(world: World, session: Session) -> None:
    """A read at 03:00 China time on 16 March is on 16 March, whatever the database's time zone."""
    early = FixedClock(dt.datetime(2026, 3, 16, 3, 0))
    who = Principal(username="clerk_a", scopes=frozenset())
    querylog.log_read(
        session,
        who,
        subject_id=None,
        target="t",
        purpose=Purpose.supervision,
        legal_basis="x",
        allowed=True,
        clock=early,
    )
    on_16 = LogFilter(username="clerk_a", since=dt.date(2026, 3, 16), until=dt.date(2026, 3, 16))
    on_15 = LogFilter(username="clerk_a", since=dt.date(2026, 3, 15), until=dt.date(2026, 3, 15))
    assert querylog.search(session, on_16)[0] == 1
    assert querylog.search(session, on_15)[0] == 0


def test_an_agency_can_be_granted_only_an_agencys_purpose(world: World, client: RecordingClient) -> None:
    for purpose in ("日常监管", "异议处理", "本人查询", "行政审批", "信用修复"):
        refused = client.post(
            "/api/v1/me/authorisations",
            json={"agency": "agency", "purpose": purpose, "days": 30},
            headers=bearer(world, "person"),
        )
        assert refused.status_code == 422, purpose
        assert refused.json()["code"] == "AUTHORISATION_PURPOSE_INVALID"
        assert refused.json()["details"]["purposes"] == ["政府采购", "招标投标", "人员录用", "授权查询"]
    for purpose in ("授权查询", "招标投标"):
        granted = client.post(
            "/api/v1/me/authorisations",
            json={"agency": "agency", "purpose": purpose, "days": 30},
            headers=bearer(world, "person"),
        )
        assert granted.status_code == 201 and granted.json()["purpose"] == purpose


WRONG = "用户名或密码错误；同一地址连续多次失败后将临时锁定"


def _login_answer(client: RecordingClient, username: str, password: str) -> tuple[int, str]:
    page = client.get("/login")
    token = page.text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    error = response.text.split('id="login-error"')[1].split(">", 1)[1].split("<")[0] if response.text else ""
    return response.status_code, error


def test_lockout_does_not_tell_which_user_names_exist(
    world: World, database: Database, sessions: sessionmaker[Session], cipher: PersonalDataCipher
) -> None:
    """Six failures on a real account (locked after five) and on a made-up name: the same answers."""
    with make_client(database, sessions, world.clock, cipher, login_rate_limit=100) as client:
        real = [_login_answer(client, "clerk_b", "wrong-password") for _ in range(6)]
        made_up = [_login_answer(client, "no-such-user", "wrong-password") for _ in range(6)]
        locked_out = _login_answer(client, "clerk_b", PASSWORD)  # the right password, while locked
    assert real == made_up
    assert locked_out == real[-1]
    assert real[:4] == [(401, WRONG)] * 4
    assert real[4][0] == 429 and "锁定至 2026-03-16 10:15" in real[4][1]
