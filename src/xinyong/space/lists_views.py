"""我的名单: a subject's own list entries (from the notice on), their notice and decision, and the objection
form. ``/space/lists`` is ``GET /api/v1/me/list-entries``; its form is ``POST /api/v1/objections``
(``xinyong.lists.api``): the same service functions."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError, InvalidInput
from xinyong.lists import objections, own
from xinyong.lists.schemas import ObjectionIn, WaiverIn
from xinyong.models.lists import ObjectionTarget
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.ui.render import render
from xinyong.web import RowId, get_cipher, get_clock, get_session

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["红黑名单"])

DONE: Final = {
    "objected": "异议已提交。处理期间，以该名单为依据的奖惩措施中止；认定部门将书面答复。",
    "waived": "已书面声明放弃陈述、申辩和异议。认定部门可据此在异议期限届满前作出认定决定。",
}


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    clock: Clock,
    cipher: PersonalDataCipher,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    entries = own.own_entries(session, principal, clock=clock, cipher=cipher)
    return render(
        request, "space/lists.html", principal, status=status, entries=entries, tab="lists", **context
    )


@router.get("/space/lists", response_class=HTMLResponse)
def my_lists_page(
    request: Request,
    done: str | None = Query(None, max_length=20),
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> HTMLResponse:
    """我的名单: each entry with its notice and decision, the objections filed and their answers."""
    return _page(request, session, principal, clock, cipher, done=DONE.get(done or ""))


@router.post("/space/lists/{entry_id}/objection", response_model=None)
def object_form(
    request: Request,
    entry_id: RowId,
    reason: str = Form("", max_length=4000),
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> Response:
    """提出异议 (``POST /api/v1/objections``); a refusal comes back on the page."""
    try:
        try:
            body = ObjectionIn(target_kind=ObjectionTarget.entry, target_id=entry_id, reason=reason.strip())
        except ValidationError:
            raise InvalidInput("请填写异议理由", code="FORM_INVALID") from None
        objections.file_objection(session, principal, body, clock=clock)
    except DomainError as exc:
        if exc.status == 404 or exc.keep_changes:
            raise
        return _page(request, session, principal, clock, cipher, status=exc.status, error=exc.message)
    return RedirectResponse("/space/lists?done=objected", status_code=303)


@router.post("/space/lists/{entry_id}/waiver", response_model=None)
def waive_form(
    request: Request,
    entry_id: RowId,
    statement: str = Form("", max_length=2000),
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> Response:
    """放弃陈述、申辩和异议 (``POST /api/v1/me/list-entries/{entry_id}/waiver``); a refusal comes back on
    the page."""
    try:
        try:
            body = WaiverIn(statement=statement.strip())
        except ValidationError:
            raise InvalidInput("请填写书面声明", code="FORM_INVALID") from None
        own.waive_own(session, principal, entry_id, body, clock=clock)
    except DomainError as exc:
        if exc.status == 404 or exc.keep_changes:
            raise
        return _page(request, session, principal, clock, cipher, status=exc.status, error=exc.message)
    return RedirectResponse("/space/lists?done=waived", status_code=303)
