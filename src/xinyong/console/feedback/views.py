"""Pages and JSON: feedback tasks (触发—响应—反馈) and feedback rates.

Each page calls the service its JSON twin calls (``xinyong.measures.feedback``):

* ``/console/feedback`` — ``GET /api/v1/feedback/tasks``: the caller's department's tasks, open first
  (``feedback:report``, implementing units);
* ``/console/feedback/{task_id}`` and its form — ``GET /api/v1/feedback/tasks/{task_id}`` and
  ``POST /api/v1/feedback/tasks/{task_id}/report``; a task of another department is not found;
* ``/console/feedback/rates`` — ``GET /api/v1/oversight/feedback``: rates per department
  (``oversight:read``: the credit office and auditors see every department of their region, a
  department's own operators their department; the figures are counts, no subject's data).
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.catalog.terms import DEPARTMENT_KINDS
from xinyong.kit.clock import Clock
from xinyong.kit.errors import DomainError, InvalidInput
from xinyong.measures import feedback as service
from xinyong.measures.feedback_schemas import (
    CASE_REF_MAX,
    NOTE_MAX,
    OUTCOME_ZH,
    STATUS_ZH,
    Outcome,
    RatesOut,
    ReportIn,
    TaskOut,
    TaskPage,
)
from xinyong.models.measures import TaskStatus
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.ui.charts import Chart, bar_chart, percent
from xinyong.ui.paging import PAGE_SIZE, Pager, offset_of
from xinyong.ui.render import render
from xinyong.web import Offset, RowId, get_clock, get_session

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["联合奖惩反馈"])

MAX_PAGE: Final = 1_000_000
#: Confirmations shown after the report form's redirect (fixed text, nothing echoed from the URL).
DONE: Final = {"reported": "反馈已提交，已记入审计记录。"}


def _report_scope() -> Any:
    return Depends(authorize(Scope.feedback_report))


def _oversight_scope() -> Any:
    return Depends(authorize(Scope.oversight_read))


# --------------------------------------------------------------------------- JSON


@api.get("/feedback/tasks", summary="本部门的联合奖惩反馈任务：待反馈的在前，按反馈期限排序")
def list_tasks(
    status: TaskStatus | None = Query(None, description="任务状态"),
    overdue: bool = Query(False, description="只列逾期未反馈的任务"),
    limit: int = Query(50, ge=1, le=200),
    offset: Offset = 0,
    principal: Principal = _report_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> TaskPage:
    return service.department_tasks(
        session, principal, status=status, overdue=overdue, limit=limit, offset=offset, clock=clock
    )


@api.get("/feedback/tasks/{task_id}", summary="一项反馈任务：名单、应实施的措施及其法律依据、反馈情况")
def get_task(
    task_id: RowId,
    principal: Principal = _report_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> TaskOut:
    return service.task_detail(session, principal, task_id, clock=clock)


@api.post(
    "/feedback/tasks/{task_id}/report",
    summary="反馈：已实施（可附案件编号）、不适用（须说明理由）或认为认定有误提出异议（须说明理由）",
)
def report_task(
    task_id: RowId,
    body: ReportIn,
    principal: Principal = _report_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> TaskOut:
    service.report(
        session, principal, task_id, outcome=body.outcome, note=body.note, case_ref=body.case_ref, clock=clock
    )
    return service.task_detail(session, principal, task_id, clock=clock)


@api.get("/oversight/feedback", summary="各部门联合奖惩反馈率：任务数、已反馈、按期反馈、逾期未反馈")
def feedback_rates(
    kind: str | None = Query(None, max_length=40, description="部门类别，如 财政"),
    principal: Principal = _oversight_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> RatesOut:
    return service.rates(session, principal, clock=clock, kind=kind or None)


# --------------------------------------------------------------------------- pages

_FILTERS: Final = [("", "全部"), ("open", "待反馈"), ("overdue", "逾期未反馈")] + [
    (s.value, STATUS_ZH[s]) for s in TaskStatus if s is not TaskStatus.open
]


def _filter(show: str | None) -> tuple[str, TaskStatus | None, bool]:
    """The listing filter a page link names (unknown values show everything)."""
    if show == "overdue":
        return show, None, True
    if show in {s.value for s in TaskStatus}:
        return show or "", TaskStatus(show), False
    return "", None, False


@router.get("/console/feedback", response_class=HTMLResponse)
def tasks_page(
    request: Request,
    show: str | None = Query(None, max_length=20),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    principal: Principal = _report_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    key, status, overdue = _filter(show)
    offset = offset_of(page, PAGE_SIZE)
    listing = service.department_tasks(
        session, principal, status=status, overdue=overdue, limit=PAGE_SIZE, offset=offset, clock=clock
    )
    params = (("show", key),) if key else ()
    return render(
        request,
        "console/feedback.html",
        principal,
        listing=listing,
        pager=Pager(listing.total, PAGE_SIZE, offset, "/console/feedback", params),
        filters=_FILTERS,
        show=key,
        outcomes=[(o.value, label) for o, label in OUTCOME_ZH.items()],
        limits={"note": NOTE_MAX, "case_ref": CASE_REF_MAX},
    )


def _rates_chart(rates: RatesOut) -> Chart:
    return bar_chart(
        "各部门反馈率",
        "已反馈任务占应反馈任务的比例（不含名单移出前已关闭的任务），按反馈率由低到高排列",
        [d.department_name for d in rates.departments],
        [d.rate for d in rates.departments],
        value_label="反馈率",
        category_label="部门",
        fmt=percent,
        maximum=1.0,
        chart_id="chart-feedback-rates",
    )


@router.get("/console/feedback/rates", response_class=HTMLResponse)
def rates_page(
    request: Request,
    kind: str | None = Query(None, max_length=40),
    principal: Principal = _oversight_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    kind = (kind or "").strip() or None
    rates = service.rates(session, principal, clock=clock, kind=kind)
    return render(
        request,
        "console/feedback_rates.html",
        principal,
        rates=rates,
        chart=_rates_chart(rates),
        kind=kind or "",
        kinds=[("", "全部类别"), *((k, k) for k in DEPARTMENT_KINDS)],
        percent=percent,
    )


def _task_page(
    request: Request,
    principal: Principal,
    session: Session,
    task_id: int,
    clock: Clock,
    *,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    task = service.task_detail(session, principal, task_id, clock=clock)
    return render(
        request,
        "console/feedback_task.html",
        principal,
        status=status,
        task=task,
        done=DONE.get(done or ""),
        error=error,
        form=form or {},
        outcomes=[(o.value, label) for o, label in OUTCOME_ZH.items()],
        limits={"note": NOTE_MAX, "case_ref": CASE_REF_MAX},
    )


@router.get("/console/feedback/{task_id}", response_class=HTMLResponse)
def task_page(
    request: Request,
    task_id: RowId,
    done: str | None = Query(None, max_length=40),
    principal: Principal = _report_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    return _task_page(request, principal, session, task_id, clock, done=done)


def _outcome(value: str) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        raise InvalidInput("请选择反馈结果：已实施、不适用或提出异议", code="FORM_INVALID") from None


@router.post("/console/feedback/{task_id}/report", response_model=None)
def report_form(
    request: Request,
    task_id: RowId,
    outcome: str = Form("", max_length=40),
    note: str = Form("", max_length=NOTE_MAX * 2),
    case_ref: str = Form("", max_length=CASE_REF_MAX * 2),
    principal: Principal = _report_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    form = {"outcome": outcome, "note": note, "case_ref": case_ref}
    try:
        service.report(
            session, principal, task_id, outcome=_outcome(outcome), note=note, case_ref=case_ref, clock=clock
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        session.rollback()
        return _task_page(
            request, principal, session, task_id, clock, error=exc.message, status=exc.status, form=form
        )
    return RedirectResponse(f"/console/feedback/{task_id}?done=reported", status_code=303)
