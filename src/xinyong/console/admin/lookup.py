"""主体查询: how staff find a subject, for the console page and its JSON twins.

An organisation is found as the public finds it (``subjects.service.public_search``: by any of its codes,
old or new, or by name; organisations shown publicly). Finding one reads nothing that is not public; its
file is then read with a stated purpose (``files.service.staff_file``).

A natural person is found only by citizen ID, and finding one *is* a read of the person's file: the
purpose (one of ``STAFF_PURPOSES``) and legal basis are checked first, then ``files.service.staff_file``
logs the read, or the refusal of a person outside the caller's data range, which is answered exactly as
a citizen ID no subject has: 404 ``SUBJECT_NOT_FOUND`` (信用主体不存在). Probing with IDs learns nothing.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.files import repository as file_rows
from xinyong.files import service as files
from xinyong.files.schemas import FileOut
from xinyong.kit import ids
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import InvalidInput, NotFound
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.subjects.schemas import SubjectOut, subject_out
from xinyong.subjects.service import public_search, resolve

#: Code kinds an organisation is found by.
ORGANISATION_CODES = frozenset({"uscc", "reg_no", "org_code"})
#: What a person look-up is logged as before the person is known (a refusal for want of a purpose).
LOOKUP_TARGET = "subject_lookup"


class LookupOut(BaseModel):
    query: str
    #: How the query was read: ``code`` (a valid organisation code) or ``name``.
    matched_by: str
    total: int
    subjects: list[SubjectOut]


class PersonLookupIn(BaseModel):
    ric: str = Field(..., min_length=1, max_length=40, description="公民身份号码（18 位）")
    purpose: str | None = Field(None, max_length=40, description="查询用途（必填，见 STAFF_PURPOSES）")
    legal_basis: str | None = Field(None, max_length=500, description="查询依据（必填）")


class CitizenIdNotHere(InvalidInput):
    code = "LOOKUP_PERSON_BY_ID"
    message = "自然人只能按身份证号码、并说明查询用途和依据查询（POST /api/v1/subjects/lookup/person）"


def find_organisations(session: Session, q: str, *, limit: int, offset: int) -> LookupOut:
    """Organisations by a code (new or old) or by name: the public search's one rule
    (``subjects.service.public_search``); a citizen ID is refused here (``CitizenIdNotHere``)."""
    query = q.strip()
    verdict = ids.classify(query)
    if verdict.kind == "ric" and verdict.valid:
        raise CitizenIdNotHere()
    matched_by = "code" if verdict.valid and verdict.kind in ORGANISATION_CODES else "name"
    total, rows = public_search(session, query, limit=limit, offset=offset)
    return LookupOut(
        query=query, matched_by=matched_by, total=total, subjects=[subject_out(s, None) for s in rows]
    )


def find_person(
    session: Session,
    principal: Principal,
    body: PersonLookupIn,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
) -> FileOut:
    """A natural person's file by citizen ID: the purpose first (a refusal is logged), then the one staff
    read of a file, ``files.service.staff_file`` (logged, out of range answered as not found)."""
    querylog.require_purpose(
        session,
        principal,
        body.purpose,
        subject_id=None,
        target=LOOKUP_TARGET,
        legal_basis=body.legal_basis,
        clock=clock,
    )
    verdict = ids.check_ric(body.ric.strip())
    if not verdict.valid or verdict.value is None:
        raise InvalidInput(verdict.message or "身份证号码无效", code=verdict.error_code or "ID_INVALID")
    try:
        subject = resolve(session, verdict.value, cipher=cipher).subject
    except NotFound:
        raise NotFound(files.SUBJECT_NOT_FOUND_MESSAGE, code="SUBJECT_NOT_FOUND") from None
    why = querylog.Stated(body.purpose, body.legal_basis)
    return files.staff_file(session, principal, subject.id, why, clock=clock, cipher=cipher)


def require_subject(session: Session, subject_id: int) -> None:
    """The 404 of ``files.service.staff_file`` for an id no subject has (before a purpose is stated)."""
    if file_rows.subject_by_id(session, subject_id) is None:
        raise NotFound(files.SUBJECT_NOT_FOUND_MESSAGE, code="SUBJECT_NOT_FOUND")
