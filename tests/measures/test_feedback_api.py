"""Feedback over HTTP: an implementing unit's tasks, reporting back with validation, object checks (another
department's task is not found), overdue on fixed dates, rates per department, and the pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.measures.feedback import open_tasks
from xinyong.models import AuditEntry, FeedbackTask, ListEntry, Objection, ObjectionStatus, ObjectionTarget
from xinyong.models.measures import TaskStatus

from conftest import Database
from feedbackworld import FeedbackWorld, add_departments, make_entry
from secworld import PASSWORD, RecordingClient, bearer, build_world, make_client

#: Published on Friday 2025-09-26; due ten working days later, across 国庆, on Thursday 2025-10-16.
PUBLISHED = dt.date(2025, 9, 26)
DUE = dt.date(2025, 10, 16)


@pytest.fixture
def fw(session: Session, cipher: PersonalDataCipher) -> FeedbackWorld:
    world = build_world(session, FixedClock(dt.datetime(2025, 9, 26, 9)), cipher)
    fw = add_departments(world)
    assert world.company is not None
    entry = make_entry(session, world.company, world.depts["a"], published=PUBLISHED)
    open_tasks(session, entry, actor="user:admin", clock=world.clock)
    session.commit()
    return fw


@pytest.fixture
def client(
    fw: FeedbackWorld, database: Database, sessions: sessionmaker[Session], cipher: PersonalDataCipher
) -> Iterator[RecordingClient]:
    owners = {token: username for username, token in fw.world.tokens.items()}
    with make_client(database, sessions, fw.world.clock, cipher, owners) as c:
        yield c


def _task(session: Session, fw: FeedbackWorld, dept: str, measure: str = "CJ-001") -> FeedbackTask:
    dept_id = {**fw.world.depts, **fw.depts}[dept].id
    found = session.scalar(
        select(FeedbackTask).where(
            FeedbackTask.department_id == dept_id, FeedbackTask.measure_code == measure
        )
    )
    assert found is not None
    return found


def test_an_implementing_unit_lists_its_own_tasks(fw: FeedbackWorld, client: RecordingClient) -> None:
    body = client.get("/api/v1/feedback/tasks", headers=bearer(fw.world, "cz_city")).json()
    assert body["total"] >= 2
    assert {t["department_code"] for t in body["items"]} == {fw.depts["cz_city"].code}
    task = next(t for t in body["items"] if t["measure"]["code"] == "CJ-001")
    assert task["status"] == "open" and task["due_on"] == DUE.isoformat() and task["overdue"] is False
    assert task["entry"]["number"] == "HMD-2026-000001"
    assert task["entry"]["subject_code"] == fw.world.company.uscc  # type: ignore[union-attr]
    assert "政府采购法" in task["measure"]["legal_basis"]
    assert task["entry"]["scope_legal_basis"]
    assert (
        task["created_at"].endswith("+08:00") and task["entry"]["published_at"] == "2025-09-26T10:00:00+08:00"
    )
    # County B's finance office has no task on a county A company.
    assert client.get("/api/v1/feedback/tasks", headers=bearer(fw.world, "cz_b")).json()["total"] == 0


def test_report_applied_with_a_case_reference(
    fw: FeedbackWorld, client: RecordingClient, session: Session
) -> None:
    task = _task(session, fw, "cz_city")
    fw.world.clock.set(dt.datetime(2025, 10, 9, 15))
    response = client.post(
        f"/api/v1/feedback/tasks/{task.id}/report",
        json={"outcome": "applied", "case_ref": "YCCG-2025-0317"},
        headers=bearer(fw.world, "cz_city"),
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["status"] == "applied" and out["case_ref"] == "YCCG-2025-0317" and out["late"] is False
    assert out["reported_by"] == "cz_city"
    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "feedback.reported", AuditEntry.entity_id == str(task.id)
        )
    ).all()
    assert len(audit) == 1 and audit[0].actor.startswith("user:cz_city")
    # Once answered, the task takes no second answer.
    again = client.post(
        f"/api/v1/feedback/tasks/{task.id}/report",
        json={"outcome": "applied"},
        headers=bearer(fw.world, "cz_city"),
    )
    assert again.status_code == 409 and again.json()["code"] == "FEEDBACK_TASK_CLOSED"


@pytest.mark.parametrize("outcome", ["not_applicable", "objection"])
def test_not_applicable_and_objection_need_a_reason(
    fw: FeedbackWorld, client: RecordingClient, session: Session, outcome: str
) -> None:
    task = _task(session, fw, "cz_a")
    url, headers = f"/api/v1/feedback/tasks/{task.id}/report", bearer(fw.world, "cz_a")
    refused = client.post(url, json={"outcome": outcome, "note": "   "}, headers=headers)
    assert refused.status_code == 422 and refused.json()["code"] == "FEEDBACK_REASON_REQUIRED"
    note = (
        "该主体本年度未参加本级政府采购" if outcome == "not_applicable" else "处罚决定已被复议撤销，认定有误"
    )
    ok = client.post(url, json={"outcome": outcome, "note": note}, headers=headers)
    assert ok.status_code == 200 and ok.json()["status"] == outcome and ok.json()["note"] == note


def test_bad_input_is_a_4xx_not_a_500(fw: FeedbackWorld, client: RecordingClient, session: Session) -> None:
    task = _task(session, fw, "cz_a")
    headers = bearer(fw.world, "cz_a")
    for body in (
        {"outcome": "maybe"},
        {},
        {"outcome": "applied", "note": "x" * 5000},
        {"outcome": "applied", "x": 1},
    ):
        response = client.post(f"/api/v1/feedback/tasks/{task.id}/report", json=body, headers=headers)
        assert 400 <= response.status_code < 500, body
    assert client.get("/api/v1/feedback/tasks?status=nonsense", headers=headers).status_code == 422
    assert client.get("/api/v1/feedback/tasks/0", headers=headers).status_code == 422


def test_another_departments_task_is_not_found(
    fw: FeedbackWorld, client: RecordingClient, session: Session
) -> None:
    """cz_b holds feedback:report but the task is cz_city's: the same 404 as a task that does not exist."""
    task = _task(session, fw, "cz_city")
    for username in ("cz_b", "cz_a", "checker"):
        headers = bearer(fw.world, username)
        got = client.get(f"/api/v1/feedback/tasks/{task.id}", headers=headers)
        assert got.status_code == 404 and got.json()["code"] == "FEEDBACK_TASK_NOT_FOUND"
        posted = client.post(
            f"/api/v1/feedback/tasks/{task.id}/report", json={"outcome": "applied"}, headers=headers
        )
        assert posted.status_code == 404 and posted.json()["code"] == "FEEDBACK_TASK_NOT_FOUND"
        page = client.get(f"/console/feedback/{task.id}", headers=headers)
        assert page.status_code == 404
    missing = client.get("/api/v1/feedback/tasks/999999", headers=bearer(fw.world, "cz_b")).json()
    assert missing["code"] == "FEEDBACK_TASK_NOT_FOUND"
    assert session.get(FeedbackTask, task.id).status is TaskStatus.open  # type: ignore[union-attr]


