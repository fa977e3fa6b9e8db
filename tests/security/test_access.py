"""Data range, purpose, query log, authorisations, tokens, rate limits and headers, through the HTTP API."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import QueryLogEntry, User
from xinyong.security import accounts

from conftest import Database
from secworld import (
    PASSWORD,
    PERSON_RIC,
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    make_client,
    unmasked_rics,
    world,  # noqa: F401
)

PURPOSE = {"purpose": "日常监管", "legal_basis": "《江苏省社会信用条例》第三十条"}


def _log(session: Session, **where: object) -> list[QueryLogEntry]:
    stmt = select(QueryLogEntry).order_by(QueryLogEntry.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(QueryLogEntry, name) == value)
    return list(session.scalars(stmt))


def test_county_clerk_cannot_read_another_countys_private_record(
    world: World, client: RecordingClient, session: Session
) -> None:
    own, other = world.records["a_private"], world.records["b_private"]
    assert not own.published and not other.published  # 警告: 轻微, not published
    ok = client.get(f"/api/v1/records/{own.id}", params=PURPOSE, headers=bearer(world, "clerk_a"))
    assert ok.status_code == 200 and ok.json()["item_code"] == "CF-001"
    refused = client.get(f"/api/v1/records/{other.id}", params=PURPOSE, headers=bearer(world, "clerk_a"))
    assert refused.status_code == 403 and refused.json()["code"] == "OUT_OF_DATA_RANGE"
    assert "数据范围" in refused.json()["message"]
    # Both reads are in the query log, the refusal too, with who, what, why.
    entries = _log(session, username="clerk_a")
    assert [(e.target, e.allowed, e.purpose) for e in entries] == [
        (f"credit_record:{own.id}", True, "日常监管"),
        (f"credit_record:{other.id}", False, "日常监管"),
    ]
    assert (
        entries[0].legal_basis == PURPOSE["legal_basis"] and entries[0].department_id == world.depts["a"].id
    )
    # The city's credit office covers both counties.
    city = client.get(f"/api/v1/records/{other.id}", params=PURPOSE, headers=bearer(world, "admin"))
    assert city.status_code == 200
    # Inside its own county a department sees its own line only: not the county labour bureau's records.
    qual = world.records["person_qual"]
    other_line = client.get(f"/api/v1/records/{qual.id}", params=PURPOSE, headers=bearer(world, "clerk_b"))
    assert other_line.status_code == 403 and other_line.json()["code"] == "OUT_OF_DATA_RANGE"
    assert (
        client.get(f"/api/v1/records/{qual.id}", params=PURPOSE, headers=bearer(world, "admin")).status_code
        == 200
    )
    # A published record is readable by any clerk: it is public anyway.
    public = world.records["a_public"]
    assert (
        client.get(
            f"/api/v1/records/{public.id}", params=PURPOSE, headers=bearer(world, "clerk_b")
        ).status_code
        == 200
    )


def test_a_read_without_purpose_is_refused_and_logged(
    world: World, client: RecordingClient, session: Session
) -> None:
    record = world.records["a_private"]
    for params in ({}, {"purpose": "好奇"}):
        response = client.get(f"/api/v1/records/{record.id}", params=params, headers=bearer(world, "clerk_a"))
        assert response.status_code == 422 and response.json()["code"] == "QUERY_PURPOSE_REQUIRED"
        assert "行政审批" in response.json()["details"]["purposes"]
    no_basis = client.get(
        f"/api/v1/records/{record.id}", params={"purpose": "日常监管"}, headers=bearer(world, "clerk_a")
    )
    assert no_basis.status_code == 422 and no_basis.json()["code"] == "QUERY_LEGAL_BASIS_REQUIRED"
    assert [e.reason for e in _log(session, username="clerk_a")] == [
        "未说明查询用途",
        "查询用途不在规定范围内：好奇",
        "未写明查询依据",
    ]


def test_staff_file_shows_only_the_callers_range(world: World, client: RecordingClient) -> None:
    assert world.company is not None
    url = f"/api/v1/subjects/{world.company.id}/file"

    def seen(user: str) -> set[int]:
        response = client.get(url, params=PURPOSE, headers=bearer(world, user))
        assert response.status_code == 200
        return {r["id"] for r in response.json()["records"]}

    r = world.records
    assert seen("clerk_a") == {r["a_public"].id, r["a_private"].id}
    assert seen("clerk_b") == {r["a_public"].id, r["b_private"].id}
    assert seen("admin") == {r["a_public"].id, r["a_private"].id, r["b_private"].id}


def test_public_sees_only_published_records_and_no_persons(world: World, client: RecordingClient) -> None:
    assert world.company is not None and world.person is not None
    found = client.get("/api/v1/public/subjects", params={"q": "鹽城市示範商貿"})  # traditional script
    assert found.status_code == 200 and [s["id"] for s in found.json()["subjects"]] == [world.company.id]
    by_code = client.get("/api/v1/public/subjects", params={"q": world.company.uscc})
    assert [s["id"] for s in by_code.json()["subjects"]] == [world.company.id]
    file = client.get(f"/api/v1/public/subjects/{world.company.id}").json()
    assert [rec["id"] for rec in file["records"]] == [world.records["a_public"].id]
    assert PERSON_RIC not in str(file) and "13812345678" not in str(file)
    assert client.get("/api/v1/public/subjects", params={"q": "王某明"}).json()["total"] == 0
    person = client.get(f"/api/v1/public/subjects/{world.person.id}")
    assert person.status_code == 404 and person.json()["code"] == "SUBJECT_NOT_FOUND"
    checked = client.get("/api/v1/ids/check", params={"code": PERSON_RIC})
    assert checked.json()["valid"] and checked.json()["value"] == PERSON_RIC[:4] + "*" * 10 + PERSON_RIC[-4:]
    assert set(checked.json()["parts"]) <= {"sex"}  # region and birth date would unmask the middle
    echoed = client.get("/api/v1/ids/check", params={"code": PERSON_RIC + "。"}).json()
    assert PERSON_RIC not in echoed["input"]


def test_public_sees_published_text_with_ids_and_phones_masked(world: World, client: RecordingClient) -> None:
    assert world.company is not None
    file = client.get(f"/api/v1/public/subjects/{world.company.id}").json()
    violation = file["records"][0]["data"]["violation"]
    assert PERSON_RIC[:4] + "*" * 10 + PERSON_RIC[-4:] in violation and "138****5678" in violation


def test_agency_needs_a_live_grant(world: World, client: RecordingClient, session: Session) -> None:
    assert world.person is not None
    url = f"/api/v1/agency/subjects/{world.person.id}/file"
    refused = client.get(url, headers=bearer(world, "agency"))
    assert refused.status_code == 403 and refused.json()["code"] == "AUTHORISATION_REQUIRED"
    (entry,) = _log(session, username="agency")
    assert not entry.allowed and entry.subject_id == world.person.id and entry.purpose == "授权查询"

    # The person grants one purpose for 30 days; never more than a year, never unlimited.
    too_long = {"agency": "agency", "purpose": "人员录用", "days": 366}
    response = client.post("/api/v1/me/authorisations", json=too_long, headers=bearer(world, "person"))
    assert response.status_code == 422 and response.json()["code"] == "AUTHORISATION_PERIOD_INVALID"
    grant = client.post(
        "/api/v1/me/authorisations",
        json={"agency": "agency", "purpose": "人员录用", "days": 30},
        headers=bearer(world, "person"),
    )
    assert grant.status_code == 201
    assert grant.json()["valid_from"] == "2026-03-16" and grant.json()["valid_until"] == "2026-04-14"

    allowed = client.get(url, headers=bearer(world, "agency"))
    assert allowed.status_code == 200
    body = allowed.json()
    assert body["subject"]["ric_masked"] == PERSON_RIC[:4] + "**********" + PERSON_RIC[-4:]
    assert body["subject"]["phone_masked"] == "138****5678"
    (qual,) = body["records"]  # 授权查询 item, shown to an authorised agency
    assert qual["item_code"] == "ZG-001" and qual["data"]["subject_id"].count("*") == 10
    assert _log(session, username="agency")[-1].allowed

    # The person sees who looked, and why.
    log = client.get("/api/v1/me/query-log", headers=bearer(world, "person")).json()
    assert [(e["username"], e["purpose"], e["allowed"]) for e in log["entries"]][:2] == [
        ("agency", "人员录用", True),
        ("agency", "授权查询", False),
    ]

    # Revoked: refused again at once.
    revoked = client.delete(
        f"/api/v1/me/authorisations/{grant.json()['id']}", headers=bearer(world, "person")
    )
    assert revoked.status_code == 200 and revoked.json()["live"] is False
    assert client.get(url, headers=bearer(world, "agency")).json()["code"] == "AUTHORISATION_REQUIRED"


def test_a_grant_ends_by_itself(world: World, client: RecordingClient) -> None:
    assert world.person is not None
    client.post(
        "/api/v1/me/authorisations",
        json={"agency": "agency", "purpose": "政府采购", "days": 10},
        headers=bearer(world, "person"),
    )
    url = f"/api/v1/agency/subjects/{world.person.id}/file"
    world.clock.advance(dt.timedelta(days=9))
    assert client.get(url, headers=bearer(world, "agency")).status_code == 200
    world.clock.advance(dt.timedelta(days=1))
    assert client.get(url, headers=bearer(world, "agency")).json()["code"] == "AUTHORISATION_REQUIRED"


def test_expired_revoked_and_disabled_tokens_are_refused(
    world: World, client: RecordingClient, session: Session
) -> None:
    assert client.get("/api/v1/me", headers=bearer(world, "auditor")).json()["username"] == "auditor"
    world.clock.advance(dt.timedelta(days=30))  # tokens were issued for 30 days
    expired = client.get("/api/v1/me", headers=bearer(world, "auditor"))
    assert expired.status_code == 401 and expired.json()["code"] == "TOKEN_EXPIRED"
    world.clock.advance(dt.timedelta(days=-1))
    token_id = session.scalar(select(User.id).where(User.username == "admin"))
    from xinyong.models import ApiToken

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
    from xinyong.kit.clock import as_aware
    from xinyong.models import ApiToken

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
    return response.status_code


def test_web_login_session_and_csrf(world: World, client: RecordingClient) -> None:
    from secworld import PASSWORD

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


def test_lockout_after_repeated_failures(world: World, client: RecordingClient, session: Session) -> None:
    from secworld import PASSWORD

    for _ in range(4):
        assert _login(client, "clerk_a", "wrong-password") == 401
    assert _login(client, "clerk_a", "wrong-password") == 401  # fifth failure locks
    assert _login(client, "clerk_a", PASSWORD) == 401  # locked, even with the right password
    user = session.scalar(select(User).where(User.username == "clerk_a"))
    assert user is not None and user.locked_until is not None
    world.clock.advance(dt.timedelta(minutes=15, seconds=1))
    assert _login(client, "clerk_a", PASSWORD) == 303


def test_no_unmasked_citizen_id_leaves_in_staff_views_either(world: World, client: RecordingClient) -> None:
    assert world.person is not None
    response = client.get(
        f"/api/v1/subjects/{world.person.id}/file", params=PURPOSE, headers=bearer(world, "admin")
    )
    assert response.status_code == 200 and unmasked_rics(response.text) == []
    assert PERSON_RIC not in response.text


def test_query_log_days_are_china_days(world: World, session: Session) -> None:
    """A read at 03:00 China time on 16 March is on 16 March, whatever the database's time zone."""
    from xinyong.kit.clock import FixedClock
    from xinyong.security import querylog
    from xinyong.security.auth import Principal
    from xinyong.security.roles import Purpose

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
    on_16 = querylog.LogFilter(username="clerk_a", since=dt.date(2026, 3, 16), until=dt.date(2026, 3, 16))
    on_15 = querylog.LogFilter(username="clerk_a", since=dt.date(2026, 3, 15), until=dt.date(2026, 3, 15))
    assert querylog.search(session, on_16)[0] == 1
    assert querylog.search(session, on_15)[0] == 0


