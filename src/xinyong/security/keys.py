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

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from xinyong.kit import audit
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import CreditRecord, CreditRecordVersion, Subject

ENC_PREFIX = "enc:"

BINARY_COLUMNS: list[InstrumentedAttribute[Any]] = [Subject.ric_encrypted, Subject.phone_encrypted]
JSON_COLUMNS: list[InstrumentedAttribute[Any]] = [CreditRecord.data, CreditRecordVersion.data]


@dataclass
class RotationReport:
    #: Values re-encrypted, per "table.column".
    rotated: dict[str, int] = field(default_factory=dict)
    #: Values already under the current key, per "table.column".
    current: dict[str, int] = field(default_factory=dict)

    @property
    def total_rotated(self) -> int:
        return sum(self.rotated.values())


def _reseal_json(value: Any, cipher: PersonalDataCipher) -> tuple[Any, int, int]:
    """``value`` with every ``enc:`` string under an old key re-encrypted; (new, rotated, current)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        rotated = current = 0
        for k, v in value.items():
            out[k], r, c = _reseal_json(v, cipher)
            rotated, current = rotated + r, current + c
        return out, rotated, current
    if isinstance(value, list):
        items = [_reseal_json(v, cipher) for v in value]
        return [i[0] for i in items], sum(i[1] for i in items), sum(i[2] for i in items)
    if isinstance(value, str) and value.startswith(ENC_PREFIX):
        blob = base64.b64decode(value[len(ENC_PREFIX) :])
        if not cipher.needs_rotation(blob):
            return value, 0, 1
        fresh = cipher.encrypt(cipher.decrypt(blob))
        return ENC_PREFIX + base64.b64encode(fresh).decode(), 1, 0
    return value, 0, 0


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
    for column in BINARY_COLUMNS:
        _rotate_column(sessions, cipher, column, report, batch, progress, binary=True)
    for column in JSON_COLUMNS:
        _rotate_column(sessions, cipher, column, report, batch, progress, binary=False)
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
    column: InstrumentedAttribute[Any],
    report: RotationReport,
    batch: int,
    progress: Callable[[str, int], None] | None,
    *,
    binary: bool,
) -> None:
    model = column.class_
    pk = model.id
    label = f"{model.__tablename__}.{column.key}"
    report.rotated.setdefault(label, 0)
    report.current.setdefault(label, 0)
    last_id = 0
    while True:
        with sessions() as session, session.begin():
            rows = session.execute(
                select(pk, column).where(pk > last_id, column.is_not(None)).order_by(pk).limit(batch)
            ).all()
            if not rows:
                return
            for row_id, value in rows:
                if binary:
                    if cipher.needs_rotation(value):
                        fresh = cipher.encrypt(cipher.decrypt(value))
                        session.execute(
                            model.__table__.update().where(pk == row_id).values({column.key: fresh})
                        )
                        report.rotated[label] += 1
                    else:
                        report.current[label] += 1
                else:
                    new, rotated, current = _reseal_json(value, cipher)
                    if rotated:
                        session.execute(
                            model.__table__.update().where(pk == row_id).values({column.key: new})
                        )
                    report.rotated[label] += rotated
                    report.current[label] += current
            last_id = rows[-1][0]
        if progress:
            progress(label, report.rotated[label])
