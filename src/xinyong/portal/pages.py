"""The public portal's pages (信用门户) besides the home page: search, a subject's published file, a
published record, the catalog in force, and the notices. Each page calls the service function its JSON
twin calls and renders the schema it gets."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.catalog.api import current_catalog
from xinyong.config import Settings
from xinyong.files.schemas import FilePage
from xinyong.files.service import public_file, public_record
from xinyong.files.tabs import TAB_KEYS
from xinyong.kit import ids
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import NotFound
from xinyong.lists.service import public_entries_of
from xinyong.portal.api import Slug
from xinyong.portal.notices import get_notice, list_notices
from xinyong.portal.service import catalog_page
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.subjects.schemas import subject_out
from xinyong.subjects.service import PUBLIC_CODE_KINDS, public_search
from xinyong.ui.paging import PAGE_SIZE, Pager, offset_of
from xinyong.ui.render import render
from xinyong.web import MAX_ROW_ID, RowId, get_cipher, get_clock, get_session, get_settings_dep

router = APIRouter()

#: The longest query the search takes (the JSON route's bound); one character is a query.
QUERY_MAX = 200
#: The highest page number a list page accepts (beyond it the offset is past any table).
MAX_PAGE = MAX_ROW_ID // PAGE_SIZE
#: The tab a subject's page opens on.
FIRST_TAB = TAB_KEYS[0]


def _query_problem(q: str) -> str | None:
    if not q:
        return "请输入企业或组织的名称、统一社会信用代码或注册号。"
    if len(q) > QUERY_MAX:
        return f"查询内容不能超过 {QUERY_MAX} 个字。"
    return None


@router.get("/search", response_class=HTMLResponse, include_in_schema=False, response_model=None)
def search(
    request: Request,
    q: str = Query("", max_length=QUERY_MAX * 2),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    principal: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    """信用查询: the twin of GET /api/v1/public/subjects (``subjects.service.public_search``, the search's
    rule in one function, answers both). A code that names one subject opens its page."""
    q = q.strip()
    problem = _query_problem(q)
    if problem is not None:
        return render(request, "portal/search.html", principal, q=q, problem=problem, found=None, pager=None)
    offset = offset_of(page)
    total, rows = public_search(session, q, limit=PAGE_SIZE, offset=offset)
    verdict = ids.classify(q)
    if verdict.valid and verdict.kind in PUBLIC_CODE_KINDS and total == 1 and rows:
        return RedirectResponse(f"/subjects/{rows[0].id}", status_code=303)
    found = [subject_out(s, None) for s in rows]
    pager = Pager(total=total, limit=PAGE_SIZE, offset=offset, path="/search", params=(("q", q),))
    return render(request, "portal/search.html", principal, q=q, problem=None, found=found, pager=pager)


@router.get("/subjects/{subject_id}", response_class=HTMLResponse, include_in_schema=False)
def subject_page(
    request: Request,
    subject_id: RowId,
    tab: str = Query(FIRST_TAB, max_length=20),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    principal: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> HTMLResponse:
    """A subject's published file, one tab a page at a time: the twin of GET
    /api/v1/public/subjects/{id}."""
    wanted = FilePage(tab=tab, limit=PAGE_SIZE, offset=offset_of(page))
    file = public_file(session, subject_id, today=clock.today(), cipher=cipher, page=wanted)
    path = f"/subjects/{subject_id}"
    pager = Pager(total=file.total, limit=file.limit, offset=file.offset, path=path, params=(("tab", tab),))
    return render(
        request,
        "portal/subject.html",
        principal,
        file=file,
        file_pager=pager,
        file_url=path,
        file_params=[],
        record_href="/records/",
        list_entries=public_entries_of(session, subject_id, clock.today()),
    )


@router.get("/records/{record_id}", response_class=HTMLResponse, include_in_schema=False)
def record_page(
    request: Request,
    record_id: RowId,
    principal: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> HTMLResponse:
    """A published record: the twin of GET /api/v1/public/records/{id}."""
    found = public_record(session, record_id, today=clock.today(), cipher=cipher)
    return render(request, "portal/record.html", principal, found=found)


@router.get("/catalog", response_class=HTMLResponse, include_in_schema=False)
def catalog(
    request: Request,
    principal: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    """信息目录: the twin of GET /api/v1/catalog, each item in words."""
    try:
        current = current_catalog(session)
    except NotFound:
        return render(request, "portal/catalog.html", principal, catalog=None)
    page = catalog_page(current.version, current.title, current.issued_by, [i.spec for i in current.items])
    return render(request, "portal/catalog.html", principal, catalog=page)


@router.get("/notices", response_class=HTMLResponse, include_in_schema=False)
def notices(
    request: Request,
    principal: Principal = Depends(authorize(Scope.public_read)),
    settings: Settings = Depends(get_settings_dep),
) -> HTMLResponse:
    """政策公告: the twin of GET /api/v1/notices."""
    return render(request, "portal/notices.html", principal, notices=list_notices(settings.data_dir).notices)


@router.get("/notices/{slug}", response_class=HTMLResponse, include_in_schema=False)
def notice(
    request: Request,
    slug: Slug,
    principal: Principal = Depends(authorize(Scope.public_read)),
    settings: Settings = Depends(get_settings_dep),
) -> HTMLResponse:
    """One notice: the twin of GET /api/v1/notices/{slug}."""
    return render(request, "portal/notice.html", principal, notice=get_notice(settings.data_dir, slug))
