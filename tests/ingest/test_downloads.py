"""The files the platform hands to departments (errors.csv, errors.xlsx, rejected.csv), written from a
real batch: nothing in them runs in a spreadsheet (issue 10 item 4), and the rejected rows come back
under the headers the department used (issue 10 item 10)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from xinyong.catalog.service import item_row, item_spec
from xinyong.ingest import reports
from xinyong.ingest.service import resubmit_rejected, submit_file, submit_records
from xinyong.kit.cells import is_formula_like
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher

from ingestworld import COMPANY_A, DEPT, PENALTY_HEADER, build_world, penalty, write_csv

LINK = '=HYPERLINK("http://x","y")'
UNKNOWN = '=HYPERLINK("http://x","z")'
BAD_USCC = COMPANY_A[:-1] + ("0" if COMPANY_A[-1] != "0" else "1")


@pytest.fixture
def world(session: Session, clock: FixedClock) -> Session:
    build_world(session, clock)
    session.commit()
    return session


def _attack_rows() -> list[dict[str, Any]]:
    """Row 2 is accepted; row 3 (a wrong check digit) is rejected with formula-like values."""
    return [
        penalty("D-1"),
        penalty(
            LINK,
            subject_id=BAD_USCC,
            violation_facts="+1+1",
            legal_basis_text="-1+1",
            penalty_content="@SUM(A1)",
            fine_amount="-5",
            **{UNKNOWN: "http://x"},
        ),
    ]


def xlsx_cells(blob: bytes) -> dict[str, tuple[str | None, str, bool]]:
    """Each cell of the first sheet: (its type attribute, its text or number, whether it has a formula)."""
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        shared_xml = z.read("xl/sharedStrings.xml").decode()
    shared = [
        s.replace("&quot;", '"').replace("&amp;", "&")
        for s in re.findall(r"<si><t[^>]*>(.*?)</t></si>", shared_xml, re.S)
    ]
    out = {}
    for ref, attrs, body in re.findall(r'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', sheet, re.S):
        kind = m.group(1) if (m := re.search(r't="(\w+)"', attrs)) else None
        value = m.group(1) if (m := re.search(r"<v>(.*?)</v>", body or "")) else ""
        out[ref] = (kind, shared[int(value)] if kind == "s" else value, "<f>" in (body or ""))
    return out


def _table(blob: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(blob.decode("utf-8-sig"), newline="")))


def _submit(
    sessions: sessionmaker[Session], path: Path, clock: FixedClock, cipher: PersonalDataCipher, tmp_path: Path
) -> int:
    outcome = submit_file(
        sessions,
        path,
        item_code="CF-001",
        dept_code=DEPT,
        actor="t",
        clock=clock,
        cipher=cipher,
        store_dir=tmp_path / "store",
    )
    assert (outcome.accepted, outcome.rejected) == (1, 1)
    return outcome.batch_id


def test_downloads_do_not_run_in_a_spreadsheet(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    labels = {f.name: f.label for f in item_spec(item_row(world, "CF-001")).fields}
    rows = [{labels.get(k, k): v for k, v in r.items()} for r in _attack_rows()]
    path = write_csv(tmp_path / "attack.csv", rows, header=[*(labels[n] for n in PENALTY_HEADER), UNKNOWN])
    batch_id = _submit(sessions, path, clock, cipher, tmp_path)

    errors = _table(reports.batch_errors_csv(world, batch_id))
    assert not [c for row in errors for c in row if is_formula_like(c)]
    assert [row[2] for row in errors if row[5] == "FIELD_NOT_IN_CATALOG"] == ["'" + UNKNOWN]
    assert {row[1] for row in errors if row[0] == "3"} == {"'" + LINK}

    rejected = _table(reports.rejected_rows_csv(world, batch_id))
    assert not [c for row in rejected for c in row if is_formula_like(c)]
    [row] = [dict(zip(rejected[0], r, strict=True)) for r in rejected[1:]]
    assert row["数据标识"] == "'" + LINK
    assert (row["违法事实"], row["处罚依据"], row["处罚内容"]) == ("'+1+1", "'-1+1", "'@SUM(A1)")
    assert row["罚款金额（元）"] == "-5"  # a number stays a number

    cells = xlsx_cells(reports.batch_errors_xlsx(world, batch_id))
    assert not [ref for ref, (_kind, _text, formula) in cells.items() if formula]
    texts = {text for kind, text, _formula in cells.values() if kind == "s"}
    assert {LINK, UNKNOWN} <= texts  # the text as written, as a string
    numbers = [text for kind, text, _formula in cells.values() if kind is None]
    assert "3" in numbers  # row numbers are numbers


def test_rejected_rows_come_back_under_the_headers_the_department_used(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    spec = item_spec(item_row(world, "CF-001"))
    labels = {f.name: f.label for f in spec.fields}
    court_style = "（2026）苏0902行罚1号"  # a 文号 in brackets is a value, not the hidden-ID placeholder
    rows = [penalty("L-1"), penalty("L-2", subject_id=BAD_USCC, decision_no=court_style)]
    path = write_csv(tmp_path / "labels.csv", [{labels[k]: v for k, v in r.items()} for r in rows])
    batch_id = _submit(sessions, path, clock, cipher, tmp_path)
    header, *fixes = _table(reports.rejected_rows_csv(world, batch_id))
    assert header[0] == "原行号" and header[-1] == reports.REASONS_COLUMN
    assert fixes[0][header.index(labels["decision_no"])] == court_style
    assert header[1 : len(spec.fields) + 1] == [f.label for f in spec.fields]
    assert not [h for h in header if h.isascii()]
    # the department fixes the file it downloaded and sends it back
    fixes[0][header.index("统一社会信用代码")] = COMPANY_A
    fixed = tmp_path / "fixed.csv"
    with open(fixed, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *fixes])
    again = resubmit_rejected(
        world, batch_id, fixed, actor="t", clock=clock, cipher=cipher, store_dir=tmp_path / "store"
    )
    assert (again.accepted, again.rejected) == (1, 0)

    # records sent as JSON name their fields by key: the rejected rows come back under the names
    outcome = submit_records(
        world,
        [penalty("J-1", subject_id=BAD_USCC)],
        item_code="CF-001",
        dept_code=DEPT,
        actor="t",
        clock=clock,
        cipher=cipher,
    )
    header = _table(reports.rejected_rows_csv(world, outcome.batch_id))[0]
    assert header[1 : len(spec.fields) + 1] == [f.name for f in spec.fields]
