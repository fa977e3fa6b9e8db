"""The 数据报送 pages of the staff console and their JSON twins, on both databases: a clerk downloads a
template, fills it, uploads it without the script (a bad row among good ones), reads the report, fixes
the bad row in the page and resubmits it; another department sees none of it (the 404 page); the
quality page counts the month."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.app import create_app
from xinyong.config import Settings
from xinyong.console.collection.batches import HIDDEN_FIELDS, fix_of
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import Department, User
from xinyong.security.accounts import create_user, issue_token
from xinyong.security.auth import CSRF_FIELD
from xinyong.security.roles import Role

from conftest import Database
from ingestworld import COMPANY_A, COMPANY_B, DEPT, OTHER_DEPT, build_world
from secworld import PASSWORD, password_hash

CITY_DEPT = "320900-XYB"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAD_USCC = COMPANY_B[:-1] + ("0" if COMPANY_B[-1] != "0" else "1")


class Console:
    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client, self.tokens = client, tokens

    def as_(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def get(self, user: str, url: str) -> tuple[int, str]:
        response = self.client.get(url, headers=self.as_(user), follow_redirects=False)
        return response.status_code, response.text

    def upload(self, user: str, name: str, blob: bytes, item: str = "CF-001") -> tuple[int, str]:
        response = self.client.post(
            "/console/collection/upload",
            files={"file": (name, blob, "text/csv")},
            data={"item": item},
            headers=self.as_(user),
            follow_redirects=False,
        )
        return response.status_code, response.headers.get("location", response.text)


@pytest.fixture
def console(
    database: Database,
    session: Session,
    sessions: sessionmaker[Session],
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> Iterator[Console]:
    clock = FixedClock(dt.datetime(2026, 3, 16, 10, 0))
    build_world(session, clock)
    session.add(
        Department(code=CITY_DEPT, name="盐城市信用办", kind="信用办", region_code="320900", level="city")
    )
    session.flush()
    tokens = {}
    for username, role, dept in [
        ("operator", Role.dept_operator, DEPT),
        ("tax", Role.dept_operator, OTHER_DEPT),
        ("office", Role.platform_admin, CITY_DEPT),
    ]:
        create_user(
            session,
            username=username,
            display_name=username,
            roles=[role],
            password=None,
            actor="t",
            clock=clock,
            department_code=dept,
        )
        issued = issue_token(
            session,
            username=username,
            name="t",
            scopes=None,
            days=30,
            settings=Settings(),
            actor="t",
            clock=clock,
        )
        tokens[username] = issued.token
    session.commit()
    app = create_app(
        Settings(database_url=database.url, data_dir=tmp_path / "data"), engine=database.engine, clock=clock
    )
    app.state.sessions = sessions
    app.state.cipher = cipher
    with TestClient(app) as client:
        yield Console(client, tokens)


def _filled_template(console: Console) -> bytes:
    """The CSV template of CF-001 as downloaded, its example row filled with a real penalty, and a second
    row copied from it with a wrong check digit in the subject's code."""
    response = console.client.get("/api/v1/ingest/templates/CF-001.csv", headers=console.as_("operator"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    header, example = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    good = dict(zip(header, example, strict=True))
    good.update(
        {"行政相对人名称": "盐城恒通建设工程有限公司", "统一社会信用代码": COMPANY_A, "数据标识": "PG-1"}
    )
    bad = {**good, "行政相对人名称": "盐城华美食品有限公司", "统一社会信用代码": BAD_USCC, "数据标识": "PG-2"}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[row[h] for h in header] for row in (good, bad)])
    return out.getvalue().encode("utf-8")


def _batch_id(location: str) -> int:
    found = re.fullmatch(r"/console/batches/(\d+)", location)
    assert found, location
    return int(found.group(1))


