"""Feedback tasks: who gets one when an entry is published (kinds, regions, active), idempotence, due dates
counted in working days, closing on exit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog.lists_service import current_lists
from xinyong.catalog.terms import SubjectType
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.measures.feedback import close_tasks, open_tasks, recompute_provisional_due
from xinyong.models import AuditEntry, FeedbackTask
from xinyong.models.measures import TaskStatus
from xinyong.models.subjects import SubjectKind
from xinyong.records.schedules import load_schedule
from xinyong.subjects.service import register_organisation

from calendarworld import BRIDGE_SCHEDULES, Y
from feedbackworld import FeedbackWorld, add_departments, make_entry
from secworld import CITY, COUNTY_B, build_world, uscc


@pytest.fixture
def fw(session: Session, cipher: PersonalDataCipher) -> FeedbackWorld:
    return add_departments(build_world(session, FixedClock(dt.datetime(2025, 9, 1, 9)), cipher))


def _pairs(tasks: list[FeedbackTask], fw: FeedbackWorld) -> set[tuple[str, str]]:
    names = {d.id: key for key, d in {**fw.world.depts, **fw.depts}.items()}
    return {(t.measure_code, names[t.department_id]) for t in tasks}


#: Y's holiday notice: 国庆 on Y-10-01..07 (Y is laid out like 2027: Y-10-01 a Friday).
NOTICE_Y = f"""\
year: {Y}
source: "国务院办公厅关于{Y}年部分节假日安排的通知（测试用）"
holidays:
  - {{name: 国庆节, start: {Y}-10-01, end: {Y}-10-07}}
"""

#: The departments of the world whose region covers county A and that are active.
COVERING_A = ("city", "a", "cz_city", "cz_a", "ggzy")


def _expected(
    session: Session, fw: FeedbackWorld, scope: str, covering: tuple[str, ...]
) -> set[tuple[str, str]]:
    """(measure, department) for every measure of the scope item that applies to a company and every
    department of ``covering`` whose kind implements it (the catalog may grow; the rule may not)."""
    lists = current_lists(session)
    depts = {**fw.world.depts, **fw.depts}
    return {
        (code, key)
        for code in lists.scopes[scope].measures
        if SubjectType.LEGAL_PERSON in lists.measures[code].subject_types
        for key in covering
        if depts[key].kind in lists.measures[code].implementing_department_kinds
    }


def _audits(session: Session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_publishing_gives_a_task_to_each_department_whose_measures_apply(fw: FeedbackWorld) -> None:
    """Company in county A: the city's and county A's 财政, the city's 公共资源交易; county A's market
    regulator for CJ-003. Not county B's departments, not the stopped 发展改革委, not the 信用办."""
    w = fw.world
    assert w.company is not None
    entry = make_entry(w.session, w.company, w.depts["a"], published=dt.date(2025, 9, 26))
    clock = FixedClock(dt.datetime(2025, 9, 26, 15))
    tasks = open_tasks(w.session, entry, actor="user:admin", clock=clock)
    pairs = _pairs(tasks, fw)
    assert {
        ("CJ-001", "cz_city"),
        ("CJ-001", "cz_a"),
        ("CJ-001", "ggzy"),
        ("CJ-002", "cz_city"),
        ("CJ-002", "cz_a"),
        ("CJ-003", "a"),
    } <= pairs
    assert pairs == _expected(w.session, fw, "SX-001", COVERING_A)
    assert not {dept for _, dept in pairs} & {"b", "b_rs", "cz_b", "fg_off"}
    assert {t.status for t in tasks} == {TaskStatus.open}
    # 2025-09-26 (Fri) + 10 working days across 国庆: Sep 28 (Sun, worked), 29, 30, Oct 9, 10, 11 (Sat,
    # worked), 13, 14, 15, 16. Weekends alone would give Oct 10.
    assert {t.due_on for t in tasks} == {dt.date(2025, 10, 16)}
    assert not any(t.due_provisional for t in tasks)
    opened = _audits(w.session, "feedback.tasks_opened")
    assert len(opened) == 1 and opened[0].detail["count"] == len(tasks)


def test_publishing_twice_creates_nothing_new(fw: FeedbackWorld) -> None:
    w = fw.world
    assert w.company is not None
    entry = make_entry(w.session, w.company, w.depts["a"], published=dt.date(2025, 9, 26))
    clock = FixedClock(dt.datetime(2025, 9, 26, 15))
    first = open_tasks(w.session, entry, actor="t", clock=clock)
    assert open_tasks(w.session, entry, actor="t", clock=clock) == []
    count = w.session.scalar(
        select(FeedbackTask.id).where(FeedbackTask.entry_id == entry.id).order_by(FeedbackTask.id.desc())
    )
    assert len(first) >= 6 and count == max(t.id for t in first)
    assert len(_audits(w.session, "feedback.tasks_opened")) == 1


