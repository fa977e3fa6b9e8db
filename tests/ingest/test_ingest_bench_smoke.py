"""The benchmark runs end to end on a tiny file and prints its ratios (no timing is asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import PG_URL, Database

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ingest.py"


def test_benchmark_prints_its_ratios(database: Database, tmp_path: Path) -> None:
    args = [sys.executable, str(BENCH), "--rows", "2000", "--naive-rows", "200", "--subjects", "300"]
    args += ["--db", database.kind, "--workdir", str(tmp_path)]
    if database.kind == "postgresql":
        args += ["--pg-url", PG_URL]
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert "b/a" in result.stdout and "b/c" in result.stdout
    line = next(x for x in result.stdout.splitlines() if x.startswith(database.kind))
    assert "MB" in line