def test_overdue_on_fixed_dates(fw: FeedbackWorld, client: RecordingClient, session: Session) -> None:
    """Due Thursday 2025-10-16: not overdue that day, overdue the next; a report on the 17th is late."""
    headers = bearer(fw.world, "cz_city")
    fw.world.clock.set(DUE)
    assert client.get("/api/v1/feedback/tasks?overdue=true", headers=headers).json()["total"] == 0
    fw.world.clock.set(DUE + dt.timedelta(days=1))
    overdue = client.get("/api/v1/feedback/tasks?overdue=true", headers=headers).json()
    assert overdue["total"] >= 2 and all(t["overdue"] for t in overdue["items"])
    task = _task(session, fw, "cz_city")
    fw.world.clock.set(dt.datetime(2025, 10, 17, 8, 30))
    out = client.post(
        f"/api/v1/feedback/tasks/{task.id}/report", json={"outcome": "applied"}, headers=headers
    ).json()
    assert out["late"] is True and out["overdue"] is False


def test_a_task_due_before_a_holiday_is_overdue_during_it(
    fw: FeedbackWorld, client: RecordingClient, session: Session
) -> None:
    """Published Tuesday 2025-09-16: the 10th working day is Monday 09-29 (Sunday 09-28 is worked), before
    国庆; on 2025-10-03, a holiday, the task is overdue."""
    assert fw.world.company is not None
    entry = make_entry(
        session,
        fw.world.company,
        fw.world.depts["a"],
        published=dt.date(2025, 9, 16),
        number="HMD-2025-000002",
    )
    tasks = open_tasks(session, entry, actor="t", clock=fw.world.clock)
    session.commit()
    assert {t.due_on for t in tasks} == {dt.date(2025, 9, 29)}
    fw.world.clock.set(dt.date(2025, 10, 3))
    body = client.get("/api/v1/feedback/tasks?overdue=true", headers=bearer(fw.world, "cz_city")).json()
    assert {t["entry"]["number"] for t in body["items"]} == {"HMD-2025-000002"}


