"""Checking the seals (audit.seals) against the chain and the credit records as they are now.

1. Every sealing entry's seals — its ``audit_seals`` rows or its packed ``audit_seal_blocks`` — still
   hash to the ``seal_digest`` its keyed hash covers; no seals belong to an entry that sealed nothing,
   or to one beyond the end of the chain (the entries were deleted from the end).
2. Every credit record has a seal, and its newest seal (highest entry number, rows and blocks alike)
   matches the record as it is now; no seal names a record that is gone.

Records are read in windows of ids; the few block rows are listed once and each is unpacked while the
window passes through its range.
"""

from __future__ import annotations

import base64
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.audit import seals
from xinyong.audit.chain import ChainWalk
from xinyong.audit.findings import Problem, Report
from xinyong.models.audit import AuditSeal, AuditSealBlock
from xinyong.models.records import CreditRecord

#: Records checked per query.
WINDOW = 5_000


def _unpack(ids_text: str, digests_text: str) -> seals.Sealed:
    ids = array("q")
    ids.frombytes(base64.b64decode(ids_text))
    packed = base64.b64decode(digests_text)
    digests = [packed[i * 16 : (i + 1) * 16] for i in range(len(ids))]
    return seals.Sealed(list(ids), digests)


def _row_sets(session: Session) -> Iterator[tuple[int, seals.Sealed]]:
    """Every entry's seal rows, entry by entry."""
    rows = session.execute(
        select(AuditSeal.entry_id, AuditSeal.record_id, AuditSeal.digest)
        .order_by(AuditSeal.entry_id, AuditSeal.record_id)
        .execution_options(yield_per=5_000)
    )
    current, found = None, seals.Sealed()
    for entry_id, record_id, digest in rows:
        if entry_id != current:
            if current is not None:
                yield current, found
            current, found = entry_id, seals.Sealed()
        found.ids.append(record_id)
        found.digests.append(bytes.fromhex(digest))
    if current is not None:
        yield current, found


def _block_sets(session: Session) -> Iterator[tuple[int, seals.Sealed]]:
    """Every entry's seal blocks, unpacked and joined, entry by entry."""
    entries = session.scalars(select(AuditSealBlock.entry_id).distinct().order_by(AuditSealBlock.entry_id))
    for entry_id in list(entries):
        joined = seals.Sealed()
        blocks = session.execute(
            select(AuditSealBlock.record_ids, AuditSealBlock.digests)
            .where(AuditSealBlock.entry_id == entry_id)
            .order_by(AuditSealBlock.first_id)
        )
        for ids_blob, digests_blob in blocks:
            part = _unpack(ids_blob, digests_blob)
            joined.ids += part.ids
            joined.digests += part.digests
        yield entry_id, joined


def _check_set(entry_id: int, sealed: seals.Sealed, chain: ChainWalk, report: Report) -> None:
    expected = chain.seal_digests.get(entry_id)
    if entry_id > chain.intact:
        if not chain.broken:
            report.add(
                Problem(
                    "AUDIT_TAIL_DELETED",
                    f"信用记录封存引用了审计日志第 {entry_id} 条，但审计日志只到第 {chain.intact} 条："
                    "末尾的审计条目被删除",
                    entry_id,
                )
            )
    elif expected is None:
        report.add(
            Problem("SEAL_FORGED", f"审计日志第 {entry_id} 条并未封存信用记录，却有其名下的封存", entry_id)
        )
    elif seals.set_digest(sealed) != expected:
        report.add(
            Problem("SEAL_ALTERED", f"审计日志第 {entry_id} 条封存的信用记录摘要已被改动或删减", entry_id)
        )


def _check_sets(session: Session, chain: ChainWalk, report: Report) -> None:
    seen: set[int] = set()
    for source in (_row_sets(session), _block_sets(session)):
        for entry_id, sealed in source:
            seen.add(entry_id)
            _check_set(entry_id, sealed, chain, report)
    for entry_id in sorted(set(chain.seal_digests) - seen):
        report.add(Problem("SEAL_DELETED", f"审计日志第 {entry_id} 条封存的信用记录摘要已被删除", entry_id))


