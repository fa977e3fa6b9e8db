"""报送批次: a department's batch history, a batch's report, and its rejected rows fixed in the page and
resubmitted (twins of GET /api/v1/ingest/batches, /batches/{id} and POST /batches/{id}/resubmit)."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.ingest import access, feedback, service
from xinyong.ingest.schemas import LEVEL_ZH
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError
from xinyong.security.auth import CSRF_FIELD, Principal, authorize
from xinyong.security.roles import Scope
from xinyong.ui.paging import PAGE_SIZE, Pager, offset_of
from xinyong.ui.render import render
from xinyong.web import RowId, get_cipher, get_clock, get_session

pages = APIRouter()

#: Findings on one page of a batch's report.
ISSUES_PER_PAGE: Final = 50
#: Rejected rows (one form each) on one page.
FORMS_PER_PAGE: Final = 10
#: The hidden field naming the fields whose submitted value is not shown (citizen IDs): left empty,
#: they keep the value first submitted.
HIDDEN_FIELDS: Final = "hidden_fields"
PageNo = Query(1, ge=1, le=1_000_000, description="页码")


@pages.get("/console/batches", response_class=HTMLResponse)
def batches_page(
    request: Request,
    page: int = PageNo,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    """报送批次: this department's batches, newest first."""
    dept = access.own_department(session, principal)
    found = feedback.history(session, dept, limit=PAGE_SIZE, offset=offset_of(page))
    pager = Pager(found.total, PAGE_SIZE, offset_of(page), "/console/batches")
    return render(
        request,
        "console/collection/batches.html",
        principal,
        tab="batches",
        dept_name=dept.name,
        batches=found.batches,
        pager=pager,
    )


@pages.get("/console/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(
    request: Request,
    batch_id: RowId,
    page: int = PageNo,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    """A batch's report: counts, findings row by row, late records, downloads."""
    batch = access.own_batch(session, principal, batch_id)
    offset = offset_of(page, ISSUES_PER_PAGE)
    report = feedback.batch_page(session, batch, limit=ISSUES_PER_PAGE, offset=offset)
    pager = Pager(report.outcome.issues_total, ISSUES_PER_PAGE, offset, f"/console/batches/{batch.id}")
    return render(
        request,
        "console/collection/batch.html",
        principal,
        tab="batches",
        report=report,
        outcome=report.outcome,
        pager=pager,
        level_zh=LEVEL_ZH,
    )


def _rejected_page(
    request: Request,
    principal: Principal,
    session: Session,
    batch_id: int,
    page: int,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    batch = access.own_batch(session, principal, batch_id)
    offset = offset_of(page, FORMS_PER_PAGE)
    form = feedback.rejected_form(session, batch, limit=FORMS_PER_PAGE, offset=offset)
    pager = Pager(form.total, FORMS_PER_PAGE, offset, f"/console/batches/{batch.id}/rejected")
    return render(
        request,
        "console/collection/rejected.html",
        principal,
        status=status,
        tab="batches",
        form=form,
        pager=pager,
        error=error,
        hidden_field=HIDDEN_FIELDS,
    )


@pages.get("/console/batches/{batch_id}/rejected", response_class=HTMLResponse)
def rejected_page(
    request: Request,
    batch_id: RowId,
    page: int = PageNo,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    """更正被拒收的行: a form per open rejected row, each field with the reason it was refused."""
    return _rejected_page(request, principal, session, batch_id, page)


async def posted_form(request: Request) -> dict[str, str]:
    """The text fields of a posted form (a fix names its fields by the catalog's field names)."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def fix_of(form: dict[str, str]) -> dict[str, str | None]:
    """The fix a row's form describes: its 原行号 and every field as the form holds it (an emptied field
    is cleared), except the fields not shown, which keep what was first submitted when left empty."""
    hidden = {name for name in form.get(HIDDEN_FIELDS, "").split(",") if name}
    fix: dict[str, str | None] = {}
    for name, value in form.items():
        if name in (CSRF_FIELD, HIDDEN_FIELDS):
            continue
        text = value.strip()
        if text or name not in hidden:
            fix[name] = text or None
    return fix


@pages.post("/console/batches/{batch_id}/rejected", response_model=None)
def resubmit_page(
    request: Request,
    batch_id: RowId,
    form: dict[str, str] = Depends(posted_form),
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> Response:
    """Resubmit one fixed row (the service of POST /api/v1/ingest/batches/{id}/resubmit), then show
    the new batch's report; a refusal comes back on the form with the reason."""
    dept = access.own_department(session, principal)
    batch = access.own_batch(session, principal, batch_id)
    try:
        outcome = service.resubmit_rejected(
            session,
            batch.id,
            [fix_of(form)],
            actor=access.actor_of(principal),
            clock=clock,
            cipher=cipher,
            dept_id=dept.id,
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _rejected_page(request, principal, session, batch.id, 1, error=exc.message, status=exc.status)
    return RedirectResponse(f"/console/batches/{outcome.batch_id}", status_code=303)
