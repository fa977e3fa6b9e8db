"""Seals: every credit record's state is bound to the audit entry that wrote or last changed it, so an edit
in the database behind the platform's back is found — and the platform's own changes (intake, correction,
revocation, recomputed timeliness, key rotation) are not mistaken for one."""

from __future__ import annotations

import base64
from array import array

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import seals
from xinyong.audit import service as audit
from xinyong.ingest.corrections import correct_record
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import AuditEntry, CreditRecord
from xinyong.models.audit import AuditSeal, AuditSealBlock
from xinyong.records.history import revoke_record
from xinyong.security.keys import rotate

from conftest import TEST_KEY, TEST_SECRET
from secworld import World, world  # noqa: F401


def _codes(report: audit.Report) -> list[str]:
    return [p.code for p in report.problems]


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _set_data_field(session: Session, record_id: int, field: str, value: str) -> None:
    """What an insider with a SQL console does to a record's field value."""
    if _is_pg(session):
        sql = (
            "UPDATE credit_records "
            "SET data = jsonb_set(data, CAST(:path AS text[]), to_jsonb(CAST(:v AS text)))"
        )
        params: dict[str, object] = {"path": "{" + field + "}", "v": value, "id": record_id}
    else:
        sql = "UPDATE credit_records SET data = json_set(data, :path, :v)"
        params = {"path": f"$.{field}", "v": value, "id": record_id}
    session.execute(text(sql + " WHERE id = :id"), params)
    session.expire_all()


def test_intake_seals_every_record_and_the_world_verifies(world: World, session: Session) -> None:
    report = audit.verify(session)
    assert report.ok, report.problems
    records = session.scalar(select(func.count()).select_from(CreditRecord))
    assert report.records == records == 4
    # Intake seals each chunk's records in one packed block (here four batches of one record each).
    blocks = session.scalars(select(AuditSealBlock)).all()
    assert sorted(b.first_id for b in blocks) == sorted(r.id for r in world.records.values())
    assert all(len(base64.b64decode(b.digests)) == 16 and b.first_id == b.last_id for b in blocks)
    assert session.scalar(select(func.count()).select_from(AuditSeal)) == 0
    chunk = session.scalars(select(AuditEntry).where(AuditEntry.action == "ingest.chunk_committed")).first()
    assert chunk is not None and chunk.seal_digest


def test_a_record_edited_in_sql_is_found_by_id(world: World, session: Session) -> None:
    record = world.records["a_private"]
    _set_data_field(session, record.id, "penalty_kind", "不予处罚")
    report = audit.verify(session)
    assert _codes(report) == ["RECORD_ALTERED"]
    assert f"信用记录 {record.id} 的当前内容与审计日志第" in (report.reason or "")
    assert "已在平台之外被改动" in (report.reason or "")


def test_a_record_moved_to_another_subject_or_unpublished_is_found(world: World, session: Session) -> None:
    assert world.person is not None
    moved, hidden = world.records["a_private"], world.records["a_public"]
    moving = text("UPDATE credit_records SET subject_id = :s WHERE id = :id")
    session.execute(moving, {"s": world.person.id, "id": moved.id})
    hiding = text("UPDATE credit_records SET published = :f WHERE id = :id")
    session.execute(hiding, {"f": False, "id": hidden.id})
    session.expire_all()
    report = audit.verify(session)
    assert _codes(report) == ["RECORD_ALTERED", "RECORD_ALTERED"]
    assert {p.message.split(" ")[1] for p in report.problems} == {str(moved.id), str(hidden.id)}


def test_records_deleted_or_slipped_in_are_found(world: World, session: Session) -> None:
    gone = world.records["b_private"].id
    session.execute(text("DELETE FROM credit_records WHERE id = :id"), {"id": gone})
    # A record written straight into the table, never through the platform.
    columns = (
        "subject_id, catalog_item_id, source_dept_id, source_record_id, version, status, severity, "
        "decision_no, decision_date, received_on, late, timeliness_provisional, published, data, "
        "created_at, updated_at"
    )
    copied = columns.replace("source_record_id", "'SLIPPED-IN'")
    session.execute(
        text(f"INSERT INTO credit_records ({columns}) SELECT {copied} FROM credit_records WHERE id = :id"),
        {"id": world.records["a_private"].id},
    )
    slipped = session.scalar(select(func.max(CreditRecord.id)))
    session.expire_all()
    report = audit.verify(session)
    assert sorted(_codes(report)) == ["RECORD_DELETED", "RECORD_UNSEALED"]
    messages = " ".join(p.message for p in report.problems)
    assert f"信用记录 {gone} 已被删除" in messages
    assert f"信用记录 {slipped} 没有任何审计条目封存其内容" in messages