@dataclass
class _Blocks:
    """The block rows as the windows pass through them: listed once, unpacked while in range."""

    spans: list[tuple[int, int, int]]  # (first_id, last_id, entry_id), by first_id
    open: dict[tuple[int, int], seals.Sealed] = field(default_factory=dict)

    def _unpacked(self, session: Session, first: int, entry_id: int) -> seals.Sealed:
        key = (entry_id, first)
        if key not in self.open:
            ids_blob, digests_blob = session.execute(
                select(AuditSealBlock.record_ids, AuditSealBlock.digests).where(
                    AuditSealBlock.entry_id == entry_id, AuditSealBlock.first_id == first
                )
            ).one()
            self.open[key] = _unpack(ids_blob, digests_blob)
        return self.open[key]

    def newest(self, session: Session, lo: int, hi: int) -> dict[int, tuple[int, bytes]]:
        """Each record's newest block seal (entry, digest), for records lo ≤ id < hi."""
        self.open = {k: v for k, v in self.open.items() if v.ids and v.ids[-1] >= lo}
        out: dict[int, tuple[int, bytes]] = {}
        for first, last, entry_id in self.spans:
            if first >= hi or last < lo:
                continue
            block = self._unpacked(session, first, entry_id)
            start, stop = bisect_left(block.ids, lo), bisect_left(block.ids, hi)
            for record_id, digest in zip(block.ids[start:stop], block.digests[start:stop], strict=True):
                if out.get(record_id, (0, b""))[0] < entry_id:
                    out[record_id] = (entry_id, digest)
        return out


def _newest(session: Session, blocks: _Blocks, lo: int, hi: int) -> dict[int, tuple[int, bytes]]:
    """Each record's newest seal (entry, digest), rows and blocks alike, for records lo ≤ id < hi."""
    out = blocks.newest(session, lo, hi)
    rows = session.execute(
        select(AuditSeal.record_id, AuditSeal.entry_id, AuditSeal.digest).where(
            AuditSeal.record_id >= lo, AuditSeal.record_id < hi
        )
    )
    for record_id, entry_id, digest in rows:
        if out.get(record_id, (0, b""))[0] < entry_id:
            out[record_id] = (entry_id, bytes.fromhex(digest))
    return out


def _check_window(
    session: Session, blocks: _Blocks, lo: int, hi: int, chain: ChainWalk, report: Report
) -> None:
    newest = _newest(session, blocks, lo, hi)
    now = seals.rows(session, "id >= :lo AND id < :hi", {"lo": lo, "hi": hi})
    for record_id, digest in zip(now.ids, now.digests, strict=True):
        report.records += 1
        sealed = newest.pop(record_id, None)
        if sealed is None:
            report.add(
                Problem(
                    "RECORD_UNSEALED",
                    f"信用记录 {record_id} 没有任何审计条目封存其内容："
                    "它绕过平台写入，或封存它的审计条目已被删除",
                )
            )
        elif sealed[0] <= chain.intact and digest != sealed[1]:
            report.add(
                Problem(
                    "RECORD_ALTERED",
                    f"信用记录 {record_id} 的当前内容与审计日志第 {sealed[0]} 条记录的摘要不符："
                    "已在平台之外被改动",
                    sealed[0],
                )
            )
    for record_id, (entry_id, _) in sorted(newest.items()):
        report.add(
            Problem(
                "RECORD_DELETED",
                f"信用记录 {record_id} 已被删除（审计日志第 {entry_id} 条封存过它）",
                entry_id,
            )
        )


def check(session: Session, chain: ChainWalk, report: Report) -> None:
    """Seal sets against their entries, then every record against its newest seal."""
    _check_sets(session, chain, report)
    spans = session.execute(
        select(AuditSealBlock.first_id, AuditSealBlock.last_id, AuditSealBlock.entry_id).order_by(
            AuditSealBlock.first_id
        )
    ).all()
    blocks = _Blocks([(f, la, e) for f, la, e in spans])
    top = max(
        session.scalar(select(func.max(CreditRecord.id))) or 0,
        session.scalar(select(func.max(AuditSeal.record_id))) or 0,
        max((last for _, last, _ in blocks.spans), default=0),
    )
    for lo in range(1, top + 1, WINDOW):
        _check_window(session, blocks, lo, lo + WINDOW, chain, report)
