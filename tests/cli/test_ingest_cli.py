"""`xinyong ingest` as a clerk uses it: the issue's 3-row file, the per-row report next to it, then the
rejected rows downloaded, corrected in the file and sent back with --fixes-of."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from xinyong.db import session_factory, transaction
from xinyong.ingest import reports
from xinyong.kit.clock import FixedClock
from xinyong.models import CreditRecord, IngestBatch

from conftest import Database
from ingestworld import COMPANY_B, DEPT, build_world, penalty, write_csv

LABELS = {"subject_id": "统一社会信用代码", "decision_date": "处罚决定日期"}


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


def test_three_rows_then_fix_the_rejected_rows_file(fresh_database: Database, tmp_path: Path) -> None:
    factory = session_factory(fresh_database.engine)
    with transaction(factory) as session:
        build_world(session, FixedClock(dt.date(2026, 3, 16)))
    bad_uscc = COMPANY_B[:-1] + ("0" if COMPANY_B[-1] != "0" else "1")
    rows = [
        penalty("Q-1"),
        penalty("Q-2", subject_id=bad_uscc, name="盐城华美食品有限公司"),
        penalty("Q-3", subject_id=COMPANY_B, name="盐城华美食品有限公司", decided="2099-01-01"),
    ]
    path = write_csv(tmp_path / "three.csv", rows)
    done = _ingest(fresh_database, tmp_path, str(path), "--item", "CF-001", "--dept", DEPT)
    assert done.returncode == 0, done.stderr
    assert "入库 1 条，拒收 2 行" in done.stdout
    report = next(tmp_path.glob("batch-*-errors.csv")).read_text(encoding="utf-8-sig")
    assert "校验位" in report and "日期不能在未来" in report
    with transaction(factory) as session:
        batch_id = session.scalar(select(IngestBatch.id))
        assert batch_id is not None
        table = list(
            csv.reader(io.StringIO(reports.rejected_rows_csv(session, batch_id).decode("utf-8-sig")))
        )
    # the clerk corrects the two wrong cells in the downloaded file and sends it back
    header, fixes = table[0], table[1:]
    assert [r[0] for r in fixes] == ["3", "4"]
    # the download heads its columns as the department does (labels for a table; field names before)
    column = {name: header.index(name if name in header else label) for name, label in LABELS.items()}
    fixes[0][column["subject_id"]] = COMPANY_B
    fixes[1][column["decision_date"]] = "2026-03-12"
    fixed_file = tmp_path / "fixed.csv"
    with open(fixed_file, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *fixes])
    again = _ingest(fresh_database, tmp_path, str(fixed_file), "--fixes-of", str(batch_id))
    assert again.returncode == 0, again.stderr
    assert "入库 2 条，拒收 0 行" in again.stdout
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(CreditRecord)) == 3
        assert reports.batch_outcome(session, batch_id).open_rejected_rows == 0
    # the same corrections again: nothing is open any more, a clear refusal, exit 2
    twice = _ingest(fresh_database, tmp_path, str(fixed_file), "--fixes-of", str(batch_id))
    assert twice.returncode == 2 and "INGEST_ROW_NOT_REJECTED" in twice.stderr


def test_files_that_gave_a_server_error_are_refused_with_exit_2(
    fresh_database: Database, tmp_path: Path
) -> None:
    """JSON Lines nested thousands deep, a CSV line over 131 KB, a text file named .xlsx (issue 10 item
    9): a stable code and a Chinese message on stderr, no traceback, and no copy left in the data
    directory."""
    with transaction(session_factory(fresh_database.engine)) as session:
        build_world(session, FixedClock(dt.date(2026, 3, 16)))
    deep = tmp_path / "deep.jsonl"
    deep.write_text(json.dumps(penalty("D-1"), ensure_ascii=False) + "\n" + "[" * 5000 + "]" * 5000 + "\n")
    long_line = tmp_path / "long.csv"
    long_line.write_text("说明" * 70_000 + "\n1\n", encoding="utf-8")
    not_a_book = tmp_path / "名单.xlsx"
    not_a_book.write_text("subject_name,subject_id\n", encoding="utf-8")
    expected = {
        deep: ("INGEST_JSON_TOO_DEEP", "嵌套超过 32 层"),
        long_line: ("INGEST_HEADER_INVALID", "第一行应为表头"),
        not_a_book: ("INGEST_XLSX_INVALID", "不是有效的 Excel 工作簿"),
    }
    for path, (code, message) in expected.items():
        run = _ingest(fresh_database, tmp_path, str(path), "--item", "CF-001", "--dept", DEPT)
        assert run.returncode == 2, (path.name, run.stderr)
        assert code in run.stderr and message in run.stderr and "Traceback" not in run.stderr
    copies = tmp_path / "data" / "ingest"
    assert [p.name for p in copies.rglob("*") if p.is_file()] == []
