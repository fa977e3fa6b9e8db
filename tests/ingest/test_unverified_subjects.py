"""A code the registry has never seen does not create a published subject by itself (issue 10, item 1).

A penalty about an unknown company is collected (jurisdiction follows the act), but the company is held as
待核验: listed in the batch report, not shown on the portal, queued until the registry's own submission
(DJ-001) names it or the credit office confirms it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.files.service import public_file
from xinyong.ingest.service import submit_records
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError
from xinyong.models import Subject
from xinyong.subjects import service as subjects

from ingestworld import COMPANY_C, DEPT, build_world, penalty, uscc

COMPANY_D = uscc("MA1XY004")
TODAY = dt.date(2026, 3, 16)


def _registration(code: str, name: str) -> dict[str, Any]:
    return {
        "subject_name": name,
        "subject_id": code,
        "source_record_id": f"DJ-{code}",
        "decision_date": "2026-03-02",
        "legal_representative": "张某",
        "org_form": "企业法人",
        "establishment_date": "2020-05-06",
        "address": "盐城市亭湖区某路 1 号",
        "registration_authority": "亭湖区市场监督管理局",
        "registration_status": "存续",
    }


@pytest.fixture
def world(session: Session, clock: FixedClock) -> Session:
    build_world(session, clock)
    session.flush()
    return session


def _submit(session: Session, item: str, rows: list[dict[str, Any]], cipher: PersonalDataCipher) -> Any:
    clock = FixedClock(dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC))
    return submit_records(
        session,
        rows,
        item_code=item,
        dept_code=DEPT,
        actor="u",
        clock=clock,
        cipher=cipher,
        received_on=TODAY,
    )


def _subject(session: Session, code: str) -> Subject:
    return session.scalars(select(Subject).where(Subject.uscc == code)).one()


def _public(session: Session, subject: Subject, cipher: PersonalDataCipher) -> bool:
    try:
        public_file(session, subject.id, today=TODAY, cipher=cipher)
    except DomainError as exc:
        assert exc.code == "SUBJECT_NOT_FOUND"
        return False
    return True


def test_an_unknown_code_is_held_until_the_registry_names_it(
    world: Session, cipher: PersonalDataCipher
) -> None:
    named = "盐城新见贸易有限公司"
    outcome = _submit(world, "CF-001", [penalty("U-1", subject_id=COMPANY_C, name=named)], cipher)
    assert outcome.accepted == 1
    [warning] = [i for i in outcome.issues if i.field == "subject_id"]
    assert (warning.code, warning.level) == ("SUBJECT_UNVERIFIED", "warning")
    assert "待核验" in warning.message
    held = _subject(world, COMPANY_C)
    assert not held.verified and not _public(world, held, cipher)
    assert subjects.unverified_subjects(world, region_prefix="3209")[0] == 1

    registered = _submit(world, "DJ-001", [_registration(COMPANY_C, named)], cipher)
    assert registered.accepted == 1
    world.refresh(held)
    assert held.verified and _public(world, held, cipher)
    assert subjects.unverified_subjects(world, region_prefix="3209") == (0, [])


def test_the_registry_creates_verified_subjects(world: Session, cipher: PersonalDataCipher) -> None:
    outcome = _submit(world, "DJ-001", [_registration(COMPANY_D, "盐城登记示范有限公司")], cipher)
    assert [i.code for i in outcome.issues if i.field == "subject_id"] == ["SUBJECT_AUTO_REGISTERED"]
    assert _subject(world, COMPANY_D).verified


def test_the_credit_office_confirms_a_held_subject(world: Session, cipher: PersonalDataCipher) -> None:
    _submit(world, "CF-001", [penalty("U-2", subject_id=COMPANY_D, name="盐城待核商贸有限公司")], cipher)
    total, queue = subjects.unverified_subjects(world, region_prefix="320902")
    assert (total, [s.uscc for s in queue]) == (1, [COMPANY_D])
    assert subjects.unverified_subjects(world, region_prefix="3201") == (0, [])  # another city's queue
    confirmed = subjects.verify_subject(world, queue[0].id, actor="office", clock=FixedClock(TODAY))
    assert confirmed.verified and _public(world, confirmed, cipher)
    with pytest.raises(DomainError) as again:
        subjects.verify_subject(world, confirmed.id, actor="office")
    assert again.value.code == "SUBJECT_ALREADY_VERIFIED"
