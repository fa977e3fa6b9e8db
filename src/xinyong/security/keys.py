"""The installation's keys (``xinyong init``) and key rotation for personal data at rest
(``xinyong keys rotate``).

``provision_keys`` gives an installation keys of its own: the ones not configured in the environment are
generated into the key file (``config.add_to_keys_file``, mode 0600) — the data and index keys only while
the database holds no personal data. A database that already holds personal data keeps the keys it was
written with (the published development keys of earlier versions are kept, with a warning, after
checking that they open it); a key the database cannot have been written with is refused, never
silently replaced. ``check_keys_fit`` proves on one stored person that the data key decrypts and the
index key finds: ``init`` and ``serve`` run it.

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
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Table, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong import schema
from xinyong.audit import service as audit
from xinyong.config import (
    KEY_ENV,
    LEGACY_DATA_KEY,
    LEGACY_SECRET_KEY,
    Settings,
    add_to_keys_file,
    cipher_from_settings,
    new_key,
)
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import ENC_PREFIX, CryptoError, PersonalDataCipher, must_seal, seal
from xinyong.kit.errors import DomainError
from xinyong.models import Base, IdScheme, Subject, SubjectIdentifier

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
    # The four lists, list entries and checks: texts, codes and masked identifiers, never an ID in clear.
    "list_scopes.spec",
    "list_measures.spec",
    "list_entries.leniency",
    "list_entries.notice",
    "list_entries.decision",
    "list_entry_events.data",
    "screenings.request",
    "screenings.result",
    "screenings.data_version",
    "screening_batches.summary",
    "screening_batches.data_version",
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


# --- the installation's keys ------------------------------------------------------------------------


class KeysDoNotFit(DomainError):
    code = "CONFIG_KEYS_MISMATCH"
    status = 500


@dataclass(frozen=True)
class KeysProvisioned:
    """What ``provision_keys`` did: the key file, the keys it generated into it, and the published
    development keys it kept because the database's personal data is written under them."""

    path: Path
    generated: tuple[str, ...] = ()
    kept_published: tuple[str, ...] = ()


def provision_keys(settings: Settings, engine: Engine) -> tuple[Settings, KeysProvisioned]:
    """Give the installation the keys it lacks (neither configured nor in the key file), before the
    schema is created or upgraded. The settings with those keys, and what was done.

    The session secret is always generated (a new one only logs people out). The data and index keys are
    generated while the database holds no subject; once it does, the data was written under the keys
    in use so far (the published development keys, for a database of an earlier version): those are
    kept — after proving they open it — and written down, so nothing stored becomes unreadable."""
    missing = settings.missing_keys()
    if not missing:
        return settings, KeysProvisioned(settings.keys_file)
    plan: dict[str, str] = {}
    kept: list[str] = []
    holds_data = _holds_subjects(engine)
    for name in missing:
        if name == "secret_key" or not holds_data:
            plan[name] = new_key(name)
            continue
        current = settings.effective_data_key if name == "data_key" else settings.effective_index_key
        if current in (LEGACY_DATA_KEY, LEGACY_SECRET_KEY):
            plan[name] = current
            kept.append(name)
        # else: the index key derives from the configured secret key, as it always did: left so.
    provided = settings.model_copy(update=plan)
    if holds_data:
        with Session(engine) as session:
            check_keys_fit(session, cipher_from_settings(provided))
    add_to_keys_file(settings.keys_file, plan)
    generated = tuple(n for n in plan if n not in kept)
    return provided, KeysProvisioned(settings.keys_file, generated, tuple(kept))


def _holds_subjects(engine: Engine) -> bool:
    if schema.current_revision(engine) is None:
        return False
    with Session(engine) as session:
        return session.scalar(select(Subject.id).limit(1)) is not None


def check_keys_fit(session: Session, cipher: PersonalDataCipher) -> None:
    """Refuse (``CONFIG_KEYS_MISMATCH``) keys under which the database's personal data was not written:
    one stored person's citizen ID must decrypt with the data keys, and its keyed hash must be the one
    stored. A database without persons passes."""
    row = session.execute(
        select(Subject.id, Subject.ric_encrypted).where(Subject.ric_encrypted.is_not(None)).limit(1)
    ).first()
    blob = row[1] if row is not None else None
    if row is None or blob is None:
        return
    subject_id = row[0]
    try:
        ric = cipher.decrypt(blob)
    except CryptoError:
        raise KeysDoNotFit(
            f"数据密钥与数据库中已加密的个人信息不符：请设置写入这些数据时使用的 {KEY_ENV['data_key']}"
            f"（或检查数据目录中的密钥文件）",
        ) from None
    stored = session.scalar(
        select(SubjectIdentifier.value).where(
            SubjectIdentifier.subject_id == subject_id, SubjectIdentifier.scheme == IdScheme.ric_hash
        )
    )
    if stored is not None and stored != cipher.index(ric):
        raise KeysDoNotFit(
            f"个人信息检索密钥与数据库不符，按身份证号码将找不到已登记的个人：请设置原来使用的 "
            f"{KEY_ENV['index_key']}（早期版本由 {KEY_ENV['secret_key']} 派生）",
        )
