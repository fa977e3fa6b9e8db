"""报送质量: timeliness and quality by month, for the caller's department or, for the credit office and
auditors, every department they oversee (page and JSON twin; ``ingest.quality`` counts, ``access``
decides who sees which department)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from xinyong.ingest import access
from xinyong.ingest import quality as service
from xinyong.kit.clock import Clock
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Role, Scope
from xinyong.ui.render import render
from xinyong.web import get_clock, get_session

pages = APIRouter()
api = APIRouter()

MONTH = r"^\d{4}-\d{2}$"
#: Roles that oversee a region (access.may_oversee) and first see every department of it.
REGION_VIEW = frozenset({Role.platform_admin, Role.auditor})


def quality_report(
    session: Session, principal: Principal, clock: Clock, month: str | None, dept: str | None
) -> service.QualityReport:
    """One department's twelve months (``dept``, else the caller's own), or, for the credit office and
    auditors without ``dept``, the month of every department they oversee."""
    month = month or clock.today().strftime("%Y-%m")
    dept = dept or None
    if dept is None and principal.roles & REGION_VIEW:
        return service.overview(session, access.overseen_ids(session, principal), month=month)
    target = access.overseen_department(session, principal, dept)
    return service.department_quality(session, target, month=month)


@api.get(
    "/oversight/quality", summary="报送质量：按月的按期率、超期条数、拒收行比例（本部门，或数据范围内各部门）"
)
def quality_api(
    month: str | None = Query(None, pattern=MONTH, description="月份，如 2026-03；不填为本月"),
    dept: str | None = Query(
        None, max_length=40, description="部门代码；不填为本部门（信用办、审计员为范围内全部部门）"
    ),
    principal: Principal = Depends(authorize(Scope.oversight_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> service.QualityReport:
    return quality_report(session, principal, clock, month, dept)


@pages.get("/console/quality", response_class=HTMLResponse)
def quality_page(
    request: Request,
    month: str | None = Query(None, pattern=MONTH),
    dept: str | None = Query(None, max_length=40),
    principal: Principal = Depends(authorize(Scope.oversight_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    report = quality_report(session, principal, clock, month, dept)
    return render(
        request,
        "console/collection/quality.html",
        principal,
        tab="quality",
        report=report,
        single=bool(dept) or not principal.roles & REGION_VIEW,
        dept=dept,
    )
