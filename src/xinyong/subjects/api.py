"""JSON routes about identifiers and subjects: the identifier check and the public search.

A subject's credit file is served by ``xinyong.files.api``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from xinyong.kit import ids
from xinyong.kit.clock import Clock
from xinyong.kit.errors import NotFound
from xinyong.models import Subject
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.subjects import service
from xinyong.subjects.schemas import SubjectOut, subject_out
from xinyong.subjects.service import unverified_subjects, verify_subject
from xinyong.web import Offset, RowId, get_clock, get_session

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
        min_length=1,
        max_length=200,
        description="名称（一个字起，繁简、全半角不敏感），或统一社会信用代码、15 位工商注册号、"
        "组织机构代码（可带连字符，全角字符按半角识别）",
    ),
    limit: int = Query(20, ge=1, le=100, description="每页条数"),
    offset: Offset = 0,
    _: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
) -> PublicSearchOut:
    total, rows = service.public_search(session, q, limit=limit, offset=offset)
    return PublicSearchOut(total=total, subjects=[subject_out(s, None) for s in rows])


class UnverifiedOut(BaseModel):
    total: int
    subjects: list[SubjectOut]


def _region_prefix(principal: Principal) -> str | None:
    """The leading region digits the caller's region covers (None: no region, sees nothing)."""
    return principal.region_prefix


@router.get(
    "/subjects/unverified",
    tags=["信用主体"],
    summary="待核验主体：登记机关尚未报送、经其他事项首次出现的组织（本辖区，信用办核验）",
)
def unverified_queue(
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
) -> UnverifiedOut:
    prefix = _region_prefix(principal)
    if prefix is None:
        return UnverifiedOut(total=0, subjects=[])
    total, rows = unverified_subjects(session, region_prefix=prefix, limit=limit, offset=offset)
    return UnverifiedOut(total=total, subjects=[subject_out(s, None) for s in rows])


@router.post(
    "/subjects/{subject_id}/verification",
    tags=["信用主体"],
    summary="信用办核验待核验主体（核对登记信息后确认），此后在信用门户公示",
)
def verify(
    subject_id: RowId,
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> SubjectOut:
    found = session.get(Subject, subject_id)
    if found is None or not principal.in_region(found.region_code):  # another region's: not found
        raise NotFound("信用主体不存在", code="SUBJECT_NOT_FOUND")
    actor = f"user:{principal.username}"
    return subject_out(verify_subject(session, subject_id, actor=actor, clock=clock), None)
