"""The audit chain: entries are written with the change and any tampering is found."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.kit.clock import FixedClock
from xinyong.models import AuditEntry


def _write(session: Session, clock: FixedClock, n: int) -> list[AuditEntry]:
    return [
        audit.record(
            session,
            actor="tester",
            action="thing.changed",
            entity="thing",
            entity_id=i,
            before={"v": i},
            after={"v": i + 1},
            clock=clock,
        )
        for i in range(n)
    ]


def test_chain_links_each_entry_to_the_previous(session: Session, clock: FixedClock) -> None:
    entries = _write(session, clock, 3)
    assert entries[0].prev_hash == audit.GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert entries[0].after_digest == audit.digest({"v": 1})
    report = audit.verify(session)
    assert report.ok and report.checked == 3


def test_verify_finds_a_row_changed_behind_its_back(session: Session, clock: FixedClock) -> None:
    entries = _write(session, clock, 5)
    session.execute(text("UPDATE audit_log SET actor = 'intruder' WHERE id = :id"), {"id": entries[2].id})
    session.expire_all()
    report = audit.verify(session)
    assert not report.ok
    assert report.broken_id == entries[2].id
    assert report.checked == 2
    assert "改动" in (report.reason or "")


def test_verify_finds_a_deleted_row(session: Session, clock: FixedClock) -> None:
    entries = _write(session, clock, 4)
    session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": entries[1].id})
    session.expire_all()
    report = audit.verify(session)
    assert not report.ok and report.broken_id == entries[2].id
    assert "缺失" in (report.reason or "")


def test_verify_finds_a_rehashed_row_by_its_successor(session: Session, clock: FixedClock) -> None:
    """Someone who changes a row and recomputes its hash still breaks the next row's link."""
    entries = _write(session, clock, 3)
    target = entries[1]
    target.actor = "intruder"
    target.hash = audit._entry_hash(target)
    session.flush()
    report = audit.verify(session)
    assert not report.ok and report.broken_id == entries[2].id


def test_digest_is_stable_and_order_independent() -> None:
    assert audit.digest({"a": 1, "b": [1, 2]}) == audit.digest({"b": [1, 2], "a": 1})
    assert audit.digest({"a": 1}) != audit.digest({"a": 2})
    assert audit.digest(None) is None
