"""Benchmark of ``xinyong demo --subjects N``, with its baseline in the same run.

    python bench/demo_load.py --subjects 1000000 --baseline 1000 --db both

For each database (a fresh SQLite file; PostgreSQL in a throw-away schema, dropped afterwards) it runs,
as a user would, in a child process:

(a) ``xinyong demo --subjects N`` — the bulk path (subjects generated column-wise and registered
    set-based, records sent through the ingest pipeline as monthly department batches, audit seals,
    search index rebuilt);
(b) ``xinyong demo --subjects B --one-by-one`` on a fresh database — the path every demo took before:
    each subject registered by subjects.service, records submitted as JSON API batches.

It prints the wall time of each, subjects/s and records/s, and the ratio of (a)'s subjects/s to (b)'s,
plus the stage timings (a) reports. ``--subjects 3000 --baseline 100`` is a quick check.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import text

from xinyong.db import make_engine

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SUMMARY = re.compile(r"信用主体\s*(\d+)\s*个.*?信用记录\s*(\d+)\s*条", re.S)
STAGES = re.compile(r"用时（秒）：(.*)")


@dataclass
class Timed:
    label: str
    seconds: float
    subjects: int
    records: int
    stages: str

    def line(self) -> str:
        return (
            f"  {self.label:<34} {self.seconds:8.1f} s  {self.subjects:>9,} subjects "
            f"({self.subjects / self.seconds:9,.0f}/s)  {self.records:>9,} records "
            f"({self.records / self.seconds:9,.0f}/s)"
        )


class Target:
    """A fresh database: a SQLite file, or a PostgreSQL schema of its own (dropped by ``drop``)."""

    def __init__(self, kind: str, workdir: Path, pg_url: str) -> None:
        self.kind, self.workdir, self.pg_url = kind, workdir, pg_url
        self.schema = f"xy_demo_{uuid.uuid4().hex[:10]}"
        if kind == "sqlite":
            self.url = f"sqlite:///{workdir / 'demo.sqlite3'}"
            return
        admin = make_engine(pg_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        admin.dispose()
        sep = "&" if "?" in pg_url else "?"
        self.url = f"{pg_url}{sep}options={quote(f'-csearch_path={self.schema}')}"

    def drop(self) -> None:
        if self.kind == "postgresql":
            admin = make_engine(self.pg_url)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            admin.dispose()


def run_demo(label: str, target: Target, args: list[str]) -> Timed:
    env = {
        **os.environ,
        "XINYONG_DATABASE_URL": target.url,
        "XINYONG_DATA_DIR": str(target.workdir),
        "COLUMNS": "200",  # the summary on one line
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "xinyong", "demo", *args],
        env=env,
        cwd=target.workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{label} failed:\n{done.stdout}\n{done.stderr}")
    found = SUMMARY.search(done.stdout)
    stages = STAGES.search(done.stdout)
    subjects, records = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
    return Timed(label, seconds, subjects, records, stages.group(1) if stages else "")


def measure(kind: str, args: argparse.Namespace) -> tuple[Timed, Timed]:
    results = []
    for label, demo_args in (
        (f"(a) bulk, --subjects {args.subjects}", ["--subjects", str(args.subjects)]),
        (f"(b) one by one, --subjects {args.baseline}", ["--subjects", str(args.baseline), "--one-by-one"]),
    ):
        with tempfile.TemporaryDirectory(prefix="xy-demo-") as tmp:
            target = Target(kind, Path(tmp), args.pg_url)
            try:
                results.append(run_demo(label, target, demo_args))
            finally:
                target.drop()
    return results[0], results[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for kind in kinds:
        bulk, baseline = measure(kind, args)
        print(f"{kind}:")
        print(bulk.line())
        if bulk.stages:
            print(f"    stages (s): {bulk.stages}")
        print(baseline.line())
        ratio = (bulk.subjects / bulk.seconds) / (baseline.subjects / baseline.seconds)
        print(f"  subjects/s, (a)/(b): {ratio:,.1f}×", flush=True)


if __name__ == "__main__":
    main()
