"""A file of corrections (--fixes-of) needs only 原行号 and the columns it changes, as the help says
(issue 10 item 10): the other fields keep the values first submitted. It was refused for lacking the
item's required columns."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.db import session_factory, transaction
from xinyong.ingest import reports
from xinyong.ingest.service import resubmit_rejected, submit_file
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import CreditRecord, IngestBatch

from conftest import Database
from ingestworld import COMPANY_B, DEPT, build_world, penalty, write_csv, write_jsonl, write_xlsx

CLOCK = FixedClock(dt.date(2026, 3, 16))
BAD_USCC = COMPANY_B[:-1] + ("0" if COMPANY_B[-1] != "0" else "1")
#: Row 2 is accepted; row 3 has a wrong check digit, row 4 a date in the future.
ROWS = [
    penalty("X-1"),
    penalty(
        "X-2", subject_id=BAD_USCC, name="盐城华美食品有限公司", violation_facts="经查，当事人逾期未公示"
    ),
    penalty("X-3", subject_id=COMPANY_B, name="盐城华美食品有限公司", decided="2099-01-01"),
]


def _ingest(db: Database, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env.update(XINYONG_DATABASE_URL=db.url, XINYONG_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run(
        [sys.executable, "-m", "xinyong", "ingest", *args, "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_only_the_row_number_and_the_changed_columns_through_the_cli(
    fresh_database: Database, tmp_path: Path
) -> None:
    factory = session_factory(fresh_database.engine)
    with transaction(factory) as session:
        build_world(session, CLOCK)
    first = _ingest(
        fresh_database, tmp_path, str(write_csv(tmp_path / "x.csv", ROWS)), "--item", "CF-001", "--dept", DEPT
    )
    assert first.returncode == 0 and "入库 1 条，拒收 2 行" in first.stdout, first.stderr
    with transaction(factory) as session:
        batch_id = session.scalars(select(IngestBatch.id)).one()
    # the clerk writes only what changes, under the Chinese labels; an empty cell changes nothing
    fixed = _write(
        tmp_path / "fixed.csv",
        [["原行号", "统一社会信用代码", "处罚决定日期"], ["3", COMPANY_B, ""], ["4", "", "2026-03-12"]],
    )
    again = _ingest(fresh_database, tmp_path, str(fixed), "--fixes-of", str(batch_id))
    assert again.returncode == 0, again.stderr
    assert "入库 2 条，拒收 0 行" in again.stdout
    with transaction(factory) as session:
        stored = {r.source_record_id: r for r in session.scalars(select(CreditRecord))}
        assert sorted(stored) == ["X-1", "X-2", "X-3"]
        assert stored["X-2"].data["violation_facts"] == "经查，当事人逾期未公示"  # as first submitted
        assert stored["X-2"].data["subject_id"] == COMPANY_B
        assert stored["X-3"].decision_date == dt.date(2026, 3, 12)
        assert reports.batch_outcome(session, batch_id).open_rejected_rows == 0
    # a file without 原行号 still cannot say which rows it corrects
    nameless = _write(tmp_path / "nameless.csv", [["统一社会信用代码"], [COMPANY_B]])
    refused = _ingest(fresh_database, tmp_path, str(nameless), "--fixes-of", str(batch_id))
    assert refused.returncode == 2 and "INGEST_ROW_NO_MISSING" in refused.stderr


def test_partial_fixes_in_xlsx_json_lines_and_gbk_leave_no_copy(
    session: Session, sessions: sessionmaker[Session], cipher: PersonalDataCipher, tmp_path: Path
) -> None:
    """The same through the service, in each format a clerk may save it (a GBK CSV was not even read:
    the fixes file was not transcoded as a submitted file is); the copy read is deleted after."""
    build_world(session, CLOCK)
    session.commit()
    store = tmp_path / "store"
    fixes = {
        "xlsx": write_xlsx(tmp_path / "f.xlsx", [{"原行号": 3, "subject_id": COMPANY_B}]),
        "jsonl": write_jsonl(tmp_path / "f.jsonl", [{"原行号": 3, "subject_id": COMPANY_B}]),
        "gbk": _write(tmp_path / "f.csv", [["原行号", "统一社会信用代码"], ["3", COMPANY_B]], "gbk"),
    }
    for n, (kind, path) in enumerate(fixes.items()):
        rows = [{**r, "source_record_id": f"{r['source_record_id']}-{n}"} for r in ROWS]
        outcome = submit_file(
            sessions,
            write_csv(tmp_path / f"{kind}.csv", rows),
            item_code="CF-001",
            dept_code=DEPT,
            actor="t",
            clock=CLOCK,
            cipher=cipher,
            store_dir=store,
        )
        assert (outcome.accepted, outcome.rejected) == (1, 2), kind
        fixed = resubmit_rejected(
            session, outcome.batch_id, path, actor="t", clock=CLOCK, cipher=cipher, store_dir=store
        )
        assert (fixed.accepted, fixed.rejected, fixed.issues_total) == (1, 0, 0), kind
        assert [p for p in store.rglob("*") if p.is_file()] == [], kind
    assert session.scalar(select(func.count()).select_from(CreditRecord)) == 6
