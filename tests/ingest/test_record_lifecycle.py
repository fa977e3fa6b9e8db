"""Record lifecycle: a correction keeps history, a revocation unpublishes at once and ends what is
based on the record; severity overrides in a submission."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.ingest.corrections import correct_record
from xinyong.ingest.service import submit_records
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError
from xinyong.models import AuditEntry, CreditRecord, CreditRecordVersion, RecordStatus, Severity
from xinyong.records import history as records
from xinyong.records.history import Withdrawal, record_history, revoke_record
from xinyong.records.rules import is_visible

from ingestworld import DEPT, OTHER_DEPT, build_world, penalty


@pytest.fixture
def stored(session: Session, clock: FixedClock, cipher: PersonalDataCipher) -> CreditRecord:
    build_world(session, clock)
    submit_records(
        session,
        [penalty("L-1", decided="2026-03-10")],
        item_code="CF-001",
        dept_code=DEPT,
        actor="dept-user",
        clock=clock,
        cipher=cipher,
    )
    record = session.scalar(select(CreditRecord).where(CreditRecord.source_record_id == "L-1"))
    assert record is not None
    return record


def test_correction_keeps_history(
    session: Session, stored: CreditRecord, clock: FixedClock, cipher: PersonalDataCipher
) -> None:
    assert stored.severity is Severity.general and stored.published
    assert [v.version for v in record_history(session, stored.id)] == [1]
    clock.advance(dt.timedelta(days=1))
    new = {**penalty("L-1", decided="2026-03-10", kind="吊销许可证件"), "penalty_content": "吊销许可证"}
    corrected = correct_record(
        session,
        stored.id,
        data=new,
        reason="复核后更正处罚种类",
        actor="dept-user",
        clock=clock,
        cipher=cipher,
        dept_id=stored.source_dept_id,
    )
    assert (corrected.version, corrected.severity) == (2, Severity.serious)
    assert corrected.publish_max_end == dt.date(2029, 3, 10)
    history = record_history(session, stored.id)
    assert [(v.version, v.change) for v in history] == [(1, "created"), (2, "corrected")]
    assert history[0].data["penalty_kind"] == "罚款(较大数额)"
    assert history[1].data["penalty_kind"] == "吊销许可证件"
    assert history[1].reason == "复核后更正处罚种类"
    # the same values again change nothing
    same = correct_record(
        session, stored.id, data=new, reason="再次提交", actor="dept-user", clock=clock, cipher=cipher
    )
    assert same.version == 2
    with pytest.raises(DomainError) as invalid:
        correct_record(
            session,
            stored.id,
            data={**new, "decision_date": "2099-01-01"},
            reason="x",
            actor="u",
            clock=clock,
        )
    assert invalid.value.code == "RECORD_DATA_INVALID"
    assert invalid.value.details["errors"][0]["field"] == "decision_date"
    # a key outside the catalog is not dropped in silence: the correction is refused, naming it
    with pytest.raises(DomainError) as unknown:
        correct_record(
            session,
            stored.id,
            data={**new, "联系电话": "13912345678", "valid_untill": "2027-01-01"},
            reason="x",
            actor="u",
            clock=clock,
        )
    assert unknown.value.code == "FIELD_NOT_IN_CATALOG"
    assert "字段“联系电话”不在目录中" in unknown.value.message
    assert [f["column"] for f in unknown.value.details["fields"]] == ["联系电话", "valid_untill"]
    assert session.get_one(CreditRecord, stored.id).version == 2
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == str(stored.id))).all()
    assert "record.corrected" in actions


def test_revocation_unpublishes_at_once_and_ends_what_is_based_on_it(
    session: Session, stored: CreditRecord, clock: FixedClock
) -> None:
    today = dt.date(2026, 3, 16)
    assert is_visible(stored, today)
    seen: list[Withdrawal] = []

    def end_measures(_session: Session, withdrawal: Withdrawal, _clock: object) -> int:
        seen.append(withdrawal)
        return 2

    records.register_withdrawal_hook(end_measures)
    try:
        with pytest.raises(DomainError) as other:
            revoke_record(
                session, stored.id, reason="x", actor="u", clock=clock, dept_id=stored.source_dept_id + 1
            )
        assert other.value.code == "RECORD_NOT_OWN_SOURCE"
        with pytest.raises(DomainError) as no_reason:
            revoke_record(session, stored.id, reason=" ", actor="u", clock=clock)
        assert no_reason.value.code == "RECORD_CHANGE_REASON_REQUIRED"
        revoked = revoke_record(
            session,
            stored.id,
            reason="行政复议撤销原处罚决定",
            actor="dept-user",
            clock=clock,
            dept_id=stored.source_dept_id,
        )
    finally:
        records.WITHDRAWAL_HOOKS.remove(end_measures)
    assert revoked.status is RecordStatus.revoked and not revoked.published
    assert not is_visible(revoked, today)
    assert [(w.record_id, w.cause, w.reason) for w in seen] == [
        (stored.id, "revoked", "行政复议撤销原处罚决定")
    ]
    versions = session.scalars(
        select(CreditRecordVersion)
        .where(CreditRecordVersion.record_id == stored.id)
        .order_by(CreditRecordVersion.version)
    ).all()
    assert [(v.version, v.change, v.status.value) for v in versions] == [
        (1, "created", "active"),
        (2, "revoked", "revoked"),
    ]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "record.revoked"))
    assert entry is not None and entry.detail["ended"] == 2 and entry.actor == "dept-user"
    assert audit.verify(session).ok
    # revoked twice: nothing more; a revoked record cannot be corrected
    assert revoke_record(session, stored.id, reason="again", actor="u", clock=clock).version == 2
    with pytest.raises(DomainError) as inactive:
        correct_record(session, stored.id, data=penalty("L-1"), reason="x", actor="u", clock=clock)
    assert inactive.value.code == "RECORD_NOT_ACTIVE"


def test_severity_override_in_a_submission(
    session: Session, clock: FixedClock, cipher: PersonalDataCipher
) -> None:
    build_world(session, clock)
    rows = [
        penalty("O-1", kind="警告", severity_override="一般", severity_reason="屡次违法"),
        penalty("O-2", kind="警告", severity_override="一般"),
        penalty("O-3", kind="警告", severity_override="很严重", severity_reason="x"),
    ]
    outcome = submit_records(
        session, rows, item_code="CF-001", dept_code=OTHER_DEPT, actor="u", clock=clock, cipher=cipher
    )
    assert (outcome.accepted, outcome.rejected) == (1, 2)
    codes = {(i.row_no, i.field, i.code) for i in outcome.issues}
    assert codes == {
        (2, "severity_reason", "RECORD_SEVERITY_REASON_REQUIRED"),
        (3, "severity_override", "INGEST_SEVERITY_INVALID"),
    }
    record = session.scalar(select(CreditRecord).where(CreditRecord.source_record_id == "O-1"))
    assert record is not None
    assert (record.severity, record.severity_reason, record.published) == (Severity.general, "屡次违法", True)
