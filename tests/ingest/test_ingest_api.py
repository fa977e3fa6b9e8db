"""Collection through the HTTP API, as a department system and a clerk use it: upload, report,
resubmission, the JSON batch API, corrections, revocations, timeliness, and who may do what."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.app import create_app
from xinyong.config import Settings
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import CreditRecord, CreditRecordVersion, Department
from xinyong.security.accounts import create_user, issue_token
from xinyong.security.roles import Role

from conftest import Database
from ingestworld import COMPANY_A, COMPANY_B, DEPT, OTHER_DEPT, build_world, penalty, write_csv

CITY_DEPT = "320900-XYB"


class Api:
    def __init__(
        self, client: TestClient, tokens: dict[str, str], session: Session, clock: FixedClock
    ) -> None:
        self.client, self.tokens, self.session, self.clock = client, tokens, session, clock

    def as_(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def upload(self, user: str, path: Path, item: str = "CF-001") -> tuple[int, dict]:  # type: ignore[type-arg]
        with path.open("rb") as f:
            response = self.client.post(
                "/api/v1/ingest/batches",
                files={"file": (path.name, f, "text/csv")},
                data={"item": item},
                headers=self.as_(user),
            )
        return response.status_code, response.json()

    def records(self) -> int:
        return self.session.scalar(select(func.count()).select_from(CreditRecord)) or 0


@pytest.fixture
def api(
    database: Database,
    session: Session,
    sessions: sessionmaker[Session],
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> Iterator[Api]:
    clock = FixedClock(dt.datetime(2026, 3, 16, 10, 0))
    build_world(session, clock)
    session.add(
        Department(code=CITY_DEPT, name="盐城市信用办", kind="信用办", region_code="320900", level="city")
    )
    session.flush()
    tokens = {}
    settings = Settings()
    for username, role, dept in [
        ("operator", Role.dept_operator, DEPT),
        ("tax", Role.dept_operator, OTHER_DEPT),
        ("office", Role.platform_admin, CITY_DEPT),
        ("reviewer", Role.dept_reviewer, DEPT),
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
        tokens[username] = issue_token(
            session,
            username=username,
            name="t",
            scopes=None,
            days=365,
            settings=settings,
            actor="t",
            clock=clock,
        ).token
    session.commit()
    app = create_app(
        Settings(database_url=database.url, data_dir=tmp_path / "data"), engine=database.engine, clock=clock
    )
    app.state.sessions = sessions
    app.state.cipher = cipher
    with TestClient(app) as client:
        yield Api(client, tokens, session, clock)


def test_upload_three_rows_report_fix_and_resubmit(api: Api, tmp_path: Path) -> None:
    bad_uscc = COMPANY_B[:-1] + ("0" if COMPANY_B[-1] != "0" else "1")
    path = write_csv(
        tmp_path / "三行.csv",
        [
            penalty("P-1"),
            penalty("P-2", subject_id=bad_uscc, name="盐城华美食品有限公司"),
            penalty("P-3", subject_id=COMPANY_B, name="盐城华美食品有限公司", decided="2026-04-01"),
        ],
    )
    status, outcome = api.upload("operator", path)
    assert status == 201
    assert (outcome["accepted"], outcome["rejected"], outcome["dept_code"]) == (1, 2, DEPT)
    reasons = {(i["row_no"], i["field"]): (i["code"], i["message"]) for i in outcome["issues"]}
    assert reasons[(3, "subject_id")][0] == "ID_USCC_CHECK" and "校验位" in reasons[(3, "subject_id")][1]
    assert reasons[(4, "decision_date")][0] == "INGEST_DATE_IN_FUTURE"
    batch = outcome["batch_id"]

    report = api.client.get(f"/api/v1/ingest/batches/{batch}/errors.csv", headers=api.as_("operator"))
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert {(r[0], r[2]) for r in rows[1:]} == {("3", "subject_id"), ("4", "decision_date")}
    rejected = api.client.get(f"/api/v1/ingest/batches/{batch}/rejected", headers=api.as_("operator")).json()
    assert sorted(r["row_no"] for r in rejected) == [3, 4]

    # Another department cannot see the batch at all.
    other = api.client.get(f"/api/v1/ingest/batches/{batch}", headers=api.as_("tax"))
    assert other.status_code == 404 and other.json()["code"] == "INGEST_BATCH_NOT_FOUND"

    fixes = [{"row_no": 3, "subject_id": COMPANY_B}, {"row_no": 4, "decision_date": "2026-03-12"}]
    fixed = api.client.post(
        f"/api/v1/ingest/batches/{batch}/resubmit", json={"fixes": fixes}, headers=api.as_("operator")
    )
    assert fixed.status_code == 201 and (fixed.json()["accepted"], fixed.json()["rejected"]) == (2, 0)
    assert api.records() == 3
    mine = api.client.get("/api/v1/ingest/batches", headers=api.as_("operator")).json()
    assert {b["batch_id"] for b in mine} == {batch, fixed.json()["batch_id"]}

    # The same file again stores nothing twice.
    status, again = api.upload("operator", path)
    assert status == 201 and again["status"] == "duplicate" and again["duplicate_of_id"] == batch
    assert api.records() == 3


def test_unsupported_file_is_refused_with_a_reason(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "penalties.doc"
    path.write_text("not a table", encoding="utf-8")
    status, body = api.upload("operator", path)
    assert status == 422 and body["code"] == "INGEST_FORMAT_UNSUPPORTED" and ".doc" in body["message"]


def test_json_batch_api_and_its_limit(api: Api) -> None:
    body = {"item": "CF-001", "records": [penalty("J-1"), penalty("J-2", subject_id=COMPANY_B)]}
    response = api.client.post("/api/v1/records:batch", json=body, headers=api.as_("operator"))
    assert response.status_code == 201, response.text
    assert response.json()["accepted"] == 2 and response.json()["channel"] == "api"
    same = api.client.post("/api/v1/records:batch", json=body, headers=api.as_("operator"))
    assert same.json()["status"] == "duplicate" and api.records() == 2
    too_many = {"item": "CF-001", "records": [penalty(f"K-{i}") for i in range(10_001)]}
    refused = api.client.post("/api/v1/records:batch", json=too_many, headers=api.as_("operator"))
    assert refused.status_code == 413 and refused.json()["code"] == "INGEST_TOO_MANY_ROWS"
    # A reviewer decides objections; submitting is not its job.
    denied = api.client.post("/api/v1/records:batch", json=body, headers=api.as_("reviewer"))
    assert denied.status_code == 403 and denied.json()["code"] == "SCOPE_MISSING"


def _submit_one(api: Api, key: str, **extra: str) -> int:
    body = {"item": "CF-001", "records": [penalty(key, **extra)]}
    response = api.client.post("/api/v1/records:batch", json=body, headers=api.as_("operator"))
    assert response.status_code == 201 and response.json()["accepted"] == 1, response.text
    record_id = api.session.scalar(select(CreditRecord.id).where(CreditRecord.source_record_id == key))
    assert record_id is not None
    return record_id


def test_correction_keeps_history_and_only_the_source_may_correct(api: Api) -> None:
    record_id = _submit_one(api, "C-1")
    new = penalty("C-1", kind="罚款(巨额)", penalty_content="罚款人民币伍佰万元")
    refused = api.client.post(
        f"/api/v1/records/{record_id}/correction", json={"data": new, "reason": "x"}, headers=api.as_("tax")
    )
    assert refused.status_code in (403, 404)
    corrected = api.client.post(
        f"/api/v1/records/{record_id}/correction",
        json={"data": new, "reason": "复核发现处罚种类填报有误"},
        headers=api.as_("operator"),
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["version"] == 2 and corrected.json()["severity"] == "serious"
    versions = api.session.scalars(
        select(CreditRecordVersion)
        .where(CreditRecordVersion.record_id == record_id)
        .order_by(CreditRecordVersion.version)
    ).all()
    assert [(v.version, v.change) for v in versions] == [(1, "created"), (2, "corrected")]
    assert (
        versions[0].data["penalty_kind"] == "罚款(较大数额)"
        and versions[1].data["penalty_kind"] == "罚款(巨额)"
    )


def test_revocation_unpublishes_at_once(api: Api) -> None:
    record_id = _submit_one(api, "R-1")
    subject_id = api.session.scalar(select(CreditRecord.subject_id).where(CreditRecord.id == record_id))
    public = api.client.get(f"/api/v1/public/subjects/{subject_id}").json()
    assert record_id in [r["id"] for r in public["records"]]
    revoked = api.client.post(
        f"/api/v1/records/{record_id}/revocation",
        json={"reason": "行政复议决定撤销原处罚决定（盐政复决〔2026〕12号）"},
        headers=api.as_("operator"),
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    public = api.client.get(f"/api/v1/public/subjects/{subject_id}").json()
    assert record_id not in [r["id"] for r in public["records"]]


def test_double_publicity_timeliness(api: Api) -> None:
    # Decided 2025-09-26 (the Friday before National Day); received on the 5th and the 12th working day.
    api.clock.set(dt.date(2025, 10, 10))
    _submit_one(api, "T-1", subject_id=COMPANY_A, decided="2025-09-26")
    api.clock.set(dt.date(2025, 10, 20))
    _submit_one(api, "T-2", subject_id=COMPANY_A, decided="2025-09-26")
    on_time = api.session.scalar(select(CreditRecord).where(CreditRecord.source_record_id == "T-1"))
    late = api.session.scalar(select(CreditRecord).where(CreditRecord.source_record_id == "T-2"))
    assert on_time is not None and late is not None
    assert (on_time.delay_workdays, on_time.late) == (5, False)
    assert (late.delay_workdays, late.late) == (12, True)

    report = api.client.get(
        "/api/v1/oversight/timeliness", params={"month": "2025-10"}, headers=api.as_("office")
    )
    assert report.status_code == 200
    (row,) = [d for d in report.json()["departments"] if d["dept_code"] == DEPT]
    assert (row["total"], row["on_time"], row["late"], row["on_time_rate"]) == (2, 1, 1, 0.5)
    assert row["median_delay_workdays"] == 8.5
    mine = api.client.get(
        "/api/v1/oversight/late-records", params={"month": "2025-10"}, headers=api.as_("operator")
    )
    assert [r["source_record_id"] for r in mine.json()] == ["T-2"]
    # A department oversees itself only; the tax office may not look at market regulation's figures.
    other = api.client.get(
        "/api/v1/oversight/timeliness", params={"month": "2025-10", "dept": DEPT}, headers=api.as_("tax")
    )
    assert other.status_code == 403 and other.json()["code"] == "OUT_OF_DATA_RANGE"
    own = api.client.get("/api/v1/oversight/timeliness", params={"month": "2025-10"}, headers=api.as_("tax"))
    assert [d["dept_code"] for d in own.json()["departments"]] in ([], [OTHER_DEPT])


def test_an_oversized_upload_is_refused_with_a_clear_reason(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xinyong.ingest import api as ingest_api

    path = write_csv(tmp_path / "big.csv", [penalty(f"B-{i}") for i in range(50)])
    monkeypatch.setattr(ingest_api, "MAX_UPLOAD_BYTES", path.stat().st_size - 1)
    status, body = api.upload("operator", path)
    assert (status, body["code"]) == (413, "INGEST_FILE_TOO_LARGE")
    assert "xinyong ingest" in body["message"]
    assert api.records() == 0


def test_a_department_submits_only_the_items_it_produces(api: Api, tmp_path: Path) -> None:
    """谁产生、谁提供: the tax office has the scope to submit, but 失信被执行人 (SF-001) is a court's list:
    refused by batch and by file, nothing stored, the upload deleted. A penalty it decided is accepted."""
    court_list = {
        "subject_name": "盐城恒通建设工程有限公司",
        "subject_id": COMPANY_A,
        "source_record_id": "SW-1",
        "decision_no": "（2026）苏0902执1号",
        "decision_date": "2026-03-02",
    }
    refused = api.client.post(
        "/api/v1/records:batch", json={"item": "SF-001", "records": [court_list]}, headers=api.as_("tax")
    )
    assert refused.status_code == 403 and refused.json()["code"] == "INGEST_ITEM_NOT_FOR_DEPARTMENT"
    assert "法院" in refused.json()["message"] and "谁产生" in refused.json()["message"]
    status, upload = api.upload("tax", write_csv(tmp_path / "court.csv", [court_list]), item="SF-001")
    assert status == 403 and upload["code"] == "INGEST_ITEM_NOT_FOR_DEPARTMENT"
    assert not any((tmp_path / "data").rglob("*.csv"))  # the staged upload is gone
    assert api.records() == 0
    accepted = api.client.post(
        "/api/v1/records:batch", json={"item": "CF-001", "records": [penalty("SW-2")]}, headers=api.as_("tax")
    )
    assert accepted.status_code == 201 and accepted.json()["accepted"] == 1
