"""Seals: the digest of each credit record's state, recorded by the audit entry that wrote or last changed
the record, so that a record edited in the database behind the platform's back is found.

**What is sealed.** A record's canonical state (:data:`SEALED`): who it is about, which item, which
source and key, version, status, severity, decision, dates, timeliness, publication and its field
values. Encrypted values (``enc:`` …) count by their presence, not their bytes, so that
``xinyong keys rotate`` (which re-encrypts them) does not break the seals; each such value is
authenticated by its own AES-GCM tag. The digest is computed from the values as the database gives
them back, parsed (JSON data as a dict), then serialised canonically (audit.keys.canonical_json): the
same on SQLite and PostgreSQL, whichever writer (bulk load, ORM, key rotation) stored the text.

**When.** :func:`scope_of` says which entries seal what: an entry about one credit record (entity
``credit_record``: a correction, a revocation, a recomputed timeliness) seals that record; the entry
of a committed intake chunk (entity ``ingest_batch`` with ``record_ids`` [first, last]) seals the
batch's records in that id range. The digests go to ``audit_seals`` (one row per record and entry) and
the entry's ``seal_digest`` — covered by its keyed hash — binds that set of rows.

**Checking** (:func:`check`): every entry's seal rows still hash to its ``seal_digest``; every record
has a seal, and its newest seal matches the record as it is now; no seal names a record that is gone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from xinyong.audit.chain import ChainWalk
from xinyong.audit.findings import Problem, Report
from xinyong.kit.crypto import ENC_PREFIX
from xinyong.models.audit import AuditSeal
from xinyong.models.records import CreditRecord

#: The columns of a record's sealed state, in the order they are hashed (created_at / updated_at are
#: bookkeeping, not content).
SEALED: Final = (
    "id",
    "subject_id",
    "catalog_item_id",
    "source_dept_id",
    "source_record_id",
    "version",
    "status",
    "severity",
    "severity_reason",
    "decision_no",
    "decision_date",
    "received_on",
    "delay_workdays",
    "late",
    "timeliness_provisional",
    "published",
    "publish_from",
    "publish_min_end",
    "publish_max_end",
    "batch_id",
    "data",
)
_SELECT: Final = f"SELECT {', '.join(SEALED[:-1])}, CAST(data AS TEXT) FROM credit_records"
#: Records checked per query when verifying.
WINDOW = 2_000


@dataclass(frozen=True)
class RecordIds:
    """Seal these records (by id)."""

    ids: tuple[int, ...]


@dataclass(frozen=True)
class BatchRange:
    """Seal the records of one intake batch whose ids lie in [first_id, last_id]."""

    batch_id: int
    first_id: int
    last_id: int


SealScope = RecordIds | BatchRange


def scope_of(entity: str, entity_id: str | int | None, after: Any) -> SealScope | None:
    """Which records an entry seals, from what it says it is about (see the module docstring)."""
    if entity == "credit_record" and entity_id is not None:
        return RecordIds((int(entity_id),))
    if entity == "ingest_batch" and entity_id is not None and isinstance(after, dict):
        span = after.get("record_ids")
        if isinstance(span, list | tuple) and len(span) == 2 and None not in span:
            return BatchRange(int(entity_id), int(span[0]), int(span[1]))
    return None


def _opaque(value: Any) -> Any:
    """``value`` with every ciphertext reduced to the bare ``enc:`` marker."""
    if isinstance(value, str):
        return ENC_PREFIX if value.startswith(ENC_PREFIX) else value
    if isinstance(value, dict):
        return {k: _opaque(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_opaque(v) for v in value]
    return value


def _data_text(data: str) -> str:
    """The data as sealed: as the database stores it (jsonb's own text on PostgreSQL, the written text on
    SQLite) — unless it holds ciphertexts, which key rotation rewrites: then parsed, each ciphertext
    reduced to its marker, and serialised canonically."""
    if ENC_PREFIX not in data:
        return data
    value = _opaque(json.loads(data))
    return "canonical:" + json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def state_digest(row: Sequence[Any]) -> str:
    """The seal of one record, from its :data:`SEALED` columns as the driver returns them (``data`` as
    text). The other columns go in as the ``repr`` of their tuple, quoted and typed, so no text can move
    between columns unnoticed."""
    head = repr(tuple(row[:-1]))
    blob = head + "|" + _data_text(str(row[-1]))
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _rows(session: Session, where: str, params: dict[str, Any], limit: int | None = None) -> Any:
    """The sealed columns by id, raw from the driver (no type processing: that is most of the cost)."""
    stmt = text(f"{_SELECT} WHERE {where} ORDER BY id" + ("" if limit is None else f" LIMIT {int(limit)}"))
    if "ids" in params:
        stmt = stmt.bindparams(bindparam("ids", expanding=True))
    return session.execute(stmt, params).all()


def compute(session: Session, scope: SealScope) -> list[tuple[int, str]]:
    """(record id, seal) of the records in ``scope`` as they are now in the session's transaction."""
    session.flush()
    if isinstance(scope, RecordIds):
        rows = _rows(session, "id IN :ids", {"ids": sorted(set(scope.ids))})
    else:
        rows = _rows(
            session,
            "batch_id = :b AND id >= :first AND id <= :last",
            {"b": scope.batch_id, "first": scope.first_id, "last": scope.last_id},
        )
    return [(row[0], state_digest(row)) for row in rows]


