"""Anchors (锚点): signed checkpoints of both chains, kept outside the database.

``xinyong audit anchor`` writes one line: when, how many entries the audit trail and the query log had,
the hash of the last entry of each, the key's fingerprint and an HMAC of all that under the chain key.
The line is appended to a file (append-only, by default ``<data_dir>/audit-anchors.jsonl``) and
printed, so it can also go to an external notary (a mail, a timestamping service, a paper register).

Whoever can edit the database can delete the newest entries of a chain, or all of them, and no link
inside the chain shows it. An anchor does: a chain now shorter than an anchor says entries were
deleted; an entry at the anchored position whose hash differs says the chain was rewritten up to there.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.audit.chain import GENESIS
from xinyong.audit.findings import Problem, Report
from xinyong.audit.keys import ChainKey
from xinyong.kit.clock import Clock
from xinyong.models.audit import AuditEntry
from xinyong.models.security import QueryLogEntry

ANCHOR_FILE = "audit-anchors.jsonl"


@dataclass(frozen=True)
class Anchor:
    at: str
    audit_count: int
    audit_head: str
    query_count: int
    #: The query log keeps the database's ids (with gaps): the id of its last entry, and that entry's hash.
    query_last_id: int
    query_head: str
    key_id: str
    mac: str = ""

    def signed_part(self) -> dict[str, object]:
        body = asdict(self)
        body.pop("mac")
        return body

    def line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))


def take(session: Session, key: ChainKey, clock: Clock) -> Anchor:
    """An anchor of both chains as they are now, signed."""
    audit_count = session.scalar(select(func.max(AuditEntry.id))) or 0
    audit_head = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == audit_count)) or GENESIS
    query_count = session.scalar(select(func.count()).select_from(QueryLogEntry)) or 0
    last = session.execute(
        select(QueryLogEntry.id, QueryLogEntry.hash).order_by(QueryLogEntry.id.desc()).limit(1)
    ).first()
    query_last_id, query_head = (last[0], last[1]) if last else (0, GENESIS)
    unsigned = Anchor(
        at=clock.now().isoformat(timespec="seconds"),
        audit_count=audit_count,
        audit_head=audit_head,
        query_count=query_count,
        query_last_id=query_last_id,
        query_head=query_head,
        key_id=key.key_id,
    )
    return replace(unsigned, mac=key.mac(unsigned.signed_part()))


def append(path: Path, anchor: Anchor) -> None:
    """Add the anchor's line to the file, never rewriting what is there (created with mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (anchor.line() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def parse(text: str) -> Anchor:
    """One line back into an anchor (ValueError when it is not one)."""
    body = json.loads(text)
    if not isinstance(body, dict):
        raise ValueError("not an object")
    return Anchor(
        at=str(body["at"]),
        audit_count=int(body["audit_count"]),
        audit_head=str(body["audit_head"]),
        query_count=int(body["query_count"]),
        query_last_id=int(body["query_last_id"]),
        query_head=str(body["query_head"]),
        key_id=str(body["key_id"]),
        mac=str(body["mac"]),
    )


def read(path: Path, key: ChainKey, report: Report) -> list[Anchor]:
    """The anchors of a file whose signature holds; a line that is not one, or whose signature does not
    hold under the chain key, is a problem."""
    anchors: list[Anchor] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            anchor = parse(text)
        except (ValueError, KeyError, TypeError):
            report.add(Problem("ANCHOR_UNREADABLE", f"锚点文件 {path} 第 {number} 行不是有效的锚点"))
            continue
        if anchor.key_id != key.key_id or key.mac(anchor.signed_part()) != anchor.mac:
            report.add(
                Problem(
                    "ANCHOR_INVALID",
                    f"锚点文件 {path} 第 {number} 行的签名无效：锚点被改动，或由另一把密钥签发",
                )
            )
            continue
        anchors.append(anchor)
    return anchors


def _beyond(report: Report, what: str, anchor_count: int, count: int, at: str) -> None:
    """A restored copy is older than the newest anchors: what they hold beyond it is a note."""
    report.notes.append(
        f"{at} 的锚点记录了{what} {anchor_count} 条，此副本有 {count} 条："
        f"副本之后新增的 {anchor_count - count} 条不在其中（恢复旧备份时如此）"
    )


def _check_audit(session: Session, anchors: list[Anchor], report: Report, *, older: bool) -> None:
    count = session.scalar(select(func.max(AuditEntry.id))) or 0
    longest = max(anchors, key=lambda a: a.audit_count)
    if longest.audit_count > count and older:
        _beyond(report, "审计条目", longest.audit_count, count, longest.at)
    elif longest.audit_count > count:
        report.add(
            Problem(
                "AUDIT_ENTRIES_DELETED",
                f"审计日志条目被删除：{longest.at} 的锚点记录了 {longest.audit_count} 条，"
                f"现在只有 {count} 条",
            )
        )
    for anchor in sorted(anchors, key=lambda a: a.audit_count):
        if not anchor.audit_count or anchor.audit_count > count:
            continue
        found = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == anchor.audit_count))
        if found != anchor.audit_head:
            report.add(
                Problem(
                    "AUDIT_REWRITTEN",
                    f"审计日志第 {anchor.audit_count} 条与 {anchor.at} 的锚点记录的哈希不符："
                    "该条及之前的审计日志被改写",
                    anchor.audit_count,
                )
            )
            return


def _check_query_log(session: Session, anchors: list[Anchor], report: Report, *, older: bool) -> None:
    count = session.scalar(select(func.count()).select_from(QueryLogEntry)) or 0
    longest = max(anchors, key=lambda a: a.query_count)
    if longest.query_count > count and older:
        _beyond(report, "查询使用登记", longest.query_count, count, longest.at)
    elif longest.query_count > count:
        report.add(
            Problem(
                "QUERY_LOG_ENTRIES_DELETED",
                f"查询使用登记被删除：{longest.at} 的锚点记录了 {longest.query_count} 条，"
                f"现在只有 {count} 条",
            )
        )
    for anchor in sorted(anchors, key=lambda a: a.query_count):
        if not anchor.query_count or anchor.query_count > count:
            continue
        found = session.scalar(select(QueryLogEntry.hash).where(QueryLogEntry.id == anchor.query_last_id))
        if found != anchor.query_head:
            report.add(
                Problem(
                    "QUERY_LOG_REWRITTEN",
                    f"查询使用登记第 {anchor.query_last_id} 条（链上第 {anchor.query_count} 条）"
                    f"与 {anchor.at} 的锚点记录的哈希不符：该条及之前的登记被改写或删除",
                )
            )
            return


def check(session: Session, anchors: list[Anchor], report: Report, *, older_copy: bool = False) -> None:
    """Both chains against every valid anchor. For a restored ``older_copy`` (a backup), anchors taken after
    it may hold more entries: only the anchored positions the copy has are checked."""
    if not anchors:
        return
    report.anchors += len(anchors)
    _check_audit(session, anchors, report, older=older_copy)
    _check_query_log(session, anchors, report, older=older_copy)
