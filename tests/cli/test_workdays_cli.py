"""`xinyong workdays load FILE` loads a year's schedule with everything it changes: the provisional
deadlines and the timeliness of the credit records whose span touches that year (records.schedules)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from xinyong.catalog.schema import default_catalog_path
from xinyong.catalog.service import import_catalog
from xinyong.db import session_factory, transaction
from xinyong.departments.service import create_department
from xinyong.ingest.service import submit_record
from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.models import CreditRecord
from xinyong.models.subjects import SubjectKind
from xinyong.subjects.service import register_organisation

from calendarworld import Y
from conftest import Database

DEPT = "320902-SCJG"
#: Y-04-28 (Wed) to Y-05-10 (Mon), in a year chinese_calendar does not cover (calendarworld): 8 weekdays,
#: late while Y has no schedule (limit 7); with the schedule's 劳动节 (May 1-5) and its Apr 25 make-up
#: day, 5 working days and on time.
SCHEDULE_Y = f"""\
year: {Y}
source: "国务院办公厅关于{Y}年部分节假日安排的通知（测试）"
holidays:
  - {{name: 劳动节, start: {Y}-05-01, end: {Y}-05-05}}
workdays:
  - {{name: 劳动节调休, date: {Y}-04-25}}
"""


def _uscc(body: str, prefix: str) -> str:
    org = body + ids.calc_org_check(body)
    return prefix + "320902" + org + ids.calc_uscc_check(prefix + "320902" + org)


COMPANY = _uscc("MA1XY071", "91")
AUTHORITY = _uscc("MB100009", "11")


def _store_a_provisional_record(db: Database) -> int:
    clock = FixedClock(dt.datetime(Y, 5, 10, 10, 0))
    with transaction(session_factory(db.engine)) as session:
        catalog = default_catalog_path()
        import_catalog(session, catalog.read_text(encoding="utf-8"), actor="test", source=catalog.name)
        create_department(
            session, code=DEPT, name="盐城市亭湖区市场监督管理局", kind="市场监管", region_code="320902",
            actor="test", clock=clock,
        )  # fmt: skip
        name = "盐城恒通建设工程有限公司"
        register_organisation(
            session, kind=SubjectKind.legal_person, name=name, uscc=COMPANY, actor="test", clock=clock
        )
        data = {
            "subject_name": name,
            "subject_id": COMPANY,
            "source_record_id": "W-1",
            "decision_no": f"亭市监罚〔{Y}〕W-1号",
            "decision_date": f"{Y}-04-28",
            "penalty_kind": "罚款(较大数额)",
            "violation": "未按规定公示年度报告",
            "violation_facts": "经查，当事人未按规定公示年度报告",
            "legal_basis_text": "《企业信息公示暂行条例》第十八条",
            "penalty_content": "罚款人民币伍万元",
            "fine_amount": "50000",
            "authority_name": "盐城市亭湖区市场监督管理局",
            "authority_id": AUTHORITY,
        }
        record = submit_record(
            session, data, item_code="CF-001", dept_code=DEPT, actor="test", clock=clock, cipher=None,
            received_on=dt.date(Y, 5, 10),
        )  # fmt: skip
        assert (record.late, record.timeliness_provisional) == (True, True)
        return record.id


def test_workdays_load_recomputes_the_timeliness_of_records(fresh_database: Database, tmp_path: Path) -> None:
    record_id = _store_a_provisional_record(fresh_database)
    schedule = tmp_path / f"{Y}.yaml"
    schedule.write_text(SCHEDULE_Y, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env["XINYONG_DATABASE_URL"] = fresh_database.url
    loaded = subprocess.run(
        [sys.executable, "-m", "xinyong", "workdays", "load", str(schedule)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert f"已载入 {Y} 年安排" in loaded.stdout and "重算信用记录及时性 1 条" in loaded.stdout
    with fresh_database.engine.connect() as conn:
        row = conn.execute(
            select(CreditRecord.delay_workdays, CreditRecord.late, CreditRecord.timeliness_provisional).where(
                CreditRecord.id == record_id
            )
        ).one()
    assert tuple(row) == (5, False, False)
