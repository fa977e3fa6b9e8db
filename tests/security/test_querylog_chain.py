"""The query log (查询使用登记) is chained like the audit trail: every entry is linked to the previous one
by an HMAC under the chain key, so an entry edited or deleted in the database is found by audit verify."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.audit.chain import GENESIS
from xinyong.audit.keys import current_key
from xinyong.models import QueryLogEntry
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.querylog import Stated
from xinyong.security.roles import Role, scopes_of

from secworld import World, world  # noqa: F401

CLERK = Principal(
    username="clerk_a", scopes=scopes_of([Role.dept_reviewer]), roles=frozenset({Role.dept_reviewer})
)
BASIS = "《江苏省社会信用条例》第三十条"


def _reads(session: Session, world: World, n: int) -> list[int]:
    assert world.company is not None
    for _ in range(n):
        querylog.guarded_read(
            session,
            CLERK,
            subject_id=world.company.id,
            target="subject_file",
            why=Stated("日常监管", BASIS),
            clock=world.clock,
        )
    return list(session.scalars(select(QueryLogEntry.id).order_by(QueryLogEntry.id)))


def _codes(report: audit.Report) -> list[str]:
    return [p.code for p in report.problems]


def test_each_entry_is_linked_to_the_previous_by_a_keyed_hash(world: World, session: Session) -> None:
    _reads(session, world, 3)
    entries = session.scalars(select(QueryLogEntry).order_by(QueryLogEntry.id)).all()
    assert entries[0].prev_hash == GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert {e.key_id for e in entries} == {current_key().key_id}
    report = audit.verify(session)
    assert report.ok and report.query_entries == 3


def test_an_entry_edited_in_sql_is_found(world: World, session: Session) -> None:
    """Someone turns a refused, unjustified read into an allowed one with a purpose."""
    ids = _reads(session, world, 3)
    session.execute(
        text("UPDATE query_log SET purpose = :p, legal_basis = :b WHERE id = :id"),
        {"p": "行政审批", "b": "《行政许可法》", "id": ids[1]},
    )
    session.expire_all()
    report = audit.verify(session)
    assert _codes(report) == ["QUERY_LOG_ALTERED"] and report.problems[0].entry_id == ids[1]
    assert f"查询使用登记第 {ids[1]} 条（clerk_a 于" in (report.reason or "")
    assert "内容已被改动（密钥签名不符）" in (report.reason or "")


def test_an_entry_deleted_in_the_middle_is_found(world: World, session: Session) -> None:
    ids = _reads(session, world, 3)
    session.execute(text("DELETE FROM query_log WHERE id = :id"), {"id": ids[1]})
    session.expire_all()
    report = audit.verify(session)
    assert _codes(report) == ["QUERY_LOG_LINK_BROKEN"]
    assert f"查询使用登记第 {ids[2]} 条" in (report.reason or "") and "前面的登记被删除或改写" in (
        report.reason or ""
    )


def test_an_entry_rehashed_without_the_key_is_found(world: World, session: Session) -> None:
    """Recomputing the hash the way anyone could (sha256 of the row) does not make an HMAC."""
    ids = _reads(session, world, 2)
    session.execute(
        text("UPDATE query_log SET username = 'nobody', hash = :h WHERE id = :id"),
        {"h": "0" * 63 + "1", "id": ids[1]},
    )
    session.expire_all()
    report = audit.verify(session)
    assert _codes(report) == ["QUERY_LOG_ALTERED"]