def test_rates_per_department(fw: FeedbackWorld, client: RecordingClient, session: Session) -> None:
    """cz_city answers both its tasks (one on time, one late); cz_a answers none; on 2025-10-20 the
    credit office sees 100 % / 50 % on time for the city and 0 % with two overdue for county A."""
    headers = bearer(fw.world, "cz_city")
    fw.world.clock.set(dt.datetime(2025, 10, 10, 9))
    client.post(
        f"/api/v1/feedback/tasks/{_task(session, fw, 'cz_city').id}/report",
        json={"outcome": "applied"},
        headers=headers,
    )
    fw.world.clock.set(dt.datetime(2025, 10, 17, 9))
    late = _task(session, fw, "cz_city", "CJ-002")
    client.post(
        f"/api/v1/feedback/tasks/{late.id}/report",
        json={"outcome": "not_applicable", "note": "无财政资金申请"},
        headers=headers,
    )
    fw.world.clock.set(dt.date(2025, 10, 20))
    body = client.get("/api/v1/oversight/feedback?kind=财政", headers=bearer(fw.world, "admin")).json()
    rows = {d["department_code"]: d for d in body["departments"]}
    city, county = rows[fw.depts["cz_city"].code], rows[fw.depts["cz_a"].code]
    assert (city["tasks"], city["reported"], city["reported_on_time"], city["overdue_open"]) == (2, 2, 1, 0)
    assert city["rate"] == 1.0 and city["on_time_rate"] == 0.5
    assert (county["tasks"], county["reported"], county["overdue_open"], county["rate"]) == (2, 0, 2, 0.0)
    assert fw.depts["cz_b"].code not in rows
    assert {d["department_kind"] for d in body["departments"]} == {"财政"}
    # A department operator oversees its own department only: county A's market regulator.
    mine = client.get("/api/v1/oversight/feedback", headers=bearer(fw.world, "operator_a")).json()
    assert [d["department_code"] for d in mine["departments"]] == [fw.world.depts["a"].code]


def test_closed_tasks_are_not_counted_as_unanswered(
    fw: FeedbackWorld, client: RecordingClient, session: Session
) -> None:
    task = _task(session, fw, "cz_a")
    task.status = TaskStatus.closed
    session.commit()
    body = client.get("/api/v1/oversight/feedback?kind=财政", headers=bearer(fw.world, "admin")).json()
    row = next(d for d in body["departments"] if d["department_code"] == fw.depts["cz_a"].code)
    assert row["closed"] == 1 and row["tasks"] == row["open"]


