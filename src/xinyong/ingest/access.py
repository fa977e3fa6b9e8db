"""Who may do what in collection, beyond the route's scope: a department submits and sees its own batches
(谁产生谁提供); the credit office sees every batch of its region; timeliness oversight covers the
departments of the caller's region (credit office, auditors) or the caller's own department."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.catalog.service import item_row, item_spec
from xinyong.departments.service import get_department, get_department_by_id
from xinyong.files.schemas import RecordOut
from xinyong.files.service import record_out
from xinyong.ingest import repository
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Forbidden, NotFound
from xinyong.models import CatalogItemRow, CreditRecord, Department, IngestBatch
from xinyong.security.auth import Principal
from xinyong.security.roles import Role

ITEM_NOT_FOR_DEPARTMENT = "INGEST_ITEM_NOT_FOR_DEPARTMENT"
DEPARTMENT_INACTIVE = "INGEST_DEPARTMENT_INACTIVE"


def source_item(session: Session, dept_code: str, item_code: str) -> tuple[Department, CatalogItemRow]:
    """The submitting department and the catalog item, when the department is active and of a kind the
    item names as its source (谁产生、谁提供、谁负责): a tax office cannot put a court's list on a company.
    The department is the deciding body of what it submits."""
    dept = get_department(session, dept_code)
    item = item_row(session, item_code)
    if not dept.active:
        raise Forbidden(f"{dept.name}已停用，不能报送信用信息", code=DEPARTMENT_INACTIVE)
    spec = item_spec(item)
    if not spec.provided_by(dept.kind):
        sources = "、".join(spec.source_department_kinds)
        raise Forbidden(
            f"{dept.name}（{dept.kind}）不是「{spec.name}」的信息提供部门：本事项由{sources}提供"
            "（谁产生、谁提供、谁负责）",
            code=ITEM_NOT_FOR_DEPARTMENT,
            details={
                "item": spec.code,
                "department_kind": dept.kind,
                "source_kinds": spec.source_department_kinds,
            },
        )
    return dept, item


def actor_of(principal: Principal) -> str:
    """How the audit trail names the caller: the user, and the API token when one was used."""
    return f"user:{principal.username}" + (f"/token:{principal.token_id}" if principal.token_id else "")


def own_department(session: Session, principal: Principal) -> Department:
    """The caller's department; only department accounts submit."""
    dept = repository.departments(session, [principal.department_id]) if principal.department_id else []
    if not dept:
        raise Forbidden("只有部门账户可以报送信用信息", code="INGEST_DEPARTMENT_REQUIRED")
    return dept[0]


def own_batch(session: Session, principal: Principal, batch_id: int) -> IngestBatch:
    """A batch of the caller's department (the credit office may look at any in its region); any other
    batch is answered as not found, so probing reveals nothing."""
    batch = repository.batch(session, batch_id)
    if batch is not None:
        if batch.dept_id == principal.department_id:
            return batch
        dept = get_department_by_id(session, batch.dept_id)
        if Role.platform_admin in principal.roles and principal.in_region(dept.region_code):
            return batch
    raise NotFound(f"批次 {batch_id} 不存在", code="INGEST_BATCH_NOT_FOUND")


def may_oversee(principal: Principal, dept: Department) -> bool:
    """The credit office and auditors oversee every department of their region; a department itself."""
    if principal.roles & {Role.platform_admin, Role.auditor}:
        return principal.in_region(dept.region_code)
    return dept.id == principal.department_id


def overseen_department(session: Session, principal: Principal, dept_code: str | None) -> Department:
    """The department named by ``dept_code`` (the caller's own when None), if the caller oversees it."""
    dept = own_department(session, principal) if dept_code is None else get_department(session, dept_code)
    if not may_oversee(principal, dept):
        raise Forbidden("该部门不在本账户的数据范围内", code="OUT_OF_DATA_RANGE")
    return dept


def overseen_ids(session: Session, principal: Principal) -> set[int]:
    """Ids of every department the caller oversees."""
    return {d.id for d in repository.departments(session) if may_oversee(principal, d)}


def record_view(session: Session, record: CreditRecord, cipher: PersonalDataCipher) -> RecordOut:
    """A record as its source department sees it after a change (masked like every file view)."""
    item = session.get_one(CatalogItemRow, record.catalog_item_id)
    dept = get_department_by_id(session, record.source_dept_id)
    return record_out(record, item, dept.name, cipher)
