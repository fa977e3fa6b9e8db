"""JSON routes about identifiers and subjects: the identifier check and the public search.

A subject's credit file is served by ``xinyong.files.api``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from xinyong.kit import ids
from xinyong.kit.errors import NotFound
from xinyong.kit.names import normalize_name
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.subjects import repository
from xinyong.subjects.schemas import SubjectOut, public_subject, subject_out
from xinyong.subjects.service import resolve
from xinyong.web import Offset, get_session

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
        min_length=2,
        max_length=200,
        description="名称（繁简、全半角不敏感），或统一社会信用代码、15 位工商注册号、"
        "组织机构代码（可带连字符，全角字符按半角识别）",
    ),
    limit: int = Query(20, ge=1, le=100, description="每页条数"),
    offset: Offset = 0,
    _: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
) -> PublicSearchOut:
    verdict = ids.classify(q)
    if verdict.valid and verdict.kind in PUBLIC_CODE_KINDS:
        # a code, new or old: the one resolution rule (新旧码转换), subjects.service.resolve
        try:
            found = [resolve(session, q).subject]
        except NotFound:
            found = []
        shown = [subject_out(s, None) for s in found if public_subject(s)]
        return PublicSearchOut(total=len(shown), subjects=shown[offset : offset + limit])
    total, rows = repository.public_by_name(session, normalize_name(q), limit=limit, offset=offset)
    return PublicSearchOut(total=total, subjects=[subject_out(s, None) for s in rows])
