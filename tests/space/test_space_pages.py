"""The subject space (我的信用) and the agency's pages, on both databases: a grant made by choosing the
agency by name, the file it opens, the look-up in the subject's log by organisation, the revocation
and the refusal that follows; and the objects each caller may not touch."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.models import Authorisation, User

from secworld import PASSWORD, TODAY, RecordingClient, World, bearer, client, query_log, world  # noqa: F401

AGENCY_NAME = "盐城示范信用评级有限公司"
COMPANY_NAME = "盐城市示范商贸有限公司"


def _name_the_agency(session: Session) -> None:
    agency = session.scalars(select(User).where(User.username == "agency")).one()
    agency.display_name = AGENCY_NAME
    session.commit()


def _login(client: RecordingClient, username: str) -> str:
    """Log in through the form; the session's CSRF token (from a page's logout form). Later calls say
    they come from the platform's own pages, as a browser does."""
    page = client.get("/login")
    token = page.text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
    data = {"username": username, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    home: str = client.get("/").text
    # As a browser on the platform's own pages says (reads of non-public data need it).
    client.headers["Sec-Fetch-Site"] = "same-origin"
    return home.split('name="csrf_token" value="')[1].split('"')[0]


def _readers(html: str) -> list[str]:
    return re.findall(r'<td class="reader">(.*?)</td>', html)


def _grant(session: Session, subject_id: int) -> Authorisation:
    session.expire_all()
    return (
        session.scalars(
            select(Authorisation)
            .where(Authorisation.subject_id == subject_id)
            .order_by(Authorisation.id.desc())
        ).first()
        or _missing()
    )


def _missing() -> Authorisation:
    raise AssertionError("no grant")


def test_grant_open_log_revoke_refuse(world: World, client: RecordingClient, session: Session) -> None:
    """company grants an agency chosen by name → the agency opens the file → company sees the look-up
    by the agency's name → revokes (a POST form) → the agency is refused, clearly, in a page."""
    assert world.company is not None
    _name_the_agency(session)
    csrf = _login(client, "company")
    form = client.get("/space/grants")
    assert form.status_code == 200
    assert f'<option value="agency">{AGENCY_NAME}</option>' in form.text
    until = (TODAY.date() + dt.timedelta(days=29)).isoformat()
    data = {"agency": "agency", "purpose": "政府采购", "valid_until": until, "csrf_token": csrf}
    made = client.post("/space/grants", data=data, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/space/grants?done=granted"
    grant = _grant(session, world.company.id)
    assert (grant.purpose, grant.valid_from, grant.valid_until) == (
        "政府采购",
        TODAY.date(),
        TODAY.date() + dt.timedelta(days=29),
    )
    listed = client.get(made.headers["location"]).text
    assert "已授权" in listed and f'<td class="agency">{AGENCY_NAME}</td>' in listed and "有效" in listed

    agency = bearer(world, "agency")
    held = client.get("/agency", headers=agency)
    assert held.status_code == 200 and COMPANY_NAME in held.text
    assert f'href="/agency/subjects/{world.company.id}"' in held.text
    opened = client.get(f"/agency/subjects/{world.company.id}", headers=agency)
    assert opened.status_code == 200 and f"授权查询：{COMPANY_NAME}" in opened.text

    log = client.get("/space/log")
    assert log.status_code == 200
    readers = _readers(log.text)
    assert readers[0] == AGENCY_NAME  # newest first; by its organisation's name, never "agency"
    assert "agency" not in readers and "company" not in readers

    revoked = client.post(
        f"/space/grants/{grant.id}/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303 and revoked.headers["location"] == "/space/grants?done=revoked"
    assert _grant(session, world.company.id).revoked_at is not None
    assert "已撤回" in client.get(revoked.headers["location"]).text
    refused = client.get(f"/agency/subjects/{world.company.id}", headers=agency)
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert "已撤回授权" in refused.text and f"授权编号 {grant.id}" in refused.text
    last = query_log(session, username="agency")[-1]
    assert not last.allowed and last.subject_id == world.company.id


def test_a_revoke_form_needs_the_session_csrf_field(
    world: World, client: RecordingClient, session: Session
) -> None:
    assert world.company is not None
    csrf = _login(client, "company")
    until = (TODAY.date() + dt.timedelta(days=9)).isoformat()
    data = {"agency": "agency", "purpose": "授权查询", "valid_until": until}
    assert client.post("/space/grants", data=data, follow_redirects=False).status_code == 403  # no field
    assert (
        client.post("/space/grants", data=data | {"csrf_token": csrf}, follow_redirects=False).status_code
        == 303
    )
    grant = _grant(session, world.company.id)
    forged = client.post(
        f"/space/grants/{grant.id}/revoke", data={"csrf_token": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert _grant(session, world.company.id).revoked_at is None


def test_a_subject_cannot_see_or_revoke_another_subjects_grant(
    world: World, client: RecordingClient, session: Session
) -> None:
    assert world.company is not None
    body = {"agency": "agency", "purpose": "招标投标", "days": 30}
    made = client.post("/api/v1/me/authorisations", json=body, headers=bearer(world, "company"))
    assert made.status_code == 201
    grant_id = made.json()["id"]
    person = bearer(world, "person")
    page = client.get("/space/grants", headers=person)
    assert page.status_code == 200 and f'id="grant-{grant_id}"' not in page.text
    assert client.get("/api/v1/me/authorisations", headers=person).json() == []
    refused = client.post(f"/space/grants/{grant_id}/revoke", headers=person, follow_redirects=False)
    assert refused.status_code == 403 and "只能撤回本主体的授权" in refused.text
    assert _grant(session, world.company.id).revoked_at is None
    missing = client.post("/space/grants/999999/revoke", headers=person, follow_redirects=False)
    assert missing.status_code == 404


def test_an_agency_without_a_live_grant_is_refused(
    world: World, client: RecordingClient, session: Session
) -> None:
    """Never granted: a 404 page (as for a subject that does not exist); expired: a 403 page that says
    so. Each refused read is in the query log."""
    assert world.company is not None and world.person is not None
    agency = bearer(world, "agency")
    never = client.get(f"/agency/subjects/{world.company.id}", headers=agency)
    assert never.status_code == 404 and "您没有该信用主体的查询授权" in never.text
    nobody = client.get("/agency/subjects/999999", headers=agency)
    assert nobody.status_code == 404 and nobody.text.count("您没有该信用主体的查询授权") == 1
    body = {"agency": "agency", "purpose": "人员录用", "days": 3}
    assert (
        client.post("/api/v1/me/authorisations", json=body, headers=bearer(world, "person")).status_code
        == 201
    )
    # The person's file goes to the agency masked: the client fixture fails on any full citizen ID.
    opened = client.get(f"/agency/subjects/{world.person.id}", headers=agency)
    assert opened.status_code == 200 and "注册会计师" in opened.text
    world.clock.advance(dt.timedelta(days=3))
    expired = client.get(f"/agency/subjects/{world.person.id}", headers=agency)
    assert expired.status_code == 403 and "授权已过期" in expired.text
    assert "已过期" in client.get("/agency", headers=agency).text
    refusals = [e for e in query_log(session, username="agency") if not e.allowed]
    assert len(refusals) == 3


def test_the_log_names_organisations(world: World, client: RecordingClient, session: Session) -> None:
    """A department by its name, the subject's own look-ups as 本主体, an agency by its organisation's
    name; the JSON twin (/api/v1/me/readers) says the same and carries no login name."""
    assert world.company is not None
    _name_the_agency(session)
    company = bearer(world, "company")
    purpose = {"purpose": "日常监管", "legal_basis": "《企业信息公示暂行条例》"}
    staff = client.get(
        f"/api/v1/subjects/{world.company.id}/file", params=purpose, headers=bearer(world, "clerk_a")
    )
    assert staff.status_code == 200
    assert (
        client.get(f"/agency/subjects/{world.company.id}", headers=bearer(world, "agency")).status_code == 404
    )
    assert client.get("/space", headers=company).status_code == 200
    readers = _readers(client.get("/space/log", headers=company).text)
    assert readers == [f"{COMPANY_NAME}（本主体）", AGENCY_NAME, "亭湖区市场监督管理局"]
    answer = client.get("/api/v1/me/readers", headers=company).json()
    assert [e["organisation"] for e in answer["entries"]] == readers
    assert answer["total"] == 3 and all("username" not in e for e in answer["entries"])


def test_the_own_file_shows_what_is_not_public_and_is_logged(
    world: World, client: RecordingClient, session: Session
) -> None:
    assert world.company is not None
    page = client.get("/space", headers=bearer(world, "company"))
    assert page.status_code == 200 and COMPANY_NAME in page.text
    for key in ("a_public", "a_private", "b_private"):
        assert f'id="record-{world.records[key].id}"' in page.text
    assert 'class="pager-total">3<' in page.text and "行政处罚（3）" in page.text
    company = bearer(world, "company")
    penalties = client.get("/space", params={"tab": "penalty"}, headers=company).text
    assert f'id="record-{world.records["a_private"].id}"' in penalties
    assert re.search(r'data-tab="penalty"\s+aria-current="page"', penalties)
    assert 'id="record-' not in client.get("/space", params={"tab": "basic"}, headers=company).text
    unknown = client.get("/space", params={"tab": "nope"}, headers=company)
    assert unknown.status_code == 422 and "没有这个信用档案栏目" in unknown.text
    entry = query_log(session, username="company")[0]
    assert (entry.purpose, entry.allowed, entry.subject_id) == ("本人查询", True, world.company.id)


def test_the_log_is_paged(world: World, client: RecordingClient) -> None:
    company = bearer(world, "company")
    for _ in range(21):
        assert client.get("/api/v1/me/file", headers=company).status_code == 200
    first = client.get("/space/log", headers=company).text
    assert len(_readers(first)) == 20 and 'href="/space/log?page=2"' in first
    second = client.get("/space/log", params={"page": 2}, headers=company).text
    assert len(_readers(second)) == 1 and 'href="/space/log?page=1"' in second
    assert client.get("/space/log", params={"page": 0}, headers=company).status_code == 422


def test_the_grant_form_says_what_is_wrong(world: World, client: RecordingClient, session: Session) -> None:
    assert world.company is not None
    company = bearer(world, "company")
    today = TODAY.date()
    cases = [
        (
            {"agency": "agency", "purpose": "日常监管", "valid_until": today.isoformat()},
            422,
            "不能授权信用服务机构",
        ),
        ({"agency": "agency", "purpose": "授权查询", "valid_until": "2026-02-30"}, 422, "授权截止日期"),
        (
            {"agency": "agency", "purpose": "授权查询", "valid_until": "2027-12-31"},
            422,
            "不得长期或无限期授权",
        ),
        ({"agency": "agency", "purpose": "授权查询", "valid_until": "2026-03-15"}, 422, "授权期限须为"),
        (
            {"agency": "nobody", "purpose": "授权查询", "valid_until": today.isoformat()},
            404,
            "不存在或已停用",
        ),
        (
            {"agency": "clerk_a", "purpose": "授权查询", "valid_until": today.isoformat()},
            404,
            "不存在或已停用",
        ),
        ({}, 422, "请选择授权用途"),
    ]
    for data, status, message in cases:
        answer = client.post("/space/grants", data=data, headers=company, follow_redirects=False)
        assert (answer.status_code, message in answer.text) == (status, True), data
        assert 'role="alert"' in answer.text
    assert session.scalars(select(Authorisation)).first() is None
    one_day = {"agency": "agency", "purpose": "授权查询", "valid_until": today.isoformat()}
    assert (
        client.post("/space/grants", data=one_day, headers=company, follow_redirects=False).status_code == 303
    )
    assert _grant(session, world.company.id).valid_until == today


def test_the_agency_chooser_lists_names(world: World, client: RecordingClient, session: Session) -> None:
    _name_the_agency(session)
    answer = client.get("/api/v1/agencies", headers=bearer(world, "company"))
    assert answer.json() == [{"account": "agency", "name": AGENCY_NAME}]
    assert client.get("/api/v1/agencies", headers=bearer(world, "agency")).status_code == 403
    held = client.get("/api/v1/agency/authorisations", headers=bearer(world, "agency")).json()
    assert held == {"total": 0, "grants": []}
