"""Every identifier field of every catalog item, generated from the catalog (issue 9, rule 1).

An identifier field is the subject's code (whatever type the catalog gives it, including the mixed
"统一社会信用代码或公民身份号码") and every field typed USCC or citizen ID. Each one must refuse a USCC
with a wrong check character, a citizen ID with a wrong check digit and text that is neither; the
subject's code must route a valid citizen ID to a natural person (stored encrypted, never listed
publicly) where the item collects natural persons, and refuse it elsewhere. A new item cannot slip past:
the cases are generated from the default catalog.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Session

from xinyong.catalog.model import CatalogItem
from xinyong.catalog.schema import FieldSpec, FieldType, load_default_catalog
from xinyong.catalog.terms import SubjectType
from xinyong.ingest.service import submit_records
from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import Subject
from xinyong.models.base import Base
from xinyong.models.subjects import SubjectKind
from xinyong.subjects.schemas import public_subject

from ingestworld import AUTHORITY, COMPANY_A, build_world, source_dept, uscc

CATALOG = load_default_catalog()
#: An adult born 1985-03-12 (a valid, fictional citizen ID).
ADULT = "32090219850312991" + ids.calc_ric_check("32090219850312991")
#: A valid USCC per organisation kind (the kind is read from the code's first two characters).
ORGANISATION_CODES = {
    SubjectType.LEGAL_PERSON: COMPANY_A,
    SubjectType.INDIVIDUAL_BUSINESS: uscc("MB2XY002", prefix="92"),
    SubjectType.GOVERNMENT_BODY: uscc("MB2XY001", prefix="11"),
    SubjectType.PUBLIC_INSTITUTION: uscc("MB2XY003", prefix="12"),
}
NEITHER = "ABC123"


def _wrong_check(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def _identifier_fields(item: CatalogItem) -> list[FieldSpec]:
    return [f for f in item.fields if f.name == "subject_id" or f.type in (FieldType.USCC, FieldType.RIC)]


CASES = [(item.code, f.name) for item in CATALOG.items for f in _identifier_fields(item)]
ITEMS = [item.code for item in CATALOG.items]


def _organisation_code(item: CatalogItem) -> str:
    """A valid USCC of a kind the item collects."""
    return next(ORGANISATION_CODES[t] for t in item.subject_types if t in ORGANISATION_CODES)


def _value(f: FieldSpec, item: CatalogItem) -> Any:
    """A valid value for a field of any type."""
    if f.name == "subject_id":
        return ADULT if item.subject_types == [SubjectType.NATURAL_PERSON] else _organisation_code(item)
    by_type: dict[FieldType, Any] = {
        FieldType.USCC: AUTHORITY,
        FieldType.RIC: ADULT,
        FieldType.DATE: "2026-03-02",
        FieldType.DATETIME: "2026-03-02 10:00:00",
        FieldType.INTEGER: "2025",
        FieldType.DECIMAL: "1.5",
        FieldType.MONEY: "1000",
        FieldType.BOOLEAN: "否",
    }
    if f.type is FieldType.ENUM:
        return (f.enum or [""])[0]
    if f.type in by_type:
        return by_type[f.type]
    return "测试"[: f.max_length or 2]


def _row(item: CatalogItem, key: str, **values: Any) -> dict[str, Any]:
    row = {f.name: _value(f, item) for f in item.fields}
    row["source_record_id"] = key
    if "valid_until" in row:
        row["valid_until"] = "2029-03-01"
    row.update(values)
    return row


def _submit(session: Session, item_code: str, rows: list[dict[str, Any]], cipher: PersonalDataCipher) -> Any:
    return submit_records(
        session,
        rows,
        item_code=item_code,
        dept_code=source_dept(CATALOG.item(item_code)),
        actor="tester",
        clock=FixedClock(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)),
        cipher=cipher,
        received_on=dt.date(2026, 3, 10),
    )


def _text_anywhere(session: Session, needle: str) -> list[str]:
    """Tables and columns whose stored text contains ``needle``."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text) or column.type.__class__.__name__ == "JSON":
                for value in session.execute(select(column)).scalars():
                    if value is not None and needle in str(value):
                        found.append(f"{table.name}.{column.name}")
                        break
    return found


@pytest.fixture
def world(session: Session, clock: FixedClock) -> Session:
    build_world(session, clock)
    session.flush()
    return session


def test_every_item_has_a_subject_code_field() -> None:
    assert CASES, "the catalog has identifier fields"
    assert all(any(f == "subject_id" for c, f in CASES if c == code) for code in ITEMS)


@pytest.mark.parametrize(("item_code", "field_name"), CASES)
def test_identifier_field_refuses_bad_codes(
    world: Session, cipher: PersonalDataCipher, item_code: str, field_name: str
) -> None:
    item = CATALOG.item(item_code)
    spec = item.field(field_name)
    assert spec is not None
    bad_uscc = _wrong_check(COMPANY_A)
    bad_ric = _wrong_check(ADULT)
    rows = [
        _row(item, f"K-{i}", **{field_name: value}) for i, value in enumerate((bad_uscc, bad_ric, NEITHER))
    ]
    outcome = _submit(world, item_code, rows, cipher)
    assert (outcome.accepted, outcome.rejected) == (0, 3), outcome.describe()
    refused = {i.row_no for i in outcome.issues if i.level == "error" and i.field == field_name}
    assert refused == {1, 2, 3}, [i.message for i in outcome.issues]


@pytest.mark.parametrize("item_code", ITEMS)
def test_subject_code_routes_citizen_ids_to_natural_persons(
    world: Session, cipher: PersonalDataCipher, item_code: str
) -> None:
    item = CATALOG.item(item_code)
    takes_persons = SubjectType.NATURAL_PERSON in item.subject_types
    outcome = _submit(world, item_code, [_row(item, "P-1", subject_id=ADULT, subject_name="王晓明")], cipher)
    if not takes_persons:
        assert (outcome.accepted, outcome.rejected) == (0, 1), outcome.describe()
        assert world.scalar(select(Subject).where(Subject.name == "王晓明")) is None
        return
    assert (outcome.accepted, outcome.rejected) == (1, 0), outcome.describe()
    person = world.scalars(select(Subject).where(Subject.name == "王晓明")).one()
    assert person.kind is SubjectKind.natural_person
    assert person.uscc is None and person.ric_encrypted is not None
    assert cipher.decrypt(person.ric_encrypted) == ADULT
    assert not public_subject(person)
    assert _text_anywhere(world, ADULT) == []


@pytest.mark.parametrize(
    "item_code", [code for code in ITEMS if CATALOG.item(code).subject_types != ["natural_person"]]
)
def test_subject_code_takes_a_valid_organisation_code(
    world: Session, cipher: PersonalDataCipher, item_code: str
) -> None:
    item = CATALOG.item(item_code)
    outcome = _submit(world, item_code, [_row(item, "O-1")], cipher)
    assert (outcome.accepted, outcome.rejected) == (1, 0), outcome.describe()
