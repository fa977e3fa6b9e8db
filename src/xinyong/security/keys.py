"""Key rotation for personal data at rest (``xinyong keys rotate``).

Set the new key as ``XINYONG_DATA_KEY`` and list the old one in ``XINYONG_DATA_KEYS_OLD``; rotation then
re-encrypts every value still sealed under an old key, in batches, in one transaction per batch. Values
are decrypted and sealed again, never dropped: a value no key opens stops the rotation with an error.

Encrypted values live in two shapes: binary columns (``BINARY_COLUMNS``) and ``enc:<base64>`` strings
inside JSON data (``JSON_COLUMNS``). A module that stores personal data adds its columns here.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import service as audit
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import ENC_PREFIX, PersonalDataCipher, must_seal, seal
from xinyong.models import Base

#: Binary columns holding ciphertexts, as "table.column".
BINARY_COLUMNS: tuple[str, ...] = ("subjects.ric_encrypted", "subjects.phone_encrypted")
#: JSON columns that may hold ``enc:`` values.
JSON_COLUMNS: tuple[str, ...] = (
    "credit_records.data",
    "credit_record_versions.data",
    "ingest_rejected_rows.raw",
)
#: JSON columns that hold no personal data (tests/security/test_keys.py checks every column is listed).
NOT_PERSONAL_JSON: tuple[str, ...] = (
    "audit_log.detail",
    "catalog_items.spec",
    "users.roles",
    "ingest_batches.ignored_columns",
    "api_tokens.scopes",
)


def _column(name: str) -> tuple[Table, Column[Any]]:
    table_name, column_name = name.split(".")
    table = Base.metadata.tables[table_name]
    return table, table.c[column_name]


@dataclass
class RotationReport:
    #: Values re-encrypted, per "table.column".
    rotated: dict[str, int] = field(default_factory=dict)
    #: Values already under the current key, per "table.column".
    current: dict[str, int] = field(default_factory=dict)

    @property
    def total_rotated(self) -> int:
        return sum(self.rotated.values())


def _reseal_json(value: Any, cipher: PersonalDataCipher, key: str | None = None) -> tuple[Any, int, int]:
    """``value`` with every ``enc:`` string under an old key re-encrypted; (new, rotated, current).

    Data stored before the one sealing rule (``kit.crypto.must_seal``) may hold personal text in clear,
    or a clear string that merely begins with ``enc:`` (``"enc:未按规定"``): such strings are sealed now
    (and counted as rotated) instead of stopping the rotation. A well-formed ciphertext that no key opens
    still stops it (``CRYPTO_ERROR``): nothing is ever dropped."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        rotated = current = 0
        for k, v in value.items():
            out[k], r, c = _reseal_json(v, cipher, k)
            rotated, current = rotated + r, current + c
        return out, rotated, current
    if isinstance(value, list):
        items = [_reseal_json(v, cipher, key) for v in value]
        return [i[0] for i in items], sum(i[1] for i in items), sum(i[2] for i in items)
    if isinstance(value, str) and value.startswith(ENC_PREFIX):
        blob = _ciphertext(value)
        if blob is None:  # clear text that happens to begin with "enc:"
            return seal(cipher, value), 1, 0
        if not cipher.needs_rotation(blob):
            return value, 0, 1
        fresh = cipher.encrypt(cipher.decrypt(blob))
        return ENC_PREFIX + base64.b64encode(fresh).decode(), 1, 0
    if isinstance(value, str) and key != "subject_id" and must_seal(value):
        return seal(cipher, value), 1, 0
    return value, 0, 0


_MIN_CIPHERTEXT = 4 + 12 + 16  # key id, nonce, GCM tag


def _ciphertext(value: str) -> bytes | None:
    """The blob of an ``enc:`` value, or None when it cannot be one (not base64, too short)."""
    try:
        blob = base64.b64decode(value[len(ENC_PREFIX) :], validate=True)
    except ValueError:
        return None
    return blob if len(blob) >= _MIN_CIPHERTEXT else None


def rotate(
    sessions: sessionmaker[Session],
    cipher: PersonalDataCipher,
    *,
    actor: str,
    clock: Clock,
    batch: int = 500,
    progress: Callable[[str, int], None] | None = None,
) -> RotationReport:
    """Re-encrypt every personal value under an old key with the current key. Safe to run again: what is
    already under the current key is left alone, so an interrupted rotation simply continues."""
    report = RotationReport()
    for name in BINARY_COLUMNS:
        _rotate_column(sessions, cipher, name, report, batch, progress, binary=True)
    for name in JSON_COLUMNS:
        _rotate_column(sessions, cipher, name, report, batch, progress, binary=False)
    with sessions() as session, session.begin():
        audit.record(
            session,
            actor=actor,
            action="keys.rotated",
            entity="data_key",
            entity_id=cipher.current_key_id.hex(),
            after={"rotated": report.rotated, "current": report.current},
            clock=clock,
        )
    return report


def _rotate_column(
    sessions: sessionmaker[Session],
    cipher: PersonalDataCipher,
    name: str,
    report: RotationReport,
    batch: int,
    progress: Callable[[str, int], None] | None,
    *,
    binary: bool,
) -> None:
    table, column = _column(name)
    pk = table.c.id
    label = name
    report.rotated.setdefault(label, 0)
    report.current.setdefault(label, 0)
    last_id = 0
    while True:
        with sessions() as session, session.begin():
            # Locked for the batch (PostgreSQL FOR UPDATE; SQLite's single writer with WAL snapshots
            # refuses a write over a concurrent one), so a concurrent change is never overwritten.
            rows = session.execute(
                select(pk, column)
                .where(pk > last_id, column.is_not(None))
                .order_by(pk)
                .limit(batch)
                .with_for_update()
            ).all()
            if not rows:
                return
            for row_id, value in rows:
                if binary:
                    if cipher.needs_rotation(value):
                        fresh = cipher.encrypt(cipher.decrypt(value))
                        session.execute(table.update().where(pk == row_id).values({column.key: fresh}))
                        report.rotated[label] += 1
                    else:
                        report.current[label] += 1
                else:
                    new, rotated, current = _reseal_json(value, cipher)
                    if rotated:
                        session.execute(table.update().where(pk == row_id).values({column.key: new}))
                    report.rotated[label] += rotated
                    report.current[label] += current
            last_id = rows[-1][0]
        if progress:
            progress(label, report.rotated[label])
