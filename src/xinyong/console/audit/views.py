"""Staff console (管理后台), 审计与看板: pages (``router``) and their JSON twins (``api``).

* 查询日志 ``/console/query-log`` (auditor) — twin of ``GET /api/v1/audit/query-log`` (security.api);
  its CSV download ``/console/query-log.csv`` — twin of ``GET /api/v1/audit/query-log.csv``.
* 审计记录 ``/console/audit-trail`` (auditor) — twins ``GET /api/v1/audit/events`` and, with
  ``verify=1``, ``GET /api/v1/audit/verification`` (the checks of ``xinyong audit verify``).
* 统计看板 ``/console/dashboard`` (credit office) — twin of ``GET /api/v1/oversight/dashboard``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.console.audit import service
from xinyong.console.audit.figures import charts
from xinyong.console.audit.forms import QueryLogForm, TrailForm, opt_int, page_number
from xinyong.console.audit.schemas import AuditEntryPage, DashboardOut, TrailFilter, VerificationOut
from xinyong.departments.service import list_departments
from xinyong.kit.clock import Clock
from xinyong.security import service as security
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Purpose, Scope
from xinyong.security.schemas import LogFilter
from xinyong.ui.paging import PAGE_SIZE, Pager, offset_of
from xinyong.ui.render import render
from xinyong.web import Offset, RequestDate, RowId, get_clock, get_session, get_settings_dep

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["审计"])

CSV_MEDIA = "text/csv; charset=utf-8"
CSV_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV（UTF-8 带 BOM）"},
}
#: Months the dashboard may cover.
MAX_MONTHS = 36


def _csv(content: bytes, filename: str) -> Response:
    return Response(
        content, media_type=CSV_MEDIA, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def summary_cache(request: Request) -> service.SummaryCache:
    """The dashboard's summary cache of this app (made on first use)."""
    cache = getattr(request.app.state, "audit_dashboard_cache", None)
    if not isinstance(cache, service.SummaryCache):
        cache = service.SummaryCache()
        request.app.state.audit_dashboard_cache = cache
    return cache


# --------------------------------------------------------------------------- JSON routes


@api.get(
    "/audit/query-log.csv",
    summary="导出查询使用登记（CSV，个人信息脱敏）",
    response_class=Response,
    responses=CSV_RESPONSES,
)
def query_log_csv(
    principal: Principal = Depends(authorize(Scope.querylog_read)),
    session: Session = Depends(get_session, scope="function"),
    subject_id: RowId | None = None,
    username: str | None = Query(None, max_length=80),
    department_id: RowId | None = None,
    allowed: bool | None = None,
    purpose: Purpose | None = Query(None, description="查询用途"),
    since: RequestDate | None = None,
    until: RequestDate | None = None,
) -> Response:
    f = LogFilter(subject_id, username, department_id, allowed, since, until, purpose)
    return _csv(service.query_log_csv(session, f), "query-log.csv")


@api.get("/audit/events", summary="审计日志条目（按对象、操作人、日期筛选，新的在前）")
def audit_events(
    principal: Principal = Depends(authorize(Scope.audit_read)),
    session: Session = Depends(get_session, scope="function"),
    entity: str | None = Query(None, max_length=60, description="对象类型，如 credit_record"),
    entity_id: str | None = Query(None, max_length=64, description="对象编号"),
    actor: str | None = Query(None, max_length=100, description="操作人"),
    action: str | None = Query(None, max_length=60, description="操作"),
    since: RequestDate | None = None,
    until: RequestDate | None = None,
    upto: RowId | None = Query(None, description="只列编号不大于此的条目"),
    limit: int = Query(100, ge=1, le=1000),
    offset: Offset = 0,
) -> AuditEntryPage:
    f = TrailFilter(entity, entity_id, actor, action, since, until, upto)
    return service.trail_page(session, f, limit=limit, offset=offset)


@api.get(
    "/audit/verification", summary="校验审计链、信用记录封存、查询使用登记链与锚点（同 xinyong audit verify）"
)
def audit_verification(
    principal: Principal = Depends(authorize(Scope.audit_read)),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
) -> VerificationOut:
    return service.verification(session, settings)


