"""Audit trail: an append-only log written in the same transaction as the change it describes.

Each entry carries the hash of the previous entry and a hash over its own content, so a row changed,
deleted or inserted behind the platform's back breaks the chain; ``verify`` finds the first broken link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from xinyong.kit.clock import Clock, SystemClock
from xinyong.models.audit import AuditEntry

GENESIS = "0" * 64
#: Arbitrary constant naming the PostgreSQL advisory lock that serialises appends to the chain.
_PG_LOCK_KEY = 7_302_004_011


def digest(value: Any) -> str | None:
    """A stable sha256 of any JSON-able value (dates and decimals as text); None stays None."""
    if value is None:
        return None
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _entry_hash(entry: AuditEntry) -> str:
    content = {
        "id": entry.id,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "subject_id": entry.subject_id,
        "before": entry.before_digest,
        "after": entry.after_digest,
        "detail": entry.detail,
        "prev": entry.prev_hash,
    }
    result = digest(content)
    assert result is not None
    return result


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    subject_id: int | None = None,
    before: Any = None,
    after: Any = None,
    detail: dict[str, Any] | None = None,
    clock: Clock | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction (never commits)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    prev_id, prev_hash = (last[0], last[1]) if last else (0, GENESIS)
    now = (clock or SystemClock()).now().astimezone(dt.UTC)
    entry = AuditEntry(
        id=prev_id + 1,
        at=now.isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        subject_id=subject_id,
        before_digest=digest(before),
        after_digest=digest(after),
        detail=detail or {},
        prev_hash=prev_hash,
        hash="",
    )
    entry.hash = _entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str | None = None


def verify_entries(entries: Iterable[AuditEntry]) -> ChainReport:
    prev_hash, expected_id, checked = GENESIS, 1, 0
    for entry in entries:
        if entry.id != expected_id:
            return ChainReport(
                False, checked, entry.id, f"第 {expected_id} 条记录缺失（下一条编号为 {entry.id}）"
            )
        if entry.prev_hash != prev_hash:
            return ChainReport(False, checked, entry.id, f"第 {entry.id} 条的前序哈希与上一条不一致")
        if _entry_hash(entry) != entry.hash:
            return ChainReport(False, checked, entry.id, f"第 {entry.id} 条内容已被改动（哈希不符）")
        prev_hash, expected_id, checked = entry.hash, expected_id + 1, checked + 1
    return ChainReport(True, checked)


def verify(session: Session) -> ChainReport:
    """Walk the whole chain in order and report the first broken link."""
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=2000))
    return verify_entries(row[0] for row in rows)