def _login(client: RecordingClient, username: str) -> str:
    """Log in through the form, as a browser on the platform's own pages; the session's CSRF token."""
    page = client.get("/login")
    token = page.text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
    data = {"username": username, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    client.headers["Sec-Fetch-Site"] = "same-origin"
    home: str = client.get("/").text
    return home.split('name="csrf_token" value="')[1].split('"')[0]


def test_pages_list_show_and_report(fw: FeedbackWorld, client: RecordingClient, session: Session) -> None:
    csrf = _login(client, "cz_city")
    listing = client.get("/console/feedback")
    assert (
        listing.status_code == 200
        and "HMD-2026-000001" in listing.text
        and "限制参加政府采购活动" in listing.text
    )
    task = _task(session, fw, "cz_city")
    detail = client.get(f"/console/feedback/{task.id}")
    assert detail.status_code == 200 and "《中华人民共和国政府采购法》" in detail.text
    refused = client.post(
        f"/console/feedback/{task.id}/report",
        data={"outcome": "objection", "note": "", "case_ref": "", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert refused.status_code == 422 and "须说明理由" in refused.text
    done = client.post(
        f"/console/feedback/{task.id}/report",
        data={"outcome": "applied", "note": "", "case_ref": "YCCG-2025-0317", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get(done.headers["location"]).text
    assert "反馈已提交" in shown and "YCCG-2025-0317" in shown
    without_csrf = client.post(
        f"/console/feedback/{_task(session, fw, 'cz_city', 'CJ-002').id}/report", data={"outcome": "applied"}
    )
    assert without_csrf.status_code == 403


def test_rates_page_for_the_credit_office(fw: FeedbackWorld, client: RecordingClient) -> None:
    _login(client, "admin")
    page = client.get("/console/feedback/rates")
    assert page.status_code == 200 and "盐城市财政局" in page.text and "<svg" in page.text


def test_list_entries_are_untouched_by_feedback(
    fw: FeedbackWorld, client: RecordingClient, session: Session
) -> None:
    """Reporting never changes the entry (an objection is recorded on the task, for the initiator)."""
    task = _task(session, fw, "cz_a")
    client.post(
        f"/api/v1/feedback/tasks/{task.id}/report",
        json={"outcome": "objection", "note": "认定依据的处罚决定已撤销"},
        headers=bearer(fw.world, "cz_a"),
    )
    entry = session.get(ListEntry, task.entry_id)
    assert entry is not None and entry.state.value == "published"


def test_an_objection_on_the_entry_suspends_its_tasks(
    fw: FeedbackWorld, client: RecordingClient, session: Session
) -> None:
    """While the subject's objection on the entry is open, its measures are suspended: the tasks say so
    and are not overdue (in the listing nor in the rates); once it is answered they are again."""
    assert fw.world.company is not None
    entry = session.scalars(select(ListEntry)).one()
    objection = Objection(
        target_kind=ObjectionTarget.entry, target_id=entry.id, subject_id=fw.world.company.id,
        dept_id=entry.initiating_dept_id, status=ObjectionStatus.open, reason="处罚决定正在复议",
        filed_at=dt.datetime(2025, 10, 10, 9, tzinfo=dt.UTC), filed_by="company",
    )  # fmt: skip
    session.add(objection)
    session.commit()
    headers = bearer(fw.world, "cz_city")
    fw.world.clock.set(DUE + dt.timedelta(days=1))
    assert client.get("/api/v1/feedback/tasks?overdue=true", headers=headers).json()["total"] == 0
    listed = client.get("/api/v1/feedback/tasks", headers=headers).json()["items"]
    assert listed and all(t["suspended"] and not t["overdue"] for t in listed)
    rates = client.get("/api/v1/oversight/feedback", headers=bearer(fw.world, "admin")).json()
    assert all(d["overdue_open"] == 0 for d in rates["departments"])
    objection.status = ObjectionStatus.rejected
    session.commit()
    assert client.get("/api/v1/feedback/tasks?overdue=true", headers=headers).json()["total"] >= 1
