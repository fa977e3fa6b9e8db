"""The audit chain: entries are written with the change, chained by a keyed hash, and any tampering —
including a row changed and the whole chain recomputed without the key — is found."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.audit.chain import legacy_hash
from xinyong.audit.keys import current_key, derive_key
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


def _codes(report: audit.Report) -> list[str]:
    return [p.code for p in report.problems]


def test_chain_links_each_entry_to_the_previous_by_a_keyed_hash(session: Session, clock: FixedClock) -> None:
    entries = _write(session, clock, 3)
    assert entries[0].prev_hash == audit.GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert entries[0].after_digest == audit.digest({"v": 1})
    key = current_key()
    assert {e.key_id for e in entries} == {key.key_id}
    # The hash is an HMAC under the chain key: not the plain sha256 of the same content.
    assert entries[0].hash != legacy_hash(entries[0])
    report = audit.verify(session)
    assert report.ok and report.checked == 3


def test_verify_finds_a_row_changed_behind_its_back(session: Session, clock: FixedClock) -> None:
    ids = [e.id for e in _write(session, clock, 5)]
    session.execute(text("UPDATE audit_log SET actor = 'intruder' WHERE id = :id"), {"id": ids[2]})
    session.expire_all()
    report = audit.verify(session)
    assert _codes(report) == ["AUDIT_ENTRY_ALTERED"]
    assert report.broken_id == ids[2] and report.checked == 2
    assert f"第 {ids[2]} 条内容已被改动" in (report.reason or "")


def test_verify_finds_a_deleted_row(session: Session, clock: FixedClock) -> None:
    ids = [e.id for e in _write(session, clock, 4)]
    session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    session.expire_all()
    report = audit.verify(session)
    assert _codes(report) == ["AUDIT_ENTRY_MISSING"] and report.broken_id == ids[2]
    assert f"第 {ids[1]} 条缺失" in (report.reason or "")


def _unkeyed(content: dict[str, object]) -> str:
    """What an insider without the key can compute: the sha256 of the content (the chain before issue 10)."""
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def test_a_row_edited_and_the_chain_recomputed_without_the_key_is_found(
    session: Session, clock: FixedClock
) -> None:
    """The attack that passed before: change a row, then recompute every hash from there on (sha256 of the
    content, as the old chain did; the key is not in the database). Every link holds — but no HMAC does."""
    _write(session, clock, 5)
    session.execute(text("UPDATE audit_log SET actor = 'intruder' WHERE id = 3"))
    session.expire_all()
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    prev = rows[1].hash
    for row in rows[2:]:
        content = {
            "id": row.id,
            "at": row.at,
            "actor": row.actor,
            "action": row.action,
            "entity": row.entity,
            "entity_id": row.entity_id,
            "subject_id": row.subject_id,
            "before": row.before_digest,
            "after": row.after_digest,
            "detail": row.detail,
            "seal": row.seal_digest,
            "key": row.key_id,
            "prev": prev,
        }
        new = _unkeyed(content)
        session.execute(
            text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :id"),
            {"p": prev, "h": new, "id": row.id},
        )
        prev = new
    session.expire_all()
    report = audit.verify(session)
    assert _codes(report) == ["AUDIT_ENTRY_ALTERED"] and report.broken_id == 3
    assert "第 3 条内容已被改动（密钥签名不符）" in (report.reason or "")


def test_a_chain_checked_under_another_key_names_the_key_not_tampering(
    session: Session, clock: FixedClock
) -> None:
    _write(session, clock, 2)
    other = derive_key("another installation's secret")
    report = audit.verify(session, key=other)
    assert _codes(report) == ["AUDIT_KEY_MISMATCH"]
    assert current_key().key_id in (report.reason or "") and other.key_id in (report.reason or "")


def test_digest_is_stable_and_order_independent() -> None:
    assert audit.digest({"a": 1, "b": [1, 2]}) == audit.digest({"b": [1, 2], "a": 1})
    assert audit.digest({"a": 1}) != audit.digest({"a": 2})
    assert audit.digest(None) is None


def test_the_key_is_derived_from_the_configured_secret_and_never_stored() -> None:
    a, b = derive_key("secret-a"), derive_key("secret-b")
    assert a.key_id != b.key_id and a.secret != b.secret
    assert derive_key("secret-a") == a
    assert a.key_id not in a.secret.hex()
