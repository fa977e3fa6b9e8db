"""Demo data: real place names, officially named departments (made by departments.service), fictional
phone numbers, and exactly the number of subjects asked for."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import demo
from xinyong.kit import regions
from xinyong.models import AuditEntry, Department, Subject, SubjectKind

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
