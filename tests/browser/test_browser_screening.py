"""Browser journey: the city finance bureau (city-cz, an implementing unit) screens a black-listed company
for 政府采购 on /console/screening and sees 禁止 with CJ-001 and its legal basis, the number and the
verification code; opens the stored check (核验一致) and its department's history.

The demo publishes no list entry, so the journey adds one published SX-001 entry itself, with a small
script run with the demo server's data directory (as the feedback journey does)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from browserkit import inspect, login

#: Adds one published SX-001 entry for a company of the city; prints the company's USCC.
PREPARE = r"""
import datetime as dt, uuid
from sqlalchemy import select
from sqlalchemy.orm import Session
from xinyong.catalog.lists_service import current_lists
from xinyong.config import get_settings
from xinyong.db import make_engine
from xinyong.kit.clock import SystemClock
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
    subject = s.scalars(companies.order_by(Subject.id)).first()
    lists = current_lists(s)
    now = clock.now()
    today = now.date()
    s.add(ListEntry(
        number=f"HMD-SCR-{uuid.uuid4().hex[:8].upper()}", list_kind=lists.scopes["SX-001"].list_kind,
        scope_id=lists.scope_ids["SX-001"], scope_code="SX-001", subject_id=subject.id,
        initiating_dept_id=initiator.id, state=EntryState.published, doc_kind="penalty_decision",
        doc_no="市监罚〔2026〕102号", doc_date=today - dt.timedelta(days=40), doc_issuer=initiator.name,
        reason="严重破坏公平竞争秩序", leniency=[], period_start=today,
        period_end=today.replace(year=today.year + 3), proposed_at=now - dt.timedelta(days=30),
        decided_at=now - dt.timedelta(days=1), published_at=now, created_by="browser-test", updated_at=now,
    ))
    s.commit()
    print(subject.uscc)
"""


def _data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = sorted(tmp_path_factory.getbasetemp().glob("browser*/xinyong.sqlite3"))
    assert found, "the demo server's database was not found"
    return found[-1].parent


def _black_listed_company(tmp_path_factory: pytest.TempPathFactory) -> str:
    env = {"PATH": "/usr/bin:/bin", "XINYONG_DATA_DIR": str(_data_dir(tmp_path_factory))}
    done = subprocess.run(
        [sys.executable, "-c", PREPARE], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.browser
def test_city_cz_screens_a_company_for_procurement(
    server: str, page: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    uscc = _black_listed_company(tmp_path_factory)
    login(page, server, "city-cz")
    page.goto(server + "/console/screening")
    inspect(page, "console-screening", "staff")
    page.get_by_label("主体标识").fill(uscc)
    page.get_by_label("应用场景").select_option(label="政府采购")
    page.get_by_role("button", name="核查").click()
    page.wait_for_selector("#decision")
    assert page.locator("#decision").get_attribute("data-decision") == "prohibit"
    assert page.locator("#decision").inner_text().strip() == "禁止"
    cj1 = page.locator("#measure-CJ-001")
    assert "政府采购法" in cj1.inner_text() and "HMD-SCR-" in cj1.inner_text()
    number = page.locator("#screening-number").inner_text().strip()
    code = page.locator("#screening-code").inner_text().strip()
    assert number.startswith("SC-") and len(code) == 23
    inspect(page, "console-screening-result", "staff")
    page.get_by_role("link", name="查看存证与核验").click()
    page.wait_for_selector("#verification")
    assert page.locator("#verification").get_attribute("data-status") == "valid"
    assert number in page.locator("h1").inner_text()
    inspect(page, "console-screening-detail", "staff")
    page.goto(server + "/console/screenings")
    assert number in page.locator("#screenings").inner_text()
    inspect(page, "console-screenings", "staff")
