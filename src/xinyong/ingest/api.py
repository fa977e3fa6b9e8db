"""JSON routes of collection (归集): file upload, the JSON batch API, batch outcomes and error reports,
corrections and revocations by the source, and timeliness oversight.

A department submits for itself (谁产生谁提供): the source department is always the caller's own. A
department sees its own batches only; the credit office (``oversight:read`` across its region) sees the
timeliness of every department.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from xinyong.config import Settings
from xinyong.files.schemas import RecordOut
from xinyong.ingest import access, oversight, reports, service
from xinyong.ingest.corrections import correct_record
from xinyong.ingest.schemas import BatchOutcome, BatchSummary, LateRecord, RejectedRowOut, TimelinessReport
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import InvalidInput
from xinyong.models.ingest import BatchChannel
from xinyong.models.records import Severity
from xinyong.records.history import revoke_record
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.web import Offset, RowId, get_cipher, get_clock, get_session, get_settings_dep

router = APIRouter(prefix="/api/v1", tags=["信用信息归集"])

#: Largest upload accepted in one request; bigger files go through `xinyong ingest` on the server.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


@router.post(
    "/ingest/batches", status_code=201, summary="上传文件报送（CSV、XLSX、JSON Lines），返回批次结果"
)
def upload_batch(
    request: Request,
    file: UploadFile = File(..., description="数据文件：.csv / .xlsx / .jsonl"),
    item: str = Form(..., pattern=r"^[A-Z]{2}-[0-9]{3}$", description="目录信息事项代码，如 CF-001"),
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> BatchOutcome:
    dept = access.own_department(session, principal)
    name = Path(file.filename or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in {".csv", ".xlsx", ".jsonl", ".ndjson"}:
        raise InvalidInput(
            f"不支持的文件类型“{suffix or '（无扩展名）'}”：请上传 .csv、.xlsx 或 .jsonl 文件",
            code="INGEST_FORMAT_UNSUPPORTED",
        )
    too_large = InvalidInput(
        f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB：请拆分后上传，或在服务器上用 xinyong ingest 导入",
        code="INGEST_FILE_TOO_LARGE",
        status=413,
    )
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:  # known before any copy is made
        raise too_large
    uploads = settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=uploads, suffix=suffix, delete=False) as tmp:
        shutil.copyfileobj(file.file, tmp, length=1024 * 1024)
        size = tmp.tell()
    path = Path(tmp.name)
    try:
        if size > MAX_UPLOAD_BYTES:
            raise too_large
        factory: sessionmaker[Session] = request.app.state.sessions
        # The pipeline commits chunk by chunk in sessions of its own; this request's session only reads.
        return service.submit_file(
            factory,
            path,
            item_code=item,
            dept_code=dept.code,
            actor=access.actor_of(principal),
            clock=clock,
            cipher=cipher,
            channel=BatchChannel.upload,
            file_name=name,
            store_dir=settings.data_dir / "ingest",
        )
    finally:
        path.unlink(missing_ok=True)


class RecordsBatchIn(BaseModel):
    item: str = Field(description="目录信息事项代码，如 CF-001")
    records: list[dict[str, Any]] = Field(description="记录，字段名按目录事项的字段定义；每次最多 10000 条")


@router.post("/records:batch", status_code=201, summary="部门系统以 JSON 批量报送（每次最多 10000 条）")
def records_batch(
    body: RecordsBatchIn,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> BatchOutcome:
    dept = access.own_department(session, principal)
    return service.submit_records(
        session,
        body.records,
        item_code=body.item,
        dept_code=dept.code,
        actor=access.actor_of(principal),
        clock=clock,
        cipher=cipher,
    )


@router.get("/ingest/batches", summary="本部门的报送批次（质量反馈）")
def my_batches(
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
) -> list[BatchSummary]:
    dept = access.own_department(session, principal)
    return reports.list_batches(session, dept.id, limit=limit, offset=offset)


@router.get("/ingest/batches/{batch_id}", summary="批次结果：计数与逐行问题")
def batch_detail(
    batch_id: RowId,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
) -> BatchOutcome:
    return reports.batch_outcome(session, access.own_batch(session, principal, batch_id).id)


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/ingest/batches/{batch_id}/errors.csv", summary="下载逐行问题报告（CSV，Excel 可直接打开）")
def batch_errors_csv(
    batch_id: RowId,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    batch = access.own_batch(session, principal, batch_id)
    return _download(
        reports.batch_errors_csv(session, batch.id), "text/csv; charset=utf-8", f"batch-{batch.id}-errors.csv"
    )


@router.get("/ingest/batches/{batch_id}/errors.xlsx", summary="下载逐行问题报告（XLSX）")
def batch_errors_xlsx(
    batch_id: RowId,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    batch = access.own_batch(session, principal, batch_id)
    return _download(
        reports.batch_errors_xlsx(session, batch.id),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"batch-{batch.id}-errors.xlsx",
    )


@router.get(
    "/ingest/batches/{batch_id}/rejected", summary="被拒收的行（原值，身份证号码已脱敏），待更正后重新提交"
)
def batch_rejected(
    batch_id: RowId,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
) -> list[RejectedRowOut]:
    return reports.rejected_rows(session, access.own_batch(session, principal, batch_id).id)


@router.get("/ingest/batches/{batch_id}/rejected.csv", summary="下载被拒收的行（CSV），改正后可整表重新提交")
def batch_rejected_csv(
    batch_id: RowId,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    batch = access.own_batch(session, principal, batch_id)
    return _download(
        reports.rejected_rows_csv(session, batch.id),
        "text/csv; charset=utf-8",
        f"batch-{batch.id}-rejected.csv",
    )


class ResubmitIn(BaseModel):
    fixes: list[dict[str, Any]] = Field(
        description="每项含原行号 row_no 和需要改正的字段；未给出的字段沿用原报送值"
    )


@router.post("/ingest/batches/{batch_id}/resubmit", status_code=201, summary="改正被拒收的行后重新提交")
def resubmit(
    batch_id: RowId,
    body: ResubmitIn,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> BatchOutcome:
    dept = access.own_department(session, principal)
    return service.resubmit_rejected(
        session,
        batch_id,
        body.fixes,
        actor=access.actor_of(principal),
        clock=clock,
        cipher=cipher,
        dept_id=dept.id,
    )


class CorrectionIn(BaseModel):
    data: dict[str, Any] = Field(description="记录更正后的全部字段值")
    reason: str = Field(min_length=1, max_length=500, description="更正理由")
    severity_override: Severity | None = Field(None, description="调整严重程度（须说明理由）")
    override_reason: str | None = Field(None, max_length=500)


class RevocationIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="撤销理由，如复议决定、判决文书号")


@router.post("/records/{record_id}/correction", summary="来源部门更正记录：生成新版本，保留旧版本")
def correct(
    record_id: RowId,
    body: CorrectionIn,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> RecordOut:
    dept = access.own_department(session, principal)
    record = correct_record(
        session,
        record_id,
        data=body.data,
        reason=body.reason,
        actor=access.actor_of(principal),
        clock=clock,
        cipher=cipher,
        dept_id=dept.id,
        severity_override=body.severity_override,
        override_reason=body.override_reason,
    )
    return access.record_view(session, record, cipher)


@router.post(
    "/records/{record_id}/revocation", summary="来源部门撤销记录：立即停止公示，基于它的措施一并终止"
)
def revoke(
    record_id: RowId,
    body: RevocationIn,
    principal: Principal = Depends(authorize(Scope.records_submit)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> RecordOut:
    dept = access.own_department(session, principal)
    record = revoke_record(
        session, record_id, reason=body.reason, actor=access.actor_of(principal), clock=clock, dept_id=dept.id
    )
    return access.record_view(session, record, cipher)


@router.get("/oversight/timeliness", summary="双公示及时性：各部门按期数、按期率、延迟中位数（按接收月份）")
def timeliness(
    month: str = Query(..., pattern=r"^\d{4}-\d{2}$", description="月份，如 2025-10"),
    dept: str | None = Query(None, description="部门代码；不填为本账户数据范围内的全部部门"),
    principal: Principal = Depends(authorize(Scope.oversight_read)),
    session: Session = Depends(get_session, scope="function"),
) -> TimelinessReport:
    if dept is not None:
        access.overseen_department(session, principal, dept)
    report = oversight.timeliness_report(session, dept_code=dept, month=month)
    if dept is None:
        visible = access.overseen_ids(session, principal)
        report.departments = [d for d in report.departments if d.dept_id in visible]
    return report


@router.get("/oversight/late-records", summary="超期报送的记录（本部门，或数据范围内指定部门）")
def late(
    month: str | None = Query(None, pattern=r"^\d{4}-\d{2}$"),
    dept: str | None = Query(None, description="部门代码；不填为本部门"),
    limit: int = Query(100, ge=1, le=1000),
    offset: Offset = 0,
    principal: Principal = Depends(authorize(Scope.oversight_read)),
    session: Session = Depends(get_session, scope="function"),
) -> list[LateRecord]:
    target = access.overseen_department(session, principal, dept)
    return oversight.late_records(session, target.id, month=month, limit=limit, offset=offset)
