"""Credit subjects: registration and identifier resolution (新旧码转换), one at a time and in bulk.

A subject is found by any code it ever had: its USCC, the organisation code inside the USCC
(linked automatically), an old 15-digit registration number or 9-character organisation code,
or, for a person, the keyed hash of the citizen ID (the ID itself is only stored encrypted).

Each rule has a scalar function (for a clerk's single registration or look-up) and a set-based twin
(for batch intake), side by side: :func:`resolve` / :func:`convert_old_codes`,
:func:`register_organisation` / :func:`register_organisations`, :func:`register_person` /
:func:`register_persons`. The scalar functions audit each registration; the bulk ones return what they
registered and leave the audit entry to the caller (batch intake writes one entry per chunk).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.kit import ids
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Conflict, InvalidInput, NotFound
from xinyong.kit.names import normalize_name, normalize_names
from xinyong.models.subjects import IdScheme, Subject, SubjectKind
from xinyong.subjects import repository, search_index
from xinyong.subjects.repository import SubjectRef

ORGANISATION_KINDS = frozenset(SubjectKind) - {SubjectKind.natural_person}

#: The subject kind a USCC's registration-authority/entity-type digits imply (else 法人).
_KIND_BY_PREFIX: Final = {
    "11": SubjectKind.government_body,
    "12": SubjectKind.public_institution,
    "92": SubjectKind.individual_business,
}


def kind_of_uscc(uscc: str) -> SubjectKind:
    """The kind of subject a valid USCC names, read from its first two characters."""
    return _KIND_BY_PREFIX.get(uscc[:2], SubjectKind.legal_person)


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
    owner = repository.identifier_owner(session, scheme, value)
    if owner is not None and owner != subject.id:
        raise Conflict(
            f"代码 {value} 已属于另一信用主体（编号 {owner}），请核对后再登记",
            code="SUBJECT_IDENTIFIER_TAKEN",
            details={"scheme": scheme.value, "value": value, "subject_id": owner},
        )
    if owner is None:
        repository.insert_identifiers(session, [{"subject_id": subject.id, "scheme": scheme, "value": value}])


# --------------------------------------------------------------------------- organisations


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
    if repository.uscc_taken(session, code):
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


def find_organisations(session: Session, usccs: list[str]) -> dict[str, SubjectRef]:
    """The registered organisations among ``usccs`` (valid, compact codes), by USCC."""
    return repository.by_usccs(session, usccs)


def register_organisations(
    session: Session, names: dict[str, str], *, verified: bool = True
) -> dict[str, SubjectRef]:
    """Register organisations first seen in a submission, in bulk: ``names`` maps a valid USCC no subject
    has yet to the name given with it. The kind comes from the code (:func:`kind_of_uscc`), the region
    from its digits, and the organisation code inside it is linked unless another subject holds it.
    ``verified`` is False unless the submission is the registry's own (the subject is then held as
    待核验). Not audited here: the caller records the registrations in its own audit entry."""
    codes = list(names)
    norms = normalize_names([names[c] for c in codes])
    rows = [
        {
            "kind": kind_of_uscc(code),
            "name": names[code].strip()[:300],
            "name_norm": norm[:300],
            "uscc": code,
            "region_code": code[2:8],
            "verified": verified,
        }
        for code, norm in zip(codes, norms, strict=True)
    ]
    created = repository.insert_subjects(session, rows)
    out = {
        code: SubjectRef(sid, norm[:300], kind_of_uscc(code))
        for sid, code, norm in zip(created, codes, norms, strict=True)
    }
    org_codes = {code: code[8:17] for code in codes}  # validated USCCs: the organisation code inside
    taken = repository.taken_values(session, IdScheme.org_code, list(set(org_codes.values())))
    identifiers: list[dict[str, Any]] = []
    for code, ref in out.items():
        identifiers.append({"subject_id": ref.id, "scheme": IdScheme.uscc, "value": code})
        if org_codes[code] not in taken:
            taken.add(org_codes[code])
            identifiers.append({"subject_id": ref.id, "scheme": IdScheme.org_code, "value": org_codes[code]})
    repository.insert_identifiers(session, identifiers)
    if verified:  # listed publicly from now on: into the search index, set-based
        search_index.reindex(session, created)
    return out


# --------------------------------------------------------------------------- natural persons


def _person_row(name: str, ric: str, cipher: PersonalDataCipher, phone: str | None) -> dict[str, Any]:
    return {
        "kind": SubjectKind.natural_person,
        "name": name.strip()[:300],
        "name_norm": normalize_name(name)[:300],
        "ric_encrypted": cipher.encrypt(ric),
        "phone_encrypted": cipher.encrypt(phone) if phone else None,
        "region_code": ric[:6],
    }


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
    taken = repository.identifier_owner(session, IdScheme.ric_hash, digest)
    if taken is not None:
        raise Conflict("该身份证号码已登记", code="SUBJECT_EXISTS", details={"subject_id": taken})
    subject = Subject(**_person_row(name, value, cipher, phone))
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


def find_persons(session: Session, hashes: list[str]) -> dict[str, SubjectRef]:
    """The registered persons among the keyed hashes of citizen IDs, by hash."""
    return repository.by_identifiers(session, IdScheme.ric_hash, hashes)


def register_persons(
    session: Session, names: dict[str, str], cipher: PersonalDataCipher
) -> dict[str, SubjectRef]:
    """Register persons first seen in a submission, in bulk: ``names`` maps a valid citizen ID that no
    subject has yet to the name given with it. Returns the new subjects by keyed hash. Not audited here:
    the caller records the registrations (by id, never the ID number) in its own audit entry."""
    rics = list(names)
    rows = [_person_row(names[r], r, cipher, None) for r in rics]
    created = repository.insert_subjects(session, rows)
    hashes = [cipher.index(r) for r in rics]
    repository.insert_identifiers(
        session,
        (
            {"subject_id": sid, "scheme": IdScheme.ric_hash, "value": h}
            for sid, h in zip(created, hashes, strict=True)
        ),
    )
    return {
        h: SubjectRef(sid, row["name_norm"], SubjectKind.natural_person)
        for sid, h, row in zip(created, hashes, rows, strict=True)
    }


# --------------------------------------------------------------------------- resolution (新旧码转换)


@dataclass(frozen=True)
class Resolution:
    subject: Subject
    matched_scheme: IdScheme
    #: The USCC the input resolves to (新旧码转换); None for natural persons.
    uscc: str | None


_SCHEME_OF_KIND: Final = {"uscc": IdScheme.uscc, "org_code": IdScheme.org_code, "reg_no": IdScheme.reg_no}


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
    subject = repository.by_identifier(session, scheme, lookup)
    if subject is None:
        raise NotFound(
            "未找到使用该代码的信用主体；旧代码需在主体登记时关联后才能转换",
            code="SUBJECT_NOT_FOUND",
            details={"kind": verdict.kind},
        )
    return Resolution(subject=subject, matched_scheme=scheme, uscc=subject.uscc)


def check_old_code(code: str) -> ids.IdVerdict:
    """The check of an old code by its length: 15 characters a registration number, else an
    organisation code."""
    return ids.check_reg_no(code) if len(code) == 15 else ids.check_org_code(code)


def convert_old_codes(session: Session, codes: list[str]) -> dict[str, str]:
    """The set-based twin of :func:`resolve` for old codes: the USCC each valid, linked old code
    converts to (新旧码转换). Codes that are invalid or linked to no subject are left out."""
    by_scheme: dict[IdScheme, dict[str, list[str]]] = {IdScheme.reg_no: {}, IdScheme.org_code: {}}
    for code in codes:
        verdict = check_old_code(code)
        if verdict.valid and verdict.value is not None:
            scheme = IdScheme.reg_no if verdict.kind == "reg_no" else IdScheme.org_code
            by_scheme[scheme].setdefault(verdict.value, []).append(code)
    out: dict[str, str] = {}
    for scheme, wanted in by_scheme.items():
        for value, uscc in repository.usccs_by_identifier(session, scheme, list(wanted)).items():
            out.update(dict.fromkeys(wanted[value], uscc))
    return out


def names_of(session: Session, subject_ids: list[int]) -> dict[int, str]:
    """Registered names by subject id."""
    return repository.names_by_id(session, subject_ids)


#: Code kinds the public may search by: organisations only (a citizen ID is never a public query).
PUBLIC_CODE_KINDS: Final = frozenset({"uscc", "reg_no", "org_code"})


def public_search(session: Session, q: str, *, limit: int = 20, offset: int = 0) -> tuple[int, list[Subject]]:
    """The public search (信用信息公示): a valid code, new or old (full-width too), resolves directly through
    :func:`resolve` (新旧码转换); anything else is a name, matched after normalisation (繁简, brackets,
    spaces) in the public search index. Only organisations shown publicly; a true total and one page."""
    verdict = ids.classify(q)
    if verdict.valid and verdict.kind in PUBLIC_CODE_KINDS:
        try:
            found = [resolve(session, q).subject]
        except NotFound:
            found = []
        shown = [s for s in found if s.kind is not SubjectKind.natural_person and s.verified]
        return len(shown), shown[offset : offset + limit]
    return repository.public_by_name(session, normalize_name(q), limit=limit, offset=offset)


def find_by_name(session: Session, name: str, limit: int = 20) -> list[Subject]:
    """Subjects whose normalised name equals the normalised query (鹽城 = 盐城, （）= ())."""
    return repository.by_name_norm(session, normalize_name(name), limit)


# --------------------------------------------------------------------------- verification (待核验)


def confirm_registered(session: Session, subject_ids: Collection[int]) -> int:
    """The registry's own submission names these subjects: those held as unverified become verified.
    Returns how many changed (the caller audits the batch)."""
    return repository.set_verified(session, list(subject_ids))


def unverified_subjects(
    session: Session, *, region_prefix: str | None, limit: int = 100, offset: int = 0
) -> tuple[int, list[Subject]]:
    """The queue of organisations held as 待核验 (oldest first) in a region, and how many there are."""
    return repository.unverified(session, region_prefix=region_prefix, limit=limit, offset=offset)


def verify_subject(session: Session, subject_id: int, *, actor: str, clock: Clock | None = None) -> Subject:
    """The credit office confirms a subject held as 待核验 (checked against the registry by hand): from
    now on it is shown on the portal. Audited."""
    subject = session.get(Subject, subject_id)
    if subject is None or subject.kind is SubjectKind.natural_person:
        raise NotFound("信用主体不存在", code="SUBJECT_NOT_FOUND")
    if subject.verified:
        raise Conflict("该信用主体已核验，无需再次核验", code="SUBJECT_ALREADY_VERIFIED")
    subject.verified = True
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="subject.verified",
        entity="subject",
        entity_id=subject.id,
        subject_id=subject.id,
        before={"verified": False},
        after={"verified": True},
        clock=clock,
    )
    return subject
