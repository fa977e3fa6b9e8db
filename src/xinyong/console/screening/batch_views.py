"""Pages and JSON: batch screening (自动比对): upload, progress, downloads.

``POST /api/v1/screening/batches`` takes a CSV or XLSX file (one column of identifiers, header 主体标识)
with the scenario, purpose and legal basis as form fields, or a JSON body ``{"identifiers": [...],
"scenario": ..., "purpose": ...}``; the batch runs after the answer (202) in a task of its own, and
``GET /api/v1/screening/batches/{id}`` shows its progress. The pages call the same service:
``/console/screening/batches`` (form, list; the form posts without a script) and
``/console/screening/batches/{id}`` (progress, counts per decision, downloads; the page reloads itself
while the batch runs, and ``static/screening_batch.js`` moves the bar in between). Every route asks for
``screening:run``; a batch is shown only to its own department and to the credit office (404 else).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import UploadFile

from xinyong.catalog.lists import Scenario
from xinyong.catalog.lists_service import current_lists
from xinyong.config import Settings
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Conflict, DomainError, InvalidInput
from xinyong.measures import batch_service as service
from xinyong.measures import screening
from xinyong.models.measures import BatchState, ScreeningBatch
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import STAFF_PURPOSES, Purpose, Scope
from xinyong.ui.render import render
from xinyong.web import Offset, RowId, get_cipher, get_clock, get_session, get_settings_dep

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["联合奖惩核查"])

MAX_FILE_BYTES: Final = 64 * 1024 * 1024
SUFFIXES: Final = (".csv", ".xlsx")


def _scope() -> Any:
    return Depends(authorize(Scope.screening_run))


Identifier = Annotated[str, Field(max_length=300)]


class BatchIn(BaseModel):
    """A list of subjects and one scenario (the JSON form of the upload)."""

    identifiers: list[Identifier] = Field(
        min_length=1,
        max_length=service.MAX_SUBJECTS,
        description="主体标识：统一社会信用代码、旧代码、身份证号码或主体全称",
    )
    scenario: str = Field(min_length=1, max_length=60, description="应用场景：英文值或中文名称，如 政府采购")
    purpose: str | None = Field(default=None, max_length=20, description="查询用途；不填时取场景对应的用途")
    legal_basis: str | None = Field(default=None, max_length=500, description="查询依据；不填时为措施清单")


class BatchOut(BaseModel):
    id: int
    number: str
    state: str
    scenario: str
    scenario_label: str
    purpose: str
    username: str
    file_name: str | None
    total: int
    done: int
    percent: int
    created_at: str
    finished_at: str | None
    summary: dict[str, Any]
    data_version: dict[str, Any]
    result_sha256: str | None
    code: str | None
    error: str | None
    downloads: dict[str, str]


def batch_out(row: ScreeningBatch) -> BatchOut:
    done = row.state is BatchState.done
    base = f"/api/v1/screening/batches/{row.id}"
    return BatchOut(
        id=row.id,
        number=row.number,
        state=row.state.value,
        scenario=row.scenario,
        scenario_label=Scenario(row.scenario).label_zh,
        purpose=row.purpose,
        username=row.username,
        file_name=row.file_name,
        total=row.total,
        done=row.done,
        percent=100 if done else (row.done * 100 // row.total if row.total else 0),
        created_at=row.created_at.isoformat(),
        finished_at=row.finished_at.isoformat() if row.finished_at else None,
        summary=row.summary,
        data_version=row.data_version,
        result_sha256=row.result_sha256,
        code=row.code,
        error="批量核查未完成，请重新提交" if row.state is BatchState.failed else None,
        downloads={k: f"{base}/result.{k}" for k in ("csv", "xlsx", "json")} if done else {},
    )


def _bad_body(message: str) -> InvalidInput:
    return InvalidInput(message, code="SCREENING_BATCH_INVALID")


async def _read_request(request: Request) -> tuple[BatchIn, str | None]:
    """The body as ``BatchIn``: a multipart upload (file + fields) or JSON."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        try:
            return BatchIn.model_validate(json.loads(await request.body())), None
        except (ValueError, ValidationError) as exc:
            raise _bad_body(
                "请求体应为 JSON：identifiers（主体标识列表，1 至 1000000 个）、scenario、purpose"
            ) from exc
    if not kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        raise _bad_body("请上传 CSV 或 XLSX 文件（multipart/form-data），或提交 JSON")
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise _bad_body("请选择要核查的文件（CSV 或 XLSX，第一行为表头“主体标识”）")
    name = Path(upload.filename or "upload").name[:300]
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise _bad_body(f"不支持的文件类型“{suffix or '（无扩展名）'}”：请上传 .csv 或 .xlsx 文件")
    content = await upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput("文件超过 64 MB：请拆分后上传", code="SCREENING_BATCH_TOO_LARGE", status=413)
    identifiers = await run_in_threadpool(service.read_identifiers, content, suffix)
    if not any(identifiers):
        raise _bad_body("文件中没有主体标识：第一行为表头“主体标识”，其下每行一个主体")
    fields = {k: str(form.get(k) or "")[:500] or None for k in ("scenario", "purpose", "legal_basis")}
    try:
        return BatchIn(identifiers=identifiers, **fields), name
    except ValidationError as exc:
        raise _bad_body("请选择应用场景；每个主体标识不超过 300 个字符，一次最多 1000000 个主体") from exc


