"""Anchors: signed checkpoints of both chains, kept outside the database, that show what no link inside a
chain can — entries deleted from its end — and a chain rewritten up to an anchored position."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from xinyong.audit import anchors
from xinyong.audit import service as audit
from xinyong.audit.keys import current_key, derive_key
from xinyong.kit.clock import FixedClock
from xinyong.models import QueryLogEntry
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.querylog import Stated
from xinyong.security.roles import Role, scopes_of

CLERK = Principal(
    username="clerk_a", scopes=scopes_of([Role.dept_reviewer]), roles=frozenset({Role.dept_reviewer})
)


def _activity(session: Session, clock: FixedClock, n: int) -> None:
    for i in range(n):
        audit.record(session, actor="t", action="thing.changed", entity="thing", entity_id=i, clock=clock)
        querylog.guarded_read(
            session, CLERK, subject_id=None, target=f"t{i}", why=Stated("日常监管", "依据"), clock=clock
        )


def _anchor_file(session: Session, clock: FixedClock, path: Path) -> anchors.Anchor:
    anchor = audit.anchor(session, clock=clock)
    anchors.append(path, anchor)
    return anchor


def _codes(report: audit.Report) -> list[str]:
    return [p.code for p in report.problems]


def test_an_anchor_records_both_chains_and_is_signed(
    session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    _activity(session, clock, 3)
    anchor = _anchor_file(session, clock, tmp_path / "a.jsonl")
    assert (anchor.audit_count, anchor.query_count) == (3, 3)
    last = session.scalars(select(QueryLogEntry).order_by(QueryLogEntry.id.desc())).first()
    assert last is not None and (anchor.query_last_id, anchor.query_head) == (last.id, last.hash)
    assert anchor.at == "2026-03-16T10:00:00+08:00" and anchor.key_id == current_key().key_id
    assert anchors.parse(anchor.line()) == anchor
    report = audit.verify(session, anchor_paths=[tmp_path / "a.jsonl"])
    assert report.ok and report.anchors == 1
    # Under another key the same line is not a valid anchor.
    assert _codes(audit.verify(session, anchor_paths=[tmp_path / "a.jsonl"], key=derive_key("x")))[-1] == (
        "ANCHOR_INVALID"
    )


def test_the_tails_deleted_after_an_anchor_are_found(
    session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    _activity(session, clock, 4)
    _anchor_file(session, clock, tmp_path / "a.jsonl")
    session.execute(text("DELETE FROM audit_log WHERE id > 2"))
    session.execute(text("DELETE FROM query_log WHERE id > (SELECT min(id) FROM query_log)"))
    session.expire_all()
    assert audit.verify(session).ok  # nothing inside the chains shows it
    report = audit.verify(session, anchor_paths=[tmp_path / "a.jsonl"])
    assert _codes(report) == ["AUDIT_ENTRIES_DELETED", "QUERY_LOG_ENTRIES_DELETED"]
    assert "锚点记录了 4 条，现在只有 2 条" in report.problems[0].message
    assert "锚点记录了 4 条，现在只有 1 条" in report.problems[1].message
    # A restored older copy: the same shortfall is a note, not a deletion.
    older = audit.verify(session, anchor_paths=[tmp_path / "a.jsonl"], older_copy=True)
    assert older.ok and any("副本之后新增的 2 条不在其中" in n for n in older.notes)


def test_a_rewritten_anchored_entry_is_found(session: Session, clock: FixedClock, tmp_path: Path) -> None:
    _activity(session, clock, 2)
    _anchor_file(session, clock, tmp_path / "a.jsonl")
    last = session.scalar(select(QueryLogEntry.id).order_by(QueryLogEntry.id.desc()).limit(1))
    session.execute(text("UPDATE query_log SET hash = :h WHERE id = :id"), {"h": "f" * 64, "id": last})
    session.execute(text("UPDATE audit_log SET hash = :h WHERE id = 2"), {"h": "e" * 64})
    session.expire_all()
    report = audit.verify(session, anchor_paths=[tmp_path / "a.jsonl"])
    assert "AUDIT_REWRITTEN" in _codes(report) and "QUERY_LOG_REWRITTEN" in _codes(report)
    assert f"查询使用登记第 {last} 条（链上第 2 条）" in " ".join(p.message for p in report.problems)


def test_unreadable_or_edited_anchor_lines_are_problems(
    session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    _activity(session, clock, 1)
    path = tmp_path / "a.jsonl"
    anchor = _anchor_file(session, clock, path)
    edited = json.loads(anchor.line()) | {"audit_count": 0}
    with path.open("a", encoding="utf-8") as out:
        out.write("not json\n" + json.dumps(edited) + "\n")
    report = audit.verify(session, anchor_paths=[path])
    assert _codes(report) == ["ANCHOR_UNREADABLE", "ANCHOR_INVALID"]
    assert "第 2 行不是有效的锚点" in report.problems[0].message
    assert "第 3 行的签名无效" in report.problems[1].message
    missing = audit.verify(session, anchor_paths=[tmp_path / "none.jsonl"])
    assert missing.ok and missing.notes


def test_no_anchor_is_signed_over_a_broken_chain(session: Session, clock: FixedClock) -> None:
    _activity(session, clock, 2)
    session.execute(text("UPDATE audit_log SET actor = 'x' WHERE id = 1"))
    session.expire_all()
    with pytest.raises(audit.AuditBroken) as refused:
        audit.anchor(session, clock=clock)
    assert refused.value.code == "AUDIT_CHAIN_BROKEN" and "第 1 条内容已被改动" in refused.value.message
