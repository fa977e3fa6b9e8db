"""A subject's own list entries (我的名单): those it has been told of, with the notice, the decision and the
objections it filed. A 本人查询, in the query log like a read of its own file."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.lists import objections, repository
from xinyong.lists.schemas import OwnEntryOut
from xinyong.lists.service import entry_out
from xinyong.models.lists import ObjectionStatus
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
        out.append(OwnEntryOut(entry=entry_out(session, entry, cipher), objections=mine, can_object=can))
    return out
