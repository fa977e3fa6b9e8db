"""Provisional timeliness of credit records (双公示 within 7 working days) in a year chinese-calendar does
not cover (calendarworld's Y, laid out like 2027): stored with the flag on both paths (single record and
batch intake), and recomputed, audited, when that year's schedule is loaded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog.schema import default_catalog_path
from xinyong.catalog.service import import_catalog
from xinyong.ingest import oversight, reports
from xinyong.ingest.corrections import correct_record
from xinyong.ingest.service import submit_record, submit_records
from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import AuditEntry, CreditRecord, Department, Subject
from xinyong.models.subjects import SubjectKind
from xinyong.records.schedules import load_schedule
from xinyong.subjects.service import register_organisation
from xinyong.workdays import service

from calendarworld import BRIDGE_SCHEDULES, NEXT_YEAR_NOTICE, Y

DEPT = "320902-SCJG"
#: Y-04-28 (Wed) to Y-05-10 (Mon): 8 weekdays, so late on weekends only (limit 7); with the
#: Y schedule's 劳动节 (May 1-5) 5 working days, so on time.
DECIDED = f"{Y}-04-28"
RECEIVED = dt.date(Y, 5, 10)

SCHEDULE_Y = f"""\
year: {Y}
source: "国务院办公厅关于{Y}年部分节假日安排的通知（测试）"
holidays:
  - {{name: 劳动节, start: {Y}-05-01, end: {Y}-05-05}}
workdays:
  - {{name: 劳动节调休, date: {Y}-04-25}}