def test_a_seal_rewritten_to_match_an_edit_breaks_its_entry(world: World, session: Session) -> None:
    """The insider edits a record and recomputes its seal (the digest is unkeyed): the entry's keyed hash
    covers the digest of its seals, so the seal set no longer matches."""
    record = world.records["a_private"]
    _set_data_field(session, record.id, "penalty_kind", "不予处罚")
    fresh = seals.compute(session, seals.RecordIds((record.id,))).digests[0]
    # The record came in by intake: its seal is packed in its chunk's block.
    block = session.scalars(select(AuditSealBlock).where(AuditSealBlock.first_id <= record.id)).all()[-1]
    ids = array("q")
    ids.frombytes(base64.b64decode(block.record_ids))
    at = list(ids).index(record.id) * 16
    digests = base64.b64decode(block.digests)
    forged = base64.b64encode(digests[:at] + fresh + digests[at + 16 :]).decode()
    session.execute(
        update(AuditSealBlock)
        .where(AuditSealBlock.entry_id == block.entry_id, AuditSealBlock.first_id == block.first_id)
        .values(digests=forged)
    )
    session.expire_all()
    report = audit.verify(session)
    assert _codes(report) == ["SEAL_ALTERED"] and report.problems[0].entry_id == block.entry_id
    assert "封存的信用记录摘要已被改动" in (report.reason or "")


def test_the_platforms_own_changes_keep_the_seals(
    world: World, session: Session, sessions: sessionmaker[Session], cipher: PersonalDataCipher
) -> None:
    record = world.records["a_private"]
    correct_record(
        session,
        record.id,
        data={**record.data, "violation_facts": "经查，当事人逾期公示年度报告"},
        reason="补充违法事实",
        actor="test",
        clock=world.clock,
        cipher=cipher,
        dept_id=world.depts["a"].id,
    )
    revoke_record(session, world.records["b_private"].id, reason="行政复议撤销", actor="t", clock=world.clock)
    session.commit()
    assert audit.verify(session).ok
    # Key rotation re-encrypts the sealed values (a_public quotes an ID and a phone): the seals count
    # a ciphertext by its presence, not its bytes.
    before = session.scalar(select(CreditRecord.data).where(CreditRecord.id == world.records["a_public"].id))
    rotating = PersonalDataCipher(bytes(range(1, 33)), [TEST_KEY], index_secret=TEST_SECRET)
    assert rotate(sessions, rotating, actor="test", clock=world.clock).total_rotated > 0
    session.expire_all()
    after = session.scalar(select(CreditRecord.data).where(CreditRecord.id == world.records["a_public"].id))
    assert before != after
    report = audit.verify(session)
    assert report.ok, report.problems


def test_the_newest_entries_deleted_with_their_seals_show_on_the_records(
    world: World, session: Session
) -> None:
    """Deleting the newest entries (here a revocation) and their seals leaves the record in its revoked
    state under its intake seal: the record no longer matches."""
    record = world.records["a_private"]
    revoke_record(session, record.id, reason="行政复议撤销", actor="t", clock=world.clock)
    top = session.scalar(select(func.max(AuditEntry.id)))
    session.execute(text("DELETE FROM audit_seals WHERE entry_id = :top"), {"top": top})
    session.execute(text("DELETE FROM audit_log WHERE id = :top"), {"top": top})
    session.expire_all()
    report = audit.verify(session)
    assert _codes(report) == ["RECORD_ALTERED"] and str(record.id) in (report.reason or "")


def test_the_newest_entries_deleted_without_their_seals_leave_orphans(world: World, session: Session) -> None:
    record = world.records["a_private"]
    revoke_record(session, record.id, reason="行政复议撤销", actor="t", clock=world.clock)
    top = session.scalar(select(func.max(AuditEntry.id))) or 0
    session.execute(text("DELETE FROM audit_log WHERE id = :top"), {"top": top})
    session.expire_all()
    report = audit.verify(session)
    assert _codes(report) == ["AUDIT_TAIL_DELETED"]
    assert f"审计日志第 {top} 条，但审计日志只到第 {top - 1} 条" in (report.reason or "")


def test_seal_state_is_the_same_whatever_wrote_the_text(world: World, session: Session) -> None:
    """The bulk loader's JSON text and the ORM's differ (key order, escapes, spacing); the seal is over the
    parsed values, so rewriting the same values changes nothing."""
    record = world.records["a_public"]
    data = session.scalar(select(CreditRecord.data).where(CreditRecord.id == record.id))
    assert isinstance(data, dict)
    reordered = dict(reversed(list(data.items())))
    session.execute(update(CreditRecord).where(CreditRecord.id == record.id).values(data=reordered))
    session.expire_all()
    assert audit.verify(session).ok


def test_every_content_column_of_a_record_is_sealed() -> None:
    """A column added to credit_records is sealed too, or this fails: an edit to it in SQL would
    otherwise pass audit verify. (The data is sealed on its own; ids and timestamps are bookkeeping.)"""
    from_model = {c.name for c in CreditRecord.__table__.columns} - {"id", "data", "created_at", "updated_at"}
    assert set(seals.SEALED) == from_model
