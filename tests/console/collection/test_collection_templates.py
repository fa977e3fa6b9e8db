"""Submission templates (报送模板): every catalog item's CSV and XLSX template, as downloaded, goes
through the upload path and its example row is accepted; the XLSX carries the field rules on a second
sheet; the items listed are those the department may submit."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from xinyong.catalog.schema import load_default_catalog
from xinyong.catalog.service import item_row, item_spec
from xinyong.ingest.service import submit_file
from xinyong.ingest.templates import (
    DATA_SHEET,
    RULES_SHEET,
    field_rules,
    submittable_items,
    template_csv,
    template_xlsx,
)
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import NotFound

from ingestworld import DEPT, IngestWorld, build_world, source_dept

ITEMS = [item.code for item in load_default_catalog().items]


@pytest.fixture
def world(session: Session, clock: FixedClock) -> IngestWorld:
    w = build_world(session, clock)
    session.commit()
    return w


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_template_is_accepted_as_downloaded(
    world: IngestWorld,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
    fmt: str,
) -> None:
    make = template_csv if fmt == "csv" else template_xlsx
    for code in ITEMS:
        spec = item_spec(item_row(world.session, code))
        blob = make(world.session, code, today=clock.today(), region="320902")
        path = tmp_path / f"{code}.{fmt}"
        path.write_bytes(blob)
        outcome = submit_file(
            sessions,
            path,
            item_code=code,
            dept_code=source_dept(spec),
            actor="t",
            clock=clock,
            cipher=cipher,
            store_dir=tmp_path / "store",
        )
        assert (outcome.accepted, outcome.rejected, outcome.ignored_columns) == (1, 0, []), (
            code,
            outcome.issues,
        )


def test_the_csv_template_has_the_labels_and_one_example_row(world: IngestWorld, clock: FixedClock) -> None:
    text = template_csv(world.session, "CF-001", today=clock.today()).decode("utf-8")
    assert text.startswith("\ufeff行政相对人名称,统一社会信用代码,数据标识,")
    lines = text.strip("\r\n").split("\r\n")
    assert len(lines) == 2 and "2026-03-16" in lines[1]


def test_the_xlsx_template_has_a_rules_sheet(world: IngestWorld, clock: FixedClock) -> None:
    blob = template_xlsx(world.session, "CF-001", today=clock.today())
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        book = z.read("xl/workbook.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode()
    assert book.index(DATA_SHEET) < book.index(RULES_SHEET)
    for text in ("处罚类别", "必填", "选填", "罚款(较大数额)", "校验位须正确", "不得晚于报送当日"):
        assert text in strings


def test_rules_name_type_required_format_and_allowed_values(world: IngestWorld) -> None:
    rules = {r.name: r for r in field_rules(item_spec(item_row(world.session, "CF-001")))}
    kind = rules["penalty_kind"]
    assert (kind.label, kind.type_label, kind.required) == ("处罚类别", "枚举", True)
    assert "警告" in kind.allowed and rules["fine_amount"].required is False
    assert "不得为负数" in rules["fine_amount"].format


def test_a_department_is_offered_the_items_it_produces(world: IngestWorld) -> None:
    market = {i.code for i in submittable_items(world.session, world.depts[DEPT])}
    court = {i.code for i in submittable_items(world.session, world.depts["320902-FY"])}
    assert {"CF-001", "XK-001", "DJ-001"} <= market and "SF-001" not in market
    assert "SF-001" in court and "CF-001" not in court
    first = submittable_items(world.session, world.depts[DEPT])[0]
    assert first.template_xlsx == f"/api/v1/ingest/templates/{first.code}.xlsx"


def test_an_item_outside_the_catalog_has_no_template(world: IngestWorld, clock: FixedClock) -> None:
    with pytest.raises(NotFound) as caught:
        template_csv(world.session, "XX-999", today=clock.today())
    assert caught.value.code == "CATALOG_ITEM_NOT_FOUND"
