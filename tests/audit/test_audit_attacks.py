"""Issue 10 item 6, attack by attack, as an insider with a SQL console would do it and as the operator
finds it: the installed ``xinyong audit verify`` in a subprocess, exit status 1 and a Chinese message
naming what is wrong. Each of these passed ``audit verify`` before the chain was keyed, sealed and
anchored."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.records.history import revoke_record
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.querylog import Stated
from xinyong.security.roles import Role, scopes_of

from conftest import Database
from secworld import TODAY, World, build_world

CLERK = Principal(
    username="clerk_a", scopes=scopes_of([Role.dept_reviewer]), roles=frozenset({Role.dept_reviewer})
)


@dataclass
class Site:
    """A committed installation: the world, three query-log entries, a revocation, one anchor."""

    db: Database
    data_dir: Path
    world: World

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
        env["XINYONG_DATABASE_URL"] = self.db.url
        env["XINYONG_DATA_DIR"] = str(self.data_dir)
        return subprocess.run(
            [sys.executable, "-m", "xinyong", *args], capture_output=True, text=True, env=env, timeout=180
        )

    def sql(self, statement: str, **params: object) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(text(statement), params)

    def scalar(self, statement: str, **params: object) -> int:
        with self.db.engine.connect() as conn:
            return int(conn.execute(text(statement), params).scalar_one())


@pytest.fixture
def site(fresh_database: Database, tmp_path: Path, cipher: PersonalDataCipher) -> Iterator[Site]:
    with Session(fresh_database.engine, expire_on_commit=False) as session:
        world = build_world(session, FixedClock(TODAY), cipher)
        assert world.company is not None
        for _ in range(3):
            querylog.guarded_read(
                session,
                CLERK,
                subject_id=world.company.id,
                target="subject_file",
                why=Stated("日常监管", "《江苏省社会信用条例》第三十条"),
                clock=world.clock,
            )
        revoke_record(
            session, world.records["b_private"].id, reason="行政复议撤销", actor="t", clock=world.clock
        )
        session.commit()
    found = Site(fresh_database, tmp_path / "data", world)
    anchored = found.cli("audit", "anchor")
    assert anchored.returncode == 0, anchored.stderr
    yield found


def _refused(site: Site, *args: str) -> str:
    result = site.cli("audit", "verify", *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "审计日志已被篡改" in result.stderr
    return result.stderr


def test_an_untouched_installation_verifies_with_its_anchor(site: Site) -> None:
    result = site.cli("audit", "verify")
    assert result.returncode == 0, result.stderr
    assert "审计日志完整" in result.stdout and "查询使用登记 3 条" in result.stdout
    assert "信用记录 4 条与其封存一致" in result.stdout and "核对锚点 1 个" in result.stdout


def test_deleting_the_newest_entries_is_found(site: Site) -> None:
    """The revocation's entry and its seal, and the newest query-log entry, deleted."""
    top = site.scalar("SELECT max(id) FROM audit_log")
    site.sql("DELETE FROM audit_seals WHERE entry_id = :top", top=top)
    site.sql("DELETE FROM audit_log WHERE id = :top", top=top)
    site.sql("DELETE FROM query_log WHERE id = (SELECT max(id) FROM query_log)")
    found = _refused(site)
    assert "AUDIT_ENTRIES_DELETED：审计日志条目被删除：" in found
    assert f"的锚点记录了 {top} 条，现在只有 {top - 1} 条" in found
    assert "QUERY_LOG_ENTRIES_DELETED：查询使用登记被删除：" in found
    assert "的锚点记录了 3 条，现在只有 2 条" in found
    revoked = site.world.records["b_private"].id
    assert f"信用记录 {revoked} 的当前内容与审计日志第" in found


def test_deleting_all_rows_is_found(site: Site, tmp_path: Path) -> None:
    site.sql("DELETE FROM audit_seal_blocks")
    site.sql("DELETE FROM audit_seals")
    site.sql("DELETE FROM audit_log")
    site.sql("DELETE FROM query_log")
    found = _refused(site)
    assert "现在只有 0 条" in found and "查询使用登记被删除" in found
    # Even without the anchors, the credit records have nothing that seals them any more.
    unanchored = _refused(site, "--anchors", str(tmp_path / "elsewhere.jsonl"))
    assert "没有任何审计条目封存其内容" in unanchored and "RECORD_UNSEALED" in unanchored


