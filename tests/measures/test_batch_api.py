"""Batch screening over HTTP: a JSON list and a CSV/XLSX upload run to a stored, signed result; progress and
downloads; unfound identifiers reported per row; object checks (another department's batch is not found,
a scenario the department implements no measure of is refused); bad files refused in Chinese; every found
subject in the query log, the chain intact."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import querychain
from xinyong.audit.findings import Report
from xinyong.audit.keys import current_key
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.measures import batch_service
from xinyong.models import QueryLogEntry
from xinyong.models.measures import ScreeningBatch

from conftest import Database
from feedbackworld import FeedbackWorld, add_departments, make_entry
from screeningworld import other_city_office
from secworld import PASSWORD, PERSON_RIC, RecordingClient, bearer, build_world, make_client

TODAY = dt.datetime(2026, 3, 16, 10, 0)
API = "/api/v1/screening/batches"


@pytest.fixture
def fw(session: Session, cipher: PersonalDataCipher) -> FeedbackWorld:
    world = build_world(session, FixedClock(TODAY), cipher)
    fw = add_departments(world)
    assert world.company is not None
    make_entry(session, world.company, world.depts["a"], published=dt.date(2026, 1, 10))
    session.commit()
    return fw


@pytest.fixture
def client(
    fw: FeedbackWorld,
    database: Database,
    sessions: sessionmaker[Session],
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> Iterator[RecordingClient]:
    owners = {token: username for username, token in fw.world.tokens.items()}
    with make_client(database, sessions, fw.world.clock, cipher, owners, data_dir=tmp_path) as c:
        yield c


def _identifiers(fw: FeedbackWorld) -> list[str]:
    assert fw.world.company is not None and fw.world.company.uscc is not None
    return [fw.world.company.uscc, PERSON_RIC, "91320900MA00000XXX", "不存在的公司", fw.world.company.name]


def test_a_json_list_runs_to_a_signed_result(
    fw: FeedbackWorld, client: RecordingClient, session: Session
) -> None:
    body = {"identifiers": _identifiers(fw), "scenario": "政府采购"}
    made = client.post(API, json=body, headers=bearer(fw.world, "cz_a"))
    assert made.status_code == 202, made.text
    got = client.get(f"{API}/{made.json()['id']}", headers=bearer(fw.world, "cz_a")).json()
    assert got["state"] == "done" and got["percent"] == 100 and got["total"] == 5
    summary = got["summary"]
    assert (summary["prohibit"], summary["pass"], summary["not_found"]) == (2, 1, 2)
    csv = client.get(got["downloads"]["csv"], headers=bearer(fw.world, "cz_a"))
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    table = pl.read_csv(io.BytesIO(csv.content[3:]), infer_schema=False)
    assert table.get_column("核查结果").to_list() == ["禁止", "通过", "未找到", "未找到", "禁止"]
    assert table.get_column("说明").to_list()[2:4] == ["代码校验未通过", "未找到使用该标识的信用主体"]
    assert "CJ-001" in table.get_column("适用措施").to_list()[0]
    assert PERSON_RIC not in csv.text  # the citizen ID is masked in the stored result
    lines = client.get(got["downloads"]["json"], headers=bearer(fw.world, "cz_a")).text.splitlines()
    assert json.loads(lines[0])["核查结果"] == "禁止"
    xlsx = client.get(got["downloads"]["xlsx"], headers=bearer(fw.world, "cz_a"))
    assert pl.read_excel(io.BytesIO(xlsx.content)).height == 5
    row = session.get(ScreeningBatch, got["id"])
    assert row is not None and row.code == got["code"]
    assert batch_service.verify(row, csv.content)
    assert not batch_service.verify(row, csv.content.replace("禁止".encode(), "通过".encode(), 1))
    check = client.get(f"{API}/{got['id']}/verification", headers=bearer(fw.world, "cz_a")).json()
    assert check == {
        "number": got["number"],
        "sha256": got["result_sha256"],
        "code": got["code"],
        "intact": True,
    }
    stored = Path(str(row.result_path))
    stored.write_bytes(stored.read_bytes().replace("禁止".encode(), "通过".encode(), 1))
    altered = client.get(f"{API}/{got['id']}/verification", headers=bearer(fw.world, "cz_a")).json()
    assert altered["intact"] is False
    logged = session.scalars(
        select(QueryLogEntry.subject_id).where(QueryLogEntry.target == f"screening_batch:{got['number']}")
    ).all()
    assert fw.world.person is not None and fw.world.company is not None
    assert sorted(s for s in logged if s is not None) == sorted([fw.world.company.id, fw.world.person.id])
    report = Report()
    assert not querychain.walk(session, current_key(), report).broken, report.problems
    # The company sees the batch in "who looked at my file".
    readers = client.get("/api/v1/me/query-log", headers=bearer(fw.world, "company"))
    entries = readers.json()["entries"]
    assert [(e["department"], e["purpose"], e["target"]) for e in entries] == [
        ("亭湖区财政局", "政府采购", f"screening_batch:{got['number']}")
    ]


def test_an_uploaded_file_and_bad_files(fw: FeedbackWorld, client: RecordingClient) -> None:
    text = "主体标识\n" + "\n".join(_identifiers(fw)) + "\n"
    made = client.post(
        API,
        files={"file": ("名单.csv", text.encode("utf-8-sig"), "text/csv")},
        data={"scenario": "government_procurement", "purpose": "政府采购"},
        headers=bearer(fw.world, "cz_a"),
    )
    assert made.status_code == 202, made.text
    assert made.json()["file_name"] == "名单.csv"
    done = client.get(f"{API}/{made.json()['id']}", headers=bearer(fw.world, "cz_a")).json()
    assert done["summary"]["not_found"] == 2
    for name, content in [("a.txt", b"x"), ("a.xlsx", b"not a workbook"), ("a.csv", "主体标识\n".encode())]:
        bad = client.post(
            API,
            files={"file": (name, content, "application/octet-stream")},
            data={"scenario": "政府采购"},
            headers=bearer(fw.world, "cz_a"),
        )
        assert bad.status_code == 422, (name, bad.text)
        assert bad.json()["code"] == "SCREENING_BATCH_INVALID"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in bad.json()["message"])
    empty = client.post(
        API, json={"identifiers": [], "scenario": "政府采购"}, headers=bearer(fw.world, "cz_a")
    )
    assert empty.status_code == 422


def test_another_department_sees_nothing(fw: FeedbackWorld, client: RecordingClient) -> None:
    made = client.post(
        API, json={"identifiers": _identifiers(fw), "scenario": "政府采购"}, headers=bearer(fw.world, "cz_a")
    )
    batch_id = made.json()["id"]
    for path in ("", "/result.csv", "/result.xlsx", "/result.json", "/verification"):
        other = client.get(f"{API}/{batch_id}{path}", headers=bearer(fw.world, "cz_b"))
        assert other.status_code == 404 and other.json()["code"] == "SCREENING_BATCH_NOT_FOUND", path
    assert client.get(API, headers=bearer(fw.world, "cz_b")).json() == []
    assert [b["id"] for b in client.get(API, headers=bearer(fw.world, "cz_a")).json()] == [batch_id]
    # The credit office sees every department's batches.
    assert client.get(f"{API}/{batch_id}", headers=bearer(fw.world, "checker")).status_code == 200


def test_a_scenario_the_department_does_not_implement(fw: FeedbackWorld, client: RecordingClient) -> None:
    refused = client.post(
        API, json={"identifiers": _identifiers(fw), "scenario": "人员录用"}, headers=bearer(fw.world, "cz_a")
    )
    assert refused.status_code == 403 and refused.json()["code"] == "SCREENING_SCENARIO_NOT_YOURS"
    unknown = client.post(
        API,
        json={"identifiers": _identifiers(fw), "scenario": "没有的场景"},
        headers=bearer(fw.world, "cz_a"),
    )
    assert unknown.status_code == 422


def _login(client: RecordingClient, username: str) -> str:
    """Log in through the form, as a browser on the platform's own pages; the session's CSRF token."""
    page = client.get("/login")
    token = page.text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
    data = {"username": username, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    client.headers["Sec-Fetch-Site"] = "same-origin"
    home: str = client.get("/").text
    return home.split('name="csrf_token" value="')[1].split('"')[0]


def test_the_pages(fw: FeedbackWorld, client: RecordingClient) -> None:
    csrf = _login(client, "cz_a")
    page = client.get("/console/screening/batches")
    assert page.status_code == 200 and "批量核查" in page.text and "政府采购" in page.text
    text = "主体标识\n" + "\n".join(_identifiers(fw)) + "\n"
    bad = client.post(
        "/console/screening/batches",
        files={"file": ("名单.txt", text.encode(), "text/plain")},
        data={"scenario": "government_procurement", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert bad.status_code == 422 and "不支持的文件类型" in bad.text
    posted = client.post(
        "/console/screening/batches",
        files={"file": ("名单.csv", text.encode(), "text/csv")},
        data={"scenario": "government_procurement", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    detail = client.get(posted.headers["location"])
    assert detail.status_code == 200 and "禁止" in detail.text and "result.csv" in detail.text
    assert "一致：结果文件未被改动" in detail.text
    assert "名单.csv" in detail.text
    assert posted.headers["location"] in client.get("/console/screening/batches").text


def test_mistyped_citizen_ids_and_numbers_in_names_are_masked(
    fw: FeedbackWorld, client: RecordingClient
) -> None:
    wrong_check = PERSON_RIC[:17] + ("0" if PERSON_RIC[17] != "0" else "1")
    in_a_name = "张三13912345678"
    body = {"identifiers": [wrong_check, in_a_name], "scenario": "政府采购"}
    made = client.post(API, json=body, headers=bearer(fw.world, "cz_a"))
    assert made.status_code == 202, made.text
    got = client.get(f"{API}/{made.json()['id']}", headers=bearer(fw.world, "cz_a")).json()
    for kind in ("csv", "json"):
        text = client.get(got["downloads"][kind], headers=bearer(fw.world, "cz_a")).text
        assert wrong_check not in text and "13912345678" not in text, text
        assert wrong_check[:4] in text and "张三" in text


def test_another_citys_credit_office_does_not_see_the_batch(
    fw: FeedbackWorld, client: RecordingClient
) -> None:
    other_city_office(fw.world)
    body = {"identifiers": _identifiers(fw), "scenario": "政府采购"}
    made = client.post(API, json=body, headers=bearer(fw.world, "cz_a")).json()
    url = f"{API}/{made['id']}"
    assert client.get(url, headers=bearer(fw.world, "admin")).status_code == 200
    refused = client.get(url, headers=bearer(fw.world, "nj_admin"))
    assert refused.status_code == 404 and refused.json()["code"] == "SCREENING_BATCH_NOT_FOUND"
    assert client.get(f"{url}/result.csv", headers=bearer(fw.world, "nj_admin")).status_code == 404
    assert client.get(API, headers=bearer(fw.world, "nj_admin")).json() == []
