"""Subject space (我的信用) and the agency's grants: the pages (``router``) and their JSON twins (``api``).

Each page calls the service its JSON twin calls: ``/space`` is ``GET /api/v1/me/file`` (a 本人查询, logged),
``/space/log`` is ``GET /api/v1/me/readers`` (``GET /api/v1/me/query-log`` with each reader named by its
organisation), ``/space/grants`` is ``GET``/``POST /api/v1/me/authorisations`` and its revoke form
``DELETE /api/v1/me/authorisations/{id}``; ``/agency`` is ``GET /api/v1/agency/authorisations`` and
``/agency/subjects/{id}`` is ``GET /api/v1/agency/subjects/{id}/file``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.files import service as files
from xinyong.files.schemas import FileOut, FilePage
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError, RecordedRefusal
from xinyong.security import service as security
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.space import service
from xinyong.space.labels import OPENNESS_ZH, field_labels
from xinyong.space.schemas import AgencyOut, HeldGrantsPage, ReadersPage
from xinyong.ui.paging import PAGE_SIZE, Pager, offset_of
from xinyong.ui.render import render
from xinyong.web import Offset, RowId, get_cipher, get_clock, get_session, get_settings_dep

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["我的信用"])

#: The refusal code of an agency's read without a live grant (``files.service``).
NO_GRANT = "AUTHORISATION_REQUIRED"
#: What a page says after its form was handled (``?done=...``).
DONE = {"granted": "已授权。该机构可在有效期内以所选用途查询您的信用档案。", "revoked": "已撤回授权。"}
#: The period the grant form proposes (the subject may choose up to ``max_authorisation_days``).
DEFAULT_GRANT_DAYS = 90
#: The highest page number a list accepts (its offset stays far below what a database takes).
MAX_PAGE = 1_000_000
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码")]
TabKey = Annotated[str | None, Query(max_length=20, description="信用档案栏目（不填为全部）")]


# --- JSON ------------------------------------------------------------------------------------------


@api.get("/agencies", summary="可授权的信用服务机构（按机构名称选择）")
def list_agencies(
    _: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
) -> list[AgencyOut]:
    return service.agencies(session)


@api.get("/me/readers", summary="谁查询了本主体的信用档案：查询方（部门或机构名称）、时间、用途")
def my_readers(
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> ReadersPage:
    return service.readers(session, principal, limit=limit, offset=offset)


@api.get("/agency/authorisations", summary="本机构持有的查询授权：主体、用途、有效期、状态")
def held_authorisations(
    principal: Principal = Depends(authorize(Scope.agency_query)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> HeldGrantsPage:
    return service.held_grants(session, principal, today=clock.today(), limit=limit, offset=offset)


# --- the subject's pages ---------------------------------------------------------------------------


def _file_page(page: int, tab: str | None) -> FilePage:
    return FilePage(tab=tab or None, limit=PAGE_SIZE, offset=offset_of(page))


def _file_context(file: FileOut, path: str) -> dict[str, Any]:
    """What ``_file_tabs.html`` reads besides ``file``: the tab's pager, the page's path, no extra
    parameters, and no link per record (a subject's or agency's record has no page of its own)."""
    params = (("tab", file.tab),) if file.tab else ()
    pager = Pager(file.total, file.limit, file.offset, path, params)
    return {"file_pager": pager, "file_url": path, "file_params": [], "record_href": None}


@router.get("/space", response_class=HTMLResponse)
def my_file_page(
    request: Request,
    page: PageNo = 1,
    tab: TabKey = None,
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> HTMLResponse:
    """我的信用档案: the whole file, what is not public included, a tab and a page at a time (a 本人查询,
    in the log)."""
    file = files.own_file(session, principal, clock=clock, cipher=cipher, page=_file_page(page, tab))
    return render(
        request,
        "space/file.html",
        principal,
        file=file,
        tab="file",
        labels=field_labels(session, file.records),
        openness=OPENNESS_ZH,
        **_file_context(file, "/space"),
    )


@router.get("/space/log", response_class=HTMLResponse)
def my_log_page(
    request: Request,
    page: PageNo = 1,
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    """查询记录: who looked at the file, when and why, by organisation."""
    offset = offset_of(page)
    found = service.readers(session, principal, limit=PAGE_SIZE, offset=offset)
    pager = Pager(found.total, PAGE_SIZE, offset, "/space/log")
    return render(request, "space/log.html", principal, log=found, pager=pager, tab="log")


def _grants_page(
    request: Request,
    session: Session,
    principal: Principal,
    settings: Settings,
    clock: Clock,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    today = clock.today()
    agencies = service.agencies(session)
    return render(
        request,
        "space/grants.html",
        principal,
        status=status,
        tab="grants",
        grants=service.own_grants(session, principal, today=today),
        agencies=agencies,
        agency_options=[(a.account, a.name) for a in agencies],
        purposes=[(p.value, p.value) for p in service.GRANTABLE],
        today=today,
        default_until=today + dt.timedelta(days=DEFAULT_GRANT_DAYS - 1),
        last_day=today + dt.timedelta(days=settings.max_authorisation_days - 1),
        max_days=settings.max_authorisation_days,
        **context,
    )


@router.get("/space/grants", response_class=HTMLResponse)
def my_grants_page(
    request: Request,
    done: str | None = Query(None, max_length=20),
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    """查询授权: grant an agency chosen by name, list the grants with their status, revoke."""
    return _grants_page(request, session, principal, settings, clock, done=DONE.get(done or ""))


@router.post("/space/grants", response_model=None)
def grant_form(
    request: Request,
    agency: str = Form("", max_length=80),
    purpose: str = Form("", max_length=40),
    valid_until: str = Form("", max_length=20),
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
    clock: Clock = Depends(get_clock),
) -> Response:
    """The grant form (``POST /api/v1/me/authorisations``); refused input comes back with the form."""
    try:
        service.grant_until(
            session,
            principal,
            agency=agency,
            purpose=purpose,
            valid_until=valid_until,
            settings=settings,
            clock=clock,
        )
    except DomainError as exc:  # refused before anything was written: the form again, with why
        form = {"agency": agency, "purpose": purpose, "valid_until": valid_until}
        return _grants_page(
            request, session, principal, settings, clock, status=exc.status, error=exc.message, form=form
        )
    return RedirectResponse("/space/grants?done=granted", status_code=303)


@router.post("/space/grants/{authorisation_id}/revoke", response_model=None)
def revoke_form(
    authorisation_id: RowId,
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    """撤回 (``DELETE /api/v1/me/authorisations/{id}``: HTML forms cannot send DELETE)."""
    security.revoke_authorisation(session, principal, authorisation_id, clock=clock)
    return RedirectResponse("/space/grants?done=revoked", status_code=303)


# --- the agency's pages ----------------------------------------------------------------------------


@router.get("/agency", response_class=HTMLResponse)
def agency_page(
    request: Request,
    page: PageNo = 1,
    principal: Principal = Depends(authorize(Scope.agency_query)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    """授权查询: the grants the agency holds, and a link to each live one's file."""
    offset = offset_of(page)
    held = service.held_grants(session, principal, today=clock.today(), limit=PAGE_SIZE, offset=offset)
    pager = Pager(held.total, PAGE_SIZE, offset, "/agency")
    return render(request, "space/agency.html", principal, held=held, pager=pager)


@router.get("/agency/subjects/{subject_id}", response_class=HTMLResponse)
def agency_file_page(
    request: Request,
    subject_id: RowId,
    page: PageNo = 1,
    tab: TabKey = None,
    principal: Principal = Depends(authorize(Scope.agency_query)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> HTMLResponse:
    """A file through a live grant (授权查询, logged); without one, the refusal (logged too) as a page."""
    try:
        file = files.agency_file(
            session, principal, subject_id, clock=clock, cipher=cipher, page=_file_page(page, tab)
        )
    except RecordedRefusal as exc:
        if exc.code != NO_GRANT:
            raise
        why = service.refusal(session, principal, subject_id, today=clock.today())
        return render(request, "space/agency_refused.html", principal, status=why.status, message=why.message)
    path = f"/agency/subjects/{subject_id}"
    return render(
        request,
        "space/agency_file.html",
        principal,
        file=file,
        labels=field_labels(session, file.records),
        openness=OPENNESS_ZH,
        **_file_context(file, path),
    )
