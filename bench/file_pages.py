"""Benchmark of credit-file pages (信用档案分页), with its baseline in the same run.

    python bench/file_pages.py --records 10000 --others 50000 --db both

For each database (SQLite file, PostgreSQL in a throw-away schema) it loads one organisation with
``--records`` records (licences, penalties, registrations, records the public does not see) among
``--others`` records of other subjects, then times through the HTTP API (in process):

- the baseline: GET /api/v1/public/records/{id}, one record fetched by its primary key;
- pages of the subject's public file: the first page of a tab, a deep page of a tab, the first page of
  every tab together, and a page of 100;
- the department's view (every record in range: the staff file's reader filter without the query log)
  and the subject's own view, through ``files.service.credit_file``.

It prints p50 and p95 of each and the ratio of its p95 to the baseline's. ``--without-index`` first drops
``ix_credit_records_file_page`` (migration 0009: the covering index a page and a tab's count read), to
measure what it buys.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, text

from xinyong import schema
from xinyong.app import create_app
from xinyong.catalog.schema import default_catalog_path
from xinyong.catalog.service import import_catalog
from xinyong.config import Settings
from xinyong.db import make_engine, session_factory, transaction
from xinyong.files.schemas import FilePage, View
from xinyong.files.service import credit_file
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import CatalogItemRow, CreditRecord, Department, Subject
from xinyong.models.records import RecordStatus, Severity
from xinyong.models.subjects import SubjectKind

TODAY = dt.date(2026, 11, 20)
KEY = b"\x01" * 32
#: (item code, share of the subject's records, published)
#: The index the file pages would use to read a subject's records newest first (proposed DDL).
DROP_FILE_PAGE_INDEX = "DROP INDEX ix_credit_records_file_page"
MIX = (("XK-001", 0.4, True), ("CF-001", 0.5, True), ("DJ-001", 0.05, True), ("QZ-001", 0.05, False))


def new_engine(kind: str, pg_url: str, workdir: Path) -> tuple[Engine, Callable[[], None], str]:
    if kind == "sqlite":
        url = f"sqlite:///{workdir / f'pages-{uuid.uuid4().hex[:8]}.sqlite3'}"
        engine = make_engine(url)
        return engine, engine.dispose, url
    name = f"xy_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{sep}options={quote(f'-csearch_path={name}')}"
    engine = make_engine(url)

    def drop() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()

    return engine, drop, url


def _record(
    subject_id: int, item_id: int, dept_id: int, n: int, rng: random.Random, published: bool
) -> dict[str, Any]:
    decided = TODAY - dt.timedelta(days=rng.randrange(1, 1000))
    return {
        "subject_id": subject_id,
        "catalog_item_id": item_id,
        "source_dept_id": dept_id,
        "source_record_id": f"R{n:09d}",
        "status": RecordStatus.active,
        "severity": Severity.general if published else None,
        "decision_no": f"盐市监罚〔{decided.year}〕{n}号",
        "decision_date": decided,
        "received_on": decided + dt.timedelta(days=3),
        "delay_workdays": 3,
        "published": published,
        "publish_from": decided if published else None,
        "publish_max_end": decided + dt.timedelta(days=1100) if published else None,
        "data": {
            "subject_name": "某公司",
            "penalty_kind": "罚款(较大数额)",
            "violation": "未按规定公示年度报告",
        },
    }


def load(engine: Engine, records: int, others: int, seed: int) -> tuple[int, int]:
    """Schema, catalog, one department, the subject with ``records`` records and 1,000 other subjects
    sharing ``others`` records. Returns (subject id, id of one of its published records)."""
    schema.upgrade(engine)
    rng = random.Random(seed)
    with transaction(session_factory(engine)) as session:
        import_catalog(
            session, default_catalog_path().read_text(encoding="utf-8"), actor="bench", source="default"
        )
        items = {row.code: row.id for row in session.scalars(select(CatalogItemRow))}
        dept = Department(
            code="320900-SCJG",
            name="盐城市市场监督管理局",
            kind="市场监管",
            region_code="320900",
            level="city",
        )
        session.add(dept)
        session.flush()
        subjects = [
            Subject(
                kind=SubjectKind.legal_person,
                name=f"盐城市样本{i}有限公司",
                name_norm=f"盐城市样本{i}有限公司",
                verified=True,
            )
            for i in range(1001)
        ]
        session.add_all(subjects)
        session.flush()
        target = subjects[0].id
        rows: list[dict[str, Any]] = []
        for code, share, published in MIX:
            rows += [
                _record(target, items[code], dept.id, len(rows) + k, rng, published)
                for k in range(int(records * share))
            ]
        for k in range(others):
            rows.append(_record(subjects[1 + k % 1000].id, items["CF-001"], dept.id, len(rows), rng, True))
        for start in range(0, len(rows), 20_000):
            session.execute(insert(CreditRecord), rows[start : start + 20_000])
        one = session.scalar(
            select(CreditRecord.id).where(CreditRecord.subject_id == target, CreditRecord.published.is_(True))
        )
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    assert one is not None
    return target, one


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``repeat`` calls (after 3 warm-up calls)."""
    for _ in range(3):
        call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def bench(kind: str, args: argparse.Namespace, workdir: Path) -> None:
    engine, cleanup, url = new_engine(kind, args.pg_url, workdir)
    try:
        subject_id, record_id = load(engine, args.records, args.others, args.seed)
        if args.without_index:
            with engine.begin() as conn:
                conn.execute(text(DROP_FILE_PAGE_INDEX))
                conn.execute(text("ANALYZE"))
        app = create_app(
            Settings(database_url=url, public_rate_limit=10**9),
            engine=engine,
            clock=FixedClock(dt.datetime.combine(TODAY, dt.time(10))),
        )
        app.state.cipher = PersonalDataCipher(KEY, index_secret="bench")
        sessions = session_factory(engine)
        client = TestClient(app)

        def get(path: str, **params: object) -> Callable[[], object]:
            def call() -> object:
                response = client.get(path, params=params)
                assert response.status_code == 200, response.text
                return response

            return call

        def service(view: View, page: FilePage) -> Callable[[], object]:
            def call() -> object:
                with sessions() as session:
                    subject = session.get_one(Subject, subject_id)
                    return credit_file(
                        session, subject, view, today=TODAY, cipher=None, in_range=lambda _d: True, page=page
                    )

            return call

        file = f"/api/v1/public/subjects/{subject_id}"
        cases: list[tuple[str, Callable[[], object]]] = [
            ("baseline: one record by primary key (HTTP)", get(f"/api/v1/public/records/{record_id}")),
            ("public, penalty tab, page 1 (HTTP)", get(file, tab="penalty")),
            ("public, penalty tab, offset 4000 (HTTP)", get(file, tab="penalty", offset=4000)),
            ("public, every tab, page 1 (HTTP)", get(file)),
            ("public, licence tab, 100 a page (HTTP)", get(file, tab="licence", limit=100)),
            ("staff view, other tab, page 1 (service)", service(View.staff, FilePage(tab="other"))),
            (
                "own view, penalty tab, offset 4000 (service)",
                service(View.own, FilePage(tab="penalty", offset=4000)),
            ),
        ]
        index = " (without the file-page index)" if args.without_index else ""
        print(f"\n{kind}{index}: one subject with {args.records} records, {args.others} of other subjects")
        base = 0.0
        for name, call in cases:
            p50, p95 = timed(call, args.repeat)
            base = base or p95
            print(f"  {name:48s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p95/baseline {p95 / base:5.1f}")
        client.close()
    finally:
        cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--records", type=int, default=10_000, help="records of the subject whose file is paged"
    )
    parser.add_argument("--others", type=int, default=50_000, help="records of other subjects")
    parser.add_argument("--repeat", type=int, default=100, help="timed calls per case")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--without-index", action="store_true", help="drop ix_credit_records_file_page first")
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            bench(kind, args, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
