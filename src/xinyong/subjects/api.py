"""JSON routes about identifiers and subjects."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xinyong.kit import ids
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import NotFound
from xinyong.kit.names import normalize_name
from xinyong.models import CatalogItemRow, CreditRecord, Department, Subject
from xinyong.security import querylog
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.subjects.files import (
    FileOut,
    RecordOut,
    SubjectOut,
    View,
    credit_file,
    public_subject,
    record_out,
    shown_to,
    subject_out,
)
from xinyong.subjects.service import resolve
from xinyong.web import get_cipher, get_clock, get_session

router = APIRouter(prefix="/api/v1", tags=["信用主体"])


class IdCheckOut(BaseModel):
    kind: str
    input: str
    valid: bool
    value: str | None
    error_code: str | None
    message: str | None
    parts: dict[str, Any]


#: What a masked citizen-ID verdict still shows: not the region code or birth date it would unmask.
MASKED_RIC_PARTS = frozenset({"sex"})  # the 17th digit, which the mask shows anyway


def verdict_out(verdict: ids.IdVerdict, *, mask: bool) -> IdCheckOut:
    """A verdict as callers see it. Citizen IDs are masked unless the caller may see them in full."""
    value, raw, parts = verdict.value, verdict.raw, dict(verdict.parts)
    if mask:
        raw = ids.mask_digit_runs(raw)
        if verdict.kind == "ric":
            value = ids.mask_ric(value) if value else None
            raw = ids.mask_ric(verdict.raw)
            # Region and birth date are exactly the masked digits: keep only what they tell in words.
            parts = {k: v for k, v in parts.items() if k in MASKED_RIC_PARTS}
    return IdCheckOut(
        kind=verdict.kind,
        input=raw,
        valid=verdict.valid,
        value=value,
        error_code=verdict.error_code,
        message=verdict.message,
        parts=parts,
    )


@router.get(
    "/ids/check",
    dependencies=[Depends(authorize(Scope.public_read))],
    summary="校验统一社会信用代码、身份证号码或旧代码，并解析其组成",
)
def check_id(code: str = Query(..., max_length=64, description="待校验的代码")) -> IdCheckOut:
    return verdict_out(ids.classify(code), mask=True)


PURPOSE_HELP = (
    "查询用途（必填）：行政审批、政府采购、招标投标、财政资金、评优评先、人员录用、"
    "日常监管、异议处理、信用修复"
)


def _subject(session: Session, subject_id: int) -> Subject:
    subject = session.get(Subject, subject_id)
    if subject is None:
        raise NotFound("信用主体不存在", code="SUBJECT_NOT_FOUND")
    return subject


@router.get(
    "/subjects/{subject_id}/file",
    summary="部门查询信用档案：本数据范围内的非公开信息（须说明用途，登记在查询日志中）",
)
def staff_file(
    subject_id: int,
    purpose: str | None = Query(None, description=PURPOSE_HELP),
    legal_basis: str | None = Query(None, max_length=500, description="查询依据（法律法规或文件）"),
    principal: Principal = Depends(authorize(Scope.subjects_read)),
    session: Session = Depends(get_session),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> FileOut:
    subject = _subject(session, subject_id)
    why = querylog.require_purpose(
        session,
        principal,
        purpose,
        subject_id=subject.id,
        target="subject_file",
        legal_basis=legal_basis,
        clock=clock,
    )
    querylog.log_read(
        session,
        principal,
        subject_id=subject.id,
        target="subject_file",
        purpose=why,
        legal_basis=legal_basis,
        allowed=True,
        clock=clock,
    )
    return credit_file(
        session, subject, View.staff, today=clock.today(), cipher=cipher, in_range=principal.in_range
    )


@router.get("/records/{record_id}", summary="查看一条信用记录（非公开记录限本数据范围，须说明用途）")
def read_record(
    record_id: int,
    purpose: str | None = Query(None, description=PURPOSE_HELP),
    legal_basis: str | None = Query(None, max_length=500),
    principal: Principal = Depends(authorize(Scope.records_read)),
    session: Session = Depends(get_session),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> RecordOut:
    row = session.execute(
        select(CreditRecord, CatalogItemRow, Department)
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .join(Department, Department.id == CreditRecord.source_dept_id)
        .where(CreditRecord.id == record_id)
    ).first()
    if row is None:
        raise NotFound("信用记录不存在", code="RECORD_NOT_FOUND")
    record, item, dept = row
    target = f"credit_record:{record.id}"
    why = querylog.require_purpose(
        session,
        principal,
        purpose,
        subject_id=record.subject_id,
        target=target,
        legal_basis=legal_basis,
        clock=clock,
    )
    if not shown_to(View.staff, record, item, dept, clock.today(), principal.in_range(dept)):
        raise querylog.refuse(
            session,
            principal,
            subject_id=record.subject_id,
            target=target,
            purpose=why,
            legal_basis=legal_basis,
            clock=clock,
            code="OUT_OF_DATA_RANGE",
            message="该记录不在本账户的数据范围内，且未公开",
        )
    querylog.log_read(
        session,
        principal,
        subject_id=record.subject_id,
        target=target,
        purpose=why,
        legal_basis=legal_basis,
        allowed=True,
        clock=clock,
    )
    return record_out(record, item, dept.name, cipher)


class PublicSearchOut(BaseModel):
    total: int
    subjects: list[SubjectOut]


#: Code kinds the public may search by: organisations only (a citizen ID is never a public query).
PUBLIC_CODE_KINDS = frozenset({"uscc", "reg_no", "org_code"})


@router.get(
    "/public/subjects",
    summary="信用信息公示：按名称、统一社会信用代码或旧代码（注册号、组织机构代码）查找（仅法人和其他组织）",
)
def public_search(
    q: str = Query(
        ...,
        min_length=2,
        max_length=200,
        description="名称（繁简、全半角不敏感），或统一社会信用代码、15 位工商注册号、"
        "组织机构代码（可带连字符）",
    ),
    _: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session),
) -> PublicSearchOut:
    verdict = ids.classify(q)
    if verdict.valid and verdict.kind in PUBLIC_CODE_KINDS:
        # a code, new or old: the one resolution rule (新旧码转换), subjects.service.resolve
        try:
            rows: list[Subject] = [resolve(session, q).subject]
        except NotFound:
            rows = []
    else:
        norm = normalize_name(q)
        rows = list(
            session.scalars(
                select(Subject)
                .where(
                    or_(
                        Subject.name_norm == norm,
                        Subject.name_norm.like(f"%{_escape_like(norm)}%", escape="\\"),
                    )
                )
                .order_by(Subject.name)
                .limit(50)
            )
        )
    found = [subject_out(s, None) for s in rows if public_subject(s)]
    return PublicSearchOut(total=len(found), subjects=found)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@router.get("/public/subjects/{subject_id}", summary="信用信息公示：一个主体的公示信息")
def public_file(
    subject_id: int,
    _: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> FileOut:
    subject = session.get(Subject, subject_id)
    if subject is None or not public_subject(subject):
        raise NotFound("信用主体不存在或不予公示", code="SUBJECT_NOT_FOUND")
    # Published text that quotes an ID or a phone is stored sealed; it is decrypted here only to be
    # shown masked (subjects.files.masked_data), never in full.
    return credit_file(session, subject, View.public, today=clock.today(), cipher=cipher)
