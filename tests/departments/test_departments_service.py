"""Departments: created only with a known, current region and the level that region has; audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.departments.service import create_department, list_departments
from xinyong.kit.clock import FixedClock
from xinyong.kit.errors import DomainError
from xinyong.models import AuditEntry


def test_create_and_list(session: Session, clock: FixedClock) -> None:
    county = create_department(
        session,
        code="320902-scjg",
        name="盐城市亭湖区市场监督管理局",
        kind="市场监管",
        region_code="320902",
        level="county",
        actor="office",
        clock=clock,
    )
    city = create_department(
        session,
        code="320900-SW",
        name="盐城市税务局",
        kind="税务",
        region_code="320900",
        actor="o",
        clock=clock,
    )
    assert (county.code, county.level, city.level) == ("320902-SCJG", "county", "city")
    assert [d.code for d in list_departments(session)] == ["320900-SW", "320902-SCJG"]
    assert [d.code for d in list_departments(session, region_code="320902")] == ["320902-SCJG"]
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "department.created", AuditEntry.entity_id == str(county.id)
        )
    )
    assert entry is not None and entry.actor == "office"
    assert entry.after_digest == audit.digest(
        {
            "code": "320902-SCJG",
            "name": "盐城市亭湖区市场监督管理局",
            "kind": "市场监管",
            "region_code": "320902",
            "level": "county",
        }
    )


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        ({"region_code": "329999"}, "DEPT_REGION_UNKNOWN", "不存在"),
        ({"region_code": "32090"}, "DEPT_REGION_UNKNOWN", "不存在"),
        ({"region_code": "110103"}, "DEPT_REGION_ABOLISHED", "已于 2010 年撤销"),
        ({"level": "city"}, "DEPT_LEVEL_MISMATCH", "县级区划，不是市级"),
        ({"level": "town"}, "DEPT_LEVEL_INVALID", "层级 town 无效"),
        ({"code": "亭湖 市监"}, "DEPT_CODE_INVALID", "部门代码"),
        ({"name": "  "}, "DEPT_FIELD_REQUIRED", "部门名称不能为空"),
        ({"kind": ""}, "DEPT_FIELD_REQUIRED", "部门类别不能为空"),
    ],
)
def test_invalid_department_is_refused(
    session: Session, clock: FixedClock, changes: dict[str, str], code: str, words: str
) -> None:
    args = {
        "code": "320902-SCJG",
        "name": "盐城市亭湖区市场监督管理局",
        "kind": "市场监管",
        "region_code": "320902",
        "level": "county",
        **changes,
    }
    with pytest.raises(DomainError) as err:
        create_department(session, actor="office", clock=clock, **args)
    assert err.value.code == code
    assert words in err.value.message
    assert list_departments(session) == []


def test_same_code_twice_conflicts(session: Session, clock: FixedClock) -> None:
    args = {"code": "320902-SW", "name": "盐城市亭湖区税务局", "kind": "税务", "region_code": "320902"}
    create_department(session, actor="office", clock=clock, **args)
    with pytest.raises(DomainError) as err:
        create_department(session, actor="office", clock=clock, **args)
    assert (err.value.code, err.value.status) == ("DEPT_CODE_TAKEN", 409)
