"""Benchmark of batch screening (自动比对), with its baselines in the same run.

    python bench/screening.py --subjects 1000000 --adverse 100000 --loop-sample 2000
    python bench/screening.py --subjects 20000 --adverse 2000 --http-seconds 5   # a quick check

Builds, set-based, in a fresh SQLite file in a temp dir (``--db postgresql`` for a throw-away schema
instead), ``--subjects`` subjects (organisations, one in twenty a person) of which ``--adverse`` have
adverse records (each severity and status, some under objection) or list entries (black and red, some
exited, past their period, under objection), then times in one run, over the same identifiers and one
scenario:

(a) the batch screening (``measures.batch_service.screen_now``: identifiers resolved in bulk, facts read
    set-based, the rule as Polars joins) — no storing or logging;
(b) the single check's rule through its service function in a loop, one subject per call
    (``subjects.service.resolve`` then ``measures.screening.screen_facts`` for that one subject), on
    ``--loop-sample`` identifiers, extrapolated to all of them (said so in the output);
(c) the floor: a plain dict lookup of the black-listed subjects' codes, no rules (the codes read in one
    query, then one ``in`` per identifier);

and prints the ratios; then the whole service path of a batch (with its query-log entries and the result
file), and the single check over HTTP on loopback at ``--rate`` requests/s for ``--http-seconds``
(wrk with a Lua script; skipped, and said so, when wrk is not installed).

``build`` is also the sample of the batch-versus-single agreement test (tests/measures/test_batch_agree.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import httpx
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from xinyong import schema
from xinyong.audit.keys import current_key
from xinyong.catalog import repository as catalog_repository
from xinyong.catalog.lists import Scenario
from xinyong.catalog.lists_service import current_lists
from xinyong.catalog.schema import default_catalog_path
from xinyong.catalog.service import current_version, import_catalog
from xinyong.cli.server import serving_keys
from xinyong.config import Settings, cipher_from_settings, get_settings, load_settings
from xinyong.db import make_engine, pieces, session_factory
from xinyong.kit import ids
from xinyong.kit.clock import FixedClock, SystemClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError
from xinyong.measures import batch_service
from xinyong.measures.screening import screen_facts
from xinyong.models import CreditRecord, Department, ListEntry, Subject
from xinyong.models.catalog import CatalogItemRow
from xinyong.models.lists import EntryState, ExitCause, ListKind, Objection, ObjectionStatus, ObjectionTarget
from xinyong.models.measures import BatchState, ScreeningBatch
from xinyong.models.records import RecordStatus, Severity
from xinyong.models.subjects import IdScheme, SubjectIdentifier, SubjectKind
from xinyong.security.accounts import create_user, issue_token
from xinyong.security.auth import Principal
from xinyong.security.roles import Purpose, Role
from xinyong.subjects.service import find_by_name, resolve

DEFAULT_PG: Final = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REGION: Final = "320900"
ITEMS: Final = ("CF-001", "YC-001", "YZ-001", "YZ-002", "SF-001", "SF-003")
BLACK_SCOPES: Final = ("SX-001", "SX-002", "SX-003", "SX-004")
RED_SCOPES: Final = ("CX-001", "CX-002", "CX-003")
STATUSES: Final = [RecordStatus.active] * 6 + [
    RecordStatus.revoked,
    RecordStatus.repaired,
    RecordStatus.expired,
]
ENTRY_STATES: Final = [EntryState.published] * 5 + [EntryState.decided, EntryState.exited]


@dataclass
class Sample:
    """What ``build`` made: every subject's identifier (USCC, citizen ID, old code or exact name)."""

    identifiers: list[str]
    subject_ids: list[int]
    black_usccs: set[str]


def uscc_of(n: int) -> str:
    body = f"{n:08d}"
    org = body + ids.calc_org_check(body)
    return "91" + REGION + org + ids.calc_uscc_check("91" + REGION + org)


