"""A batch killed half way (SIGKILL, no chance to clean up) leaves whole chunks and a matching
checkpoint, and running the same command again finishes it without storing anything twice."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.db import session_factory, transaction
from xinyong.kit.clock import FixedClock
from xinyong.models import BatchStatus, CreditRecord, IngestBatch

from conftest import Database
from ingestworld import DEPT, build_world, penalty, write_csv

ROWS = 20_000
CHUNK = 400


def _cli(db: Database, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env.update(XINYONG_DATABASE_URL=db.url, XINYONG_DATA_DIR=str(tmp_path / "data"))
    return subprocess.Popen(
        [sys.executable, "-m", "xinyong", "ingest", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _state(session: Session) -> tuple[IngestBatch | None, int]:
    batch = session.scalar(select(IngestBatch).order_by(IngestBatch.id.desc()).limit(1))
    records = session.scalar(select(func.count()).select_from(CreditRecord)) or 0
    return batch, records


def test_killed_batch_is_consistent_and_resumes(fresh_database: Database, tmp_path: Path) -> None:
    factory = session_factory(fresh_database.engine)
    with transaction(factory) as session:
        build_world(session, FixedClock(dt.date(2026, 3, 16)))
    rows = [penalty(f"C-{i:06d}", decided="2026-03-10" if i % 97 else "not a date") for i in range(ROWS)]
    path = write_csv(tmp_path / "big.csv", rows)
    args = (str(path), "--item", "CF-001", "--dept", DEPT, "--chunk-rows", str(CHUNK), "--quiet")
    proc = _cli(fresh_database, tmp_path, *args)
    killed_at = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        with transaction(factory) as session:
            batch, _ = _state(session)
            if batch is not None and batch.rows_done >= 3 * CHUNK:
                os.kill(proc.pid, signal.SIGKILL)
                killed_at = batch.rows_done
                break
        time.sleep(0.01)
    proc.wait(timeout=30)
    assert killed_at is not None, proc.stderr.read() if proc.stderr else ""
    with transaction(factory) as session:
        batch, records = _state(session)
        assert batch is not None
        assert batch.status in (BatchStatus.processing, BatchStatus.receiving)
        assert 0 < batch.rows_done < ROWS
        assert batch.rows_done % CHUNK == 0  # whole chunks only
        assert batch.accepted + batch.rejected + batch.duplicates == batch.rows_done
        assert records == batch.accepted
        assert audit.verify(session).ok
    # the same command again resumes from the checkpoint
    again = _cli(fresh_database, tmp_path, *args)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    with transaction(factory) as session:
        batch, records = _state(session)
        assert batch is not None and batch.status is BatchStatus.done
        assert batch.rows_done == ROWS
        bad = len([i for i in range(ROWS) if i % 97 == 0])
        assert (batch.accepted, batch.rejected, batch.duplicates) == (ROWS - bad, bad, 0)
        assert records == ROWS - bad
        assert session.scalar(select(func.count(func.distinct(CreditRecord.source_record_id)))) == records
        assert session.scalar(select(func.count()).select_from(IngestBatch)) == 1
        assert audit.verify(session).ok
    assert "入库" in out
