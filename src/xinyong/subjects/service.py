"""Credit subjects: registration and identifier resolution (新旧码转换).

A subject is found by any code it ever had: its USCC, the organisation code inside the USCC
(linked automatically), an old 15-digit registration number or 9-character organisation code,
or, for a person, the keyed hash of the citizen ID (the ID itself is only stored encrypted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.kit import ids
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Conflict, InvalidInput, NotFound
from xinyong.kit.names import normalize_name
from xinyong.models.subjects import IdScheme, Subject, SubjectIdentifier, SubjectKind

ORGANISATION_KINDS = frozenset(SubjectKind) - {SubjectKind.natural_person}


class InvalidIdentifier(InvalidInput):
    """An identifier failed its check; the code is the checker's (ID_USCC_CHECK, ...)."""

    def __init__(self, verdict: ids.IdVerdict) -> None:
        super().__init__(
            verdict.message or "证件号码无效",
            code=verdict.error_code or "ID_INVALID",
            details={"input": verdict.raw, "kind": verdict.kind},
        )


def _valid(verdict: ids.IdVerdict) -> str:
    if not verdict.valid or verdict.value is None:
        raise InvalidIdentifier(verdict)
    return verdict.value


def _add_identifier(session: Session, subject: Subject, scheme: IdScheme, value: str) -> None:
    owner = session.scalar(
        select(SubjectIdentifier.subject_id).where(
            SubjectIdentifier.scheme == scheme, SubjectIdentifier.value == value
        )
    )
    if owner is not None and owner != subject.id:
        raise Conflict(
            f"代码 {value} 已属于另一信用主体（编号 {owner}），请核对后再登记",
            code="SUBJECT_IDENTIFIER_TAKEN",
            details={"scheme": scheme.value, "value": value, "subject_id": owner},
        )
    if owner is None:
        session.add(SubjectIdentifier(subject_id=subject.id, scheme=scheme, value=value))


def register_organisation(
    session: Session,
    *,
    kind: SubjectKind,
    name: str,
    uscc: str,
    actor: str,
    clock: Clock | None = None,
    region_code: str | None = None,
    legal_representative: str | None = None,
    registered_on: dt.date | None = None,
    old_reg_no: str | None = None,
    old_org_code: str | None = None,
) -> Subject:
    """Register an organisation under its USCC, linking the organisation code inside it and any old codes."""
    if kind not in ORGANISATION_KINDS:
        raise InvalidInput("自然人请使用身份证号码登记", code="SUBJECT_KIND_MISMATCH")
    code = _valid(ids.check_uscc(uscc))
    if session.scalar(select(Subject.id).where(Subject.uscc == code)) is not None:
        raise Conflict(f"统一社会信用代码 {code} 已登记", code="SUBJECT_EXISTS", details={"uscc": code})
    subject = Subject(
        kind=kind,
        name=name.strip(),
        name_norm=normalize_name(name),
        uscc=code,
        region_code=region_code or code[2:8],
        legal_representative=legal_representative,
        registered_on=registered_on,
    )
    session.add(subject)
    session.flush()
    _add_identifier(session, subject, IdScheme.uscc, code)
    _add_identifier(session, subject, IdScheme.org_code, ids.org_code_of_uscc(code))
    if old_org_code:
        _add_identifier(session, subject, IdScheme.org_code, _valid(ids.check_org_code(old_org_code)))
    if old_reg_no:
        _add_identifier(session, subject, IdScheme.reg_no, _valid(ids.check_reg_no(old_reg_no)))
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="subject.registered",
        entity="subject",
        entity_id=subject.id,
        subject_id=subject.id,
        after={"kind": kind.value, "name": subject.name, "uscc": code, "reg_no": old_reg_no},
        clock=clock,
    )
    return subject


def register_person(
    session: Session,
    *,
    name: str,
    ric: str,
    cipher: PersonalDataCipher,
    actor: str,
    clock: Clock | None = None,
    phone: str | None = None,
) -> Subject:
    """Register a natural person: the citizen ID is stored encrypted and found by its keyed hash."""
    value = _valid(ids.check_ric(ric))
    digest = cipher.index(value)
    taken = session.scalar(
        select(SubjectIdentifier.subject_id).where(
            SubjectIdentifier.scheme == IdScheme.ric_hash, SubjectIdentifier.value == digest
        )
    )
    if taken is not None:
        raise Conflict("该身份证号码已登记", code="SUBJECT_EXISTS", details={"subject_id": taken})
    subject = Subject(
        kind=SubjectKind.natural_person,
        name=name.strip(),
        name_norm=normalize_name(name),
        ric_encrypted=cipher.encrypt(value),
        phone_encrypted=cipher.encrypt(phone) if phone else None,
        region_code=value[:6],
    )
    session.add(subject)
    session.flush()
    _add_identifier(session, subject, IdScheme.ric_hash, digest)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="subject.registered",
        entity="subject",
        entity_id=subject.id,
        subject_id=subject.id,
        # The digest of the after-state covers the ID's hash, never the ID itself.
        after={"kind": SubjectKind.natural_person.value, "name": subject.name, "ric_hash": digest},
        clock=clock,
    )
    return subject


@dataclass(frozen=True)
class Resolution:
    subject: Subject
    matched_scheme: IdScheme
    #: The USCC the input resolves to (新旧码转换); None for natural persons.
    uscc: str | None


_SCHEME_OF_KIND = {"uscc": IdScheme.uscc, "org_code": IdScheme.org_code, "reg_no": IdScheme.reg_no}


def resolve(session: Session, code: str, *, cipher: PersonalDataCipher | None = None) -> Resolution:
    """Find the subject behind any of its codes, old or new."""
    verdict = ids.classify(code)
    value = _valid(verdict)
    if verdict.kind == "ric":
        if cipher is None:
            raise InvalidInput("查询自然人需要个人信息密钥", code="SUBJECT_CIPHER_REQUIRED")
        scheme, lookup = IdScheme.ric_hash, cipher.index(value)
    else:
        scheme, lookup = _SCHEME_OF_KIND[verdict.kind], value
    row = session.execute(
        select(Subject)
        .join(SubjectIdentifier, SubjectIdentifier.subject_id == Subject.id)
        .where(SubjectIdentifier.scheme == scheme, SubjectIdentifier.value == lookup)
    ).first()
    if row is None:
        raise NotFound(
            "未找到使用该代码的信用主体；旧代码需在主体登记时关联后才能转换",
            code="SUBJECT_NOT_FOUND",
            details={"kind": verdict.kind},
        )
    subject: Subject = row[0]
    return Resolution(subject=subject, matched_scheme=scheme, uscc=subject.uscc)


def find_by_name(session: Session, name: str, limit: int = 20) -> list[Subject]:
    """Subjects whose normalised name equals the normalised query (鹽城 = 盐城, （）= ())."""
    return list(
        session.scalars(select(Subject).where(Subject.name_norm == normalize_name(name)).limit(limit))
    )
