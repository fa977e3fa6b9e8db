"""主体查询 and 待核验 pages, and the look-up's JSON twins.

``/console/lookup`` finds organisations (``GET /api/v1/subjects/lookup``) and natural persons by citizen
ID (``POST /api/v1/subjects/lookup/person``: the ID travels in the body, never in an address);
``/console/subjects/{id}`` is the staff view of a file (``GET /api/v1/subjects/{id}/file``, the same
``files.service.staff_file``). ``/console/unverified`` is the credit office's queue and its confirmation:
the page calls the JSON routes' own functions (``subjects.api.unverified_queue`` and ``verify``), so the
region rule they hold is applied once.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog
from xinyong.catalog.terms import Openness
from xinyong.console.admin import lookup
from xinyong.console.admin.common import CONSOLE_PAGE, done_message
from xinyong.files import service as files
from xinyong.files.schemas import FileOut, FilePage
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError, InvalidInput
from xinyong.security import querylog
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import STAFF_PURPOSES, Purpose, Scope
from xinyong.subjects import api as subjects_api
from xinyong.ui.paging import Pager, offset_of
from xinyong.ui.render import render
from xinyong.web import Offset, RowId, get_cipher, get_clock, get_session

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["信用主体"])

#: The purposes a department may state, in the fixed list's order, for the select.
PURPOSE_OPTIONS = [("", "请选择查询用途")] + [(p.value, p.value) for p in Purpose if p in STAFF_PURPOSES]
#: The Chinese name of each openness (公开, 授权查询, 政务共享, 不公开).
OPENNESS_ZH: dict[str, str] = {o.value: o.label_zh for o in Openness}
#: Largest page number a list link may name.
MAX_PAGE = 10**9


# --------------------------------------------------------------------------- JSON


@api.get("/subjects/lookup", summary="部门查找组织：按名称或统一社会信用代码、旧代码（不含自然人）")
def lookup_organisations(
    q: str = Query(
        ..., min_length=2, max_length=200, description="名称，或统一社会信用代码、注册号、组织机构代码"
    ),
    limit: int = Query(20, ge=1, le=100),
    offset: Offset = 0,
    _: Principal = Depends(authorize(Scope.subjects_read)),
    session: Session = Depends(get_session, scope="function"),
) -> lookup.LookupOut:
    return lookup.find_organisations(session, q, limit=limit, offset=offset)


@api.post(
    "/subjects/lookup/person",
    summary="部门按身份证号码查询自然人的信用档案（须说明用途和依据，登记在查询日志中；范围外与不存在同样答复）",
)
def lookup_person(
    body: lookup.PersonLookupIn,
    principal: Principal = Depends(authorize(Scope.subjects_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> FileOut:
    return lookup.find_person(session, principal, body, clock=clock, cipher=cipher)


# --------------------------------------------------------------------------- pages


@router.get("/console/lookup", response_class=HTMLResponse)
def lookup_page(
    request: Request,
    q: str = Query("", max_length=200),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    principal: Principal = Depends(authorize(Scope.subjects_read)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    """主体查询: organisations by name or code; a person by citizen ID (a form that posts)."""
    found: lookup.LookupOut | None = None
    error: str | None = None
    status = 200
    if len(q.strip()) >= 2:
        try:
            found = lookup.find_organisations(
                session, q, limit=CONSOLE_PAGE, offset=offset_of(page, CONSOLE_PAGE)
            )
        except InvalidInput as exc:
            error, status = exc.message, exc.status
    elif q:
        error, status = "请至少输入两个字符", 422
    pager = (
        Pager(found.total, CONSOLE_PAGE, offset_of(page, CONSOLE_PAGE), "/console/lookup", (("q", q),))
        if found
        else None
    )
    return render(
        request,
        "console/admin/lookup.html",
        principal,
        status=status,
        q=q,
        found=found,
        pager=pager,
        error=error,
        purposes=PURPOSE_OPTIONS,
    )


def _field_labels(session: Session) -> dict[str, dict[str, str]]:
    """The Chinese label of each field of the current catalog's items (item code -> name -> label)."""
    return {
        row.code: {f["name"]: f.get("label", f["name"]) for f in row.spec.get("fields", [])}
        for row in catalog.current_items(session)
    }


