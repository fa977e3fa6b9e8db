"""Red and black list entries as callers use them: who may propose what on which subject, who may take
which step on which entry (the object checks), and the reads of departments, the public and the subject.

The state machine itself is ``lists.lifecycle``; every step here checks the caller, then calls it.

Who may do what, beyond the route's scope:

- propose: a department whose kind the scope item names (``initiating_department_kinds``), on a subject of a
  type the item names, inside the department's data range (its region, or a subject with records from a
  department in its range); refused otherwise.
- see an entry: its initiating department, and the credit office (platform admin) of the region the
  initiating department lies in. Anyone else gets the 404 of an entry that does not exist.
- notify, decide, withdraw: the initiating department only (谁认定、谁负责).
- publish: the credit office of the region; exit after publication: the initiating department or the
  credit office.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from sqlalchemy.orm import Session

from xinyong.catalog.lists import BLACK_PERIOD_MONTHS, DocumentKind, ListScope
from xinyong.catalog.lists_service import current_lists, scope_row
from xinyong.departments.service import department_ids_in_region
from xinyong.files import repository as files_repository
from xinyong.kit import ids
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import CryptoError, PersonalDataCipher
from xinyong.kit.errors import Forbidden, InvalidInput, NotFound
from xinyong.kit.names import normalize_name
from xinyong.lists import lifecycle, repository, texts
from xinyong.lists.schemas import (
    DocumentOut,
    EntryOut,
    EntryPage,
    EventOut,
    MeasureOut,
    ProposeIn,
    PublicEntryOut,
    PublicPage,
)
from xinyong.models import Department, Subject
from xinyong.models.lists import EntryState, ExitCause, ListEntry, ListKind, ObjectionTarget
from xinyong.models.subjects import SubjectKind
from xinyong.records.rules import add_months
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.roles import Purpose, Role
from xinyong.subjects import service as subjects

ENTRY_NOT_FOUND: Final = "名单不存在，或不在本账户的数据范围内"
#: The maximum size of a page of entries.
MAX_LIMIT: Final = 200


class EntryNotFound(NotFound):
    code = "LIST_ENTRY_NOT_FOUND"
    message = ENTRY_NOT_FOUND


class DocumentRequired(InvalidInput):
    code = "LIST_DOCUMENT_REQUIRED"
    message = "列入名单须以法律文书为依据：请填写文书种类、文号、日期和作出机关"


# --------------------------------------------------------------------------- proposals


def _find_subject(session: Session, body: ProposeIn, cipher: PersonalDataCipher) -> Subject | None:
    if body.subject_id is not None:
        return session.get(Subject, body.subject_id)
    text = (body.subject or "").strip()
    if not text:
        raise InvalidInput("请填写主体的代码或名称", code="LIST_SUBJECT_REQUIRED")
    if ids.classify(text).kind in {"uscc", "ric", "reg_no", "org_code"}:
        try:
            return subjects.resolve(session, text, cipher=cipher).subject
        except NotFound:
            return None
    found = subjects.find_by_name(session, text, limit=2)
    return found[0] if len(found) == 1 else None


def subject_in_range(session: Session, principal: Principal, subject: Subject) -> bool:
    """A department's data range over a subject: the subject's region lies in the department's, or the
    subject has a record from a department in its range (``Principal.in_range``)."""
    if principal.in_region(subject.region_code):
        return True
    return any(principal.in_range(d) for d in files_repository.source_departments(session, subject.id))


def _document(body: ProposeIn, scope: ListScope, today: dt.date) -> tuple[str, str, dt.date, str]:
    kind, number, issuer = (
        (body.doc_kind or "").strip(),
        (body.doc_no or "").strip(),
        (body.doc_issuer or "").strip(),
    )
    if not (kind and number and issuer and body.doc_date):
        raise DocumentRequired()
    allowed = [k.value for k in scope.document_kinds]
    if kind not in allowed:
        raise InvalidInput(
            f"{scope.code} 只能依据{'、'.join(DocumentKind(k).label_zh for k in allowed)}列入",
            code="LIST_DOCUMENT_KIND_REFUSED",
            details={"allowed": allowed},
        )
    if body.doc_date > today:
        raise InvalidInput("法律文书日期不能晚于今天", code="LIST_DOCUMENT_DATE_INVALID")
    oldest = add_months(today, -BLACK_PERIOD_MONTHS[1])
    if scope.list_kind is ListKind.black and body.doc_date < oldest:
        raise InvalidInput(
            f"法律文书作出已满 {BLACK_PERIOD_MONTHS[1]} 个月（严重失信信息的最长公示期）：不能据此列入",
            code="LIST_DOCUMENT_TOO_OLD",
            details={"oldest": oldest.isoformat()},
        )
    return kind, number, body.doc_date, issuer


def _minor(subject: Subject, on: dt.date, cipher: PersonalDataCipher) -> bool:
    """A natural person under 18 on the document's date (the citizen ID's birth date)."""
    if subject.kind is not SubjectKind.natural_person or subject.ric_encrypted is None:
        return False
    try:
        return ids.is_minor(cipher.decrypt(subject.ric_encrypted), on)
    except (CryptoError, InvalidInput):
        return False


def check_proposal(
    session: Session, principal: Principal, body: ProposeIn, *, cipher: PersonalDataCipher, today: dt.date
) -> lifecycle.Proposal:
    """The proposal with every check done (scope item, department kind, document, subject, range)."""
    row, scope = scope_row(session, body.scope.strip())
    dept = session.get(Department, principal.department_id) if principal.department_id else None
    if dept is None or dept.kind not in scope.initiating_department_kinds:
        raise Forbidden(
            f"{scope.code} 只能由{'、'.join(scope.initiating_department_kinds)}部门发起",
            code="LIST_DEPARTMENT_NOT_INITIATOR",
        )
    kind, number, date, issuer = _document(body, scope, today)
    subject = _find_subject(session, body, cipher)
    if subject is None or not subject_in_range(session, principal, subject):
        raise NotFound("信用主体不存在，或不在本部门的数据范围内", code="SUBJECT_NOT_FOUND")
    if subject.kind.value not in [t.value for t in scope.subject_types]:
        raise InvalidInput(
            f"{scope.code} 不适用于{subject.kind.value}类主体", code="LIST_SUBJECT_TYPE_REFUSED"
        )
    leniency = sorted(set(body.leniency) | ({"minor"} if _minor(subject, date, cipher) else set()))
    return lifecycle.Proposal(
        scope_row=row,
        scope=scope,
        subject=subject,
        dept=dept,
        doc_kind=kind,
        doc_no=number,
        doc_date=date,
        doc_issuer=issuer,
        reason=body.reason.strip(),
        leniency=leniency,
        review_note=(body.review_note or "").strip() or None,
    )


def propose(
    session: Session, principal: Principal, body: ProposeIn, *, clock: Clock, cipher: PersonalDataCipher
) -> EntryOut:
    proposal = check_proposal(session, principal, body, cipher=cipher, today=clock.today())
    entry = lifecycle.propose(session, proposal, actor=principal.username, clock=clock)
    return entry_out(session, entry, cipher)


# --------------------------------------------------------------------------- object checks


def _is_office_of(principal: Principal, dept: Department) -> bool:
    return Role.platform_admin in principal.roles and principal.in_region(dept.region_code)


def staff_entry(session: Session, principal: Principal, entry_id: int) -> ListEntry:
    """The entry, when the caller may see it (its initiating department, the region's credit office);
    otherwise the 404 of an entry that does not exist."""
    entry = session.get(ListEntry, entry_id)
    if entry is None:
        raise EntryNotFound()
    dept = session.get_one(Department, entry.initiating_dept_id)
    if principal.department_id != entry.initiating_dept_id and not _is_office_of(principal, dept):
        raise EntryNotFound()
    return entry


def _initiator(session: Session, principal: Principal, entry_id: int) -> ListEntry:
    entry = staff_entry(session, principal, entry_id)
    if principal.department_id != entry.initiating_dept_id:
        raise Forbidden("告知、认定和撤回只能由发起部门办理（谁认定、谁负责）", code="LIST_NOT_INITIATOR")
    return entry


def notify(
    session: Session, principal: Principal, entry_id: int, *, clock: Clock, cipher: PersonalDataCipher
) -> EntryOut:
    entry = lifecycle.notify(
        session, _initiator(session, principal, entry_id), actor=principal.username, clock=clock
    )
    return entry_out(session, entry, cipher)


def decide(
    session: Session,
    principal: Principal,
    entry_id: int,
    *,
    review_note: str | None,
    clock: Clock,
    cipher: PersonalDataCipher,
) -> EntryOut:
    entry = _initiator(session, principal, entry_id)
    lifecycle.decide(session, entry, actor=principal.username, clock=clock, review_note=review_note)
    return entry_out(session, entry, cipher)


def publish(
    session: Session, principal: Principal, entry_id: int, *, clock: Clock, cipher: PersonalDataCipher
) -> EntryOut:
    entry = staff_entry(session, principal, entry_id)
    dept = session.get_one(Department, entry.initiating_dept_id)
    if not _is_office_of(principal, dept):
        raise Forbidden("名单由信用办发布", code="LIST_NOT_PUBLISHER")
    lifecycle.publish(session, entry, actor=principal.username, clock=clock)
    return entry_out(session, entry, cipher)


def exit_entry(
    session: Session,
    principal: Principal,
    entry_id: int,
    cause: ExitCause,
    note: str,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
) -> EntryOut:
    """移出: the initiating department; after publication the credit office too."""
    entry = staff_entry(session, principal, entry_id)
    own = principal.department_id == entry.initiating_dept_id
    if not own and entry.state is not EntryState.published:
        raise Forbidden("认定前的撤回只能由发起部门办理", code="LIST_NOT_INITIATOR")
    lifecycle.exit_entry(session, entry, cause, note=note, actor=principal.username, clock=clock)
    return entry_out(session, entry, cipher)


# --------------------------------------------------------------------------- reads


def _subject_code(subject: Subject, cipher: PersonalDataCipher | None) -> str | None:
    if subject.uscc or subject.ric_encrypted is None or cipher is None:
        return subject.uscc
    try:
        return ids.mask_ric(cipher.decrypt(subject.ric_encrypted))
    except CryptoError:
        return None


def _document_out(entry: ListEntry) -> DocumentOut:
    doc = texts.document_of(entry)
    return DocumentOut(
        kind=doc["kind"],
        kind_zh=doc["kind_zh"],
        number=doc["number"],
        date=entry.doc_date,
        issuer=doc["issuer"],
    )


def entry_out(session: Session, entry: ListEntry, cipher: PersonalDataCipher | None) -> EntryOut:
    subject = session.get_one(Subject, entry.subject_id)
    dept = session.get_one(Department, entry.initiating_dept_id)
    scope_name = (entry.decision or entry.notice or {}).get("scope", {}).get("name") or _scope_name(
        session, entry
    )
    return EntryOut(
        id=entry.id,
        number=entry.number,
        list_kind=entry.list_kind.value,
        list_zh=texts.LIST_ZH[entry.list_kind],
        scope_code=entry.scope_code,
        scope_name=scope_name,
        subject_id=subject.id,
        subject_name=subject.name,
        subject_code=_subject_code(subject, cipher),
        dept_id=dept.id,
        dept_name=dept.name,
        state=entry.state.value,
        state_zh=lifecycle.STATE_ZH[entry.state],
        document=_document_out(entry),
        reason=entry.reason,
        leniency=list(entry.leniency),
        leniency_zh=[lifecycle.LENIENCY_ZH.get(x, x) for x in entry.leniency],
        review_note=entry.review_note,
        notice=entry.notice,
        objection_due=entry.objection_due,
        objection_waived_at=entry.objection_waived_at,
        decision=entry.decision,
        period_start=entry.period_start,
        period_end=entry.period_end,
        exit_cause=entry.exit_cause.value if entry.exit_cause else None,
        exit_cause_zh=lifecycle.CAUSE_ZH[entry.exit_cause] if entry.exit_cause else None,
        exit_note=entry.exit_note,
        proposed_at=entry.proposed_at,
        notified_at=entry.notified_at,
        decided_at=entry.decided_at,
        published_at=entry.published_at,
        exited_at=entry.exited_at,
        next_states=[s.value for s in lifecycle.allowed_next(entry.state)],
        exit_causes=[c.value for c in lifecycle.causes_from(entry.state)],
    )


def _scope_name(session: Session, entry: ListEntry) -> str:
    from_row = repository.scope_name(session, entry.scope_id)
    return from_row or entry.scope_code


def get_entry(
    session: Session, principal: Principal, entry_id: int, cipher: PersonalDataCipher, *, clock: Clock
) -> EntryOut:
    """One entry for its initiating department or the region's credit office; the read is in the query
    log (purpose 名单认定, the scope item's code as its basis), like every staff read of a subject."""
    entry = staff_entry(session, principal, entry_id)
    querylog.guarded_read(
        session,
        principal,
        subject_id=entry.subject_id,
        target=f"list_entry:{entry.number}",
        why=querylog.Access(Purpose.list_handling, f"名单事项 {entry.scope_code}"),
        clock=clock,
    )
    return entry_out(session, entry, cipher)


def _visible_departments(session: Session, principal: Principal) -> list[int]:
    if Role.platform_admin in principal.roles and principal.region_prefix is not None:
        return department_ids_in_region(session, principal.region_prefix)
    return [principal.department_id] if principal.department_id else []


def list_entries(
    session: Session,
    principal: Principal,
    *,
    state: EntryState | None,
    list_kind: ListKind | None,
    limit: int,
    offset: int,
    cipher: PersonalDataCipher,
) -> EntryPage:
    """The entries the caller may see: its department's, or the region's for the credit office."""
    total, rows = repository.staff_entries(
        session,
        _visible_departments(session, principal),
        state=state,
        list_kind=list_kind,
        limit=limit,
        offset=offset,
    )
    return EntryPage(total=total, items=[entry_out(session, e, cipher) for e in rows])


def events(session: Session, principal: Principal, entry_id: int) -> list[EventOut]:
    entry = staff_entry(session, principal, entry_id)
    return [
        EventOut(
            id=e.id,
            from_state=e.from_state,
            to_state=e.to_state,
            to_state_zh=lifecycle.STATE_ZH[EntryState(e.to_state)],
            at=e.at,
            actor=e.actor,
            note=e.note,
            data=e.data,
        )
        for e in repository.events_of(session, entry.id)
    ]


# --------------------------------------------------------------------------- the public


def public_out(session: Session, entry: ListEntry, subject: Subject, dept_name: str) -> PublicEntryOut:
    decision = entry.decision or {}
    measures = [MeasureOut.model_validate(m) for m in decision.get("measures", [])]
    legal_basis = decision.get("basis", {}).get("legal_basis", "")
    return PublicEntryOut(
        number=entry.number,
        list_kind=entry.list_kind.value,
        list_zh=texts.LIST_ZH[entry.list_kind],
        subject_id=subject.id,
        subject_name=subject.name,
        uscc=subject.uscc,
        scope_code=entry.scope_code,
        scope_name=decision.get("scope", {}).get("name", entry.scope_code),
        reason=entry.reason,
        legal_basis=legal_basis,
        document=_document_out(entry),
        department=dept_name,
        under_objection=repository.open_objection(session, ObjectionTarget.entry, entry.id) is not None,
        decided_on=entry.period_start,
        period_start=entry.period_start,
        period_end=entry.period_end,
        measures=measures,
    )


def _public_outs(session: Session, rows: list[ListEntry]) -> list[PublicEntryOut]:
    subjects_by_id = repository.names(session, {e.subject_id for e in rows})
    depts = repository.department_names(session, {e.initiating_dept_id for e in rows})
    return [
        public_out(session, e, subjects_by_id[e.subject_id], depts.get(e.initiating_dept_id, ""))
        for e in rows
    ]


def public_list(
    session: Session, list_kind: ListKind, *, today: dt.date, q: str | None, limit: int, offset: int
) -> PublicPage:
    """The public red or black list: published entries in their period, of organisations (natural
    persons are not listed on the portal); ``q`` a part of the name, or a USCC."""
    name = normalize_name(q) if q else None
    total, rows = repository.public_entries(session, list_kind, today, name=name, limit=limit, offset=offset)
    return PublicPage(total=total, items=_public_outs(session, rows))


def public_entry(session: Session, number: str, *, today: dt.date) -> PublicEntryOut:
    entry = repository.public_entry(session, number.strip(), today)
    if entry is None:
        raise EntryNotFound("名单不存在，或未发布、已期满移出")
    return _public_outs(session, [entry])[0]


def public_entries_of(session: Session, subject_id: int, today: dt.date) -> list[PublicEntryOut]:
    """The published entries of one organisation in their period (the 红黑名单 of its public page)."""
    return _public_outs(session, repository.public_entries_of(session, subject_id, today))


def current_scopes(session: Session) -> list[ListScope]:
    """The scope items of the current catalog version (the proposal form's choices)."""
    return sorted(current_lists(session).scopes.values(), key=lambda s: s.code)