def _submit(
    request: Request,
    body: BatchIn,
    file_name: str | None,
    principal: Principal,
    session: Session,
    clock: Clock,
) -> ScreeningBatch:
    req = service.prepare(
        session,
        principal,
        list(body.identifiers),
        scenario=body.scenario,
        purpose=body.purpose,
        legal_basis=body.legal_basis,
        clock=clock,
        file_name=file_name,
    )
    factory: sessionmaker[Session] = request.app.state.sessions
    return service.create(factory, principal, req, clock=clock)


def _schedule(
    tasks: BackgroundTasks, request: Request, row: ScreeningBatch, body: BatchIn, principal: Principal,
    *, clock: Clock, cipher: PersonalDataCipher, settings: Settings,
) -> None:  # fmt: skip
    """Run the batch after the answer is sent, in a worker thread with sessions of its own."""
    req = service.BatchRequest(
        list(body.identifiers),
        Scenario(row.scenario),
        Purpose(row.purpose),
        str(row.summary.get("legal_basis", "")),
        row.file_name,
    )
    actor = {
        "user_id": principal.user_id,
        "username": principal.username,
        "department_id": principal.department_id,
        "client": principal.client,
    }
    tasks.add_task(
        service.run,
        request.app.state.sessions,
        row.id,
        req,
        clock=clock,
        cipher=cipher,
        store_dir=settings.data_dir / "screening",
        actor=actor,
    )


@api.post(
    "/screening/batches",
    status_code=202,
    summary="批量核查（自动比对）：上传 CSV/XLSX（一列主体标识）或提交 JSON 列表，最多 100 万个主体",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": BatchIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file", "scenario"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "scenario": {"type": "string", "maxLength": 60},
                            "purpose": {"type": "string", "maxLength": 20},
                            "legal_basis": {"type": "string", "maxLength": 500},
                        },
                    }
                },
            },
            "required": True,
        }
    },
)
async def create_batch(
    request: Request,
    tasks: BackgroundTasks,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
    settings: Settings = Depends(get_settings_dep),
) -> BatchOut:
    body, file_name = await _read_request(request)
    row = await run_in_threadpool(_submit, request, body, file_name, principal, session, clock)
    _schedule(tasks, request, row, body, principal, clock=clock, cipher=cipher, settings=settings)
    return batch_out(row)