def test_the_clerk_uploads_fixes_in_the_page_and_resubmits(console: Console) -> None:
    status, page = console.get("operator", "/console/collection")
    assert status == 200 and "CF-001" in page and "/api/v1/ingest/templates/CF-001.xlsx" in page
    assert 'id="upload-form"' in page and "/static/upload.js" in page

    status, location = console.upload("operator", "处罚.csv", _filled_template(console))
    assert status == 303
    batch = _batch_id(location)
    status, report = console.get("operator", location)
    assert status == 200
    assert re.search(r'id="count-accepted">1<', report) and re.search(r'id="count-rejected">1<', report)
    assert "校验位" in report and f"/console/batches/{batch}/rejected" in report
    assert f"/api/v1/ingest/batches/{batch}/errors.xlsx" in report

    status, history = console.get("operator", "/console/batches")
    assert status == 200 and f'href="/console/batches/{batch}"' in history

    status, form = console.get("operator", f"/console/batches/{batch}/rejected")
    assert status == 200 and 'id="fix-3"' in form and 'aria-invalid="true"' in form and "校验位" in form
    fixed = console.client.post(
        f"/console/batches/{batch}/rejected",
        data={"row_no": "3", "subject_id": COMPANY_B, HIDDEN_FIELDS: ""},
        headers=console.as_("operator"),
        follow_redirects=False,
    )
    assert fixed.status_code == 303
    new_batch = _batch_id(fixed.headers["location"])
    status, result = console.get("operator", fixed.headers["location"])
    assert status == 200 and 'id="resubmitted"' in result
    assert re.search(r'id="count-accepted">1<', result) and re.search(r'id="count-rejected">0<', result)
    outcome = console.client.get(
        f"/api/v1/ingest/batches/{new_batch}", headers=console.as_("operator")
    ).json()
    assert (outcome["accepted"], outcome["rejected"], outcome["resubmission_of_id"]) == (1, 0, batch)
    status, form = console.get("operator", f"/console/batches/{batch}/rejected")
    assert status == 200 and 'id="no-rejected"' in form


def test_a_fix_that_names_no_rejected_row_comes_back_on_the_form(console: Console) -> None:
    _status, location = console.upload("operator", "处罚.csv", _filled_template(console))
    batch = _batch_id(location)
    again = console.client.post(
        f"/console/batches/{batch}/rejected", data={"row_no": "2"}, headers=console.as_("operator")
    )
    assert (
        again.status_code == 422
        and "不是该批次中待更正的被拒收行" in again.text
        and 'id="fix-3"' in again.text
    )


def test_another_department_gets_the_not_found_page(console: Console) -> None:
    _status, location = console.upload("operator", "处罚.csv", _filled_template(console))
    batch = _batch_id(location)
    for url in (f"/console/batches/{batch}", f"/console/batches/{batch}/rejected", "/console/batches/999999"):
        status, page = console.get("tax", url)
        assert status == 404 and "批次" in page and "不存在" in page and "<html" in page
    posted = console.client.post(
        f"/console/batches/{batch}/rejected", data={"row_no": "3"}, headers=console.as_("tax")
    )
    assert posted.status_code == 404
    _status, history = console.get("tax", "/console/batches")
    assert f"/console/batches/{batch}" not in history
    # the credit office of the region reads the report; it cannot resubmit for the department
    assert console.get("office", f"/console/batches/{batch}")[0] == 200
    office = console.client.post(
        f"/console/batches/{batch}/rejected", data={"row_no": "3"}, headers=console.as_("office")
    )
    assert office.status_code == 404


def test_a_file_the_upload_refuses_comes_back_on_the_form(console: Console) -> None:
    status, page = console.upload("operator", "处罚.txt", b"hello")
    assert status == 422 and "不支持的文件类型" in page and 'id="upload-form"' in page


def test_the_xlsx_template_is_accepted_as_downloaded(console: Console) -> None:
    blob = console.client.get("/api/v1/ingest/templates/CF-001.xlsx", headers=console.as_("operator"))
    assert blob.status_code == 200 and blob.headers["content-type"] == XLSX
    response = console.client.post(
        "/api/v1/ingest/batches",
        files={"file": ("模板.xlsx", blob.content, XLSX)},
        data={"item": "CF-001"},
        headers=console.as_("operator"),
    )
    assert response.status_code == 201 and (response.json()["accepted"], response.json()["rejected"]) == (
        1,
        0,
    )


def test_items_twin_and_the_credit_office_page(console: Console) -> None:
    items = console.client.get("/api/v1/ingest/items", headers=console.as_("operator")).json()
    assert "CF-001" in {i["code"] for i in items} and "SF-001" not in {i["code"] for i in items}
    assert console.client.get("/api/v1/ingest/items", headers=console.as_("office")).json() == []
    status, page = console.get("office", "/console/collection")
    assert status == 200 and 'id="no-items"' in page
    missing = console.client.get("/api/v1/ingest/templates/XX-999.csv", headers=console.as_("operator"))
    assert missing.status_code == 404 and missing.json()["code"] == "CATALOG_ITEM_NOT_FOUND"


