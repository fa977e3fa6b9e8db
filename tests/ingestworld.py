"""A small world for the collection tests: the default catalog, two departments, a few companies,
and helpers that write penalty files (CSV, XLSX, JSON Lines)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xinyong.catalog.schema import CatalogItem, default_catalog_path
from xinyong.catalog.service import import_catalog
from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.models import Department, Subject
from xinyong.models.subjects import SubjectKind
from xinyong.subjects.service import register_organisation

DEPT = "320902-SCJG"
OTHER_DEPT = "320902-SW"
COURT = "320902-FY"
#: The county's other departments, so that every catalog item has a source department (谁产生、谁提供).
SOURCE_DEPTS = [
    (OTHER_DEPT, "亭湖区税务局", "税务"),
    (COURT, "亭湖区人民法院", "法院"),
    ("320902-CZ", "亭湖区财政局", "财政"),
    ("320902-ZSCQ", "亭湖区知识产权局", "知识产权"),
    ("320902-RS", "亭湖区人力资源和社会保障局", "人力资源社会保障"),
]


def uscc(org_body: str, region: str = "320902", prefix: str = "91") -> str:
    org = org_body + ids.calc_org_check(org_body)
    return prefix + region + org + ids.calc_uscc_check(prefix + region + org)


AUTHORITY = uscc("MB100001", prefix="11")
COMPANY_A = uscc("MA1XY001")
COMPANY_B = uscc("MA1XY002")
COMPANY_C = uscc("MA1XY003")
OLD_REG_NO = "320902000012340"[:14] + ids.calc_reg_no_check("320902000012340"[:14])


@dataclass
class IngestWorld:
    session: Session
    clock: FixedClock
    depts: dict[str, Department]
    companies: dict[str, Subject]


def build_world(session: Session, clock: FixedClock) -> IngestWorld:
    import_catalog(
        session,
        default_catalog_path().read_text(encoding="utf-8"),
        actor="test",
        clock=clock,
        source="default.yaml",
    )
    depts = {}
    for code, name, kind in [(DEPT, "亭湖区市场监督管理局", "市场监管"), *SOURCE_DEPTS]:
        dept = Department(code=code, name=name, kind=kind, region_code="320902", level="county")
        session.add(dept)
        session.flush()
        depts[code] = dept
    companies = {
        COMPANY_A: register_organisation(
            session,
            kind=SubjectKind.legal_person,
            name="盐城恒通建设工程有限公司",
            uscc=COMPANY_A,
            actor="test",
            clock=clock,
            old_reg_no=OLD_REG_NO,
        ),
        COMPANY_B: register_organisation(
            session,
            kind=SubjectKind.legal_person,
            name="盐城华美食品有限公司",
            uscc=COMPANY_B,
            actor="test",
            clock=clock,
        ),
    }
    session.flush()
    return IngestWorld(session, clock, depts, companies)


PENALTY_HEADER = [
    "subject_name",
    "subject_id",
    "source_record_id",
    "decision_no",
    "decision_date",
    "penalty_kind",
    "violation",
    "violation_facts",
    "legal_basis_text",
    "penalty_content",
    "fine_amount",
    "authority_name",
    "authority_id",
]


def penalty(
    key: str,
    *,
    subject_id: str = COMPANY_A,
    name: str = "盐城恒通建设工程有限公司",
    decided: str = "2026-03-10",
    kind: str = "罚款(较大数额)",
    **extra: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "subject_name": name,
        "subject_id": subject_id,
        "source_record_id": key,
        "decision_no": f"亭市监罚〔2026〕{key}号",
        "decision_date": decided,
        "penalty_kind": kind,
        "violation": "未按规定公示年度报告",
        "violation_facts": "经查，当事人未按规定公示年度报告",
        "legal_basis_text": "《企业信息公示暂行条例》第十八条",
        "penalty_content": "罚款人民币伍万元",
        "fine_amount": "50000",
        "authority_name": "亭湖区市场监督管理局",
        "authority_id": AUTHORITY,
    }
    row.update(extra)
    return row


def write_csv(
    path: Path, rows: list[dict[str, Any]], header: list[str] | None = None, encoding: str = "utf-8"
) -> Path:
    columns = header or list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return path


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")
    return path


def write_xlsx(path: Path, rows: list[dict[str, Any]], header: list[str] | None = None) -> Path:
    import xlsxwriter  # type: ignore[import-untyped]

    columns = header or list(dict.fromkeys(k for r in rows for k in r))
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, columns)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(columns):
            value = row.get(name)
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


def source_dept(item: CatalogItem) -> str:
    """The code of the world's first department that may submit ``item``: the market regulator when it
    may, else the first source department of the item's kinds."""
    kinds = {DEPT: "市场监管", **{code: kind for code, _name, kind in SOURCE_DEPTS}}
    return next(code for code, kind in kinds.items() if item.provided_by(kind))
