"""Personal data at rest: encrypted, found by keyed hash, re-encrypted by key rotation without loss."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import JSON, LargeBinary, select, update
from sqlalchemy.orm import Session, sessionmaker

from xinyong.app import create_app
from xinyong.config import Settings, cipher_from_settings
from xinyong.files.service import masked_data
from xinyong.ingest.corrections import correct_record
from xinyong.ingest.service import submit_records
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher, decode_key
from xinyong.kit.errors import DomainError
from xinyong.models import Base, CatalogItemRow, CreditRecord, CreditRecordVersion, RejectedRow, Subject
from xinyong.security import keys
from xinyong.security.keys import rotate
from xinyong.subjects.service import resolve

from conftest import TEST_KEY, TEST_SECRET, Database
from secworld import PERSON_RIC, World, unmasked_rics, world  # noqa: F401

NEW_KEY = bytes(range(100, 132))


QUOTED = "当事人王某明（身份证号码ID３２０９０２１９８５０３１２９９１８，手机+86 138-1234-5678）"


def _penalty_row(world: World, key: str, **extra: str) -> dict[str, str]:
    assert world.company is not None and world.company.uscc is not None
    row = {
        "subject_name": world.company.name,
        "subject_id": world.company.uscc,
        "source_record_id": key,
        "decision_no": f"亭市监罚〔2026〕{key}号",
        "decision_date": "2026-03-10",
        "penalty_kind": "罚款(较大数额)",
        "violation": "enc:未按规定公示年度报告",
        "violation_facts": "经查，" + QUOTED,
        "legal_basis_text": "《企业信息公示暂行条例》第十八条",
        "penalty_content": "罚款人民币伍万元，联系电话 138 1234 5678",
        "fine_amount": "50000",
        "authority_name": "亭湖区市场监督管理局",
        "authority_id": world.company.uscc,
    }
    row.update(extra)
    return row


def _clear_personal_data(session: Session) -> list[tuple[str, int, list[str]]]:
    """(column, row id, hits) for every JSON data column key rotation covers, every row: anything that
    looks like a citizen ID or a mobile number (the independent detector of secworld), in clear."""
    found = []
    for name in keys.JSON_COLUMNS:
        table_name, column_name = name.split(".")
        table = Base.metadata.tables[table_name]
        for row_id, value in session.execute(select(table.c.id, table.c[column_name])):
            hits = unmasked_rics(json.dumps(value, ensure_ascii=False))
            if hits:
                found.append((name, row_id, hits))
    return found


def test_citizen_ids_and_phones_are_never_stored_in_clear(
    world: World, session: Session, cipher: PersonalDataCipher
) -> None:
    person = world.person
    assert person is not None and person.ric_encrypted and person.phone_encrypted
    assert PERSON_RIC.encode() not in person.ric_encrypted and b"13812345678" not in person.phone_encrypted
    # Stored one by one (the world, and a correction, which keeps a version) and in bulk (the JSON API).
    record = world.records["a_private"]
    correct_record(
        session,
        record.id,
        data={
            **_penalty_row(world, record.source_record_id),
            "penalty_kind": "警告",
            "decision_date": record.data["decision_date"],
        },
        reason="补充违法事实",
        actor="test",
        clock=world.clock,
        cipher=cipher,
        dept_id=world.depts["a"].id,
    )
    outcome = submit_records(
        session,
        [
            _penalty_row(world, "BULK-1"),
            _penalty_row(world, "BULK-2", legal_representative="王某明13812345678"),
        ],
        item_code="CF-001",
        dept_code=world.depts["a"].code,
        actor="test",
        clock=world.clock,
        cipher=cipher,
    )
    session.commit()
    assert outcome.accepted == 2
    assert _clear_personal_data(session) == []
    # Every enc: value is a ciphertext, and each reader decrypts it only to mask it.
    stored = session.scalars(select(CreditRecord).where(CreditRecord.source_record_id == "BULK-1")).one()
    assert stored.data["violation_facts"].startswith("enc:") and stored.data["violation"].startswith("enc:")
    item = session.get(CatalogItemRow, stored.catalog_item_id)
    assert item is not None
    shown = masked_data(item, stored.data, cipher)
    assert shown["violation"] == "enc:未按规定公示年度报告"
    assert (
        shown["violation_facts"] == "经查，当事人王某明（身份证号码ID3209**********9918，手机+86138****5678）"
    )
    assert shown["penalty_content"] == "罚款人民币伍万元，联系电话 138****5678"
    assert stored.data["legal_basis_text"] == "《企业信息公示暂行条例》第十八条"  # the rest stays searchable


def test_rejected_rows_keep_no_personal_data_in_clear(
    world: World, session: Session, cipher: PersonalDataCipher
) -> None:
    outcome = submit_records(
        session,
        [_penalty_row(world, "BAD-1", penalty_kind="不存在的处罚类别")],
        item_code="CF-001",
        dept_code=world.depts["a"].code,
        actor="test",
        clock=world.clock,
        cipher=cipher,
    )
    session.commit()
    assert outcome.rejected == 1 and session.scalars(select(RejectedRow)).all()
    assert _clear_personal_data(session) == []


def test_rotation_keeps_every_value_readable(
    world: World, session: Session, sessions: sessionmaker[Session], cipher: PersonalDataCipher
) -> None:
    assert world.person is not None
    # An encrypted value inside record data and its history (e.g. an agent's ID in a record).
    # Also data stored before the one sealing rule: a clear text that begins with "enc:" (it used to
    # crash rotation) and a mobile number quoted in clear. Rotation seals both instead of stopping.
    sealed = "enc:" + base64.b64encode(cipher.encrypt("320902199001011237")).decode()
    record = world.records["a_private"]
    # A correction gives the record a history: its version 1 and the corrected version 2.
    correct_record(
        session,
        record.id,
        data={**record.data, "violation_facts": "经查，当事人逾期公示年度报告"},
        reason="补充违法事实",
        actor="test",
        clock=world.clock,
        cipher=cipher,
        dept_id=world.depts["a"].id,
    )
    legacy = {
        **record.data,
        "agent_ric": sealed,
        "violation": "enc:未按规定",
        "penalty_content": "电话13812345678",
    }
    session.execute(update(CreditRecord).where(CreditRecord.id == record.id).values(data=legacy))
    session.execute(
        update(CreditRecordVersion).where(CreditRecordVersion.record_id == record.id).values(data=legacy)
    )
    session.commit()

    rotating = PersonalDataCipher(NEW_KEY, [TEST_KEY], index_secret=TEST_SECRET)
    report = rotate(sessions, rotating, actor="test", clock=world.clock, batch=2)
    assert report.rotated == {
        "subjects.ric_encrypted": 1,
        "subjects.phone_encrypted": 1,
        # a_public's quoted ID and phone (sealed at intake), a_private's agent ID and its two legacy values
        "credit_records.data": 4,
        # a_private's two versions, three values each (a record's first version is copied here only
        # when it first changes)
        "credit_record_versions.data": 6,
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
    shown = masked_data(item, stored.data, new_only)
    assert shown["agent_ric"] == "3209**********1237"
    assert shown["violation"] == "enc:未按规定" and stored.data["violation"] != "enc:未按规定"
    assert shown["penalty_content"] == "电话138****5678" and "13812345678" not in str(stored.data)
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


def test_every_cipher_refuses_default_keys_in_production() -> None:
    """Not only the app: ingest, users and key rotation build their cipher through the same function."""
    good = base64.b64encode(NEW_KEY).decode()
    secret = "a-real-secret-from-the-vault"
    cases = [
        (Settings(environment="production"), "CONFIG_DEFAULT_KEY"),
        (Settings(environment="production", data_key=good), "CONFIG_DEFAULT_KEY"),
        (Settings(environment="production", secret_key=secret, index_key="x"), "CONFIG_DEFAULT_KEY"),
        (Settings(environment="production", data_key=good, secret_key=secret), "CONFIG_INDEX_KEY_REQUIRED"),
        (
            Settings(environment="production", data_key=good, secret_key=secret, index_key=secret),
            "CONFIG_INDEX_KEY_REQUIRED",
        ),
    ]
    for settings, code in cases:
        with pytest.raises(DomainError) as caught:
            cipher_from_settings(settings)
        assert caught.value.code == code
    cipher_from_settings(Settings(environment="production", data_key=good, secret_key=secret, index_key="b"))
    cipher_from_settings(Settings())  # development: the default keys are fine


def test_commands_refuse_default_keys_in_production(fresh_database: Database) -> None:
    rotated = _cli(fresh_database, "keys", "rotate", XINYONG_ENVIRONMENT="production")
    assert rotated.returncode != 0
    assert (
        "CONFIG_DEFAULT_KEY" in rotated.stdout + rotated.stderr
        or "默认密钥" in rotated.stdout + rotated.stderr
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
