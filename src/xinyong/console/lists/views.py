"""名单认定 pages: a department's entries by state with the proposal form, one entry with its notice,
decision, events and objections, and a button for each step its state allows.

Each form calls the service function of its JSON twin (``xinyong.lists.api``): ``POST /console/lists`` is
``POST /api/v1/list-entries`` (the form checked by the same body model), the step buttons are
``POST /api/v1/list-entries/{id}/notify|decide|publish|exit`` and the objection form is
``POST /api/v1/objections/{id}/decision``.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, TypeVar

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from xinyong.catalog.lists import DocumentKind
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError, InvalidInput
from xinyong.kit.pydantic_zh import message_zh
from xinyong.lists import lifecycle, objections, service
from xinyong.lists.schemas import DecideIn, ExitIn, ObjectionDecisionIn, ProposeIn
from xinyong.models.lists import EntryState, ExitCause, ObjectionStatus
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.ui.paging import PAGE_SIZE, Pager, offset_of
from xinyong.ui.render import render
from xinyong.web import RowId, get_cipher, get_clock, get_session

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["红黑名单"])

Body = TypeVar("Body", bound=BaseModel)
PageNo = Annotated[int, Query(ge=1, le=1_000_000, description="页码")]
DONE: Final = {
    "proposed": "已提出列入。下一步：向主体告知事由、依据和权利。",
    "notified": "已告知主体，异议期限已写明。",
    "decided": "已作出认定决定，待信用办发布。",
    "published": "已发布：公示并向实施部门推送反馈任务。",
    "exited": "已移出（或撤回）。",
    "answered": "已答复异议。",
}
FIELD_ZH: Final = {
    "scope": "名单事项",
    "subject": "主体",
    "doc_kind": "文书种类",
    "doc_no": "文书文号",
    "doc_date": "文书日期",
    "doc_issuer": "作出机关",
    "reason": "实施事由",
    "leniency": "从轻情形",
    "review_note": "审查意见",
    "cause": "移出事由",
    "note": "移出理由",
    "outcome": "答复结论",
    "answer": "书面答复",
}


def form_body(model: type[Body], values: dict[str, Any]) -> Body:
    """A form's values checked by its JSON twin's body model; what fails, said field by field."""
    try:
        return model.model_validate({k: v for k, v in values.items() if v not in ("", None)})
    except ValidationError as exc:
        problems = "；".join(
            f"{FIELD_ZH.get(str(e['loc'][0]), str(e['loc'][0])) if e['loc'] else '表单'}：{message_zh(e)}"
            for e in exc.errors()
        )
        raise InvalidInput(f"填写有误，请修改后重新提交：{problems}", code="FORM_INVALID") from None


def _state_tabs() -> list[tuple[str, str]]:
    return [("", "全部")] + [(s.value, lifecycle.STATE_ZH[s]) for s in EntryState]


def _list_page(
    request: Request,
    session: Session,
    principal: Principal,
    cipher: PersonalDataCipher,
    *,
    state: str,
    page: int,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    chosen = EntryState(state) if state in EntryState.__members__ else None
    offset = offset_of(page)
    found = service.list_entries(
        session, principal, state=chosen, list_kind=None, limit=PAGE_SIZE, offset=offset, cipher=cipher
    )
    params = (("state", chosen.value),) if chosen else ()
    waiting = (
        objections.department_objections(session, principal, status=ObjectionStatus.open, limit=50, offset=0)
        if Scope.objections_decide in principal.scopes
        else None
    )
    scopes = service.current_scopes(session)
    return render(
        request,
        "console/lists.html",
        principal,
        status=status,
        entries=found,
        pager=Pager(found.total, PAGE_SIZE, offset, "/console/lists", params),
        state=chosen.value if chosen else "",
        states=_state_tabs(),
        scope_options=[("", "请选择名单事项")]
        + [
            (s.code, f"{s.code} {s.name}（{'红名单' if s.list_kind.value == 'red' else '黑名单'}）")
            for s in scopes
        ],
        doc_options=[("", "请选择文书种类")] + [(k.value, k.label_zh) for k in DocumentKind],
        leniency=lifecycle.LENIENCY_ZH,
        waiting=waiting,
        form=context.pop("form", {}),
        **context,
    )


@router.get("/console/lists", response_class=HTMLResponse)
def lists_page(
    request: Request,
    state: str = Query("", max_length=20),
    page: PageNo = 1,
    done: str | None = Query(None, max_length=20),
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> HTMLResponse:
    """名单认定: the department's entries (the credit office: its region's) by state, the proposal form,
    and the objections the department answers."""
    return _list_page(request, session, principal, cipher, state=state, page=page, done=DONE.get(done or ""))


@router.post("/console/lists", response_model=None)
def propose_form(
    request: Request,
    scope: str = Form("", max_length=40),
    subject: str = Form("", max_length=300),
    doc_kind: str = Form("", max_length=40),
    doc_no: str = Form("", max_length=200),
    doc_date: str = Form("", max_length=20),
    doc_issuer: str = Form("", max_length=200),
    reason: str = Form("", max_length=4000),
    leniency: list[str] = Form([], max_length=3),
    review_note: str = Form("", max_length=4000),
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> Response:
    """提出列入 (``POST /api/v1/list-entries``); refused input comes back with the form."""
    values: dict[str, Any] = {
        "scope": scope,
        "subject": subject,
        "doc_kind": doc_kind,
        "doc_no": doc_no,
        "doc_date": doc_date,
        "doc_issuer": doc_issuer,
        "reason": reason,
        "leniency": leniency,
        "review_note": review_note,
    }
    try:
        entry = service.propose(session, principal, form_body(ProposeIn, values), clock=clock, cipher=cipher)
    except DomainError as exc:
        if exc.keep_changes:
            raise
        return _list_page(
            request,
            session,
            principal,
            cipher,
            state="",
            page=1,
            status=exc.status,
            error=exc.message,
            form=values,
        )
    return RedirectResponse(f"/console/lists/{entry.id}?done=proposed", status_code=303)


def _entry_page(
    request: Request,
    session: Session,
    principal: Principal,
    cipher: PersonalDataCipher,
    clock: Clock,
    entry_id: int,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    entry = service.get_entry(session, principal, entry_id, cipher, clock=clock)
    filed = objections.on_entries(session, [entry.id])[entry.id]
    return render(
        request,
        "console/lists_entry.html",
        principal,
        status=status,
        entry=entry,
        events=service.events(session, principal, entry_id),
        objections=filed,
        own=principal.department_id == entry.dept_id,
        can_publish=Scope.lists_publish in principal.scopes,
        can_answer=Scope.objections_decide in principal.scopes,
        cause_options=[(c, lifecycle.CAUSE_ZH[ExitCause(c)]) for c in entry.exit_causes],
        **context,
    )


@router.get("/console/lists/{entry_id}", response_class=HTMLResponse)
def entry_page(
    request: Request,
    entry_id: RowId,
    done: str | None = Query(None, max_length=20),
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> HTMLResponse:
    """One entry: document, notice, decision, events, objections, and the steps its state allows."""
    return _entry_page(request, session, principal, cipher, clock, entry_id, done=DONE.get(done or ""))


def _step_result(
    request: Request,
    session: Session,
    principal: Principal,
    cipher: PersonalDataCipher,
    clock: Clock,
    entry_id: int,
    done: str,
    exc: DomainError | None,
) -> Response:
    if exc is None:
        return RedirectResponse(f"/console/lists/{entry_id}?done={done}", status_code=303)
    if exc.status == 404 or exc.keep_changes:
        raise exc
    return _entry_page(
        request, session, principal, cipher, clock, entry_id, status=exc.status, error=exc.message
    )


@router.post("/console/lists/{entry_id}/notify", response_model=None)
def notify_form(
    request: Request,
    entry_id: RowId,
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> Response:
    """告知 (``POST /api/v1/list-entries/{id}/notify``)."""
    try:
        service.notify(session, principal, entry_id, clock=clock, cipher=cipher)
    except DomainError as exc:
        return _step_result(request, session, principal, cipher, clock, entry_id, "", exc)
    return _step_result(request, session, principal, cipher, clock, entry_id, "notified", None)


@router.post("/console/lists/{entry_id}/decide", response_model=None)
def decide_form(
    request: Request,
    entry_id: RowId,
    review_note: str = Form("", max_length=4000),
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> Response:
    """认定 (``POST /api/v1/list-entries/{id}/decide``)."""
    try:
        body = form_body(DecideIn, {"review_note": review_note})
        service.decide(session, principal, entry_id, review_note=body.review_note, clock=clock, cipher=cipher)
    except DomainError as exc:
        return _step_result(request, session, principal, cipher, clock, entry_id, "", exc)
    return _step_result(request, session, principal, cipher, clock, entry_id, "decided", None)


@router.post("/console/lists/{entry_id}/publish", response_model=None)
def publish_form(
    request: Request,
    entry_id: RowId,
    principal: Principal = Depends(authorize(Scope.lists_publish)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> Response:
    """发布 (``POST /api/v1/list-entries/{id}/publish``)."""
    try:
        service.publish(session, principal, entry_id, clock=clock, cipher=cipher)
    except DomainError as exc:
        return _step_result(request, session, principal, cipher, clock, entry_id, "", exc)
    return _step_result(request, session, principal, cipher, clock, entry_id, "published", None)


@router.post("/console/lists/{entry_id}/exit", response_model=None)
def exit_form(
    request: Request,
    entry_id: RowId,
    cause: str = Form("", max_length=20),
    note: str = Form("", max_length=4000),
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> Response:
    """移出或撤回 (``POST /api/v1/list-entries/{id}/exit``)."""
    try:
        body = form_body(ExitIn, {"cause": cause, "note": note})
        service.exit_entry(session, principal, entry_id, body.cause, body.note, clock=clock, cipher=cipher)
    except DomainError as exc:
        return _step_result(request, session, principal, cipher, clock, entry_id, "", exc)
    return _step_result(request, session, principal, cipher, clock, entry_id, "exited", None)


@router.post("/console/lists/objections/{objection_id}/decision", response_model=None)
def objection_form(
    objection_id: RowId,
    outcome: str = Form("", max_length=20),
    answer: str = Form("", max_length=4000),
    back: int = Form(0, ge=0, le=2**62),
    principal: Principal = Depends(authorize(Scope.objections_decide)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    """答复异议 (``POST /api/v1/objections/{id}/decision``); back to the entry's page, or to the list. A
    refusal is the error page (it names what to fix)."""
    body = form_body(ObjectionDecisionIn, {"outcome": outcome, "answer": answer})
    objections.decide_objection(session, principal, objection_id, body, clock=clock)
    where = f"/console/lists/{back}" if back else "/console/lists"
    return RedirectResponse(f"{where}?done=answered", status_code=303)