def _file_page(
    request: Request, principal: Principal, session: Session, file: FileOut, why: querylog.Stated
) -> HTMLResponse:
    """One page of a file (templates/_file_tabs.html): its tabs with their counts, the tab's records and
    pager, every link keeping the stated purpose and basis; each record's full content below."""
    stated = [("purpose", why.purpose or ""), ("legal_basis", why.legal_basis or "")]
    path = f"/console/subjects/{file.subject.id}"
    params = (("tab", file.tab), *stated) if file.tab else tuple(stated)
    return render(
        request,
        "console/admin/subject.html",
        principal,
        file=file,
        file_url=path,
        file_params=stated,
        file_pager=Pager(file.total, file.limit, file.offset, path, params),
        record_href=None,
        why=why,
        labels=_field_labels(session),
        openness=OPENNESS_ZH,
    )


@router.post("/console/lookup/person", response_class=HTMLResponse)
def lookup_person_page(
    request: Request,
    ric: str = Form(..., max_length=40),
    purpose: str = Form("", max_length=40),
    legal_basis: str = Form("", max_length=500),
    principal: Principal = Depends(authorize(Scope.subjects_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> HTMLResponse:
    """A person's file by citizen ID, shown in the answer itself: a read, not a change, and the ID must not
    go into an address (a redirect would put it there)."""
    body = lookup.PersonLookupIn(ric=ric, purpose=purpose or None, legal_basis=legal_basis or None)
    try:
        file = lookup.find_person(session, principal, body, clock=clock, cipher=cipher)
    except (querylog.PurposeRequired, querylog.LegalBasisRequired, lookup.CitizenIdNotHere) as exc:
        return _lookup_error(request, principal, exc)
    except InvalidInput as exc:  # an ID that fails its check
        return _lookup_error(request, principal, exc)
    return _file_page(request, principal, session, file, querylog.Stated(body.purpose, body.legal_basis))


def _lookup_error(request: Request, principal: Principal, exc: DomainError) -> HTMLResponse:
    return render(
        request,
        "console/admin/lookup.html",
        principal,
        status=exc.status,
        q="",
        found=None,
        pager=None,
        person_error=exc.message,
        purposes=PURPOSE_OPTIONS,
    )


@router.get("/console/subjects/{subject_id}", response_class=HTMLResponse)
def subject_page(
    request: Request,
    subject_id: RowId,
    purpose: str | None = Query(None, max_length=40),
    legal_basis: str | None = Query(None, max_length=500),
    tab: str | None = Query(None, max_length=20, description="栏目：basic、licence、penalty、other"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    principal: Principal = Depends(authorize(Scope.subjects_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> HTMLResponse:
    """The staff view of a file (``GET /api/v1/subjects/{id}/file``). Without a purpose the page asks for
    one; a subject that does not exist, or a person outside the caller's range, is the route's 404."""
    why = querylog.Stated(purpose or None, legal_basis or None)
    if why.purpose is None and why.legal_basis is None:
        lookup.require_subject(session, subject_id)
        return _purpose_form(request, principal, subject_id, None)
    try:
        wanted = FilePage(tab or None, CONSOLE_PAGE, offset_of(page, CONSOLE_PAGE))
        file = files.staff_file(session, principal, subject_id, why, clock=clock, cipher=cipher, page=wanted)
    except (querylog.PurposeRequired, querylog.LegalBasisRequired) as exc:
        return _purpose_form(request, principal, subject_id, exc.message, status=exc.status)
    return _file_page(request, principal, session, file, why)


def _purpose_form(
    request: Request, principal: Principal, subject_id: int, error: str | None, status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "console/admin/purpose.html",
        principal,
        status=status,
        subject_id=subject_id,
        error=error,
        purposes=PURPOSE_OPTIONS,
    )


# --------------------------------------------------------------------------- 待核验


@router.get("/console/unverified", response_class=HTMLResponse)
def unverified_page(
    request: Request,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    done: str | None = Query(None, max_length=40),
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    """The queue of 待核验 organisations of the caller's region (``GET /api/v1/subjects/unverified``)."""
    offset = offset_of(page, CONSOLE_PAGE)
    queue = subjects_api.unverified_queue(
        limit=CONSOLE_PAGE, offset=offset, principal=principal, session=session
    )
    pager = Pager(queue.total, CONSOLE_PAGE, offset, "/console/unverified")
    context: dict[str, Any] = {"queue": queue, "pager": pager, "done": done_message(done)}
    return render(request, "console/admin/unverified.html", principal, **context)


@router.post("/console/unverified/{subject_id}/verification", response_model=None)
def verify_page(
    subject_id: RowId,
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    """Confirm one (``POST /api/v1/subjects/{id}/verification``); another region's is not found."""
    subjects_api.verify(subject_id, principal=principal, session=session, clock=clock)
    return RedirectResponse("/console/unverified?done=verified", status_code=303)