def compute_after(session: Session, after_id: int, limit: int) -> list[tuple[int, str]]:
    """(record id, seal) of the next ``limit`` records after ``after_id``, as they are now."""
    return [(row[0], state_digest(row)) for row in _rows(session, "id > :after", {"after": after_id}, limit)]


def set_digest(seals: Sequence[tuple[int, str]]) -> str:
    """What an entry's ``seal_digest`` is: the sha256 of its seals, one ``id:seal`` line each, by id."""
    return hashlib.sha256("".join(f"{rid}:{digest}\n" for rid, digest in seals).encode()).hexdigest()


def write(session: Session, entry_id: int, seals: Sequence[tuple[int, str]]) -> None:
    """Store the seals of one entry: PostgreSQL COPY, SQLite executemany (as the records were loaded)."""
    if not seals:
        return
    driver = session.connection().connection.driver_connection
    if session.get_bind().dialect.name == "postgresql":
        assert driver is not None
        with (
            driver.cursor() as cur,
            cur.copy("COPY audit_seals (entry_id, record_id, digest) FROM STDIN") as copy,
        ):
            for record_id, digest in seals:
                copy.write_row((entry_id, record_id, digest))
        return
    cur = driver.cursor()  # type: ignore[union-attr]
    try:
        cur.executemany(
            "INSERT INTO audit_seals (entry_id, record_id, digest) VALUES (?, ?, ?)",
            [(entry_id, r, d) for r, d in seals],
        )
    finally:
        cur.close()


# --------------------------------------------------------------------------- checking


def _entry_sets(session: Session) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """Every entry's seal rows, entry by entry."""
    rows = session.execute(
        select(AuditSeal.entry_id, AuditSeal.record_id, AuditSeal.digest)
        .order_by(AuditSeal.entry_id, AuditSeal.record_id)
        .execution_options(yield_per=5_000)
    )
    current: int | None = None
    seals: list[tuple[int, str]] = []
    for entry_id, record_id, digest in rows:
        if entry_id != current:
            if current is not None:
                yield current, seals
            current, seals = entry_id, []
        seals.append((record_id, digest))
    if current is not None:
        yield current, seals


def _check_sets(session: Session, chain: ChainWalk, report: Report) -> None:
    """Each entry's seal rows against the ``seal_digest`` its keyed hash covers."""
    seen: set[int] = set()
    for entry_id, seals in _entry_sets(session):
        seen.add(entry_id)
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
                Problem(
                    "SEAL_FORGED", f"审计日志第 {entry_id} 条并未封存信用记录，却有其名下的封存摘要", entry_id
                )
            )
        elif set_digest(seals) != expected:
            report.add(
                Problem("SEAL_ALTERED", f"审计日志第 {entry_id} 条封存的信用记录摘要已被改动或删减", entry_id)
            )
    for entry_id in sorted(set(chain.seal_digests) - seen):
        report.add(Problem("SEAL_DELETED", f"审计日志第 {entry_id} 条封存的信用记录摘要已被删除", entry_id))


def _newest_seals(session: Session, lo: int, hi: int) -> dict[int, tuple[int, str]]:
    """Each record's newest seal (entry, digest), for records lo ≤ id < hi."""
    out: dict[int, tuple[int, str]] = {}
    rows = session.execute(
        select(AuditSeal.record_id, AuditSeal.entry_id, AuditSeal.digest)
        .where(AuditSeal.record_id >= lo, AuditSeal.record_id < hi)
        .order_by(AuditSeal.record_id, AuditSeal.entry_id)
    )
    for record_id, entry_id, digest in rows:
        out[record_id] = (entry_id, digest)
    return out


def _check_window(session: Session, lo: int, hi: int, chain: ChainWalk, report: Report) -> None:
    seals = _newest_seals(session, lo, hi)
    for row in _rows(session, "id >= :lo AND id < :hi", {"lo": lo, "hi": hi}):
        report.records += 1
        record_id = row[0]
        sealed = seals.pop(record_id, None)
        if sealed is None:
            report.add(
                Problem(
                    "RECORD_UNSEALED",
                    f"信用记录 {record_id} 没有任何审计条目封存其内容："
                    "它绕过平台写入，或封存它的审计条目已被删除",
                )
            )
        elif sealed[0] <= chain.intact and state_digest(row) != sealed[1]:
            report.add(
                Problem(
                    "RECORD_ALTERED",
                    f"信用记录 {record_id} 的当前内容与审计日志第 {sealed[0]} 条记录的摘要不符："
                    "已在平台之外被改动",
                    sealed[0],
                )
            )
    for record_id, (entry_id, _) in sorted(seals.items()):
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
    top = max(
        session.scalar(select(func.max(CreditRecord.id))) or 0,
        session.scalar(select(func.max(AuditSeal.record_id))) or 0,
    )
    for lo in range(1, top + 1, WINDOW):
        _check_window(session, lo, lo + WINDOW, chain, report)
