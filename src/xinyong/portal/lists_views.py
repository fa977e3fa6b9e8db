"""Public pages: the red and black lists (红名单 / 黑名单) and one entry.

``/lists`` is ``GET /api/v1/public/lists/{list_kind}`` and ``/lists/{number}`` is
``GET /api/v1/public/list-entries/{number}`` (``xinyong.lists.api``): the same service functions. Only
entries published and inside their listing period, of organisations: natural persons are not listed on
the portal.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from xinyong.kit.clock import Clock
from xinyong.lists import service
from xinyong.lists.schemas import PublicEntryOut
from xinyong.models.lists import ListKind
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.ui.paging import PAGE_SIZE, Pager, offset_of
from xinyong.ui.render import render
from xinyong.web import RowId, get_clock, get_session

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["红黑名单"])

PageNo = Annotated[int, Query(ge=1, le=100_000, description="页码")]


@router.get("/lists", response_class=HTMLResponse)
def lists_page(
    request: Request,
    kind: ListKind = ListKind.red,
    q: str = Query("", max_length=100),
    page: PageNo = 1,
    principal: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    """红黑名单: two tabs, a search by name (or USCC), a page at a time."""
    offset = offset_of(page)
    found = service.public_list(
        session, kind, today=clock.today(), q=q.strip() or None, limit=PAGE_SIZE, offset=offset
    )
    params = (("kind", kind.value),) + ((("q", q.strip()),) if q.strip() else ())
    return render(
        request,
        "portal/lists.html",
        principal,
        kind=kind.value,
        q=q.strip(),
        found=found,
        pager=Pager(found.total, PAGE_SIZE, offset, "/lists", params),
    )


@api.get("/public/subjects/{subject_id}/list-entries", response_model=list[PublicEntryOut])
def subject_entries(
    subject_id: RowId,
    principal: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> list[PublicEntryOut]:
    """An organisation's published entries inside their period (the 红黑名单 part of its public page);
    none for a natural person or a subject that does not exist."""
    return service.public_entries_of(session, subject_id, clock.today())


@router.get("/lists/{number}", response_class=HTMLResponse)
def entry_page(
    request: Request,
    number: Annotated[str, Path(min_length=1, max_length=40)],
    principal: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    """One published entry: subject, scope item, reason, legal basis, document, decision, period,
    measures."""
    entry = service.public_entry(session, number, today=clock.today())
    return render(request, "portal/lists_entry.html", principal, entry=entry)
