"""The command line, run as a user runs it: the installed ``xinyong`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from stdnum.cn import ric as std_ric
from stdnum.cn import uscc as std_uscc
from typer.testing import CliRunner

from xinyong.catalog.schema import default_catalog_path
from xinyong.cli import app
from xinyong.db import make_engine
from xinyong.kit import ids
from xinyong.records.schedules import load_schedule

from calendarworld import BRIDGE_SCHEDULES, Y
from conftest import Database


def run(db: Database | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    if db is not None:
        env["XINYONG_DATABASE_URL"] = db.url
    return subprocess.run(
        [sys.executable, "-m", "xinyong", *args], capture_output=True, text=True, env=env, timeout=120
    )


def _uscc(body: str) -> str:
    org = body + ids.calc_org_check(body)
    return "91320902" + org + ids.calc_uscc_check("91320902" + org)


VALID_USCC = ["91110000600037341L", _uscc("MA1MXY2K"), _uscc("12345678")]
INVALID_USCC = ["91110000600037341M", "9111000060003734", "91110000600037341I", "A1110000600037341L", ""]
VALID_RIC = ["360426199101010071", "32090219900307991" + ids.calc_ric_check("32090219900307991")]
INVALID_RIC = ["360426199101010072", "360426199113010079", "36042619910101007"]


@pytest.mark.parametrize("code", VALID_USCC + INVALID_USCC + VALID_RIC + INVALID_RIC)
def test_check_id_agrees_with_python_stdnum(code: str) -> None:
    result = CliRunner().invoke(app, ["check-id", code])
    body = json.loads(result.stdout)
    expected = std_ric.is_valid(code) if body["kind"] == "ric" else std_uscc.is_valid(code)
    assert body["valid"] is expected
    assert (result.exit_code == 0) is expected
    if not expected:
        assert body["error_code"] and body["message"]
    else:
        assert body["parts"]


def test_check_id_decodes_the_parts_of_a_uscc() -> None:
    result = run(None, "check-id", "91110000600037341L")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["valid"] and body["kind"] == "uscc"
    assert json.dumps(body["parts"], ensure_ascii=False).count("600037341") == 1
    bad = run(None, "check-id", "91110000600037341M")
    assert bad.returncode == 1 and json.loads(bad.stdout)["error_code"] == "ID_USCC_CHECK"


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-09-26", "15", "2025-10-23"),  # across the 2025 National Day holiday and its make-up days
        ("2025-09-26", "5", "2025-10-10"),
        ("2026-02-13", "1", "2026-02-14"),  # Saturday make-up workday before the Spring Festival
        ("2026-02-13", "2", "2026-02-24"),  # 2026-02-15..23 off
        # calendarworld's Y (laid out like 2027): no schedule yet; Y-1 ends on a Thursday
        (f"{Y - 1}-12-30", "3", f"{Y}-01-04 provisional"),
    ],
)
def test_workdays_add(fresh_database: Database, start: str, n: str, expected: str) -> None:
    result = run(fresh_database, "workdays", "add", start, n)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_workdays_load_removes_the_provisional_flag(fresh_database: Database, tmp_path: Path) -> None:
    # the years between the library's data and Y, if any, are loaded empty first, through the service
    # the command calls (one subprocess per year would be slow): then only Y is provisional
    with Session(fresh_database.engine) as session, session.begin():
        for bridge in BRIDGE_SCHEDULES:
            load_schedule(session, bridge, actor="test")
    schedule = tmp_path / f"{Y}.yaml"
    schedule.write_text(
        f'year: {Y}\nsource: "演示通知"\nholidays:\n  - {{name: 元旦, start: {Y}-01-01, end: {Y}-01-03}}\n',
        encoding="utf-8",
    )
    loaded = run(fresh_database, "workdays", "load", str(schedule))
    assert loaded.returncode == 0, loaded.stderr
    assert run(fresh_database, "workdays", "add", f"{Y - 1}-12-30", "3").stdout.strip() == f"{Y}-01-05"


def test_catalog_commands_and_audit_verify(fresh_database: Database, tmp_path: Path) -> None:
    imported = run(fresh_database, "catalog", "import")
    assert imported.returncode == 0, imported.stderr
    exported = tmp_path / "out.yaml"
    assert run(fresh_database, "catalog", "export", str(exported)).returncode == 0
    assert exported.read_text(encoding="utf-8") == default_catalog_path().read_text(encoding="utf-8")

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        exported.read_text(encoding="utf-8").replace("type: date", "type: when", 1), encoding="utf-8"
    )
    refused = run(fresh_database, "catalog", "validate", str(bad))
    assert refused.returncode == 2
    assert "CATALOG_INVALID" in refused.stderr and "DJ-001" in refused.stderr
    assert "fields[decision_date].type" in refused.stderr

    ok = run(fresh_database, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    with fresh_database.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'intruder' WHERE id = 1"))
    broken = run(fresh_database, "audit", "verify")
    assert broken.returncode == 1
    assert "第 1 条" in broken.stderr


def test_demo_loads_realistic_data(fresh_database: Database) -> None:
    result = run(fresh_database, "demo", "--subjects", "60")
    assert result.returncode == 0, result.stderr
    assert "演示数据已载入" in result.stdout
    with fresh_database.engine.connect() as conn:
        kinds = {row[0] for row in conn.execute(text("SELECT DISTINCT kind FROM subjects"))}
        records = conn.execute(text("SELECT count(*) FROM credit_records")).scalar_one()
        depts = conn.execute(text("SELECT count(*) FROM departments")).scalar_one()
    assert {"legal_person", "natural_person"} <= kinds
    assert records > 30 and depts > 10
    # the demo's entries are inside their period: nothing exits, and the command may run again any time
    for _ in range(2):
        expired = run(fresh_database, "lists", "expire")
        assert expired.returncode == 0 and "期满移出名单 0 条" in expired.stdout, expired.stderr
    with fresh_database.engine.connect() as conn:
        published = conn.execute(
            text("SELECT count(*) FROM list_entries WHERE state = 'published'")
        ).scalar_one()
    assert published == 2
    assert run(fresh_database, "audit", "verify").returncode == 0


def test_check_id_shows_warnings_of_a_valid_code() -> None:
    code = "91999999MA1X2Y3T45"  # valid check character, unknown region 999999
    result = run(None, "check-id", code)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["valid"] is True
    region = [w for w in body["warnings"] if w["code"] == "ID_USCC_REGION"]
    assert region and "999999" in region[0]["message"] and "行政区划" in region[0]["message"]
    clean = json.loads(run(None, "check-id", "91110000600037341L").stdout)
    assert clean["warnings"] == []


def test_depts_create_and_list(fresh_database: Database) -> None:
    made = run(
        fresh_database,
        "depts",
        "create",
        "320902-SCJG",
        "盐城市亭湖区市场监督管理局",
        "--kind",
        "市场监管",
        "--region",
        "320902",
        "--level",
        "county",
    )
    assert made.returncode == 0, made.stderr
    assert "已创建部门 320902-SCJG" in made.stdout
    wrong = run(
        fresh_database, "depts", "create", "320902-SW", "盐城市亭湖区税务局", "--kind", "税务",
        "--region", "320902", "--level", "province",
    )  # fmt: skip
    assert wrong.returncode == 2
    assert "DEPT_LEVEL_MISMATCH" in wrong.stderr and "不是省级" in wrong.stderr
    unknown = run(
        fresh_database, "depts", "create", "329999-SW", "某税务局", "--kind", "税务", "--region", "329999"
    )
    assert unknown.returncode == 2 and "DEPT_REGION_UNKNOWN" in unknown.stderr
    listed = run(fresh_database, "depts", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "320902-SCJG\t盐城市亭湖区市场监督管理局\t市场监管\t320902\t县级\t启用"
    ]
    with fresh_database.engine.connect() as conn:
        actions = conn.execute(text("SELECT action FROM audit_log ORDER BY id")).scalars().all()
    assert actions == ["department.created"]


@pytest.mark.parametrize(
    "args",
    [
        ("workdays", "add", "2025-09-26", "15"),
        ("audit", "verify"),
        ("depts", "list"),
        ("ingest", __file__, "--item", "CF-001", "--dept", "320902-SCJG"),  # it created an empty one
    ],
)
def test_uninitialised_database_is_refused_in_chinese(tmp_path: Path, args: tuple[str, ...]) -> None:
    db_file = tmp_path / "never" / "xinyong.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env["XINYONG_DATABASE_URL"] = f"sqlite:///{db_file}"
    result = subprocess.run(
        [sys.executable, "-m", "xinyong", *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 2
    assert (
        "DB_NOT_INITIALISED" in result.stderr and "数据库尚未初始化，请先运行 xinyong init" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not db_file.exists()


def test_empty_database_is_refused_too(tmp_path: Path) -> None:
    db_file = tmp_path / "empty.sqlite3"
    engine = make_engine(f"sqlite:///{db_file}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE unrelated (id INTEGER)"))
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env["XINYONG_DATABASE_URL"] = f"sqlite:///{db_file}"
    result = subprocess.run(
        [sys.executable, "-m", "xinyong", "audit", "verify"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2 and "数据库尚未初始化" in result.stderr


def test_help_and_a_wrong_option_answer_without_a_traceback() -> None:
    """`xinyong --help` lists the commands, and a mistyped option gets a usage message, not a crash (Typer
    releases that do not fit the installed Click fail exactly here)."""
    runner = CliRunner()
    shown = runner.invoke(app, ["--help"])
    assert shown.exit_code == 0, shown.output
    assert all(name in shown.output for name in ("ingest", "check-id", "workdays", "catalog"))
    wrong = runner.invoke(app, ["check-id", "--no-such-option"])
    assert wrong.exit_code == 2 and "Traceback" not in wrong.output
    assert "--no-such-option" in wrong.output
