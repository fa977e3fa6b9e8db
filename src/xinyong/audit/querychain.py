"""The query log (查询使用登记) chained like the audit trail: each entry carries the previous entry's hash
and an HMAC (audit.keys) of its own content and that hash, so an entry edited or deleted in the database
breaks the chain, and a deleted tail shows against the anchors (audit.anchors).

Entries keep the database's own numbering (ids may have gaps where a transaction rolled back); the chain
is the order of the ids, and appends are serialised by the chains' lock (audit.chain.lock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xinyong.audit.chain import GENESIS, lock
from xinyong.audit.findings import Problem, Report
from xinyong.audit.keys import ChainKey, canonical_json, current_key
from xinyong.db import pieces
from xinyong.kit.clock import CHINA_TZ, as_aware
from xinyong.models.security import QueryLogEntry


def canonical_at(value: dt.datetime) -> str:
    """The instant as China Standard Time text: SQLite gives back the naive CST wall time the entry was
    written with (see ``kit.clock.as_aware``), PostgreSQL an aware instant in its session's zone."""
    return as_aware(value).astimezone(CHINA_TZ).isoformat()


def _content(entry: QueryLogEntry) -> dict[str, Any]:
    return {
        "at": canonical_at(entry.at),
        "user_id": entry.user_id,
        "username": entry.username,
        "department_id": entry.department_id,
        "subject_id": entry.subject_id,
        "purpose": entry.purpose,
        "legal_basis": entry.legal_basis,
        "target": entry.target,
        "allowed": bool(entry.allowed),
        "reason": entry.reason,
        "client": entry.client,
        "key": entry.key_id,
        "prev": entry.prev_hash,
    }


def entry_hash(entry: QueryLogEntry, key: ChainKey) -> str:
    return key.mac(_content(entry))


def append(session: Session, entry: QueryLogEntry, key: ChainKey | None = None) -> QueryLogEntry:
    """Link ``entry`` (not yet added) to the end of the chain, inside the caller's transaction."""
    key = key or current_key()
    lock(session)
    prev = session.scalar(select(QueryLogEntry.hash).order_by(QueryLogEntry.id.desc()).limit(1))
    entry.at = entry.at.astimezone(CHINA_TZ) if entry.at.tzinfo else entry.at
    entry.prev_hash = prev or GENESIS
    entry.key_id = key.key_id
    entry.hash = entry_hash(entry, key)
    return entry


_PREV_HOLE = "@@prev@@"
_SUBJECT_HOLE = "@@subject@@"


def append_many(
    session: Session, template: QueryLogEntry, subject_ids: Sequence[int], key: ChainKey | None = None
) -> int:
    """The entry ``template`` (not added) for each of ``subject_ids`` in turn, linked to the end of the
    chain and inserted in bulk in the caller's transaction (a batch screening's reads): the previous hash
    is read once under the chains' lock, then each entry's HMAC is computed in order. The entries differ
    only in subject and previous hash, so their canonical JSON (``_content``, as :func:`append` hashes)
    is one text with two holes. Returns how many."""
    key = key or current_key()
    lock(session)
    prev = session.scalar(select(QueryLogEntry.hash).order_by(QueryLogEntry.id.desc()).limit(1)) or GENESIS
    at = template.at.astimezone(CHINA_TZ) if template.at.tzinfo else template.at
    content = _content(template) | {
        "at": canonical_at(at),
        "key": key.key_id,
        "subject_id": _SUBJECT_HOLE,
        "prev": _PREV_HOLE,
    }
    head, rest = canonical_json(content).split(f'"{_PREV_HOLE}"')
    middle, tail = rest.split(f'"{_SUBJECT_HOLE}"')
    fixed = {
        column: getattr(template, column)
        for column in ("user_id", "username", "department_id", "purpose", "legal_basis", "target", "reason")
    } | {"at": at, "allowed": bool(template.allowed), "client": template.client, "key_id": key.key_id}
    connection = session.connection()
    for piece in pieces(list(subject_ids), 20_000):
        rows = []
        for sid in piece:
            digest = key.mac_text(f'{head}"{prev}"{middle}{sid}{tail}')
            rows.append({**fixed, "subject_id": sid, "prev_hash": prev, "hash": digest})
            prev = digest
        connection.execute(insert(QueryLogEntry), rows)
    return len(subject_ids)


@dataclass
class QueryWalk:
    intact: int = 0
    head: str = GENESIS
    broken: bool = False


def _problem(entry: QueryLogEntry, prev: str, position: int, key: ChainKey) -> Problem | None:
    if entry.prev_hash != prev:
        return Problem(
            "QUERY_LOG_LINK_BROKEN",
            f"查询使用登记第 {entry.id} 条（链上第 {position} 条）的前序哈希与上一条不一致："
            "前面的登记被删除或改写",
            entry.id,
        )
    if entry.key_id != key.key_id:
        return Problem(
            "QUERY_LOG_KEY_MISMATCH",
            f"查询使用登记第 {entry.id} 条的签名密钥指纹为 {entry.key_id}，与本平台密钥（{key.key_id}）不符",
            entry.id,
        )
    if entry_hash(entry, key) != entry.hash:
        return Problem(
            "QUERY_LOG_ALTERED",
            f"查询使用登记第 {entry.id} 条（{entry.username} 于 {canonical_at(entry.at)[:19]}）内容已被改动"
            "（密钥签名不符）",
            entry.id,
        )
    return None


def walk(session: Session, key: ChainKey, report: Report) -> QueryWalk:
    """Check the query log's chain in order; report the first break."""
    out = QueryWalk()
    rows = session.scalars(select(QueryLogEntry).order_by(QueryLogEntry.id).execution_options(yield_per=2000))
    for entry in rows:
        problem = _problem(entry, out.head, out.intact + 1, key)
        if problem is not None:
            report.add(problem)
            out.broken = True
            return out
        out.intact, out.head = out.intact + 1, entry.hash
    return out