def ric_of(n: int) -> str:
    year, month, day = 1985 + n // 336_000, (n // 28_000) % 12 + 1, (n // 1000) % 28 + 1
    body = f"320902{year}{month:02d}{day:02d}{n % 1000:03d}"
    return body + ids.calc_ric_check(body)


def _dept(session: Session, code: str, name: str, kind: str) -> int:
    found = session.scalar(select(Department.id).where(Department.code == code))
    if found is not None:
        return int(found)
    dept = Department(code=code, name=name, kind=kind, region_code=REGION, level="city")
    session.add(dept)
    session.flush()
    return dept.id


def _subjects(session: Session, n: int, cipher: PersonalDataCipher, rng: random.Random) -> Sample:
    """Subjects set-based: organisations by USCC, one in twenty a person (distinct citizen IDs)."""
    rows: list[dict[str, Any]] = []
    codes: list[str] = []
    person_ids: dict[int, str] = {}
    for i in range(n):
        if i % 20 == 19:
            ric = ric_of(i // 20)
            person_ids[i] = ric
            name = f"测试人员{i}"
            encrypted = cipher.encrypt(ric)
            rows.append({"kind": SubjectKind.natural_person, "name": name, "name_norm": name,
                         "ric_encrypted": encrypted, "region_code": REGION})  # fmt: skip
            codes.append(ric)
        else:
            code = uscc_of(i)
            name = f"盐城测试{i}商贸有限公司"
            rows.append({"kind": SubjectKind.legal_person, "name": name, "name_norm": name, "uscc": code,
                         "region_code": REGION})  # fmt: skip
            codes.append(code)
    subject_ids: list[int] = []
    for piece in pieces(rows, 20_000):
        subject_ids += list(
            session.execute(
                insert(Subject).returning(Subject.id, sort_by_parameter_order=True), piece
            ).scalars()
        )
    idents: list[dict[str, Any]] = []
    for i, sid in enumerate(subject_ids):
        if i not in person_ids:
            idents.append({"subject_id": sid, "scheme": IdScheme.uscc, "value": rows[i]["uscc"]})
        if i in person_ids:
            idents.append(
                {"subject_id": sid, "scheme": IdScheme.ric_hash, "value": cipher.index(person_ids[i])}
            )
        elif i % 97 == 5:  # a few found by their organisation code (新旧码转换) or their exact name
            idents.append({"subject_id": sid, "scheme": IdScheme.org_code, "value": codes[i][8:17]})
            codes[i] = codes[i][8:16] + "-" + codes[i][16]
        elif i % 89 == 7:
            codes[i] = str(rows[i]["name"])
    for piece in pieces(idents, 20_000):
        session.execute(insert(SubjectIdentifier), piece)
    return Sample(codes, subject_ids, set())


def _records(
    session: Session, adverse: list[int], today: dt.date, rng: random.Random, dept: int
) -> list[tuple[int, int]]:
    version = current_version(session).id
    query = select(CatalogItemRow.code, CatalogItemRow.id).where(CatalogItemRow.version_id == version)
    item_ids = {str(code): int(iid) for code, iid in session.execute(query)}
    rows: list[dict[str, Any]] = []
    for sid in adverse:
        for _ in range(rng.randint(1, 2)):
            decided = today - dt.timedelta(days=rng.randint(-10, 5 * 365))
            ends = (
                decided + dt.timedelta(days=rng.choice([365, 3 * 365, 5 * 365]))
                if rng.random() < 0.7
                else None
            )
            rows.append({
                "subject_id": sid, "catalog_item_id": item_ids[rng.choice(ITEMS)], "source_dept_id": dept,
                "source_record_id": f"R{len(rows)}-{sid}", "status": rng.choice(STATUSES),
                "severity": rng.choice(list(Severity)), "decision_date": decided,
                "received_on": decided, "publish_max_end": ends, "data": {},
            })  # fmt: skip
    ids_: list[int] = []
    for piece in pieces(rows, 20_000):
        ids_ += list(
            session.execute(
                insert(CreditRecord).returning(CreditRecord.id, sort_by_parameter_order=True), piece
            ).scalars()
        )
    return [(rid, int(row["subject_id"])) for rid, row in zip(ids_, rows, strict=True)]


def _entries(session: Session, listed: list[int], today: dt.date, rng: random.Random, dept: int) -> list[int]:
    lists = current_lists(session)
    at = dt.datetime.combine(today, dt.time(9, 0))
    rows: list[dict[str, Any]] = []
    for n, sid in enumerate(listed):
        black = n % 3 != 2
        scope = rng.choice(BLACK_SCOPES if black else RED_SCOPES)
        state = rng.choice(ENTRY_STATES)
        start = today - dt.timedelta(days=rng.randint(0, 4 * 365))
        rows.append({
            "number": f"B{n:07d}-{uuid.uuid4().hex[:6]}", "scope_id": lists.scope_ids[scope],
            "list_kind": ListKind.black if black else ListKind.red, "scope_code": scope, "subject_id": sid,
            "initiating_dept_id": dept, "state": state, "doc_no": f"盐〔2026〕{n}号",
            "doc_kind": "penalty_decision" if black else "honour_decision",
            "doc_date": start, "doc_issuer": "盐城市市场监督管理局", "reason": "测试", "leniency": [],
            "period_start": start, "period_end": start + dt.timedelta(days=rng.choice([365, 3 * 365])),
            "exit_cause": ExitCause.repaired if state is EntryState.exited else None,
            "proposed_at": at, "created_by": "bench",
        })  # fmt: skip
    ids_: list[int] = []
    for piece in pieces(rows, 20_000):
        ids_ += list(
            session.execute(
                insert(ListEntry).returning(ListEntry.id, sort_by_parameter_order=True), piece
            ).scalars()
        )
    return ids_


def _objections(
    session: Session, kind: ObjectionTarget, targets: list[tuple[int, int]], dept: int, today: dt.date
) -> None:
    at = dt.datetime.combine(today, dt.time(9, 0))
    rows = [
        {"target_kind": kind, "target_id": tid, "subject_id": sid, "dept_id": dept, "status": status,
         "reason": "测试异议", "filed_at": at, "filed_by": "bench"}
        for n, (tid, sid) in enumerate(targets)
        for status in [ObjectionStatus.open if n % 3 else ObjectionStatus.rejected]
    ]  # fmt: skip
    for piece in pieces(rows, 20_000):
        session.execute(insert(Objection), piece)


def build(
    session: Session,
    *,
    subjects: int,
    adverse: int,
    cipher: PersonalDataCipher,
    today: dt.date,
    seed: int = 7,
) -> Sample:
    """The sample (module docstring), committed. ``adverse`` subjects get records (three in four of them)
    or list entries (one in four, and one in ten of the others too); one in ten of those facts has an
    objection, two in three of them open."""
    rng = random.Random(seed)
    if catalog_repository.current_version(session) is None:
        import_catalog(session, default_catalog_path().read_text(encoding="utf-8"), actor="bench")
    dept = _dept(session, f"{REGION}-SCJG-B", "盐城市市场监督管理局", "市场监管")
    sample = _subjects(session, subjects, cipher, rng)
    chosen = rng.sample(range(subjects), adverse)
    with_records = [sample.subject_ids[i] for i in chosen[: adverse * 3 // 4]]
    listed = [sample.subject_ids[i] for i in chosen[adverse * 3 // 4 :]] + with_records[::10]
    records = _records(session, with_records, today, rng, dept)
    entry_ids = _entries(session, listed, today, rng, dept)
    _objections(session, ObjectionTarget.record, records[::10], dept, today)
    entry_pairs = list(zip(entry_ids, listed, strict=True))[::10]
    _objections(session, ObjectionTarget.entry, entry_pairs, dept, today)
    session.commit()
    black = set(
        session.execute(
            select(Subject.uscc)
            .join(ListEntry, ListEntry.subject_id == Subject.id)
            .where(ListEntry.list_kind == ListKind.black, ListEntry.state == EntryState.published)
        ).scalars()
    )
    sample.black_usccs = {str(u) for u in black if u}
    return sample


# --------------------------------------------------------------------------- the run


@contextmanager
def database(kind: str, pg_url: str, folder: Path) -> Iterator[tuple[Engine, str]]:
    """A fresh SQLite file in ``folder``, or a throw-away PostgreSQL schema (dropped afterwards)."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        engine = make_engine(url)
        schema.upgrade(engine)
        yield engine, url
        engine.dispose()
        return
    name = f"xy_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{sep}options={quote(f'-csearch_path={name}')}"
    engine = make_engine(url)
    try:
        schema.upgrade(engine)
        yield engine, url
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def timed(label: str, fn: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - began
    print(f"  {label}: {seconds:.2f} s", flush=True)
    return seconds, value


def loop_single(
    session: Session, identifiers: list[str], scenario: Scenario, today: dt.date, cipher: PersonalDataCipher
) -> int:
    """(b): one subject per call, as the single check does it (resolve, then the rule on its facts)."""
    lists = current_lists(session)
    found = 0
    for identifier in identifiers:
        if any(not ch.isascii() for ch in identifier):
            subjects = find_by_name(session, identifier, limit=2)
            sid = subjects[0].id if len(subjects) == 1 else None
        else:
            try:
                sid = resolve(session, identifier, cipher=cipher).subject.id
            except DomainError:
                sid = None
        if sid is not None:
            found += len(screen_facts(session, [sid], scenario, today, lists=lists))
    return found


def floor(session: Session, identifiers: list[str]) -> int:
    """(c): the black-listed subjects' codes in one query, then one dict lookup per identifier."""
    query = (
        select(Subject.uscc)
        .join(ListEntry, ListEntry.subject_id == Subject.id)
        .where(ListEntry.list_kind == ListKind.black, ListEntry.state == EntryState.published)
    )
    black = {str(u): True for u in session.scalars(query) if u}
    return sum(1 for code in identifiers if black.get(code, False))


def service_path(
    engine: Engine,
    sample: Sample,
    scenario: Scenario,
    today: dt.date,
    cipher: PersonalDataCipher,
    folder: Path,
) -> dict[str, Any]:
    """A whole batch as the API runs it: stored, screened step by step, logged, written and signed."""
    factory = session_factory(engine)
    principal = Principal(username="bench", scopes=frozenset(), roles=frozenset({Role.platform_admin}))
    req = batch_service.BatchRequest(sample.identifiers, scenario, Purpose.government_procurement, "基准测试")
    clock = FixedClock(dt.datetime.combine(today, dt.time(10, 0)))
    row = batch_service.create(factory, principal, req, clock=clock)
    actor = {"user_id": None, "username": "bench", "department_id": None, "client": None}
    batch_service.run(
        factory, row.id, req, clock=clock, cipher=cipher, store_dir=folder / "screening", actor=actor
    )
    with Session(engine) as session:
        done = session.get(ScreeningBatch, row.id)
        assert done is not None and done.state is BatchState.done, done.error if done else None
        return dict(done.summary)


# --------------------------------------------------------------------------- the single check over HTTP

WRK_SCRIPT: Final = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
local ids = {%(ids)s}
local i = 0
request = function()
  i = i + 1
  local body = '{"identifier":"' .. ids[(i %% #ids) + 1] .. '","scenario":"government_procurement"}'
  return wrk.format(nil, "/api/v1/screening", nil, body)
end
delay = function() return %(delay)d end
done = function(summary, latency, requests)
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("P%%d %%.6f\\n", p, latency:percentile(p) / 1e6))
  end
  local e = summary.errors
  io.write(string.format("REQUESTS %%d\\nDURATION %%.3f\\nNON2XX %%d\\nSOCKET %%d\\n", summary.requests,
    summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _server(url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env.update(XINYONG_DATA_DIR=str(data_dir), XINYONG_DATABASE_URL=url, XINYONG_PUBLIC_RATE_LIMIT="10000000")
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "xinyong", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError((data_dir / "server.log").read_text())


def _token(session: Session, settings: Settings) -> str:
    """An implementing unit of a 财政 department, and a token for it."""
    dept = _dept(session, f"{REGION}-CZ-B", "盐城市财政局", "财政")
    code = session.scalar(select(Department.code).where(Department.id == dept))
    clock = SystemClock()
    create_user(session, username="bench-cz", display_name="基准测试", roles=[Role.implementing_unit],
                password=None, actor="bench", clock=clock, department_code=code)  # fmt: skip
    issued = issue_token(session, username="bench-cz", name="bench", scopes=None, days=1, settings=settings,
                         actor="bench", clock=clock)  # fmt: skip
    session.commit()
    return issued.token


def _wrk(
    port: int, token: str, identifiers: list[str], args: argparse.Namespace, folder: Path
) -> dict[str, float]:
    quoted = ",".join(f'"{v}"' for v in identifiers if v.isascii())
    # wrk 4 waits ``delay`` ms after each answer on each connection: about connections / delay requests a
    # second while answers are fast (a closed loop that slows down when the server does).
    delay = max(1, int(1000 * args.connections / args.rate) - 3)
    script = folder / "screening.lua"
    script.write_text(WRK_SCRIPT % {"token": token, "ids": quoted, "delay": delay})
    out = subprocess.run(
        ["wrk", "-t1", f"-c{args.connections}", f"-d{args.http_seconds}s", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    values = dict(
        line.split(" ", 1) for line in out.stdout.splitlines() if line[:1] in "PRDNS" and " " in line
    )
    return {
        k: float(v)
        for k, v in values.items()
        if k in ("P50", "P95", "P99", "REQUESTS", "DURATION", "NON2XX", "SOCKET")
    }


def http_check(
    engine: Engine, url: str, data_dir: Path, sample: Sample, args: argparse.Namespace, settings: Settings
) -> None:
    with Session(engine) as session:
        token = _token(session, settings)
    port = free_port()
    proc = _server(url, data_dir, port)
    try:
        picked = random.Random(3).sample([v for v in sample.identifiers if v.isascii()], 1000)
        tool = f"wrk 4（{args.connections} 个连接，每次答复后等待，约 {args.rate} 次/秒；闭环，非恒定速率）"
        stats = _wrk(port, token, picked, args, data_dir)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    rate = stats["REQUESTS"] / stats["DURATION"] if stats["DURATION"] else 0.0
    if stats["NON2XX"] or stats["SOCKET"]:
        print((data_dir / "server.log").read_text()[-3000:])
    print(f"(http) 单个核查 POST /api/v1/screening，回环地址，{tool}")
    print(
        f"  请求 {int(stats['REQUESTS'])} 次，实际 {rate:.0f} 次/秒，"
        f"非 2xx {int(stats['NON2XX'])}，连接错误 {int(stats['SOCKET'])}"
    )
    print(
        f"  p50 {stats['P50'] * 1000:.1f} ms  p95 {stats['P95'] * 1000:.1f} ms  "
        f"p99 {stats['P99'] * 1000:.1f} ms（目标 p99 < 20 ms：{met(stats['P99'] < 0.020)}）"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--adverse", type=int, default=100_000)
    parser.add_argument("--loop-sample", type=int, default=2_000, help="identifiers the loop (b) checks")
    parser.add_argument("--scenario", default=Scenario.GOVERNMENT_PROCUREMENT.value)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--rate", type=int, default=200, help="requests/s of the HTTP check")
    parser.add_argument("--http-seconds", type=int, default=30, help="0: no HTTP check")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (SQLite: one writer)")
    parser.add_argument("--no-service", action="store_true", help="skip the whole service path")
    return parser.parse_args()


def met(ok: bool) -> str:
    return "达到" if ok else "未达到"


def _ratios(batch_s: float, loop_s: float, floor_s: float, n: int) -> None:
    print("结果")
    print(
        f"  (a) 批量核查 {n:,} 个主体：{batch_s:.2f} s，{n / batch_s:,.0f} 个/秒"
        f"（目标 < 30 s：{met(batch_s < 30)}）"
    )
    print(f"  (b) 逐个核查（外推）：{loop_s:.1f} s")
    print(f"  (c) 下限（字典查找）：{floor_s:.3f} s")
    print(f"  批量比逐个快 {loop_s / batch_s:.1f} 倍（目标 ≥ 20 倍：{met(loop_s / batch_s >= 20)}）")
    print(f"  批量是下限的 {batch_s / floor_s:.1f} 倍（目标 ≤ 10 倍：{met(batch_s / floor_s <= 10)}）")


def main() -> None:
    args = parse_args()
    scenario = Scenario(args.scenario)
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="xy-bench-screening-") as tmp:
        folder = Path(tmp)
        os.environ["XINYONG_DATA_DIR"] = str(folder)
        with database(args.db, args.pg_url, folder) as (engine, url):
            os.environ["XINYONG_DATABASE_URL"] = url
            settings = serving_keys(load_settings(), engine, "127.0.0.1")
            get_settings.cache_clear()
            current_key.cache_clear()
            cipher = cipher_from_settings(settings)
            print(
                f"数据库 {args.db}；{args.subjects:,} 个主体，其中 {args.adverse:,} 个有不良记录或名单；"
                f"场景 {scenario.label_zh}；{os.cpu_count()} 核"
            )
            with Session(engine) as session:
                _, sample = timed(
                    "构造样本（不计入）",
                    lambda: build(
                        session, subjects=args.subjects, adverse=args.adverse, cipher=cipher, today=today
                    ),
                )
            ids_ = sample.identifiers
            with Session(engine) as session:
                batch_s, result = timed(
                    "(a) 批量核查", lambda: batch_service.screen_now(session, ids_, scenario, today, cipher)
                )
            picked = random.Random(1).sample(ids_, min(args.loop_sample, len(ids_)))
            with Session(engine) as session:
                part_s, _ = timed(
                    f"(b) 逐个核查 {len(picked):,} 个（抽样）",
                    lambda: loop_single(session, picked, scenario, today, cipher),
                )
            loop_s = part_s * len(ids_) / len(picked)
            if len(picked) < len(ids_):
                print(f"  (b) 按 {len(picked):,} 个的用时外推到 {len(ids_):,} 个（全部逐个核查太久）")
            with Session(engine) as session:
                floor_s, _ = timed("(c) 下限：黑名单代码字典查找", lambda: floor(session, ids_))
            counts = result.group_by("decision").len().sort("decision").rows()
            print(f"  批量结论分布：{dict(counts)}")
            _ratios(batch_s, loop_s, floor_s, len(ids_))
            if not args.no_service:
                _, summary = timed(
                    "整批服务（入库、逐段核查、查询登记、结果文件、验证码）",
                    lambda: service_path(engine, sample, scenario, today, cipher, folder),
                )
                print(f"  分段用时：{summary.get('seconds')}")
            if args.http_seconds and not shutil.which("wrk"):
                print("(http) 未安装 wrk（apt-get install wrk）：跳过 HTTP 测量")
            elif args.http_seconds:
                http_check(engine, url, folder, sample, args, settings)


if __name__ == "__main__":
    main()
