"""Migration 0005 on an installation that already has a trail: the unkeyed chain is checked, then keyed,
the existing records sealed and the query log chained — and tampering from before the upgrade is not
laundered by it. (Down to 0004 first: that is the trail as the old code wrote it.)"""

from __future__ import annotations

import contextlib

from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from xinyong import schema
from xinyong.audit import service as audit
from xinyong.audit.chain import GENESIS, KEYED_ACTION, legacy_hash
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError
from xinyong.models import AuditEntry
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.querylog import Stated
from xinyong.security.roles import Role, scopes_of

from conftest import Database
from secworld import TODAY, build_world

CLERK = Principal(
    username="clerk_a", scopes=scopes_of([Role.dept_reviewer]), roles=frozenset({Role.dept_reviewer})
)


def _installation(db: Database, cipher: PersonalDataCipher) -> None:
    with Session(db.engine) as session:
        world = build_world(session, FixedClock(TODAY), cipher)
        assert world.company is not None
        for purpose in ("日常监管", "好奇"):
            with contextlib.suppress(DomainError):  # the second is refused, and logged
                querylog.guarded_read(
                    session,
                    CLERK,
                    subject_id=world.company.id,
                    target="subject_file",
                    why=Stated(purpose, "《江苏省社会信用条例》第三十条"),
                    clock=world.clock,
                )
        session.commit()


def _migrate(db: Database, revision: str) -> None:
    cfg = schema.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        if revision == "head":
            command.upgrade(cfg, revision)
        else:
            command.downgrade(cfg, revision)


def _legacy_chain_ok(db: Database) -> bool:
    with Session(db.engine) as session:
        columns = [c for c in AuditEntry.__table__.c if c.key not in ("key_id", "seal_digest")]
        rows = session.execute(select(*columns).order_by(AuditEntry.id)).all()
        prev = GENESIS
        for row in rows:
            entry = AuditEntry(**row._asdict())
            if entry.prev_hash != prev or legacy_hash(entry) != entry.hash:
                return False
            prev = entry.hash
        return bool(rows)


def test_an_existing_trail_is_keyed_its_records_sealed_its_query_log_chained(
    fresh_database: Database, cipher: PersonalDataCipher
) -> None:
    _installation(fresh_database, cipher)
    _migrate(fresh_database, "0004")
    assert _legacy_chain_ok(fresh_database)  # the downgrade left the trail as the old code wrote it
    _migrate(fresh_database, "head")
    with Session(fresh_database.engine) as session:
        report = audit.verify(session)
        assert report.ok, report.problems
        assert report.records == 4 and report.query_entries == 2
        marker = session.scalars(select(AuditEntry).where(AuditEntry.action == KEYED_ACTION)).one()
        assert marker.detail["unkeyed_chain_ok"] is True and marker.detail["sealed_records"] == 4
        assert marker.detail["query_log_entries"] == 2 and marker.seal_digest
        assert marker.id == report.audit_entries  # the last entry, after the whole re-keyed trail


def test_tampering_before_the_upgrade_is_still_reported_after_it(
    fresh_database: Database, cipher: PersonalDataCipher
) -> None:
    _installation(fresh_database, cipher)
    _migrate(fresh_database, "0004")
    with fresh_database.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE id = 3"))
    _migrate(fresh_database, "head")
    with Session(fresh_database.engine) as session:
        report = audit.verify(session)
    assert [p.code for p in report.problems] == ["AUDIT_LEGACY_BROKEN"]
    assert report.reason == "启用密钥（迁移 0005）之前的审计日志已被篡改：第 3 条内容已被改动"
