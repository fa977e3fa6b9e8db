"""Seals: the digest of each credit record's state, recorded by the audit entry that wrote or last changed
the record, so that a record edited in the database behind the platform's back is found
(audit.sealcheck checks them).

**What is sealed.** A record's state (:data:`SEALED`): who it is about, which item, which source and
key, version, status, severity, decision, dates, timeliness, publication, batch and its field values.
The database renders the scalar columns as one JSON array (``json_array`` on SQLite,
``json_build_array`` on PostgreSQL, dates in ISO 8601 whatever the session's settings); the field
values are taken as the database stores them (the written text on SQLite, jsonb's own normal form on
PostgreSQL). Field values that hold ciphertexts are the exception: ``xinyong keys rotate`` re-encrypts
them (and rewrites the text), so they are parsed, each ciphertext reduced to the bare ``enc:`` marker
(it counts by its presence, not its bytes; AES-GCM authenticates each one) and serialised canonically.
A seal is the first 128 bits of the sha256 of ``head|data``. The text differs between the two
databases, never between two writes of the same values to one database — which is all a seal is
compared with.

**When.** :func:`scope_of` says which entries seal what: an entry about one credit record (entity
``credit_record``: a correction, a revocation, a recomputed timeliness) seals that record, as a row of
``audit_seals``; the entry of a committed intake chunk (entity ``ingest_batch`` with ``record_ids``
[first, last]) seals the batch's records in that id range, as one packed row of ``audit_seal_blocks``.
A caller may also name what it changed (``audit.record(..., seal=RecordIds(...))``). The entry's
``seal_digest`` — covered by its keyed hash — is the sha256 of its seals (:func:`set_digest`).

Cost at intake: one query over the chunk's records that hashes where the data is read (in PostgreSQL,
or in a function SQLite calls with the raw bytes), 16 bytes back per record, one row per chunk.
"""

from __future__ import annotations

import base64
import hashlib
import json
from array import array
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import bindparam, insert, text
from sqlalchemy.orm import Session

from xinyong.kit.crypto import ENC_PREFIX
from xinyong.models.audit import AuditSeal, AuditSealBlock

#: The columns of a record's sealed state besides its data, in the order they are hashed (created_at /
#: updated_at are bookkeeping, not content).
SEALED: Final = (
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
)
#: Seals packed in one block row at most.
BLOCK: Final = 100_000


def _head(dialect: str) -> str:
    """The scalar columns as one JSON array text, in SQL (on PostgreSQL json renders dates as ISO 8601
    whatever the session's DateStyle)."""
    builder = "json_build_array" if dialect == "postgresql" else "json_array"
    return f"{builder}({', '.join(SEALED)})"


def _select(dialect: str, where: str) -> str:
    """id and seal of each record matching ``where``, hashed where the data is read. SQLite hands the
    bytes to :func:`_sqlite_seal` (registered on the connection); PostgreSQL hashes them itself, except
    for data holding ciphertexts, which it returns for :func:`digest` to canonicalise."""
    if dialect != "postgresql":
        return (
            f"SELECT id, xinyong_seal(CAST({_head(dialect)} AS BLOB), CAST(data AS BLOB)), NULL, NULL "
            f"FROM credit_records WHERE {where}"
        )
    sealed = "strpos(t, 'enc:') > 0"
    return (
        f"SELECT id, CASE WHEN {sealed} THEN NULL "
        "ELSE substring(sha256(convert_to(h || '|' || t, 'UTF8')) from 1 for 16) END, "
        f"CASE WHEN {sealed} THEN h END, CASE WHEN {sealed} THEN t END "
        f"FROM (SELECT id, CAST({_head(dialect)} AS TEXT) AS h, CAST(data AS TEXT) AS t "
        # OFFSET 0 keeps the subquery whole, so each record's text is rendered once, not once per CASE
        # (and no ORDER BY: PostgreSQL would sort the rendered texts; the caller sorts the ids)
        f"FROM credit_records WHERE {where} OFFSET 0) s"
    )


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


@dataclass
class Sealed:
    """Seals in record-id order: the ids and their 16-byte digests."""

    ids: list[int] = field(default_factory=list)
    digests: list[bytes] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.ids)


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
    if ENC_PREFIX not in data:
        return data
    value = _opaque(json.loads(data))
    return "canonical:" + json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(head: str, data: str) -> bytes:
    """The seal of one record from its two texts (see the module docstring)."""
    return hashlib.sha256(f"{head}|{_data_text(data)}".encode()).digest()[:16]


def _sqlite_seal(head: bytes, data: bytes) -> bytes:
    """:func:`digest` on the bytes SQLite hands over, without decoding them unless they hold ciphertexts."""
    if ENC_PREFIX.encode() in data:
        return digest(head.decode(), data.decode())
    hasher = hashlib.sha256(head)
    hasher.update(b"|")
    hasher.update(data)
    return hasher.digest()[:16]


def rows(session: Session, where: str, params: dict[str, Any]) -> Sealed:
    """The current seals of the records matching ``where``, by id."""
    dialect = session.get_bind().dialect.name
    if dialect != "postgresql":
        driver = session.connection().connection.driver_connection
        driver.create_function("xinyong_seal", 2, _sqlite_seal, deterministic=True)  # type: ignore[union-attr]
    stmt = text(_select(dialect, where))
    if "ids" in params:
        stmt = stmt.bindparams(bindparam("ids", expanding=True))
    out = Sealed()
    for record_id, hashed, head, data in sorted(session.execute(stmt, params).all(), key=lambda r: r[0]):
        out.ids.append(record_id)
        out.digests.append(bytes(hashed) if hashed is not None else digest(head, data))
    return out


def compute(session: Session, scope: SealScope) -> Sealed:
    """The seals of the records in ``scope`` as they are now in the session's transaction."""
    session.flush()
    if isinstance(scope, RecordIds):
        return rows(session, "id IN :ids", {"ids": sorted(set(scope.ids))})
    return rows(
        session,
        "batch_id = :b AND id >= :first AND id <= :last",
        {"b": scope.batch_id, "first": scope.first_id, "last": scope.last_id},
    )


def pack_ids(ids: list[int]) -> bytes:
    packed = array("q", ids)
    if packed.itemsize != 8:  # pragma: no cover - every platform xinyong runs on has 8-byte long long
        raise RuntimeError("int64 arrays required")
    return packed.tobytes()


def set_digest(sealed: Sealed) -> str:
    """An entry's ``seal_digest``: the sha256 of its record ids (int64, little-endian) followed by their
    seals, in id order."""
    return hashlib.sha256(pack_ids(sealed.ids) + b"".join(sealed.digests)).hexdigest()


def write(session: Session, entry_id: int, sealed: Sealed, *, packed: bool) -> None:
    """Store an entry's seals: packed in block rows (bulk writes), or one row per record."""
    if not sealed:
        return
    if not packed:
        session.execute(
            insert(AuditSeal),
            [
                {"entry_id": entry_id, "record_id": r, "digest": d.hex()}
                for r, d in zip(sealed.ids, sealed.digests, strict=True)
            ],
        )
        return
    for start in range(0, len(sealed.ids), BLOCK):
        ids = sealed.ids[start : start + BLOCK]
        session.execute(
            insert(AuditSealBlock).values(
                entry_id=entry_id,
                first_id=ids[0],
                last_id=ids[-1],
                record_ids=base64.b64encode(pack_ids(ids)).decode(),
                digests=base64.b64encode(b"".join(sealed.digests[start : start + BLOCK])).decode(),
            )
        )
