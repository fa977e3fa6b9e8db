"""Audit trail: an append-only log written in the same transaction as the change it describes, that an
insider who can edit the database cannot rewrite unnoticed.

- Each entry is chained to the previous one by a keyed hash (HMAC under a key that is not in the
  database, audit.keys; the links, audit.chain).
- An entry that writes or changes credit records seals them: the digest of each record's state goes
  with the entry (audit.seals), so a record edited behind the platform's back no longer matches.
- The query log is chained the same way (audit.querychain).
- Anchors (audit.anchors) — signed counts and head hashes kept outside the database — show entries
  deleted from the end of a chain, or a chain emptied.

``verify`` checks all of it and lists every problem with a Chinese message naming what is wrong.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import anchors as anchor_file
from xinyong.audit import chain, querychain, sealcheck, seals
from xinyong.audit.chain import GENESIS
from xinyong.audit.findings import Problem, Report
from xinyong.audit.keys import ChainKey, canonical_json, current_key
from xinyong.kit.clock import Clock, SystemClock
from xinyong.kit.errors import DomainError
from xinyong.models.audit import AuditEntry

__all__ = ["GENESIS", "AuditBroken", "Problem", "Report", "anchor", "digest", "record", "verify"]


def digest(value: Any) -> str | None:
    """A stable sha256 of any JSON-able value (dates and decimals as text); None stays None."""
    if value is None:
        return None
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


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
    seal: seals.SealScope | None = None,
    key: ChainKey | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction (never commits).

    The records the entry changed are sealed as they are now: ``seal`` names them, or it follows from
    what the entry is about (``seals.scope_of``: a credit record, or an intake chunk's record range)."""
    key = key or current_key()
    chain.lock(session)
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
        key_id=key.key_id,
        prev_hash=prev_hash,
        hash="",
    )
    scope = seal if seal is not None else seals.scope_of(entity, entity_id, after)
    sealed = seals.compute(session, scope) if scope is not None else seals.Sealed()
    entry.seal_digest = seals.set_digest(sealed) if sealed else None
    entry.hash = chain.entry_hash(entry, key)
    session.add(entry)
    session.flush()
    seals.write(session, entry.id, sealed, packed=isinstance(scope, seals.BatchRange))
    return entry


def _entries(session: Session) -> Iterable[AuditEntry]:
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=2000))
    return (row[0] for row in rows)


def verify(
    session: Session,
    *,
    anchor_paths: Iterable[Path] = (),
    key: ChainKey | None = None,
    older_copy: bool = False,
) -> Report:
    """Check the audit trail, the credit records' seals, the query log and the anchors of the given
    files (a missing file is a note, not a problem: the caller says which files must exist). An
    ``older_copy`` (a restored backup) may be shorter than anchors taken after it (anchors.check)."""
    key = key or current_key()
    report = Report()
    walked = chain.walk(_entries(session), key, report)
    report.audit_entries = walked.intact
    sealcheck.check(session, walked, report)
    queried = querychain.walk(session, key, report)
    report.query_entries = queried.intact
    found: list[anchor_file.Anchor] = []
    for path in anchor_paths:
        if path.exists():
            found += anchor_file.read(path, key, report)
        else:
            report.notes.append(f"锚点文件 {path} 不存在：未能核对锚点")
    anchor_file.check(session, found, report, older_copy=older_copy)
    return report


class AuditBroken(DomainError):
    """The chains are already broken: no anchor is signed for them (the report says where)."""

    code = "AUDIT_CHAIN_BROKEN"
    status = 409

    def __init__(self, report: Report) -> None:
        super().__init__(f"审计日志或查询使用登记已被篡改，不签发锚点：{report.reason}")
        self.report = report


def anchor(
    session: Session, *, clock: Clock | None = None, key: ChainKey | None = None
) -> anchor_file.Anchor:
    """A signed anchor of both chains as they are now — refused (:class:`AuditBroken`) when either chain
    is already broken, so that no anchor ever vouches for a rewritten log."""
    key = key or current_key()
    report = Report()
    chain.walk(_entries(session), key, report)
    querychain.walk(session, key, report)
    if report.problems:
        raise AuditBroken(report)
    return anchor_file.take(session, key, clock or SystemClock())
