"""JSON routes that serve a credit file or one of its records, to each kind of reader.

Each route parses its request and calls one function of ``files.service``; the purpose check, the
data range, the grant and the query log are that function's business.
"""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from xinyong.files import service
from xinyong.files.schemas import DEFAULT_LIMIT, MAX_LIMIT, FileOut, FilePage, PublicRecordOut, RecordOut
from xinyong.files.tabs import TABS
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.security.auth import Principal, authorize
from xinyong.security.querylog import Stated
from xinyong.security.roles import Scope
from xinyong.web import Offset, RowId, get_cipher, get_clock, get_session

router = APIRouter(prefix="/api/v1")

#: The tags the routes had when they lived with subjects and with the security core (OpenAPI groups).
SUBJECT_TAGS: list[str | Enum] = ["信用主体"]
ACCOUNT_TAGS: list[str | Enum] = ["账户与查询登记"]

PURPOSE_HELP = (
    "查询用途（必填）：行政审批、政府采购、招标投标、财政资金、评优评先、人员录用、"
    "日常监管、异议处理、信用修复"
)

TAB_HELP = "栏目（不填为全部）：" + "、".join(f"{tab.key}（{tab.label}）" for tab in TABS)


def file_page(
    tab: str | None = Query(None, max_length=20, description=TAB_HELP),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数"),
    offset: Offset = 0,
) -> FilePage:
    """Which page of a file the request asks for: every file route reads it the same way."""
    return FilePage(tab=tab, limit=limit, offset=offset)


@router.get(
    "/subjects/{subject_id}/file",
    tags=SUBJECT_TAGS,
    summary="部门查询信用档案：本数据范围内的非公开信息（须说明用途，登记在查询日志中）",
)
def staff_file(
    subject_id: RowId,
    purpose: str | None = Query(None, description=PURPOSE_HELP),
    legal_basis: str | None = Query(None, max_length=500, description="查询依据（法律法规或文件）"),
    page: FilePage = Depends(file_page),
    principal: Principal = Depends(authorize(Scope.subjects_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> FileOut:
    why = Stated(purpose, legal_basis)
    return service.staff_file(session, principal, subject_id, why, clock=clock, cipher=cipher, page=page)


@router.get(
    "/records/{record_id}",
    tags=SUBJECT_TAGS,
    summary="查看一条信用记录（非公开记录限本数据范围，须说明用途）",
)
def read_record(
    record_id: RowId,
    purpose: str | None = Query(None, description=PURPOSE_HELP),
    legal_basis: str | None = Query(None, max_length=500),
    principal: Principal = Depends(authorize(Scope.records_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> RecordOut:
    why = Stated(purpose, legal_basis)
    return service.staff_record(session, principal, record_id, why, clock=clock, cipher=cipher)


@router.get("/public/subjects/{subject_id}", tags=SUBJECT_TAGS, summary="信用信息公示：一个主体的公示信息")
def public_file(
    subject_id: RowId,
    page: FilePage = Depends(file_page),
    _: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> FileOut:
    return service.public_file(session, subject_id, today=clock.today(), cipher=cipher, page=page)


@router.get("/public/records/{record_id}", tags=SUBJECT_TAGS, summary="信用信息公示：一条公示中的信用记录")
def public_record(
    record_id: RowId,
    _: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> PublicRecordOut:
    return service.public_record(session, record_id, today=clock.today(), cipher=cipher)


@router.get("/me/file", tags=ACCOUNT_TAGS, summary="本主体的完整信用档案（本人查询，登记在查询日志中）")
def my_file(
    page: FilePage = Depends(file_page),
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> FileOut:
    return service.own_file(session, principal, clock=clock, cipher=cipher, page=page)


@router.get(
    "/agency/subjects/{subject_id}/file",
    tags=ACCOUNT_TAGS,
    summary="信用服务机构凭有效授权查询信用档案",
)
def agency_file(
    subject_id: RowId,
    page: FilePage = Depends(file_page),
    principal: Principal = Depends(authorize(Scope.agency_query)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> FileOut:
    return service.agency_file(session, principal, subject_id, clock=clock, cipher=cipher, page=page)
