"""数据报送: the catalog items a department submits with their templates (page and JSON), the template
downloads, and the upload form's no-script path (the script posts to the upload API itself)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.ingest import access, templates
from xinyong.ingest import api as ingest_api
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.ui.render import render
from xinyong.web import get_cipher, get_clock, get_session, get_settings_dep

pages = APIRouter()
api = APIRouter()

ITEM_CODE = r"^[A-Z]{2}-[0-9]{3}$"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@api.get("/ingest/items", summary="本部门可报送的目录事项：报送模板地址与字段规则（谁产生、谁提供）")
def submittable(
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
) -> list[templates.TemplateItemOut]:
    return templates.submittable_items(session, access.own_department(session, principal))


def _attachment(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@api.get(
    "/ingest/templates/{item_code}.csv", summary="下载报送模板（CSV，中文表头，含一行示例），可直接填写后上传"
)
def template_csv(
    item_code: str = Path(pattern=ITEM_CODE, description="目录信息事项代码，如 CF-001"),
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    blob = templates.template_csv(session, item_code, today=clock.today(), region=principal.region_code)
    return _attachment(blob, "text/csv; charset=utf-8", f"template-{item_code}.csv")


@api.get(
    "/ingest/templates/{item_code}.xlsx",
    summary="下载报送模板（XLSX：第一张表为中文表头和一行示例，第二张表为各字段的填写规则）",
)
def template_xlsx(
    item_code: str = Path(pattern=ITEM_CODE, description="目录信息事项代码，如 CF-001"),
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    blob = templates.template_xlsx(session, item_code, today=clock.today(), region=principal.region_code)
    return _attachment(blob, XLSX_TYPE, f"template-{item_code}.xlsx")


def _collection_page(
    request: Request,
    principal: Principal,
    session: Session,
    *,
    error: str | None = None,
    selected: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    dept = access.own_department(session, principal)
    return render(
        request,
        "console/collection/collection.html",
        principal,
        status=status,
        tab="collection",
        dept_name=dept.name,
        dept_kind=dept.kind,
        items=templates.submittable_items(session, dept),
        max_mb=ingest_api.MAX_UPLOAD_BYTES // 1024 // 1024,
        error=error,
        selected=selected,
    )


@pages.get("/console/collection", response_class=HTMLResponse)
def collection_page(
    request: Request,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    """数据报送: the items this department submits, their templates, and the upload form."""
    return _collection_page(request, principal, session)


@pages.post("/console/collection/upload", response_model=None)
def upload_page(
    request: Request,
    file: UploadFile = File(...),
    item: str = Form(..., max_length=20),
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> Response:
    """The upload form without its script: the upload API's own handler (same checks, same service),
    then the batch's report; a refused file comes back on the form with the reason."""
    try:
        outcome = ingest_api.upload_batch(
            request,
            file=file,
            item=item,
            principal=principal,
            session=session,
            settings=settings,
            clock=clock,
            cipher=cipher,
        )
    except DomainError as exc:
        return _collection_page(
            request, principal, session, error=exc.message, selected=item, status=exc.status
        )
    return RedirectResponse(f"/console/batches/{outcome.batch_id}", status_code=303)
