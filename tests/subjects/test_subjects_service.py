"""Subjects: registration, identifiers and old-to-new code resolution (新旧码转换)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Conflict, NotFound
from xinyong.models import AuditEntry, IdScheme, Subject, SubjectIdentifier, SubjectKind
from xinyong.subjects import service
from xinyong.subjects.service import InvalidIdentifier


def uscc(org_body: str = "MA1XYW12", region: str = "320902") -> str:
    org = org_body + ids.calc_org_check(org_body)
    first17 = "91" + region + org
    return first17 + ids.calc_uscc_check(first17)


def reg_no(body: str = "32090200012345") -> str:
    return body + ids.calc_reg_no_check(body)


def ric(body: str = "32090219900307991") -> str:
    return body + ids.calc_ric_check(body)


def test_organisation_resolves_by_uscc_inner_org_code_and_old_codes(
    session: Session, clock: FixedClock
) -> None:
    code = uscc()
    old_org = "12345678"
    old_org += ids.calc_org_check(old_org)
    subject = service.register_organisation(
        session,
        kind=SubjectKind.legal_person,
        name="盐城市恒通建设工程有限公司",
        uscc=code,
        actor="t",
        clock=clock,
        old_reg_no=reg_no(),
        old_org_code=old_org,
    )
    for probe, scheme in [
        (code, IdScheme.uscc),
        (code[8:17], IdScheme.org_code),  # the organisation code inside the USCC links by itself
        (code[8:16] + "-" + code[16], IdScheme.org_code),
        (reg_no(), IdScheme.reg_no),
        (old_org, IdScheme.org_code),
    ]:
        found = service.resolve(session, probe)
        assert found.subject.id == subject.id, probe
        assert found.uscc == code
        assert found.matched_scheme is scheme


def test_invalid_codes_are_refused_with_the_checkers_code(session: Session) -> None:
    bad = uscc()[:-1] + ("0" if uscc()[-1] != "0" else "1")
    with pytest.raises(InvalidIdentifier) as err:
        service.register_organisation(session, kind=SubjectKind.legal_person, name="甲", uscc=bad, actor="t")
    assert err.value.code == "ID_USCC_CHECK"
    with pytest.raises(InvalidIdentifier) as err2:
        service.resolve(session, "1234")
    assert err2.value.status == 422


def test_unknown_code_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound) as err:
        service.resolve(session, uscc("ZZZZZZZ1".replace("Z", "A")))
    assert err.value.code == "SUBJECT_NOT_FOUND"


def test_same_code_twice_conflicts_and_audit_written(session: Session, clock: FixedClock) -> None:
    code = uscc("QWERTY12")
    subject = service.register_organisation(
        session, kind=SubjectKind.legal_person, name="甲公司", uscc=code, actor="alice", clock=clock
    )
    with pytest.raises(Conflict):
        service.register_organisation(
            session, kind=SubjectKind.legal_person, name="乙公司", uscc=code, actor="t"
        )
    entry = session.scalar(select(AuditEntry).where(AuditEntry.subject_id == subject.id))
    assert entry is not None and entry.actor == "alice" and entry.action == "subject.registered"


def test_person_id_is_encrypted_and_found_by_keyed_hash(
    session: Session, clock: FixedClock, cipher: PersonalDataCipher
) -> None:
    number = ric()
    person = service.register_person(
        session, name="王某明", ric=number, phone="13812345678", cipher=cipher, actor="t", clock=clock
    )
    assert person.ric_encrypted is not None and number.encode() not in person.ric_encrypted
    assert cipher.decrypt(person.ric_encrypted) == number
    stored = session.scalars(select(SubjectIdentifier.value).where(SubjectIdentifier.subject_id == person.id))
    assert number not in list(stored)
    assert service.resolve(session, number, cipher=cipher).subject.id == person.id
    audit_rows = session.scalars(select(AuditEntry).where(AuditEntry.subject_id == person.id)).all()
    assert audit_rows and all(number not in str(row.detail) for row in audit_rows)


def test_names_match_across_scripts_and_brackets(session: Session, clock: FixedClock) -> None:
    subject = service.register_organisation(
        session,
        kind=SubjectKind.legal_person,
        name="鹽城市華美食品有限公司（城東分公司）",
        uscc=uscc("ADFGHJ12"),
        actor="t",
        clock=clock,
    )
    found = service.find_by_name(session, "盐城市华美食品有限公司(城东分公司)")
    assert [s.id for s in found] == [subject.id]
    assert session.get(Subject, subject.id) is not None
