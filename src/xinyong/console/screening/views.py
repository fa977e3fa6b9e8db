"""Pages and JSON: the single screening (联合奖惩核查), its stored result and its verification.

Each page calls the service its JSON twin calls: ``/console/screening`` (form and result) is
``POST /api/v1/screening``; ``/console/screenings`` is ``GET /api/v1/screenings``;
``/console/screenings/{id}`` is ``GET /api/v1/screenings/{id}`` with
``GET /api/v1/screenings/{id}/verification``. All ask for ``screening:run``; a stored check is shown only
to its own department (and the credit office).
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from xinyong.catalog.lists import Scenario
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError
from xinyong.measures import screening as service
from xinyong.measures.schemas import ScreeningIn, ScreeningOut, ScreeningsPage, Verification
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import STAFF_PURPOSES, Purpose, Scope
from xinyong.ui.paging import PAGE_SIZE, Pager, offset_of
from xinyong.ui.render import render
from xinyong.web import Offset, RowId, get_cipher, get_clock, get_session, get_writing_session

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["联合奖惩核查"])

MAX_PAGE: Final = 1_000_000


def _scope() -> Any:
    return Depends(authorize(Scope.screening_run))


# --------------------------------------------------------------------------- JSON


@api.post(
    "/screening",
    status_code=201,
    summary="联合奖惩核查：一个主体、一个场景、一个查询用途；答复结论、适用措施及其依据、触发依据、中止措施，并存证",
)
def run_screening(
    body: ScreeningIn,
    principal: Principal = _scope(),
    session: Session = Depends(get_writing_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> ScreeningOut:
    return service.run(session, principal, body, clock=clock, cipher=cipher)


@api.get("/screenings", summary="本部门的核查记录（信用办：全部），新者在前")
def list_screenings(
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> ScreeningsPage:
    return service.screenings(session, principal, limit=limit, offset=offset)


@api.get("/screenings/{screening_id}", summary="一次核查的存证结果（仅本部门或信用办）")
def get_screening(
    screening_id: RowId,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> ScreeningOut:
    return service.stored_screening(session, principal, screening_id, clock=clock)


@api.get(
    "/screenings/{screening_id}/verification", summary="核验存证：按存储内容重算验证码（valid / altered）"
)
def verify_screening(
    screening_id: RowId,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> Verification:
    return service.verification(session, principal, screening_id)


# --------------------------------------------------------------------------- pages


def _purposes() -> list[tuple[str, str]]:
    staff = [p for p in Purpose if p in STAFF_PURPOSES]
    return [("", "按场景自动确定"), *((p.value, p.value) for p in staff)]


def _scenarios(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """The scenarios the caller may screen in (every scenario for the credit office)."""
    lists = service.lists_in_force(session)
    return [(s.value, s.label_zh) for s in Scenario if service.may_screen(principal, lists, s)]


def _form_page(
    request: Request, principal: Principal, session: Session, *, form: dict[str, str],
    result: ScreeningOut | None = None, error: str | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    return render(
        request,
        "console/screening.html",
        principal,
        status=status,
        form=form,
        result=result,
        error=error,
        scenarios=_scenarios(session, principal),
        purposes=_purposes(),
    )


@router.get("/console/screening", response_class=HTMLResponse)
def screening_page(
    request: Request,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    return _form_page(request, principal, session, form={})


@router.post("/console/screening", response_class=HTMLResponse)
def screening_submit(
    request: Request,
    identifier: str = Form("", max_length=300),
    scenario: str = Form("", max_length=60),
    purpose: str = Form("", max_length=20),
    case_ref: str = Form("", max_length=200),
    principal: Principal = _scope(),
    session: Session = Depends(get_writing_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> HTMLResponse:
    form = {"identifier": identifier, "scenario": scenario, "purpose": purpose, "case_ref": case_ref}
    try:
        body = ScreeningIn(
            identifier=identifier,
            scenario=scenario,
            purpose=purpose or None,
            case_ref=case_ref.strip() or None,
        )
    except ValidationError:
        message = "请填写主体标识（代码、身份证号码或主体全称）并选择应用场景"
        return _form_page(request, principal, session, form=form, error=message, status=422)
    try:
        result = service.run(session, principal, body, clock=clock, cipher=cipher)
    except DomainError as exc:
        if exc.keep_changes:
            session.commit()
        else:
            session.rollback()
        form["identifier"] = service.masked_identifier(identifier)
        return _form_page(request, principal, session, form=form, error=exc.message, status=exc.status)
    return _form_page(request, principal, session, form=form | {"identifier": ""}, result=result)


@router.get("/console/screenings", response_class=HTMLResponse)
def screenings_page(
    request: Request,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    offset = offset_of(page, PAGE_SIZE)
    listing = service.screenings(session, principal, limit=PAGE_SIZE, offset=offset)
    return render(
        request,
        "console/screenings.html",
        principal,
        listing=listing,
        pager=Pager(listing.total, PAGE_SIZE, offset, "/console/screenings"),
    )


@router.get("/console/screenings/{screening_id}", response_class=HTMLResponse)
def screening_detail(
    request: Request,
    screening_id: RowId,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    result = service.stored_screening(session, principal, screening_id, clock=clock)
    check = service.verification(session, principal, screening_id)
    return render(request, "console/screening_detail.html", principal, result=result, check=check)
