"""The audit trail's chain: what an entry's keyed hash covers, and the walk that checks every link.

An entry's hash is the HMAC (audit.keys) of its content — number, time, actor, action, what it
concerns, digests of the state before and after, detail, the digest of the seals it wrote, the key's
fingerprint — and of the previous entry's hash. Entries are numbered 1, 2, 3 … without gaps, so a
deleted entry in the middle shows as a missing number; a deleted tail, or the whole table emptied, shows
against the anchors (audit.anchors) and the credit records' seals (audit.seals).

``legacy_hash`` is the unkeyed sha256 the trail used before migration 0005; it is kept only so that the
migration can check the old chain once before it re-keys it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from xinyong.audit.findings import Problem, Report
from xinyong.audit.keys import ChainKey, canonical_json
from xinyong.models.audit import AuditEntry

GENESIS = "0" * 64
#: The entry migration 0005 appended when it re-keyed an existing trail; its detail says whether the
#: unkeyed chain before it was intact.
KEYED_ACTION = "audit.chain_keyed"
#: Arbitrary constant naming the PostgreSQL advisory lock that serialises appends to both chains (the
#: audit trail and the query log: one lock, so that no two transactions can wait on each other's).
_PG_LOCK_KEY = 7_302_004_011


def lock(session: Session) -> None:
    """Serialise appends to the chains until the transaction ends (SQLite has one writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})


def _base_content(entry: AuditEntry) -> dict[str, Any]:
    return {
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


def entry_hash(entry: AuditEntry, key: ChainKey) -> str:
    """The entry's keyed hash (its ``key_id`` must already be set)."""
    return key.mac({**_base_content(entry), "seal": entry.seal_digest, "key": entry.key_id})


def legacy_hash(entry: AuditEntry) -> str:
    """The unkeyed sha256 of an entry written before migration 0005."""
    return hashlib.sha256(canonical_json(_base_content(entry)).encode()).hexdigest()


@dataclass
class ChainWalk:
    """What the walk over the audit trail learnt: how many entries are intact, the seal digest of every
    intact entry that wrote seals, and whether the walk stopped at a break."""

    intact: int = 0
    head: str = GENESIS
    seal_digests: dict[int, str] = field(default_factory=dict)
    broken: bool = False


def _link_problem(entry: AuditEntry, expected_id: int, prev_hash: str, key: ChainKey) -> Problem | None:
    if entry.id != expected_id:
        return Problem(
            "AUDIT_ENTRY_MISSING",
            f"审计日志第 {expected_id} 条缺失（下一条编号为 {entry.id}）：条目被删除",
            entry.id,
        )
    if entry.prev_hash != prev_hash:
        return Problem(
            "AUDIT_LINK_BROKEN",
            f"审计日志第 {entry.id} 条的前序哈希与第 {entry.id - 1} 条不一致：前面的条目被改写或替换",
            entry.id,
        )
    if entry.key_id != key.key_id:
        return Problem(
            "AUDIT_KEY_MISMATCH",
            f"审计日志第 {entry.id} 条的签名密钥指纹为 {entry.key_id}，与本平台密钥（{key.key_id}）不符："
            "密钥配置有误（XINYONG_INDEX_KEY），或该条系伪造",
            entry.id,
        )
    if entry_hash(entry, key) != entry.hash:
        return Problem(
            "AUDIT_ENTRY_ALTERED",
            f"审计日志第 {entry.id} 条内容已被改动（密钥签名不符）",
            entry.id,
        )
    return None


def _legacy_problem(entry: AuditEntry) -> Problem | None:
    """The marker migration 0005 left when the unkeyed trail before it was already broken."""
    if entry.action != KEYED_ACTION or entry.detail.get("unkeyed_chain_ok", True):
        return None
    return Problem(
        "AUDIT_LEGACY_BROKEN",
        f"启用密钥（迁移 0005）之前的审计日志已被篡改：{entry.detail.get('unkeyed_problem')}",
        entry.id,
    )


def walk(entries: Iterable[AuditEntry], key: ChainKey, report: Report) -> ChainWalk:
    """Check every link in order; report the first break and stop there (later entries prove nothing)."""
    out = ChainWalk()
    for entry in entries:
        problem = _link_problem(entry, out.intact + 1, out.head, key)
        if problem is not None:
            report.add(problem)
            out.broken = True
            return out
        legacy = _legacy_problem(entry)
        if legacy is not None:
            report.add(legacy)
        if entry.seal_digest is not None:
            out.seal_digests[entry.id] = entry.seal_digest
        out.intact, out.head = entry.id, entry.hash
    return out