@api.get("/screening/batches", summary="本部门的批量核查（信用办：全部），新者在前")
def list_batches(
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> list[BatchOut]:
    return [batch_out(r) for r in service.batches(session, principal, limit=limit, offset=offset)]


@api.get("/screening/batches/{batch_id}", summary="批量核查的进度与结果汇总（仅本部门或信用办）")
def get_batch(
    batch_id: RowId,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> BatchOut:
    return batch_out(service.own_batch(session, principal, batch_id))


def _finished(session: Session, principal: Principal, batch_id: int) -> ScreeningBatch:
    row = service.own_batch(session, principal, batch_id)
    if row.state is not BatchState.done:
        raise Conflict("批量核查尚未完成，结果文件还不能下载", code="SCREENING_BATCH_NOT_DONE")
    return row


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@api.get("/screening/batches/{batch_id}/result.csv", summary="下载批量核查结果（CSV，UTF-8 带 BOM）")
def result_csv(
    batch_id: RowId,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    row = _finished(session, principal, batch_id)
    return _download(service.stored_bytes(row), "text/csv; charset=utf-8", f"{row.number}.csv")


@api.get("/screening/batches/{batch_id}/result.xlsx", summary="下载批量核查结果（XLSX）")
def result_xlsx(
    batch_id: RowId,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    row = _finished(session, principal, batch_id)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(service.as_xlsx(row), xlsx, f"{row.number}.xlsx")


@api.get("/screening/batches/{batch_id}/result.json", summary="下载批量核查结果（JSON Lines，一行一个主体）")
def result_json(
    batch_id: RowId,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    row = _finished(session, principal, batch_id)
    return _download(service.as_json_lines(row), "application/x-ndjson; charset=utf-8", f"{row.number}.jsonl")


class BatchVerification(BaseModel):
    number: str
    sha256: str | None
    code: str | None
    #: Whether the stored result file still has its sha256 and the proof code verifies over it.
    intact: bool


def _verification(row: ScreeningBatch) -> BatchVerification:
    path = Path(str(row.result_path))
    intact = path.is_file() and service.verify(row, path.read_bytes())
    return BatchVerification(number=row.number, sha256=row.result_sha256, code=row.code, intact=intact)


@api.get(
    "/screening/batches/{batch_id}/verification",
    summary="核验批量核查结果：按存储的结果文件重算摘要并核对验证码",
)
def verify_batch(
    batch_id: RowId,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> BatchVerification:
    return _verification(_finished(session, principal, batch_id))


# --------------------------------------------------------------------------- pages


def _scenarios(session: Session, principal: Principal) -> list[tuple[str, str]]:
    lists = current_lists(session)
    return [(s.value, s.label_zh) for s in Scenario if screening.may_screen(principal, lists, s)]


def _purposes() -> list[tuple[str, str]]:
    return [("", "按场景自动确定"), *((p.value, p.value) for p in Purpose if p in STAFF_PURPOSES)]


def _list_page(
    request: Request, principal: Principal, session: Session, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    rows = [batch_out(r) for r in service.batches(session, principal, limit=50)]
    return render(
        request,
        "console/screening_batches.html",
        principal,
        status=status,
        error=error,
        batches=rows,
        scenarios=_scenarios(session, principal),
        purposes=_purposes(),
        max_subjects=service.MAX_SUBJECTS,
    )


@router.get("/console/screening/batches", response_class=HTMLResponse)
def batches_page(
    request: Request,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    return _list_page(request, principal, session)


@router.post("/console/screening/batches", response_model=None)
async def batches_submit(
    request: Request,
    tasks: BackgroundTasks,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    """The upload form (no script needed): the API's own steps, then the batch's page."""
    try:
        body, file_name = await _read_request(request)
        row = await run_in_threadpool(_submit, request, body, file_name, principal, session, clock)
    except DomainError as exc:
        if exc.keep_changes:
            await run_in_threadpool(session.commit)
        else:
            await run_in_threadpool(session.rollback)
        return await run_in_threadpool(
            _list_page, request, principal, session, error=exc.message, status=exc.status
        )
    _schedule(tasks, request, row, body, principal, clock=clock, cipher=cipher, settings=settings)
    return RedirectResponse(f"/console/screening/batches/{row.id}", status_code=303)


@router.get("/console/screening/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(
    request: Request,
    batch_id: RowId,
    principal: Principal = _scope(),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    found = service.own_batch(session, principal, batch_id)
    check = _verification(found) if found.state is BatchState.done else None
    return render(
        request,
        "console/screening_batch.html",
        principal,
        batch=batch_out(found),
        check=check,
        decisions=service.DECISION_ZH,
    )
