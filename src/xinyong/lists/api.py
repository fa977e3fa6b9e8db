"""红黑名单 JSON API: proposals and their lifecycle, objections, the public lists, a subject's own entries.

Thin: each route parses, calls one function of ``lists.service`` / ``lists.objections`` / ``lists.own``
(the console, portal and space pages call the same ones) and returns its Pydantic answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.lists import objections, own, service
from xinyong.lists.schemas import (
    DecideIn,
    EntryOut,
    EntryPage,
    EventOut,
    ExitIn,
    ObjectionDecisionIn,
    ObjectionIn,
    ObjectionOut,
    ObjectionPage,
    OwnEntryOut,
    ProposeIn,
    PublicEntryOut,
    PublicPage,
    WaiverIn,
)
from xinyong.models.lists import EntryState, ListKind, ObjectionStatus
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.web import Offset, RowId, get_cipher, get_clock, get_session

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["红黑名单"])

Limit = Annotated[int, Query(ge=1, le=service.MAX_LIMIT, description="每页条数")]
EntryNumber = Annotated[str, Path(min_length=1, max_length=40, description="名单编号")]


@api.post("/list-entries", summary="提出列入红黑名单（须有法律文书）", status_code=201)
def propose(
    body: ProposeIn,
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> EntryOut:
    return service.propose(session, principal, body, clock=clock, cipher=cipher)


@api.get("/list-entries", summary="本部门（信用办：本地区）的名单，按状态、名单种类筛选")
def list_entries(
    state: EntryState | None = None,
    list_kind: ListKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> EntryPage:
    return service.list_entries(
        session, principal, state=state, list_kind=list_kind, limit=limit, offset=offset, cipher=cipher
    )


@api.get("/list-entries/{entry_id}", summary="一条名单：文书、告知、认定决定、状态")
def get_entry(
    entry_id: RowId,
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> EntryOut:
    return service.get_entry(session, principal, entry_id, cipher, clock=clock)


@api.get("/list-entries/{entry_id}/events", summary="名单的每一次状态变化")
def entry_events(
    entry_id: RowId,
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
) -> list[EventOut]:
    return service.events(session, principal, entry_id)


@api.post("/list-entries/{entry_id}/notify", summary="告知：事由、依据、权利和异议期限（发起部门）")
def notify(
    entry_id: RowId,
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> EntryOut:
    return service.notify(session, principal, entry_id, clock=clock, cipher=cipher)


@api.post("/list-entries/{entry_id}/decide", summary="认定：异议期满且无未决异议后作出认定决定（发起部门）")
def decide(
    entry_id: RowId,
    body: DecideIn | None = None,
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> EntryOut:
    note = body.review_note if body else None
    return service.decide(session, principal, entry_id, review_note=note, clock=clock, cipher=cipher)


@api.post("/list-entries/{entry_id}/publish", summary="发布（信用办）：公示并向实施部门推送反馈任务")
def publish(
    entry_id: RowId,
    principal: Principal = Depends(authorize(Scope.lists_publish)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> EntryOut:
    return service.publish(session, principal, entry_id, clock=clock, cipher=cipher)


@api.post("/list-entries/{entry_id}/exit", summary="移出或撤回（发起部门；发布后信用办亦可）")
def exit_entry(
    entry_id: RowId,
    body: ExitIn,
    principal: Principal = Depends(authorize(Scope.lists_initiate)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> EntryOut:
    return service.exit_entry(session, principal, entry_id, body.cause, body.note, clock=clock, cipher=cipher)


@api.post("/objections", summary="对本主体的名单或信用记录提出异议", status_code=201)
def file_objection(
    body: ObjectionIn,
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> ObjectionOut:
    return objections.file_objection(session, principal, body, clock=clock)


@api.post(
    "/objections/{objection_id}/decision", summary="答复异议：成立（撤销名单）或不成立（作出决定的部门）"
)
def decide_objection(
    objection_id: RowId,
    body: ObjectionDecisionIn,
    principal: Principal = Depends(authorize(Scope.objections_decide)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> ObjectionOut:
    return objections.decide_objection(session, principal, objection_id, body, clock=clock)


@api.get("/objections", summary="本部门须答复的异议（默认只列处理中的）")
def department_objections(
    status: ObjectionStatus | None = ObjectionStatus.open,
    limit: Limit = 50,
    offset: Offset = 0,
    principal: Principal = Depends(authorize(Scope.objections_decide)),
    session: Session = Depends(get_session, scope="function"),
) -> ObjectionPage:
    return objections.department_objections(session, principal, status=status, limit=limit, offset=offset)


@api.get("/me/list-entries", summary="本主体的名单：告知、认定决定和异议（本人查询）")
def my_entries(
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> list[OwnEntryOut]:
    return own.own_entries(session, principal, clock=clock, cipher=cipher)


@api.post(
    "/me/list-entries/{entry_id}/waiver",
    summary="书面放弃陈述、申辩和异议（此后认定部门可在异议期限届满前作出认定决定）",
)
def waive(
    entry_id: RowId,
    body: WaiverIn,
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> EntryOut:
    return service.entry_out(session, own.waive_own(session, principal, entry_id, body, clock=clock), cipher)


@api.get("/public/lists/{list_kind}", summary="公开的红名单或黑名单（已发布且在列入期内的组织）")
def public_list(
    list_kind: ListKind,
    q: str | None = Query(None, max_length=100, description="主体名称（部分）或统一社会信用代码"),
    limit: Limit = 20,
    offset: Offset = 0,
    _: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> PublicPage:
    return service.public_list(session, list_kind, today=clock.today(), q=q, limit=limit, offset=offset)


@api.get("/public/list-entries/{number}", summary="一条公开的名单")
def public_entry(
    number: EntryNumber,
    _: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> PublicEntryOut:
    return service.public_entry(session, number, today=clock.today())
