"""Migration 0005's data step: an existing installation's trail becomes keyed, its records sealed and its
query log chained, once, under the installation's chain key.

The unkeyed chain is checked first and the outcome is written into the trail itself (the entry
``audit.chain_keyed``, whose detail says whether the old chain was intact and where it broke), so
re-keying never launders earlier tampering: ``audit verify`` keeps reporting it. Only the columns that
exist at revision 0005 are read and written (later revisions may add others).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from xinyong.audit import querychain, seals
from xinyong.audit.chain import GENESIS, KEYED_ACTION, entry_hash, legacy_hash
from xinyong.audit.keys import ChainKey
from xinyong.models.audit import AuditEntry
from xinyong.models.records import CreditRecord
from xinyong.models.security import QueryLogEntry

PAGE = 1_000
_ENTRY_COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.entity,
    AuditEntry.entity_id,
    AuditEntry.subject_id,
    AuditEntry.before_digest,
    AuditEntry.after_digest,
    AuditEntry.detail,
    AuditEntry.prev_hash,
    AuditEntry.hash,
)
_QUERY_COLUMNS = (
    QueryLogEntry.id,
    QueryLogEntry.at,
    QueryLogEntry.user_id,
    QueryLogEntry.username,
    QueryLogEntry.department_id,
    QueryLogEntry.subject_id,
    QueryLogEntry.purpose,
    QueryLogEntry.legal_basis,
    QueryLogEntry.target,
    QueryLogEntry.allowed,
    QueryLogEntry.reason,
    QueryLogEntry.client,
)


def _entries(session: Session) -> Iterator[AuditEntry]:
    """The existing entries in order, as detached objects (page by page)."""
    last = 0
    while True:
        rows = session.execute(
            select(*_ENTRY_COLUMNS).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(PAGE)
        ).all()
        if not rows:
            return
        for row in rows:
            yield AuditEntry(**row._asdict())
        last = rows[-1][0]


def _unkeyed_problem(session: Session) -> tuple[str | None, str]:
    """The first break of the unkeyed chain (None when intact), and its head."""
    prev, expected = GENESIS, 1
    for entry in _entries(session):
        if entry.id != expected:
            return f"第 {expected} 条缺失", prev
        if entry.prev_hash != prev:
            return f"第 {entry.id} 条的前序哈希与上一条不一致", prev
        if legacy_hash(entry) != entry.hash:
            return f"第 {entry.id} 条内容已被改动", prev
        prev, expected = entry.hash, expected + 1
    return None, prev


def _rekey(session: Session, key: ChainKey) -> tuple[int, str]:
    """Every entry hashed again under the key, in order; (entries, head)."""
    prev, count = GENESIS, 0
    for entry in _entries(session):
        entry.prev_hash, entry.key_id, entry.seal_digest = prev, key.key_id, None
        prev = entry_hash(entry, key)
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == entry.id)
            .values(prev_hash=entry.prev_hash, key_id=key.key_id, hash=prev)
        )
        count = entry.id
    return count, prev


def _seal_all(session: Session, entry_id: int) -> tuple[int, str | None]:
    """Seal every existing record under the marker entry, in packed blocks; (records, seal digest)."""
    found, top = seals.Sealed(), session.scalar(select(func.max(CreditRecord.id))) or 0
    for lo in range(1, top + 1, seals.BLOCK):
        page = seals.rows(session, "id >= :lo AND id < :hi", {"lo": lo, "hi": lo + seals.BLOCK})
        found.ids += page.ids
        found.digests += page.digests
    seals.write(session, entry_id, found, packed=True)
    return len(found.ids), (seals.set_digest(found) if found else None)


def _chain_query_log(session: Session, key: ChainKey) -> int:
    prev, count, last = GENESIS, 0, 0
    while True:
        rows = session.execute(
            select(*_QUERY_COLUMNS).where(QueryLogEntry.id > last).order_by(QueryLogEntry.id).limit(PAGE)
        ).all()
        if not rows:
            return count
        for row in rows:
            entry = QueryLogEntry(**row._asdict(), prev_hash=prev, key_id=key.key_id)
            prev = querychain.entry_hash(entry, key)
            session.execute(
                update(QueryLogEntry)
                .where(QueryLogEntry.id == entry.id)
                .values(prev_hash=entry.prev_hash, key_id=key.key_id, hash=prev)
            )
            count += 1
        last = rows[-1][0]


def key_existing(session: Session, key: ChainKey, now: dt.datetime) -> dict[str, Any] | None:
    """Key the trail, seal the records and chain the query log of an installation that has any; the
    marker entry's detail (None when there was nothing to do)."""
    has_any = any(
        session.scalar(select(func.count()).select_from(table))
        for table in (AuditEntry, CreditRecord, QueryLogEntry)
    )
    if not has_any:
        return None
    problem, old_head = _unkeyed_problem(session)
    count, head = _rekey(session, key)
    marker = AuditEntry(
        id=count + 1,
        at=now.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        actor="xinyong init",
        action=KEYED_ACTION,
        entity="audit_log",
        entity_id=None,
        subject_id=None,
        before_digest=None,
        after_digest=None,
        key_id=key.key_id,
        prev_hash=head,
    )
    sealed, marker.seal_digest = _seal_all(session, marker.id)
    marker.detail = {
        "previous_entries": count,
        "previous_head": old_head,
        "unkeyed_chain_ok": problem is None,
        "unkeyed_problem": problem,
        "sealed_records": sealed,
        "query_log_entries": _chain_query_log(session, key),
    }
    marker.hash = entry_hash(marker, key)
    values = {c.key: getattr(marker, c.key) for c in _ENTRY_COLUMNS}
    values.update(seal_digest=marker.seal_digest, key_id=key.key_id)
    session.execute(insert(AuditEntry).values(values))
    return marker.detail


def unkey(session: Session) -> None:
    """Downgrade: the trail hashed again the unkeyed way (the seals and the query-log chain go away with
    their columns)."""
    prev = GENESIS
    for entry in _entries(session):
        entry.prev_hash = prev
        prev = legacy_hash(entry)
        session.execute(
            update(AuditEntry).where(AuditEntry.id == entry.id).values(prev_hash=entry.prev_hash, hash=prev)
        )
