"""Demo data: real place names, officially named departments (made by departments.service), fictional
phone numbers, and exactly the number of subjects asked for."""

from __future__ import annotations

import re

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.iso7064 import mod_11_10

from xinyong import demo
from xinyong.audit import service as audit
from xinyong.config import cipher_from_settings
from xinyong.demo import names
from xinyong.files import service as files_service
from xinyong.kit import ids, regions
from xinyong.models import (
    AuditEntry,
    CreditRecord,
    Department,
    IdScheme,
    IngestBatch,
    Subject,
    SubjectIdentifier,
    SubjectKind,
)
from xinyong.models.search import SearchName
from xinyong.subjects import service as subjects_service

REGIONS = [r.code for r in demo.demo_regions("320900")]
#: Places that do not exist: a county or district with 市 glued on.
FAKE_PLACES = re.compile(r"(阜宁|盐都|亭湖|响水|滨海|射阳|建湖|大丰)市")
#: Official place names a government body, public institution or shop begins with.
OFFICIAL = ("盐城市", "阜宁县", "响水县", "滨海县", "射阳县", "建湖县", "东台市")


@pytest.mark.parametrize("n", [1, 2, 3, 60])
def test_n_subjects_means_n_subjects_with_an_organisation(session: Session, n: int) -> None:
    summary = demo.load_demo(session, subjects=n, seed=7)
    kinds = list(session.scalars(select(Subject.kind)))
    assert summary.subjects == len(kinds) == n
    assert sum(k is not SubjectKind.natural_person for k in kinds) >= 1
    assert summary.persons == sum(k is SubjectKind.natural_person for k in kinds) == demo.demo_split(n)[1]
    if n >= 2:
        assert summary.persons >= 1


def test_departments_are_named_officially_and_created_through_the_service(session: Session) -> None:
    demo.load_demo(session, subjects=1, seed=7)
    names = {d.code: d.name for d in session.scalars(select(Department))}
    assert names["320902-SCJG"] == "盐城市亭湖区市场监督管理局"
    assert names["320900-SCJG"] == "盐城市市场监督管理局"
    assert names["320923-SW"] == "阜宁县税务局"
    assert names["320981-FY"] == "东台市人民法院"
    created = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "department.created")
    )
    assert created == len(names)


def test_organisation_names_use_real_places() -> None:
    names = [o.name for o in demo.generate_orgs(3000, 11, REGIONS)]
    assert not [n for n in names if FAKE_PLACES.search(n)]
    not_companies = [n for n in names if not n.endswith(("公司", "公司）", "（有限合伙）"))]
    assert not_companies and all(n.startswith(OFFICIAL) for n in not_companies)  # never 东台水利局
    assert any(n.startswith("盐城市亭湖区") for n in names)  # a district body or shop carries its city
    assert any(n.startswith("东台市") and n.endswith("局") for n in names)
    current = {r.name for r in regions.children("320900", current_only=True)}
    assert any(any(n.startswith(place) for place in current) for n in names)
    bodies = [n for n in names if n.endswith(("局", "医院", "小学", "中心"))]
    assert len(bodies) == len(set(bodies))  # one 东台市水利局, not two


def test_variants_are_kept() -> None:
    import opencc

    names = [o.name for o in demo.generate_orgs(500, 3, REGIONS, traditional=opencc.OpenCC("s2t").convert)]
    assert any("鹽城" in n for n in names)
    assert any("（" in n and "）" in n for n in names)


def test_phone_numbers_are_fictional() -> None:
    persons = list(demo.generate_persons(50, 5, REGIONS))
    assert all(re.fullmatch(r"1000\d{7}", p.phone) for p in persons)


# --------------------------------------------------------------------------- the bulk path


