"""A subject's own list entries (我的名单): those it has been told of, with the notice, the decision and the
objections it filed. A 本人查询, in the query log like a read of its own file."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.lists import lifecycle, objections, repository
from xinyong.lists.schemas import OwnEntryOut, WaiverIn
from xinyong.lists.service import EntryNotFound, entry_out
from xinyong.models.lists import EntryState, ListEntry, ObjectionStatus
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.roles import Purpose
from xinyong.security.service import own_subject_id

TARGET = "list_entries"


def own_entries(
    session: Session, principal: Principal, *, clock: Clock, cipher: PersonalDataCipher
) -> list[OwnEntryOut]:
    subject_id = own_subject_id(session, principal)
    querylog.guarded_read(
        session,
        principal,
        subject_id=subject_id,
        target=TARGET,
        why=querylog.Access(Purpose.self_query),
        clock=clock,
    )
    rows = repository.own_entries(session, subject_id)
    filed = objections.on_entries(session, [e.id for e in rows])
    out = []
    for entry in rows:
        mine = filed[entry.id]
        is_open = any(o.status == ObjectionStatus.open.value for o in mine)
        can = entry.state in objections.OBJECTABLE and not is_open
        waivable = (
            entry.state is EntryState.notified
            and entry.objection_waived_at is None
            and entry.objection_due is not None
            and clock.today() <= entry.objection_due
            and not is_open
        )
        out.append(
            OwnEntryOut(
                entry=entry_out(session, entry, cipher), objections=mine, can_object=can, can_waive=waivable
            )
        )
    return out


def waive_own(
    session: Session, principal: Principal, entry_id: int, body: WaiverIn, *, clock: Clock
) -> ListEntry:
    """The subject waives, in writing, its representations and objection on one of its own notified
    entries (lifecycle.waive); another subject's entry is the 404 of nobody."""
    subject_id = own_subject_id(session, principal)
    entry = session.get(ListEntry, entry_id)
    if entry is None or entry.subject_id != subject_id or entry.notified_at is None:
        raise EntryNotFound()
    return lifecycle.waive(
        session, entry, statement=body.statement.strip(), actor=principal.username, clock=clock
    )