def _unkeyed(row: dict[str, object]) -> str:
    blob = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _rehash_from(conn: Connection, first: int) -> None:
    """Recompute every hash from ``first`` on as sha256 of the row's content (all one can without the key)."""
    rows = conn.execute(text("SELECT * FROM audit_log WHERE id >= :f ORDER BY id"), {"f": first}).mappings()
    prev = conn.execute(text("SELECT hash FROM audit_log WHERE id = :p"), {"p": first - 1}).scalar_one()
    for row in list(rows):
        content = {k: v for k, v in row.items() if k != "hash"} | {"prev_hash": prev}
        new = _unkeyed(content)
        conn.execute(
            text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :id"),
            {"p": prev, "h": new, "id": row["id"]},
        )
        prev = new


def test_editing_a_row_and_recomputing_an_unkeyed_chain_is_found(site: Site) -> None:
    site.sql("UPDATE audit_log SET actor = 'someone-else' WHERE id = 5")
    with site.db.engine.begin() as conn:
        _rehash_from(conn, 5)
    found = _refused(site)
    assert "审计日志第 5 条内容已被改动（密钥签名不符）" in found
    top = site.scalar("SELECT max(id) FROM audit_log")
    assert f"AUDIT_REWRITTEN：审计日志第 {top} 条与" in found and "的锚点记录的哈希不符" in found


def test_editing_a_credit_records_data_in_sql_is_found(site: Site) -> None:
    record = site.world.records["a_public"]
    if site.db.kind == "postgresql":
        site.sql(
            "UPDATE credit_records SET data = jsonb_set(data, '{penalty_kind}', '\"警告\"') WHERE id = :id",
            id=record.id,
        )
    else:
        site.sql(
            "UPDATE credit_records SET data = json_set(data, '$.penalty_kind', '警告') WHERE id = :id",
            id=record.id,
        )
    found = _refused(site)
    assert f"RECORD_ALTERED：信用记录 {record.id} 的当前内容与审计日志第" in found
    assert "已在平台之外被改动" in found


def test_editing_a_query_log_entry_in_sql_is_found(site: Site) -> None:
    second = site.scalar("SELECT min(id) FROM query_log WHERE id > (SELECT min(id) FROM query_log)")
    site.sql("UPDATE query_log SET purpose = '行政审批', username = 'clerk_b' WHERE id = :id", id=second)
    found = _refused(site)
    assert (
        f"QUERY_LOG_ALTERED：查询使用登记第 {second} 条（clerk_b 于 2026-03-16T10:00:00）内容已被改动"
        in found
    )


def test_an_anchor_is_signed_appended_and_printable(site: Site) -> None:
    anchors = site.data_dir / "audit-anchors.jsonl"
    assert anchors.stat().st_mode & 0o777 == 0o600
    printed = site.cli("audit", "anchor", "--print-only")
    assert printed.returncode == 0, printed.stderr
    line = json.loads(printed.stdout)
    assert line["query_count"] == 3 and len(line["mac"]) == 64
    assert len(anchors.read_text(encoding="utf-8").splitlines()) == 1  # --print-only wrote nothing
    assert site.cli("audit", "anchor").returncode == 0
    assert len(anchors.read_text(encoding="utf-8").splitlines()) == 2
    # A forged anchor (a smaller count, to hide a deletion) does not carry a valid signature.
    forged = json.loads(anchors.read_text(encoding="utf-8").splitlines()[0]) | {"audit_count": 1}
    with anchors.open("a", encoding="utf-8") as out:
        out.write(json.dumps(forged) + "\n")
    found = _refused(site)
    assert "锚点文件" in found and "第 3 行的签名无效" in found


def test_no_anchor_is_signed_for_a_broken_chain(site: Site) -> None:
    site.sql("UPDATE audit_log SET actor = 'someone-else' WHERE id = 2")
    refused = site.cli("audit", "anchor")
    assert refused.returncode == 2
    assert "AUDIT_CHAIN_BROKEN" in refused.stderr and "不签发锚点" in refused.stderr
    assert "审计日志第 2 条内容已被改动" in refused.stderr