@api.get("/oversight/dashboard", summary="统计看板：各月归集量、按期率、拒收率、查询量（汇总缓存片刻）")
def dashboard_figures(
    request: Request,
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    months: int = Query(12, ge=1, le=MAX_MONTHS, description="统计的月数（至最近有记录的月份）"),
) -> DashboardOut:
    return service.dashboard(session, clock=clock, months=months, cache=summary_cache(request))


# --------------------------------------------------------------------------- pages


def _log_form(
    subject_id: str | None,
    username: str | None,
    department_id: str | None,
    purpose: str | None,
    allowed: str | None,
    since: str | None,
    until: str | None,
) -> QueryLogForm:
    values = (subject_id, username, department_id, purpose, allowed, since, until)
    return QueryLogForm(*((v or "").strip()[:200] for v in values))


@router.get("/console/query-log", response_class=HTMLResponse)
def query_log_page(
    request: Request,
    principal: Principal = Depends(authorize(Scope.querylog_read)),
    session: Session = Depends(get_session, scope="function"),
    subject_id: str | None = None,
    username: str | None = None,
    department_id: str | None = None,
    purpose: str | None = None,
    allowed: str | None = None,
    since: str | None = None,
    until: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    form = _log_form(subject_id, username, department_id, purpose, allowed, since, until)
    offset = offset_of(page_number(page))
    found = security.search_query_log(session, form.to_filter(), limit=PAGE_SIZE, offset=offset)
    params = form.params()
    return render(
        request,
        "console/audit/query_log.html",
        principal,
        form=form,
        found=found,
        pager=Pager(found.total, PAGE_SIZE, offset, "/console/query-log", params),
        csv_url="/console/query-log.csv" + (f"?{urlencode(params)}" if params else ""),
        departments=[(str(d.id), d.name) for d in list_departments(session)],
        purposes=[(p.value, p.value) for p in Purpose],
    )


@router.get("/console/query-log.csv", response_class=Response)
def query_log_page_csv(
    principal: Principal = Depends(authorize(Scope.querylog_read)),
    session: Session = Depends(get_session, scope="function"),
    subject_id: str | None = None,
    username: str | None = None,
    department_id: str | None = None,
    purpose: str | None = None,
    allowed: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    form = _log_form(subject_id, username, department_id, purpose, allowed, since, until)
    return _csv(service.query_log_csv(session, form.to_filter()), "query-log.csv")


@router.get("/console/audit-trail", response_class=HTMLResponse)
def audit_trail_page(
    request: Request,
    principal: Principal = Depends(authorize(Scope.audit_read)),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: str | None = None,
    until: str | None = None,
    upto: str | None = None,
    verify: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    values = (entity, entity_id, actor, action, since, until, upto)
    form = TrailForm(*((v or "").strip()[:200] for v in values))
    offset = offset_of(page_number(page))
    found = service.trail_page(session, form.to_filter(), limit=PAGE_SIZE, offset=offset)
    checked = service.verification(session, settings) if verify else None
    params = form.params() + ((("verify", "1"),) if checked else ())
    return render(
        request,
        "console/audit/trail.html",
        principal,
        form=form,
        found=found,
        checked=checked,
        verdicts=service.verdicts(checked, [e.id for e in found.entries]) if checked else {},
        pager=Pager(found.total, PAGE_SIZE, offset, "/console/audit-trail", params),
        entities=[(e, e) for e in service.trail_entities(session)],
        verify_url=f"/console/audit-trail?{urlencode((*form.params(), ('verify', '1')))}",
    )


@router.get("/console/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    months: str | None = None,
) -> HTMLResponse:
    n = opt_int(months, "统计月数", top=MAX_MONTHS) or 12
    figures = service.dashboard(session, clock=clock, months=n, cache=summary_cache(request))
    return render(
        request, "console/audit/dashboard.html", principal, figures=figures, charts=charts(figures), months=n
    )
