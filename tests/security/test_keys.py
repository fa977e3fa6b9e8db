"""Personal data at rest: encrypted, found by keyed hash, re-encrypted by key rotation without loss."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from xinyong.app import create_app
from xinyong.config import Settings
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher, decode_key
from xinyong.kit.errors import DomainError
from xinyong.models import CatalogItemRow, CreditRecord, CreditRecordVersion, Subject
from xinyong.security.keys import rotate
from xinyong.subjects.files import masked_data
from xinyong.subjects.service import resolve

from conftest import TEST_KEY, TEST_SECRET, Database
from secworld import PERSON_RIC, World, world  # noqa: F401

NEW_KEY = bytes(range(100, 132))


def test_citizen_ids_and_phones_are_never_stored_in_clear(world: World, session: Session) -> None:
    person = world.person
    assert person is not None and person.ric_encrypted and person.phone_encrypted
    assert PERSON_RIC.encode() not in person.ric_encrypted and b"13812345678" not in person.phone_encrypted
    qual = world.records["person_qual"]
    assert PERSON_RIC not in str(qual.data)


def test_rotation_keeps_every_value_readable(
    world: World, session: Session, sessions: sessionmaker[Session], cipher: PersonalDataCipher
) -> None:
    assert world.person is not None
    # An encrypted value inside record data and its history (e.g. an agent's ID in a record).
    sealed = "enc:" + base64.b64encode(cipher.encrypt("320902199001011237")).decode()
    record = world.records["a_private"]
    session.execute(
        update(CreditRecord)
        .where(CreditRecord.id == record.id)
        .values(data={**record.data, "agent_ric": sealed})
    )
    session.execute(
        update(CreditRecordVersion)
        .where(CreditRecordVersion.record_id == record.id)
        .values(data={**record.data, "agent_ric": sealed})
    )
    session.commit()

    rotating = PersonalDataCipher(NEW_KEY, [TEST_KEY], index_secret=TEST_SECRET)
    report = rotate(sessions, rotating, actor="test", clock=world.clock, batch=2)
    assert report.rotated == {
        "subjects.ric_encrypted": 1,
        "subjects.phone_encrypted": 1,
        "credit_records.data": 1,
        "credit_record_versions.data": 1,
        "ingest_rejected_rows.raw": 0,
    }
    # The old key is gone: only the new one opens everything.
    new_only = PersonalDataCipher(NEW_KEY, index_secret=TEST_SECRET)
    session.expire_all()
    person = session.get(Subject, world.person.id)
    assert person is not None and person.ric_encrypted and person.phone_encrypted
    assert new_only.decrypt(person.ric_encrypted) == PERSON_RIC
    assert new_only.decrypt(person.phone_encrypted) == "13812345678"
    stored = session.get(CreditRecord, record.id)
    assert stored is not None
    assert new_only.decrypt(base64.b64decode(stored.data["agent_ric"][4:])) == "320902199001011237"
    item = session.get(CatalogItemRow, stored.catalog_item_id)
    assert item is not None
    assert masked_data(item, stored.data, new_only)["agent_ric"] == "3209**********1237"
    # Look-ups by keyed hash do not depend on the data key.
    assert resolve(session, PERSON_RIC, cipher=new_only).subject.id == world.person.id
    # Running it again changes nothing.
    again = rotate(sessions, rotating, actor="test", clock=world.clock)
    assert again.total_rotated == 0 and again.current["subjects.ric_encrypted"] == 1


def test_rotation_refuses_a_value_no_key_opens(world: World, sessions: sessionmaker[Session]) -> None:
    stranger = PersonalDataCipher(NEW_KEY, index_secret=TEST_SECRET)  # does not know the old key
    with pytest.raises(DomainError) as caught:
        rotate(sessions, stranger, actor="test", clock=FixedClock(world.clock.now()))
    assert caught.value.code == "CRYPTO_ERROR"


def test_production_refuses_the_default_key() -> None:
    with pytest.raises(DomainError) as caught:
        create_app(Settings(environment="production"))
    assert caught.value.code == "CONFIG_DEFAULT_KEY"
    good = base64.b64encode(NEW_KEY).decode()
    with pytest.raises(DomainError):
        create_app(Settings(environment="production", data_key=good))  # secret key still the default
    secret = "a-real-secret-from-the-vault"
    with pytest.raises(DomainError) as caught:
        create_app(Settings(environment="production", data_key=good, secret_key=secret))
    assert caught.value.code == "CONFIG_INDEX_KEY_REQUIRED"
    create_app(
        Settings(environment="production", data_key=good, secret_key=secret, index_key="another-secret")
    )


def _cli(db: Database, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    return subprocess.run(
        [sys.executable, "-m", "xinyong", *args],
        capture_output=True,
        text=True,
        env={**base, "XINYONG_DATABASE_URL": db.url, **env},
        timeout=300,
    )


def test_keys_rotate_command(fresh_database: Database) -> None:
    old = base64.b64encode(bytes(range(32))).decode()
    new = base64.b64encode(NEW_KEY).decode()
    loaded = _cli(fresh_database, "demo", "--subjects", "40", XINYONG_DATA_KEY=old)
    assert loaded.returncode == 0, loaded.stderr
    rotated = _cli(fresh_database, "keys", "rotate", XINYONG_DATA_KEY=new, XINYONG_DATA_KEYS_OLD=f'["{old}"]')
    assert rotated.returncode == 0, rotated.stderr
    assert "密钥轮换完成" in rotated.stdout
    new_only = PersonalDataCipher(decode_key(new), index_secret=Settings().effective_index_key)
    with Session(fresh_database.engine) as session:
        persons = session.scalars(select(Subject).where(Subject.ric_encrypted.is_not(None))).all()
        assert persons
        for person in persons:
            assert person.ric_encrypted is not None and len(new_only.decrypt(person.ric_encrypted)) == 18
    # Without the old key listed, rotation of already-rotated data is a no-op and still succeeds.
    again = _cli(fresh_database, "keys", "rotate", XINYONG_DATA_KEY=new)
    assert again.returncode == 0 and "共重新加密 0 个值" in again.stdout


def test_every_encrypted_or_json_column_is_accounted_for() -> None:
    """A new table with ciphertexts or JSON data must say whether key rotation covers it."""
    from sqlalchemy import JSON, LargeBinary

    from xinyong.models import Base
    from xinyong.security import keys

    binary, json_columns = set(), set()
    for table in Base.metadata.tables.values():
        for column in table.columns:
            kind = column.type
            if isinstance(kind, LargeBinary):
                binary.add(f"{table.name}.{column.name}")
            elif isinstance(kind, JSON):
                json_columns.add(f"{table.name}.{column.name}")
    assert binary == set(keys.BINARY_COLUMNS)
    assert json_columns == set(keys.JSON_COLUMNS) | set(keys.NOT_PERSONAL_JSON)
    assert not set(keys.JSON_COLUMNS) & set(keys.NOT_PERSONAL_JSON)
