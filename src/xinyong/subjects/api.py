"""JSON routes about identifiers and subjects."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from xinyong.kit import ids

router = APIRouter(prefix="/api/v1", tags=["信用主体"])


class IdCheckOut(BaseModel):
    kind: str
    input: str
    valid: bool
    value: str | None
    error_code: str | None
    message: str | None
    parts: dict[str, Any]


def verdict_out(verdict: ids.IdVerdict, *, mask: bool) -> IdCheckOut:
    """A verdict as callers see it. Citizen IDs are masked unless the caller may see them in full."""
    value, raw = verdict.value, verdict.raw
    if mask and verdict.kind == "ric":
        value = ids.mask_ric(value) if value else None
        raw = ids.mask_ric(raw)
    return IdCheckOut(
        kind=verdict.kind,
        input=raw,
        valid=verdict.valid,
        value=value,
        error_code=verdict.error_code,
        message=verdict.message,
        parts=dict(verdict.parts),
    )


@router.get("/ids/check", summary="校验统一社会信用代码、身份证号码或旧代码，并解析其组成")
def check_id(code: str = Query(..., max_length=64, description="待校验的代码")) -> IdCheckOut:
    return verdict_out(ids.classify(code), mask=True)
