"""The state of one batch's run through the pipeline, and its checkpoint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from xinyong.config import get_settings
from xinyong.db import session_factory
from xinyong.ingest.validation import ItemContext, context_for
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Conflict
from xinyong.kit.workdays import WorkCalendar
from xinyong.models import BatchStatus, CatalogItemRow, IngestBatch
from xinyong.workdays.service import calendar as work_calendar

DEFAULT_CHUNK_ROWS: Final = 50_000
MAX_API_ROWS: Final = 10_000

Progress = Callable[[int, int | None], None]
Db = Engine | sessionmaker[Session]


def factory_of(db: Db) -> sessionmaker[Session]:
    return session_factory(db) if isinstance(db, Engine) else db


def default_store_dir() -> Path:
    return get_settings().data_dir / "ingest"


@dataclass
class Run:
    batch_id: int
    dept_id: int
    item_id: int
    ctx: ItemContext
    received_on: dt.date
    today: dt.date
    cal: WorkCalendar
    cipher: PersonalDataCipher | None
    actor: str
    clock: Clock
    resubmission_of: int | None = None


@dataclass
class Counts:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0
    duplicates: int = 0
    late: int = 0
    ignored: list[str] = field(default_factory=list)


def run_for(
    session: Session, batch: IngestBatch, *, actor: str, clock: Clock, cipher: PersonalDataCipher | None
) -> Run:
    row = session.get_one(CatalogItemRow, batch.catalog_item_id)
    return Run(
        batch_id=batch.id,
        dept_id=batch.dept_id,
        item_id=row.id,
        ctx=context_for(row),
        received_on=batch.received_on,
        today=clock.today(),
        cal=work_calendar(session),
        cipher=cipher,
        actor=actor,
        clock=clock,
        resubmission_of=batch.resubmission_of_id,
    )


def claim(session: Session, batch_id: int, expected: int, rows: int) -> None:
    """Move the checkpoint from ``expected`` to ``expected + rows``; refuse if someone else moved it."""
    result = session.execute(
        update(IngestBatch)
        .where(IngestBatch.id == batch_id, IngestBatch.rows_done == expected)
        .values(rows_done=expected + rows, status=BatchStatus.processing)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "该批次正由另一进程处理，请稍后查看结果",
            code="INGEST_BATCH_BUSY",
            details={"batch_id": batch_id},
        )