def test_a_city_subject_is_served_by_city_departments_only(fw: FeedbackWorld) -> None:
    """A subject registered at city level (320900) is in no county: county departments get nothing."""
    w = fw.world
    company = register_organisation(
        w.session,
        kind=SubjectKind.legal_person,
        name="盐城市市级商贸有限公司",
        uscc=uscc("MA1XYW34", CITY),
        actor="test",
        clock=w.clock,
        region_code=CITY,
    )
    entry = make_entry(w.session, company, w.depts["a"], published=dt.date(2025, 9, 26))
    tasks = open_tasks(w.session, entry, actor="t", clock=w.clock)
    pairs = _pairs(tasks, fw)
    assert {("CJ-001", "cz_city"), ("CJ-001", "ggzy"), ("CJ-002", "cz_city")} <= pairs
    assert pairs == _expected(w.session, fw, "SX-001", ("city", "cz_city", "ggzy"))


def test_a_county_b_subject_goes_to_county_b(fw: FeedbackWorld) -> None:
    w = fw.world
    company = register_organisation(
        w.session,
        kind=SubjectKind.legal_person,
        name="盐都区某某食品有限公司",
        uscc=uscc("MA1XYW56", COUNTY_B),
        actor="test",
        clock=w.clock,
        region_code=COUNTY_B,
    )
    entry = make_entry(w.session, company, w.depts["b"], published=dt.date(2025, 9, 26))
    tasks = open_tasks(w.session, entry, actor="t", clock=w.clock)
    assert ("CJ-001", "cz_b") in _pairs(tasks, fw) and ("CJ-003", "b") in _pairs(tasks, fw)
    assert not any(dept == "cz_a" or dept == "a" for _, dept in _pairs(tasks, fw))


def test_a_red_entry_gives_incentive_tasks(fw: FeedbackWorld) -> None:
    """CX-001 names JL-001 (市场监管, 住建, 发改) and JL-002 (also 财政)."""
    w = fw.world
    assert w.company is not None
    entry = make_entry(
        w.session,
        w.company,
        w.depts["a"],
        published=dt.date(2025, 9, 26),
        scope_code="CX-001",
        number="HONGMD-1",
    )
    tasks = open_tasks(w.session, entry, actor="t", clock=w.clock)
    pairs = _pairs(tasks, fw)
    assert {("JL-001", "a"), ("JL-002", "a"), ("JL-002", "cz_city"), ("JL-002", "cz_a")} <= pairs
    assert pairs == _expected(w.session, fw, "CX-001", COVERING_A)


def test_due_date_in_a_year_without_schedule_is_provisional_until_one_is_loaded(fw: FeedbackWorld) -> None:
    """Published Y-09-28 (a Tuesday): counted on weekends only, due Y-10-12; once Y's schedule puts
    国庆 on Y-10-01..07, the tenth working day is Y-10-19 and no longer provisional."""
    w = fw.world
    assert w.company is not None
    for text in BRIDGE_SCHEDULES:
        load_schedule(w.session, text, actor="office", clock=w.clock)
    entry = make_entry(w.session, w.company, w.depts["a"], published=dt.date(Y, 9, 28))
    tasks = open_tasks(w.session, entry, actor="t", clock=FixedClock(dt.date(Y, 9, 28)))
    assert tasks and all(t.due_provisional for t in tasks)
    assert {t.due_on for t in tasks} == {dt.date(Y, 10, 12)}
    assert recompute_provisional_due(w.session, actor="office", clock=w.clock) == 0
    load_schedule(w.session, NOTICE_Y, actor="office", clock=w.clock)
    assert recompute_provisional_due(w.session, actor="office", clock=w.clock) == len(tasks)
    assert {(t.due_on, t.due_provisional) for t in tasks} == {(dt.date(Y, 10, 19), False)}
    assert len(_audits(w.session, "feedback.due_recomputed")) == 1


def test_exit_closes_open_tasks_and_keeps_answers(fw: FeedbackWorld) -> None:
    w = fw.world
    assert w.company is not None
    entry = make_entry(w.session, w.company, w.depts["a"], published=dt.date(2025, 9, 26))
    tasks = open_tasks(w.session, entry, actor="t", clock=w.clock)
    tasks[0].status = TaskStatus.applied
    closed = close_tasks(w.session, entry, actor="user:admin", clock=w.clock, reason="信用修复，移出名单")
    assert closed == len(tasks) - 1
    assert tasks[0].status is TaskStatus.applied
    assert {t.status for t in tasks[1:]} == {TaskStatus.closed}
    assert close_tasks(w.session, entry, actor="t", clock=w.clock, reason="again") == 0
    audits = _audits(w.session, "feedback.tasks_closed")
    assert len(audits) == 1 and audits[0].detail["count"] == closed