def test_staff_cannot_claim_the_subjects_or_an_agencys_purpose(
    world: World, client: RecordingClient, session: Session
) -> None:
    record = world.records["a_private"]
    for purpose in ("本人查询", "授权查询"):
        response = client.get(
            f"/api/v1/records/{record.id}",
            params={**PURPOSE, "purpose": purpose},
            headers=bearer(world, "clerk_a"),
        )
        assert response.status_code == 403 and response.json()["code"] == "QUERY_PURPOSE_NOT_ALLOWED"
        assert "日常监管" in response.json()["details"]["purposes"]
        assert purpose not in response.json()["details"]["purposes"]
    assert [(e.purpose, e.allowed) for e in _log(session, username="clerk_a")] == [
        ("本人查询", False),
        ("授权查询", False),
    ]
    # Staff purposes still work, and the auditor can pick entries by purpose.
    assert client.get(
        f"/api/v1/records/{record.id}", params=PURPOSE, headers=bearer(world, "clerk_a")
    ).is_success
    found = client.get(
        "/api/v1/audit/query-log", params={"purpose": "授权查询"}, headers=bearer(world, "auditor")
    ).json()
    assert found["total"] == 1 and found["entries"][0]["purpose"] == "授权查询"
    bad = client.get("/api/v1/audit/query-log", params={"purpose": "好奇"}, headers=bearer(world, "auditor"))
    assert bad.status_code == 422 and bad.json()["code"] == "REQUEST_INVALID"


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
    assert locked_out == real[0]
    assert set(real) == {(401, "用户名或密码错误；连续多次失败后账户将临时锁定，请稍后再试")}


def test_an_agency_probing_an_unknown_subject_is_logged(
    world: World, client: RecordingClient, session: Session
) -> None:
    response = client.get("/api/v1/agency/subjects/999999/file", headers=bearer(world, "agency"))
    assert response.status_code == 403 and response.json()["code"] == "AUTHORISATION_REQUIRED"
    (entry,) = _log(session, username="agency")
    assert not entry.allowed and entry.subject_id is None and entry.target.startswith("subject_file:999999")
    assert entry.purpose == "授权查询"