def test_quality_by_month(console: Console) -> None:
    console.upload("operator", "处罚.csv", _filled_template(console))
    report = console.client.get(
        "/api/v1/oversight/quality", params={"month": "2026-03"}, headers=console.as_("operator")
    ).json()
    (dept,) = report["departments"]
    march = dept["months"][-1]
    assert dept["dept_code"] == DEPT and len(dept["months"]) == 12 and march["month"] == "2026-03"
    assert (march["rows"], march["rejected"], march["rejected_rate"], march["records"]) == (2, 1, 0.5, 1)
    assert march["on_time_rate"] == 1.0 and march["late"] == 0
    status, page = console.get("operator", "/console/quality")
    assert status == 200 and "2026-03" in page and "50.0%" in page
    status, page = console.get("office", "/console/quality")
    assert status == 200 and "亭湖区市场监督管理局" in page and f"dept={DEPT}" in page
    status, page = console.get("office", f"/console/quality?dept={DEPT}&month=2026-03")
    assert status == 200 and "近 12 个月" in page
    assert console.get("tax", f"/console/quality?dept={DEPT}")[0] == 403
    assert console.get("operator", "/console/quality?month=2026-13")[0] == 422


def test_a_fix_clears_what_was_emptied_and_keeps_what_was_not_shown() -> None:
    form = {
        CSRF_FIELD: "t",
        "row_no": "3",
        "subject_id": "",
        "fine_amount": "",
        "violation": " 改 ",
        HIDDEN_FIELDS: "subject_id",
    }
    assert fix_of(form) == {"row_no": "3", "fine_amount": None, "violation": "改"}


def test_a_browser_session_posts_both_forms_with_its_csrf_token(console: Console, session: Session) -> None:
    """Without the script, the forms carry the session's CSRF token in a hidden field; with it, the upload
    sends it in the X-CSRF-Token header; without the token, nothing is stored."""
    user = session.scalars(select(User).where(User.username == "operator")).one()
    user.password_hash = password_hash()
    session.commit()
    client, own = console.client, {"Sec-Fetch-Site": "same-origin"}
    token = client.get("/login").text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
    form = {"username": "operator", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    page = client.get("/console/collection", headers=own).text
    csrf = page.split('data-csrf="')[1].split('"')[0]
    assert csrf and f'name="{CSRF_FIELD}" value="{csrf}"' in page
    blob = _filled_template(console)
    files = {"file": ("处罚.csv", blob, "text/csv")}
    forged = client.post(
        "/console/collection/upload", files=files, data={"item": "CF-001"}, follow_redirects=False
    )
    assert forged.status_code == 403
    sent = client.post(
        "/console/collection/upload",
        files=files,
        data={"item": "CF-001", CSRF_FIELD: csrf},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    batch = _batch_id(sent.headers["location"])
    by_script = client.post(
        "/api/v1/ingest/batches",
        files={"file": ("处罚2.csv", blob.replace(b"PG-", b"JS-"), "text/csv")},
        data={"item": "CF-001"},
        headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
    )
    assert by_script.status_code == 201 and by_script.json()["rejected"] == 1
    fix = {"row_no": "3", "subject_id": COMPANY_B}
    refused = client.post(f"/console/batches/{batch}/rejected", data=fix, follow_redirects=False)
    assert refused.status_code == 403
    fixed = client.post(
        f"/console/batches/{batch}/rejected", data={**fix, CSRF_FIELD: csrf}, follow_redirects=False
    )
    assert fixed.status_code == 303


def test_a_citizen_id_is_not_shown_and_kept_when_left_empty(console: Console) -> None:
    """A person's rejected row: the encrypted citizen ID is not in the form and, left empty, keeps the
    value first submitted; a value that merely begins with a bracket (a court-style 文号) is shown."""
    response = console.client.get("/api/v1/ingest/templates/ZG-001.csv", headers=console.as_("operator"))
    header, example = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = dict(zip(header, example, strict=True))
    row.update({"证书编号": "（2026）资1号", "资格类别": "不存在的类别"})
    out = io.StringIO()
    csv.writer(out).writerows([header, [row[h] for h in header]])
    _status, location = console.upload("operator", "资格.csv", out.getvalue().encode(), item="ZG-001")
    batch = _batch_id(location)
    status, form = console.get("operator", f"/console/batches/{batch}/rejected")
    assert status == 200 and 'value="（2026）资1号"' in form
    assert 'id="r2-subject_id" name="subject_id" value=""' in form and row["公民身份号码"] not in form
    assert f'name="{HIDDEN_FIELDS}" value="subject_id"' in form
    fixed = console.client.post(
        f"/console/batches/{batch}/rejected",
        data={"row_no": "2", "subject_id": "", "qualification_class": "准入类", HIDDEN_FIELDS: "subject_id"},
        headers=console.as_("operator"),
        follow_redirects=False,
    )
    assert fixed.status_code == 303
    _status, result = console.get("operator", fixed.headers["location"])
    assert re.search(r'id="count-accepted">1<', result), result
