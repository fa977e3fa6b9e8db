"""Departments (部门): create and list them, stop and resume them. The one way a department comes into
being — the CLI (``xinyong depts create``) and the demo both call :func:`create_department`.

A department that is not active (``Department.active`` false: merged, abolished, suspended) keeps its
records and history, but its staff cannot log in or call the API (``security.auth``), no account or
token is made for it, and nothing is submitted in its name (:func:`require_active`, which every
submission path asks for its department).

A department serves one current GB/T 2260 division (kit.regions) at that division's level: a county
department for a county-level code, a city department for a prefecture, a province department for a
province. Codes are the stable keys used in files and APIs (``320902-SCJG``).
"""

from __future__ import annotations

import re
from typing import Final, get_args

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.departments import repository
from xinyong.kit import regions
from xinyong.kit.clock import Clock
from xinyong.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from xinyong.models import Department

LEVELS: Final[tuple[str, ...]] = get_args(regions.Level)
LEVEL_ZH: Final[dict[str, str]] = {"province": "省级", "city": "市级", "county": "县级"}

_CODE_RE: Final = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}")


def _required(value: str, what: str, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{what}不能为空", code="DEPT_FIELD_REQUIRED", details={"field": field})
    if len(text) > limit:
        raise InvalidInput(
            f"{what}过长（最多 {limit} 个字符）", code="DEPT_FIELD_TOO_LONG", details={"field": field}
        )
    return text


def create_department(
    session: Session,
    *,
    code: str,
    name: str,
    kind: str,
    region_code: str,
    level: str | None = None,
    actor: str,
    clock: Clock | None = None,
) -> Department:
    """Create a department after checking its code, region and level; audited (``department.created``).

    ``level`` may be left out: it is then the region's level. Given, it must be the region's level."""
    code = _required(code, "部门代码", "code", 40).upper()
    if not _CODE_RE.fullmatch(code):
        raise InvalidInput(
            f"部门代码 {code} 只能由大写字母、数字和连字符组成，如 320902-SCJG",
            code="DEPT_CODE_INVALID",
            details={"code": code},
        )
    name = _required(name, "部门名称", "name", 200)
    kind = _required(kind, "部门类别", "kind", 40)
    region_code = (region_code or "").strip()
    region = regions.get_region(region_code)
    if region is None:
        raise InvalidInput(
            f"行政区划代码 {region_code} 不存在（应为 GB/T 2260 的 6 位代码）",
            code="DEPT_REGION_UNKNOWN",
            details={"region": region_code},
        )
    if region.valid_to is not None:
        raise InvalidInput(
            f"行政区划代码 {region_code}（{region.name}）已于 {region.valid_to} 年撤销，不能再设部门",
            code="DEPT_REGION_ABOLISHED",
            details={"region": region_code},
        )
    if level is not None and level not in LEVELS:
        raise InvalidInput(
            f"层级 {level} 无效，应为 province（省级）、city（市级）或 county（县级）",
            code="DEPT_LEVEL_INVALID",
            details={"level": level},
        )
    if level is not None and level != region.level:
        raise InvalidInput(
            f"层级与行政区划不符：{region_code}（{region.name}）是{LEVEL_ZH[region.level]}区划，"
            f"不是{LEVEL_ZH[level]}",
            code="DEPT_LEVEL_MISMATCH",
            details={"region": region_code, "level": level, "region_level": region.level},
        )
    if repository.code_taken(session, code):
        raise Conflict(f"部门代码 {code} 已存在", code="DEPT_CODE_TAKEN", details={"code": code})
    dept = Department(code=code, name=name, kind=kind, region_code=region.code, level=region.level)
    session.add(dept)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="department.created",
        entity="department",
        entity_id=dept.id,
        after={"code": code, "name": name, "kind": kind, "region_code": region.code, "level": region.level},
        clock=clock,
    )
    return dept


def list_departments(session: Session, *, region_code: str | None = None) -> list[Department]:
    """Every department by code, or those of one region."""
    return repository.listing(session, region_code=region_code.strip() if region_code else None)


def department_ids_in_region(session: Session, prefix: str | None) -> list[int]:
    """The ids of the departments of a region given by its leading digits (``Principal.region_prefix``):
    none for None."""
    return [] if prefix is None else repository.ids_in_region(session, prefix)


def get_department(session: Session, code: str) -> Department:
    """The department with this code; the one ``DEPT_NOT_FOUND`` for a code no department has."""
    dept = repository.by_code(session, (code or "").strip().upper())
    if dept is None:
        raise NotFound(f"部门代码 {code} 不存在", code="DEPT_NOT_FOUND", details={"dept": code})
    return dept


def get_department_by_id(session: Session, dept_id: int) -> Department:
    dept = repository.by_id(session, dept_id)
    if dept is None:
        raise NotFound(f"部门 {dept_id} 不存在", code="DEPT_NOT_FOUND", details={"dept_id": dept_id})
    return dept


class DepartmentInactive(Forbidden):
    code = "DEPT_INACTIVE"


def require_active(dept: Department | None) -> Department:
    """``dept`` if it is active; ``DEPT_INACTIVE`` (403) for a department that has been stopped."""
    if dept is None:
        raise NotFound("部门不存在", code="DEPT_NOT_FOUND")
    if not dept.active:
        raise DepartmentInactive(
            f"部门 {dept.code}（{dept.name}）已停用，不能以其名义报送、创建账户或签发令牌",
            details={"dept": dept.code},
        )
    return dept


def active_department(session: Session, code: str) -> Department:
    """The department with this code, which must be active (for submissions in its name)."""
    return require_active(get_department(session, code))


def set_department_active(
    session: Session, code: str, active: bool, *, actor: str, clock: Clock | None = None
) -> Department:
    """Stop (or resume) a department; audited (``department.disabled`` / ``department.enabled``)."""
    dept = get_department(session, code)
    before = dept.active
    dept.active = active
    audit.record(
        session,
        actor=actor,
        action="department.enabled" if active else "department.disabled",
        entity="department",
        entity_id=dept.id,
        before={"active": before},
        after={"active": active},
        clock=clock,
    )
    return dept
