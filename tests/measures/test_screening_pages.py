"""The screening pages (/console/screening, /console/screenings, /console/screenings/{id}) on both databases:
the form and its result (the same service as POST /api/v1/screening), the history, the stored result with
its verification, the objects another department may not see; and the subject sees each check in
"who looked at my file"."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from xinyong.models import Screening

from screeningworld import ScreeningWorld, add_screeners, black_entry
from secworld import PASSWORD, RecordingClient, World, bearer, client, world  # noqa: F401


@pytest.fixture
def sw(world: World) -> ScreeningWorld:
    return add_screeners(world)


def _login(client: RecordingClient, username: str) -> str:
    """Log in through the form; the session's CSRF token."""
    page = client.get("/login")
    token = page.text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
    data = {"username": username, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    client.headers["Sec-Fetch-Site"] = "same-origin"
    home: str = client.get("/").text
    return home.split('name="csrf_token" value="')[1].split('"')[0]


def test_form_result_history_and_detail(client: RecordingClient, sw: ScreeningWorld) -> None:
    black_entry(sw, sw.company)
    sw.world.session.commit()
    csrf = _login(client, "cz")
    form = client.get("/console/screening")
    assert form.status_code == 200
    assert 'value="government_procurement"' in form.text and "政府采购" in form.text
    data = {
        "identifier": sw.company.uscc,
        "scenario": "government_procurement",
        "purpose": "",
        "csrf_token": csrf,
    }
    page = client.post("/console/screening", data=data)
    assert page.status_code == 200, page.text
    assert 'data-decision="prohibit"' in page.text and "禁止" in page.text
    assert "CJ-001" in page.text and "政府采购法" in page.text and "HMD-2026-000001" in page.text
    number = page.text.split('id="screening-number">')[1].split("<")[0]
    assert number.startswith("SC-")
    history = client.get("/console/screenings")
    assert number in history.text
    row = sw.world.session.scalars(select(Screening).where(Screening.number == number)).one()
    detail = client.get(f"/console/screenings/{row.id}")
    assert detail.status_code == 200 and 'data-status="valid"' in detail.text
    sw.world.session.execute(
        update(Screening).where(Screening.id == row.id).values(result=dict(row.result) | {"decision": "pass"})
    )
    sw.world.session.commit()
    assert 'data-status="altered"' in client.get(f"/console/screenings/{row.id}").text


def test_form_errors_are_pages_not_500(client: RecordingClient, sw: ScreeningWorld) -> None:
    csrf = _login(client, "cz")
    empty = client.post("/console/screening", data={"identifier": "", "scenario": "", "csrf_token": csrf})
    assert empty.status_code == 422 and "请填写主体标识" in empty.text
    data = {"identifier": "不存在的公司", "scenario": "government_procurement", "csrf_token": csrf}
    missing = client.post("/console/screening", data=data)
    assert missing.status_code == 404 and "未找到该信用主体" in missing.text


def test_a_department_sees_only_its_scenarios_and_its_checks(
    client: RecordingClient, sw: ScreeningWorld
) -> None:
    out = client.post(
        "/api/v1/screening",
        json={"identifier": sw.company.uscc, "scenario": "政府采购"},
        headers=bearer(sw.world, "cz"),
    ).json()
    _login(client, "sw")
    form = client.get("/console/screening")
    assert 'value="government_procurement"' not in form.text
    assert client.get(f"/console/screenings/{out['id']}").status_code == 404
    assert out["number"] not in client.get("/console/screenings").text


def test_the_subject_sees_the_check_in_its_readers(client: RecordingClient, sw: ScreeningWorld) -> None:
    out = client.post(
        "/api/v1/screening",
        json={"identifier": sw.company.uscc, "scenario": "政府采购"},
        headers=bearer(sw.world, "cz"),
    ).json()
    readers = client.get("/api/v1/me/readers", headers=bearer(sw.world, "company")).json()
    mine = [e for e in readers["entries"] if e["organisation"] == "盐城市财政局"]
    assert [e["purpose"] for e in mine] == ["政府采购"]
    assert mine[0]["allowed"] is True and "联合奖惩核查" in mine[0]["legal_basis"]
    assert out["number"]
    _login(client, "company")
    log = client.get("/space/log")
    assert "盐城市财政局" in log.text and "政府采购" in log.text
