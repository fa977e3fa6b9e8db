"""未成年人不纳入失信名单 (SF-003's note; seed 004 §三(一)): a record that would list a minor is refused.

Age is reached on the 18th birthday; someone born on 29 February turns 18 on 1 March of a common year.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.ingest.minors import MINOR_EXCLUDED
from xinyong.ingest.service import submit_records
from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import CreditRecord, Subject

from ingestworld import COURT, build_world

BORN_2008_03_12 = "32090220080312003" + ids.calc_ric_check("32090220080312003")
BORN_2008_02_29 = "32090220080229004" + ids.calc_ric_check("32090220080229004")


def _listing(key: str, ric: str, listed_on: str) -> dict[str, Any]:
    return {
        "subject_name": "李某",
        "subject_id": ric,
        "source_record_id": key,
        "decision_no": f"（2026）苏0902执{key}号",
        "decision_date": listed_on,
        "court_name": "盐城市亭湖区人民法院",
        "basis_document_no": "（2025）苏0902民初100号",
        "obligation": "支付货款人民币三万元",
        "performance_status": "全部未履行",
        "dishonest_conduct": "有履行能力而拒不履行生效法律文书确定义务",
    }


@pytest.fixture
def world(session: Session, clock: FixedClock) -> Session:
    build_world(session, clock)
    session.flush()
    return session


def _submit(session: Session, rows: list[dict[str, Any]], cipher: PersonalDataCipher) -> Any:
    return submit_records(
        session,
        rows,
        item_code="SF-003",
        dept_code=COURT,
        actor="tester",
        clock=FixedClock(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)),
        cipher=cipher,
        received_on=dt.date(2026, 3, 20),
    )


def test_a_minor_is_not_listed(world: Session, cipher: PersonalDataCipher) -> None:
    rows = [
        _listing("1", BORN_2008_03_12, "2026-03-11"),  # the day before the 18th birthday
        _listing("2", BORN_2008_02_29, "2026-02-28"),  # born on 29 February: still 17 on 28 February
    ]
    outcome = _submit(world, rows, cipher)
    assert (outcome.accepted, outcome.rejected) == (0, 2), outcome.describe()
    found = {(i.row_no, i.field, i.code) for i in outcome.issues if i.level == "error"}
    assert found == {(1, "subject_id", MINOR_EXCLUDED), (2, "subject_id", MINOR_EXCLUDED)}
    assert all("未成年人不纳入失信名单" in i.message for i in outcome.issues)
    assert all(BORN_2008_03_12 not in i.message for i in outcome.issues)
    assert world.scalar(select(func.count()).select_from(CreditRecord)) == 0
    assert world.scalar(select(Subject).where(Subject.name == "李某")) is None


def test_an_adult_is_listed_from_the_18th_birthday(world: Session, cipher: PersonalDataCipher) -> None:
    rows = [
        _listing("3", BORN_2008_03_12, "2026-03-12"),  # the 18th birthday
        _listing("4", BORN_2008_02_29, "2026-03-01"),  # 1 March of a common year
    ]
    outcome = _submit(world, rows, cipher)
    assert (outcome.accepted, outcome.rejected) == (2, 0), outcome.describe()