"""


def _uscc(body: str, prefix: str = "91") -> str:
    org = body + ids.calc_org_check(body)
    return prefix + "320902" + org + ids.calc_uscc_check(prefix + "320902" + org)


COMPANY = _uscc("MA1XY071")
AUTHORITY = _uscc("MB100009", prefix="11")


def penalty(key: str, decided: str = DECIDED) -> dict[str, Any]:
    return {
        "subject_name": "盐城恒通建设工程有限公司",
        "subject_id": COMPANY,
        "source_record_id": key,
        "decision_no": f"亭市监罚〔{Y}〕{key}号",
        "decision_date": decided,
        "penalty_kind": "罚款(较大数额)",
        "violation": "未按规定公示年度报告",
        "violation_facts": "经查，当事人未按规定公示年度报告",
        "legal_basis_text": "《企业信息公示暂行条例》第十八条",
        "penalty_content": "罚款人民币伍万元",
        "fine_amount": "50000",
        "authority_name": "盐城市亭湖区市场监督管理局",
        "authority_id": AUTHORITY,
    }


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(Y, 5, 10, 10, 0))


@pytest.fixture
def world(session: Session, clock: FixedClock) -> tuple[Department, Subject]:
    import_catalog(
        session,
        default_catalog_path().read_text(encoding="utf-8"),
        actor="test",
        clock=clock,
        source="default.yaml",
    )
    dept = Department(
        code=DEPT, name="盐城市亭湖区市场监督管理局", kind="市场监管", region_code="320902", level="county"
    )
    session.add(dept)
    session.flush()
    company = register_organisation(
        session,
        kind=SubjectKind.legal_person,
        name="盐城恒通建设工程有限公司",
        uscc=COMPANY,
        actor="test",
        clock=clock,
    )
    return dept, company


def _verdict(record: CreditRecord) -> tuple[int | None, bool, bool]:
    return record.delay_workdays, record.late, record.timeliness_provisional


def test_single_record_is_provisional_then_recomputed(
    session: Session, clock: FixedClock, world: tuple[Department, Subject]
) -> None:
    dept, company = world
    record = submit_record(
        session,
        penalty("T-1"),
        item_code="CF-001",
        dept_code=dept.code,
        actor="dept-user",
        clock=clock,
        cipher=None,
        received_on=RECEIVED,
    )
    # a 2026 record is not provisional and is not touched by loading Y
    settled = submit_record(
        session,
        penalty("T-2", decided="2026-09-28"),
        item_code="CF-001",
        dept_code=dept.code,
        actor="dept-user",
        clock=clock,
        cipher=None,
        received_on=dt.date(2026, 10, 12),
    )
    assert _verdict(record) == (8, True, True)  # weekends only
    assert _verdict(settled) == (6, False, False)  # 2026-10-01..07 off, Oct 10 a make-up workday

    loaded = load_schedule(session, SCHEDULE_Y, actor="office", clock=clock)

    assert loaded.recomputed_records == 1
    session.refresh(record)
    session.refresh(settled)
    assert _verdict(record) == (5, False, False)
    assert _verdict(settled) == (6, False, False)
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "record.timeliness_recomputed", AuditEntry.entity_id == str(record.id)
        )
    )
    assert entry is not None and entry.subject_id == company.id
    assert entry.detail == {"year": Y, "delay_workdays": 5, "late": False, "provisional": False}


def test_batch_intake_stores_the_flag_and_loading_recomputes_it(
    session: Session, clock: FixedClock, cipher: PersonalDataCipher, world: tuple[Department, Subject]
) -> None:
    # B-2 crosses from Y-1 into Y: the years before Y are known first (by the library or, when it ends
    # earlier, by empty schedules), so only Y keeps it provisional
    for bridge in BRIDGE_SCHEDULES:
        load_schedule(session, bridge, actor="office", clock=clock)
    outcome = submit_records(
        session,
        [penalty("B-1"), penalty("B-2", decided=f"{Y - 1}-12-30")],
        item_code="CF-001",
        dept_code=DEPT,
        actor="dept-user",
        clock=clock,
        cipher=cipher,
    )
    assert outcome.accepted == 2
    rows = {r.source_record_id: r for r in session.scalars(select(CreditRecord))}
    assert _verdict(rows["B-1"]) == (8, True, True)
    # decided in Y-1 but received in Y: the Y part is counted on weekends only
    assert rows["B-2"].timeliness_provisional and rows["B-2"].late

    loaded = load_schedule(session, SCHEDULE_Y, actor="office", clock=clock)

    assert loaded.recomputed_records == 2
    for row in rows.values():
        session.refresh(row)
    assert _verdict(rows["B-1"]) == (5, False, False)
    assert not rows["B-2"].timeliness_provisional
    # 93 working days (Y-1-12-31, a Thursday, and 92 weekdays of Y to 05-10), less May 3-5, plus Apr 25
    assert rows["B-2"].delay_workdays == 91


def test_a_replaced_schedule_recomputes_what_the_earlier_one_settled(
    session: Session, clock: FixedClock, world: tuple[Department, Subject]
) -> None:
    dept, _company = world
    record = submit_record(
        session,
        penalty("R-1"),
        item_code="CF-001",
        dept_code=dept.code,
        actor="dept-user",
        clock=clock,
        cipher=None,
        received_on=RECEIVED,
    )
    deadline = service.set_deadline(
        session, owner_type="objection", owner_id="9", kind="answer", start=dt.date(Y, 4, 28), workdays=5
    )
    load_schedule(session, SCHEDULE_Y, actor="office", clock=clock)
    session.refresh(record)
    session.refresh(deadline)
    assert _verdict(record) == (5, False, False)
    assert (deadline.due_date, deadline.provisional) == (dt.date(Y, 5, 10), False)

    # the office corrects the notice: 劳动节 is only May 1-3 (Sat-Mon)
    corrected = load_schedule(
        session, SCHEDULE_Y.replace(f"end: {Y}-05-05", f"end: {Y}-05-03"), actor="office", clock=clock
    )

    assert corrected.replaced and corrected.recomputed_records == 1 and corrected.recomputed == 1
    session.refresh(record)
    session.refresh(deadline)
    assert _verdict(record) == (7, False, False)  # Apr 29, 30, May 4-7, 10
    assert deadline.due_date == dt.date(Y, 5, 6)


def test_a_correction_keeps_the_provisional_flag_true_to_its_dates(
    session: Session, clock: FixedClock, world: tuple[Department, Subject]
) -> None:
    """A correction recomputes timeliness through the same rule, the flag included: a record whose
    corrected decision date falls in an uncovered year becomes provisional (and is recomputed later)."""
    dept, _company = world
    record = submit_record(
        session,
        penalty("T-9", decided="2026-12-30"),
        item_code="CF-001",
        dept_code=dept.code,
        actor="dept-user",
        clock=clock,
        cipher=None,
        received_on=dt.date(2026, 12, 31),
    )
    assert _verdict(record) == (1, False, False)
    record.received_on = RECEIVED  # as if received in Y, then its decision date corrected into Y
    corrected = correct_record(
        session,
        record.id,
        data={**penalty("T-9"), "decision_date": DECIDED},
        reason="决定日期录入错误",
        actor="dept-user",
        clock=clock,
        dept_id=dept.id,
    )
    assert _verdict(corrected) == (8, True, True)
    load_schedule(session, SCHEDULE_Y, actor="office", clock=clock)
    session.refresh(corrected)
    assert _verdict(corrected) == (5, False, False)


def test_next_years_notice_recomputes_records_in_the_december_it_moves(
    session: Session, clock: FixedClock, world: tuple[Department, Subject]
) -> None:
    """The notice for Y + 1 makes Sunday Y-12-26 a make-up workday: a record decided Y-12-20 and received
    that Sunday counted 4 working days (Dec 21-24) and now counts 5, although the notice is not Y's."""
    dept, _company = world
    for bridge in BRIDGE_SCHEDULES:
        load_schedule(session, bridge, actor="office", clock=clock)
    load_schedule(session, SCHEDULE_Y, actor="office", clock=clock)
    record = submit_record(
        session,
        penalty("T-12", decided=f"{Y}-12-20"),
        item_code="CF-001",
        dept_code=dept.code,
        actor="dept-user",
        clock=FixedClock(dt.datetime(Y, 12, 26, 10, 0)),
        cipher=None,
        received_on=dt.date(Y, 12, 26),
    )
    assert _verdict(record) == (4, False, False)

    loaded = load_schedule(session, NEXT_YEAR_NOTICE, actor="office", clock=clock)

    assert loaded.recomputed_records == 1
    session.refresh(record)
    assert _verdict(record) == (5, False, False)