def test_bulk_names_are_varied_real_and_distinct() -> None:
    frame = names.organisations(20_000, 5, REGIONS, "320900")
    assert frame.height == 20_000
    assert frame["uscc"].n_unique() == 20_000
    assert frame["uscc"].str.slice(8, 9).n_unique() == 20_000  # organisation codes distinct too
    assert frame["name"].n_unique() > 19_900
    assert all(ids.check_uscc(u).valid for u in frame["uscc"].to_list())
    reg_nos = frame["old_reg_no"].drop_nulls().to_list()
    assert len(reg_nos) > 2_000
    assert all(ids.check_reg_no(r).valid for r in reg_nos)
    company_names = frame.filter(pl.col("kind") == "legal_person")["name"].to_list()
    assert not [n for n in company_names if FAKE_PLACES.search(n)]
    assert any(n.startswith("盐城市") and n.endswith("有限公司") for n in company_names)
    assert any(n.endswith("分公司") for n in company_names)
    assert any("鹽城" in n or "東臺" in n for n in company_names)  # some in traditional characters
    assert len({n[-4:] for n in company_names}) >= 4  # forms vary


def test_reg_no_checks_agree_with_stdnum() -> None:
    first14 = pl.Series([f"3209{i:010d}" for i in range(0, 10**10, 10**10 // 997)])
    checks = names.reg_no_checks(first14)
    assert checks.to_list() == [mod_11_10.calc_check_digit(f) for f in first14.to_list()]


def test_bulk_persons_are_fictional_adults_with_valid_ids() -> None:
    people = names.persons(500, 3, REGIONS)
    assert people["ric"].n_unique() == 500
    assert all(ids.check_ric(r).valid and r[14:16] == "99" for r in people["ric"].to_list())
    assert all(re.fullmatch(r"1000\d{7}", p) for p in people["phone"].to_list())
    assert all("某" in n for n in people["name"].to_list())


def test_a_bulk_load_is_valid_through_the_normal_services(session: Session) -> None:
    summary = demo.load_demo(session, subjects=400, seed=11, bulk=True)
    subjects = list(session.scalars(select(Subject)))
    assert summary.subjects == len(subjects) == 400
    assert summary.persons == demo.demo_split(400)[1]
    orgs = [s for s in subjects if s.kind is not SubjectKind.natural_person]
    assert all(s.uscc and ids.check_uscc(s.uscc).valid for s in orgs)
    cipher = cipher_from_settings()
    persons = [s for s in subjects if s.kind is SubjectKind.natural_person]
    assert all(s.ric_encrypted and ids.check_ric(cipher.decrypt(s.ric_encrypted)).valid for s in persons)
    # old codes convert (新旧码转换) and every identifier resolves to its subject
    reg_no, owner = session.execute(
        select(SubjectIdentifier.value, SubjectIdentifier.subject_id).where(
            SubjectIdentifier.scheme == IdScheme.reg_no
        )
    ).first() or (None, None)
    assert reg_no is not None
    assert subjects_service.resolve(session, reg_no).subject.id == owner
    person = persons[0]
    assert (
        subjects_service.resolve(
            session, cipher.decrypt(person.ric_encrypted or b""), cipher=cipher
        ).subject.id
        == person.id
    )
    # every record was accepted by the pipeline, across items, departments and months
    stored = session.scalar(select(func.count()).select_from(CreditRecord)) or 0
    assert summary.records == stored and stored > 300
    assert session.scalar(select(func.sum(IngestBatch.rejected))) == 0
    assert {"XK-001", "CF-001"} <= set(summary.by_item)  # 双公示
    assert len(summary.by_item) >= 15
    assert (session.scalar(select(func.count(func.distinct(CreditRecord.source_dept_id)))) or 0) >= 10
    months = {d.strftime("%Y-%m") for d in session.scalars(select(CreditRecord.received_on))}
    assert len(months) >= 12
    # published records reach their subject's public file; 双公示 reach the portal's latest list
    with_records = session.scalar(
        select(CreditRecord.subject_id).where(CreditRecord.published.is_(True)).limit(1)
    )
    assert with_records is not None
    shown = files_service.public_file(session, with_records, today=demo.DEMO_TODAY, cipher=cipher)
    assert shown.total >= 1
    latest = files_service.latest_public(
        session, ["licence", "penalty"], today=demo.DEMO_TODAY, days=400, limit=5
    )
    assert len(latest) == 5
    # seals and the audit chain verify, and the public search index lists every organisation
    report = audit.verify(session)
    assert report.problems == []
    listed = session.scalar(select(func.count()).select_from(SearchName))
    assert listed == len(orgs)
