"""Browser journey: the city finance bureau (city-cz, an implementing unit) opens its feedback tasks, opens
one, and reports the measure applied with a case reference; the credit office (admin) sees the rates.

The demo publishes no list entry (publication needs an objection period to have run out, weeks of real
time), so the journey prepares its own: a small script, run with the demo server's data directory (its
database and keys, so the audit chain stays whole), adds one published black-list entry for a company of
the city and opens its feedback tasks through ``measures.feedback.open_tasks`` — what publication calls.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from browserkit import inspect, login

#: Adds one published SX-001 entry for a company the city finance bureau serves and opens its tasks.
#: Prints the entry's number. Runs in a child process with the server's XINYONG_DATA_DIR.
PREPARE = r"""
import datetime as dt, uuid
from sqlalchemy import select
from sqlalchemy.orm import Session
from xinyong.catalog.lists_service import current_lists
from xinyong.config import get_settings
from xinyong.db import make_engine
from xinyong.kit.clock import SystemClock
from xinyong.measures.feedback import covers, open_tasks
from xinyong.models import Department, ListEntry, Subject, User
from xinyong.models.lists import EntryState
from xinyong.models.subjects import SubjectKind

engine = make_engine(get_settings().effective_database_url)
clock = SystemClock()
with Session(engine) as s:
    cz = s.get_one(Department, s.scalar(select(User.department_id).where(User.username == "city-cz")))
    initiator = s.scalar(
        select(Department).where(Department.kind == "市场监管", Department.region_code == cz.region_code)
    )
    companies = select(Subject).where(Subject.kind == SubjectKind.legal_person, Subject.uscc.is_not(None))
    subject = next(x for x in s.scalars(companies.order_by(Subject.id)) if covers(cz, x.region_code))
    lists = current_lists(s)
    now = clock.now()
    today = now.date()
    entry = ListEntry(
        number=f"HMD-E2E-{uuid.uuid4().hex[:8].upper()}", list_kind=lists.scopes["SX-001"].list_kind,
        scope_id=lists.scope_ids["SX-001"], scope_code="SX-001", subject_id=subject.id,
        initiating_dept_id=initiator.id, state=EntryState.published, doc_kind="penalty_decision",
        doc_no="市监罚〔2026〕101号", doc_date=today - dt.timedelta(days=40), doc_issuer=initiator.name,
        reason="销售不符合食品安全标准的食品，情节严重", leniency=[], period_start=today,
        period_end=today.replace(year=today.year + 3), proposed_at=now - dt.timedelta(days=30),
        decided_at=now - dt.timedelta(days=1), published_at=now, created_by="browser-test", updated_at=now,
    )
    s.add(entry)
    s.flush()
    tasks = open_tasks(s, entry, actor="user:admin", clock=clock)
    assert any(t.department_id == cz.id for t in tasks), "city-cz got no task"
    s.commit()
    print(entry.number)
"""


def _data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo server's data directory (browserkit's ``server`` fixture makes it under the run's base)."""
    found = sorted(tmp_path_factory.getbasetemp().glob("browser*/xinyong.sqlite3"))
    assert found, "the demo server's database was not found"
    return found[-1].parent


def _publish_entry(tmp_path_factory: pytest.TempPathFactory) -> str:
    env = {"PATH": "/usr/bin:/bin", "XINYONG_DATA_DIR": str(_data_dir(tmp_path_factory))}
    done = subprocess.run(
        [sys.executable, "-c", PREPARE], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.browser
def test_implementing_unit_reports_a_measure_applied(
    server: str, page: Any, browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    number = _publish_entry(tmp_path_factory)
    login(page, server, "city-cz")
    page.goto(server + "/console/feedback")
    assert page.locator("#feedback-tasks").get_by_text(number).first.is_visible()
    inspect(page, "console-feedback", "staff")
    card = page.locator("article.task", has_text=number).filter(has_text="限制参加政府采购活动").first
    card.get_by_role("link").first.click()
    page.wait_for_url(lambda url: "/console/feedback/" in url)
    assert number in page.content() and "政府采购法" in page.content()
    inspect(page, "console-feedback-task", "staff")
    page.get_by_label("已实施").check()
    page.get_by_label("案件或项目编号").fill("YCCG-2026-0088")
    page.get_by_role("button", name="提交反馈").click()
    page.wait_for_url(lambda url: "done=reported" in url)
    assert page.get_by_text("反馈已提交").is_visible()
    assert page.locator("#task-status").get_attribute("data-status") == "applied"
    assert "YCCG-2026-0088" in page.content()
    inspect(page, "console-feedback-reported", "staff")
    # The credit office sees the city finance bureau's rate.
    office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = office.new_page()
    try:
        login(tab, server, "admin")
        tab.goto(server + "/console/feedback/rates")
        assert tab.locator("#feedback-rates").get_by_text("财政局").first.is_visible()
        inspect(tab, "console-feedback-rates", "staff")
    finally:
        office.close()
