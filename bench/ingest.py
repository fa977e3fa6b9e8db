"""Benchmark of the collection pipeline (归集), with its baselines in the same run.

    python bench/ingest.py --rows 1000000 --naive-rows 20000 --db both

For each database (SQLite file, PostgreSQL in a throw-away schema) it measures:

(a) raw floor: the same rows, already parsed and resolved (taken from the table (b) filled), loaded
    into the same table with the same indexes in one transaction by xinyong's own bulk loader
    (PostgreSQL COPY, SQLite executemany) — nothing but the physical write;
(b) xinyong's full pipeline from the CSV file: read in chunks, validate (types, enums, dates, USCC
    vectorised), resolve subjects, check names and duplicates, severity, window, timeliness, store
    records, rejected rows and findings, checkpoint and audit per chunk;
(c) a naive baseline on ``--naive-rows`` rows: csv.DictReader, python-stdnum per code, one subject
    query per row, the same records.rules, one ORM insert (add + flush) per row.

It prints rows/s of each, the ratios b/a and b/c, and the peak RSS of the process after (b).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl
from sqlalchemy import Engine, insert, select, text

from xinyong import demo, schema
from xinyong.catalog.schema import default_catalog_path
from xinyong.catalog.service import import_catalog, item_row, item_spec
from xinyong.db import make_engine, session_factory, transaction
from xinyong.ingest.service import submit_file
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.names import normalize_names
from xinyong.models import CreditRecord, Department, IdScheme, Subject, SubjectIdentifier
from xinyong.records import repository as loader
from xinyong.records.rules import publication_window, severity_of, timeliness
from xinyong.workdays.service import calendar as work_calendar

TODAY = demo.DEMO_TODAY
DEPT = "320900-SCJG"
CITY = "320900"
FIELDS = [
    "subject_name",
    "subject_id",
    "source_record_id",
    "decision_no",
    "decision_date",
    "legal_representative",
    "penalty_kind",
    "simple_procedure",
    "violation",
    "violation_facts",
    "legal_basis_text",
    "penalty_content",
    "fine_amount",
    "authority_name",
    "authority_id",
]
VIOLATIONS = [
    ("未按规定公示年度报告", "《企业信息公示暂行条例》第十八条"),
    ("销售不符合食品安全标准的食品", "《中华人民共和国食品安全法》第一百二十四条"),
    ("未取得许可从事经营活动", "《无证无照经营查处办法》第十三条"),
    ("虚假宣传", "《中华人民共和国反不正当竞争法》第二十条"),
    ("未按规定使用计量器具", "《中华人民共和国计量法》第二十六条"),
    ("超标排放大气污染物", "《中华人民共和国大气污染防治法》第九十九条"),
]


# --------------------------------------------------------------------------- data


def make_subjects(n: int, seed: int) -> list[demo.DemoOrg]:
    import opencc

    s2t = opencc.OpenCC("s2t")
    regions = [r.code for r in demo.demo_regions(CITY)]
    seen: set[str] = set()
    out = []
    for org in demo.generate_orgs(n, seed, regions, traditional=s2t.convert):
        if org.uscc not in seen:
            seen.add(org.uscc)
            out.append(org)
    return out


def penalty_rows(
    n: int, seed: int, orgs: list[demo.DemoOrg], authority: str
) -> Iterator[list[dict[str, Any]]]:
    """``n`` penalty records in chunks of 100,000; about 1 in 1,000 has a mistyped code."""
    rng = random.Random(seed)
    kinds = list(item_spec_for_kinds())
    chunk: list[dict[str, Any]] = []
    for i in range(n):
        org = orgs[rng.randrange(len(orgs))]
        decided = TODAY - dt.timedelta(days=rng.randrange(1, 700))
        violation, basis = rng.choice(VIOLATIONS)
        kind = rng.choice(kinds)
        fine = rng.choice([0, 500, 2000, 5000, 20000, 100000, 500000])
        code = org.uscc
        if rng.random() < 0.001:
            code = code[:-1] + ("0" if code[-1] != "0" else "1")
        chunk.append(
            {
                "subject_name": org.name,
                "subject_id": code,
                "source_record_id": f"{DEPT}-CF-{i:09d}",
                "decision_no": f"盐市监罚〔{decided.year}〕{i % 100000}号",
                "decision_date": decided.isoformat(),
                "legal_representative": org.legal_representative or "",
                "penalty_kind": kind,
                "simple_procedure": "是" if kind == "警告" else "否",
                "violation": violation,
                "violation_facts": f"经查，当事人{violation}，违法事实清楚，证据确凿。",
                "legal_basis_text": basis,
                "penalty_content": f"{kind}" + (f"，罚款人民币{fine}元" if fine else ""),
                "fine_amount": str(fine) if fine else "",
                "authority_name": "盐城市市场监督管理局",
                "authority_id": authority,
            }
        )
        if len(chunk) == 100_000:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def item_spec_for_kinds() -> list[str]:
    from xinyong.catalog.schema import load_default_catalog

    spec = load_default_catalog().item("CF-001").field("penalty_kind")
    assert spec is not None and spec.enum
    return list(spec.enum)


def write_file(path: Path, rows: int, seed: int, orgs: list[demo.DemoOrg], authority: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for chunk in penalty_rows(rows, seed, orgs, authority):
            writer.writerows(chunk)


# --------------------------------------------------------------------------- databases


class Target:
    def __init__(self, kind: str, url: str, engine: Engine, cleanup: Any) -> None:
        self.kind, self.url, self.engine, self.cleanup = kind, url, engine, cleanup

    def save(self, workdir: Path) -> None:
        (workdir / "target-url.txt").write_text(self.url)

    @classmethod
    def reopen(cls, kind: str, workdir: Path) -> Target:
        url = (workdir / "target-url.txt").read_text()
        engine = make_engine(url)
        return cls(kind, url, engine, engine.dispose)


def new_target(kind: str, pg_url: str, workdir: Path) -> Target:
    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
        url = f"sqlite:///{path}"
        engine = make_engine(url)

        def cleanup() -> None:
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return Target(kind, url, engine, cleanup)
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

    return Target(kind, url, engine, drop)


def prepare(target: Target, orgs: list[demo.DemoOrg], clock: FixedClock) -> None:
    """Schema, catalog, the department and the registered subjects (not timed)."""
    schema.upgrade(target.engine)
    with transaction(session_factory(target.engine)) as session:
        import_catalog(
            session,
            default_catalog_path().read_text(encoding="utf-8"),
            actor="bench",
            clock=clock,
            source="default",
        )
        session.add(
            Department(
                code=DEPT, name="盐城市市场监督管理局", kind="市场监管", region_code=CITY, level="city"
            )
        )
        norms = normalize_names([o.name for o in orgs])
        created = session.execute(
            insert(Subject).returning(Subject.id, Subject.uscc, sort_by_parameter_order=True),
            [
                {
                    "kind": o.kind,
                    "name": o.name,
                    "name_norm": norm,
                    "uscc": o.uscc,
                    "region_code": o.region_code,
                    "legal_representative": o.legal_representative,
                    "registered_on": o.registered_on,
                }
                for o, norm in zip(orgs, norms, strict=True)
            ],
        ).all()
        session.execute(
            insert(SubjectIdentifier),
            [{"subject_id": sid, "scheme": IdScheme.uscc, "value": code} for sid, code in created],
        )


# --------------------------------------------------------------------------- the three measurements


def run_pipeline(
    target: Target, path: Path, clock: FixedClock, cipher: PersonalDataCipher, store: Path
) -> tuple[float, Any]:
    start = time.perf_counter()
    outcome = submit_file(
        target.engine,
        path,
        item_code="CF-001",
        dept_code=DEPT,
        actor="bench",
        clock=clock,
        cipher=cipher,
        store_dir=store,
    )
    return time.perf_counter() - start, outcome


def export_records(target: Target, parquet: Path) -> None:
    """The rows (b) stored, as the already-parsed input of (a) (data as JSON text)."""
    cols = ", ".join(
        "data::text AS data" if c == "data" and target.kind == "postgresql" else c
        for c in loader.RECORD_COLUMNS
    )
    date_cols = ["decision_date", "received_on", "publish_from", "publish_min_end", "publish_max_end"]
    parts = []
    with target.engine.connect() as conn:
        for frame in pl.read_database(
            f"SELECT {cols} FROM credit_records ORDER BY id", conn, iter_batches=True, batch_size=100_000
        ):
            parts.append(
                frame.with_columns(
                    [pl.col(c).cast(pl.String).str.slice(0, 10).str.to_date() for c in date_cols]
                    + [pl.col(c).cast(pl.Boolean) for c in ("late", "timeliness_provisional", "published")]
                )
            )
    pl.concat(parts).write_parquet(parquet)


def run_raw(target: Target, parquet: Path) -> tuple[float, int]:
    frame = pl.read_parquet(parquet)
    factory = session_factory(target.engine)
    start = time.perf_counter()
    with transaction(factory) as session:
        loader.load_records(session, frame)
    return time.perf_counter() - start, frame.height


def run_naive(target: Target, path: Path, rows: int, clock: FixedClock) -> float:
    """Row by row: python-stdnum, one query per subject, the ORM for every insert."""
    from stdnum.cn import uscc as std_uscc

    factory = session_factory(target.engine)
    with transaction(factory) as session:
        item = item_row(session, "CF-001")
        spec = item_spec(item)
        dept = session.scalar(select(Department).where(Department.code == DEPT))
        assert dept is not None
        cal = work_calendar(session)
    kinds = set(item_spec_for_kinds())
    start = time.perf_counter()
    with transaction(factory) as session, open(path, encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f)):
            if n >= rows:
                break
            if not std_uscc.is_valid(row["subject_id"]) or not std_uscc.is_valid(row["authority_id"]):
                continue
            if row["penalty_kind"] not in kinds:
                continue
            try:
                decided = dt.date.fromisoformat(row["decision_date"])
            except ValueError:
                continue
            if decided > clock.today():
                continue
            subject = session.scalar(select(Subject).where(Subject.uscc == row["subject_id"]))
            if subject is None:
                continue
            data = {k: v for k, v in row.items() if v != ""}
            if "fine_amount" in data:
                data["fine_amount"] = float(data["fine_amount"])
            data["simple_procedure"] = data.get("simple_procedure") == "是"
            severity = severity_of(spec, data)
            window = publication_window(spec, data, severity)
            timely = timeliness(spec, decided, clock.today(), cal)
            session.add(
                CreditRecord(
                    subject_id=subject.id,
                    catalog_item_id=item.id,
                    source_dept_id=dept.id,
                    source_record_id=row["source_record_id"],
                    severity=severity,
                    decision_no=row["decision_no"],
                    decision_date=decided,
                    received_on=clock.today(),
                    delay_workdays=timely.delay_workdays,
                    late=timely.late,
                    published=window.publish,
                    publish_from=window.start,
                    publish_min_end=window.min_end,
                    publish_max_end=window.max_end,
                    data=data,
                )
            )
            session.flush()
    return time.perf_counter() - start


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pipeline_child(kind: str, workdir: str, queue: Any) -> None:
    """(b) in a fresh process, so that its peak RSS is the pipeline's own (file generation, the export
    and the other measurements happen in the parent)."""
    clock = FixedClock(TODAY)
    cipher = PersonalDataCipher(bytes(range(32)), index_secret="bench")
    target = Target.reopen(kind, Path(workdir))
    path, store = Path(workdir) / "penalties.csv", Path(workdir) / "store"
    seconds, outcome = run_pipeline(target, path, clock, cipher, store)
    target.engine.dispose()
    queue.put((seconds, outcome.rows, outcome.accepted, outcome.rejected, peak_rss_mb()))


def bench(
    kind: str, args: argparse.Namespace, path: Path, orgs: list[demo.DemoOrg], workdir: Path
) -> dict[str, Any]:
    import multiprocessing

    clock = FixedClock(TODAY)
    result: dict[str, Any] = {"db": kind}
    b = new_target(kind, args.pg_url, workdir)
    try:
        prepare(b, orgs, clock)
        b.save(workdir)
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        child = ctx.Process(target=_pipeline_child, args=(kind, str(workdir), queue))
        child.start()
        seconds, rows, accepted, rejected, rss = queue.get()
        child.join()
        result.update(b_seconds=seconds, b_rows=rows, accepted=accepted, rejected=rejected, peak_rss_mb=rss)
        export_records(b, workdir / "records.parquet")
    finally:
        b.cleanup()
    a = new_target(kind, args.pg_url, workdir)
    try:
        prepare(a, orgs, clock)
        seconds, n = run_raw(a, workdir / "records.parquet")
        result.update(a_seconds=seconds, a_rows=n)
    finally:
        a.cleanup()
    c = new_target(kind, args.pg_url, workdir)
    try:
        prepare(c, orgs, clock)
        result.update(c_seconds=run_naive(c, path, args.naive_rows, clock), c_rows=args.naive_rows)
    finally:
        c.cleanup()
    result["a_rate"] = result["a_rows"] / result["a_seconds"]
    result["b_rate"] = result["b_rows"] / result["b_seconds"]
    result["c_rate"] = result["c_rows"] / result["c_seconds"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="xinyong 归集流水线基准测试")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the generated file")
    parser.add_argument("--naive-rows", type=int, default=20_000, help="rows for the naive baseline")
    parser.add_argument("--subjects", type=int, default=50_000, help="registered subjects")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--workdir", type=Path, default=None, help="where files go (default: a temp dir)")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="xinyong-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        orgs = make_subjects(args.subjects, args.seed)
        authority = demo.make_uscc(random.Random(args.seed), "11", CITY)
        path = workdir / "penalties.csv"
        write_file(path, args.rows, args.seed, orgs, authority)
        size = path.stat().st_size / 2**20
        print(
            f"generated {args.rows:,} penalty rows ({size:.0f} MiB CSV) for {len(orgs):,} subjects "
            f"in {time.perf_counter() - t0:.1f}s; python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
        )
        kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
        results = [bench(kind, args, path, orgs, workdir) for kind in kinds]
        print()
        print(
            f"{'db':<11}{'(a) raw rows/s':>16}{'(b) xinyong rows/s':>20}{'(c) naive rows/s':>18}"
            f"{'b/a':>7}{'b/c':>8}{'peak RSS (b)':>14}"
        )
        for r in results:
            print(
                f"{r['db']:<11}{r['a_rate']:>16,.0f}{r['b_rate']:>20,.0f}{r['c_rate']:>18,.0f}"
                f"{r['b_rate'] / r['a_rate']:>7.2f}{r['b_rate'] / r['c_rate']:>8.1f}"
                f"{r['peak_rss_mb']:>11,.0f} MB"
            )
        for r in results:
            print(
                f"  {r['db']}: (a) {r['a_rows']:,} rows in {r['a_seconds']:.1f}s; "
                f"(b) {r['b_rows']:,} rows in {r['b_seconds']:.1f}s "
                f"({r['accepted']:,} accepted, {r['rejected']:,} rejected); "
                f"(c) {r['c_rows']:,} rows in {r['c_seconds']:.1f}s"
            )
        ok = all(
            r["b_rate"] / r["a_rate"] >= 0.5 and r["b_rate"] / r["c_rate"] >= 10 and r["peak_rss_mb"] < 2048
            for r in results
        )
        print("goals (b/a >= 0.5, b/c >= 10, peak RSS of (b) < 2 GB):", "met" if ok else "NOT met")
        return 0
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