def test_batch_outcome_and_late_list_show_a_provisional_verdict_as_provisional(
    session: Session, clock: FixedClock, cipher: PersonalDataCipher, world: tuple[Department, Subject]
) -> None:
    """B-9 is late only on weekends (Y has no schedule yet): the outcome and the late list say the verdict
    is provisional; once Y's schedule is loaded it is on time and leaves both."""
    dept, _company = world
    outcome = submit_records(
        session, [penalty("B-9")], item_code="CF-001", dept_code=DEPT, actor="u", clock=clock, cipher=cipher
    )
    assert (outcome.late, outcome.late_provisional) == (1, 1)
    assert "临时结论" in outcome.describe()
    [late] = oversight.late_records(session, dept.id)
    assert (late.source_record_id, late.provisional, late.due_date) == ("B-9", True, dt.date(Y, 5, 7))

    load_schedule(session, SCHEDULE_Y, actor="office", clock=clock)

    again = reports.batch_outcome(session, outcome.batch_id)
    assert (again.late, again.late_provisional) == (0, 0)
    assert oversight.late_records(session, dept.id) == []


def test_late_arrival_on_a_holiday_is_late_and_final(
    session: Session, clock: FixedClock, cipher: PersonalDataCipher, world: tuple[Department, Subject]
) -> None:
    """Decided 2025-09-22, due 2025-09-30 (the 7th working day), received on the holiday 2025-10-05."""
    dept, _company = world
    outcome = submit_records(
        session,
        [penalty("H-1", decided="2025-09-22")],
        item_code="CF-001",
        dept_code=DEPT,
        actor="u",
        clock=clock,
        cipher=cipher,
        received_on=dt.date(2025, 10, 5),
    )
    assert (outcome.accepted, outcome.late, outcome.late_provisional) == (1, 1, 0)
    [late] = oversight.late_records(session, dept.id)
    assert (late.due_date, late.provisional, late.delay_workdays) == (dt.date(2025, 9, 30), False, 7)
