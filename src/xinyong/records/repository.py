"""SQL for credit records: look-ups, versions, and bulk storage of accepted rows (PostgreSQL COPY, SQLite
executemany), always inside the caller's transaction.

The frame handed to :func:`load_records` has :data:`RECORD_COLUMNS` (``id`` optional: without it the
database numbers the rows in order; data already JSON text). The benchmark's raw floor calls the same function
with rows prepared outside the timing, so "physical floor" means exactly this storage step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any, Final

import polars as pl
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from xinyong.db import in_values
from xinyong.models import CreditRecord, CreditRecordVersion, IngestBatch

RECORD_COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "subject_id",
    "catalog_item_id",
    "source_dept_id",
    "source_record_id",
    "version",
    "status",
    "severity",
    "severity_reason",
    "decision_no",
    "decision_date",
    "received_on",
    "delay_workdays",
    "late",
    "timeliness_provisional",
    "published",
    "publish_from",
    "publish_min_end",
    "publish_max_end",
    "data",
    "batch_id",
)

_DATE_COLUMNS: Final = ("decision_date", "received_on", "publish_from", "publish_min_end", "publish_max_end")


def _driver(session: Session) -> Any:
    return session.connection().connection.driver_connection


def load_records(session: Session, frame: pl.DataFrame) -> None:
    """Insert the rows of ``frame`` (columns :data:`RECORD_COLUMNS`; ``id`` may be left out, then
    the database numbers them in order) into credit_records."""
    if frame.height == 0:
        return
    columns = [c for c in RECORD_COLUMNS if c in frame.columns]
    frame = frame.select(columns)
    names = ", ".join(columns)
    if session.get_bind().dialect.name == "postgresql":
        payload = frame.write_csv(include_header=False, null_value="", date_format="%Y-%m-%d").encode()
        with (
            _driver(session).cursor() as cur,
            cur.copy(f"COPY credit_records ({names}) FROM STDIN (FORMAT csv)") as cp,
        ):
            cp.write(payload)
        return
    prepared = frame.with_columns(
        [pl.col(c).dt.strftime("%Y-%m-%d") for c in _DATE_COLUMNS]
        + [pl.col(c).cast(pl.Int8) for c in ("late", "timeliness_provisional", "published") if c in columns]
    )
    marks = ", ".join("?" * len(columns))
    cur = _driver(session).cursor()
    try:
        cur.executemany(f"INSERT INTO credit_records ({names}) VALUES ({marks})", prepared.iter_rows())
    finally:
        cur.close()


def get(session: Session, record_id: int) -> CreditRecord | None:
    return session.get(CreditRecord, record_id)


def by_source_key(session: Session, dept_id: int, source_record_id: str) -> CreditRecord | None:
    """A department's record by its own id (一数一源 key)."""
    return session.scalar(
        select(CreditRecord).where(
            CreditRecord.source_dept_id == dept_id, CreditRecord.source_record_id == source_record_id
        )
    )


def batch_submitter(session: Session, batch_id: int) -> str | None:
    return session.scalar(select(IngestBatch.submitted_by).where(IngestBatch.id == batch_id))


def has_version(session: Session, record_id: int, version: int) -> bool:
    found = session.scalar(
        select(CreditRecordVersion.id).where(
            CreditRecordVersion.record_id == record_id, CreditRecordVersion.version == version
        )
    )
    return found is not None


def versions(session: Session, record_id: int) -> list[CreditRecordVersion]:
    return list(
        session.scalars(
            select(CreditRecordVersion)
            .where(CreditRecordVersion.record_id == record_id)
            .order_by(CreditRecordVersion.version)
        )
    )


def stored_by_source_keys(
    session: Session, dept_id: int, keys: list[str]
) -> dict[str, tuple[int, int | None, dict[str, Any]]]:
    """A department's stored records among its source record ids: key -> (record id, batch id, data)."""
    existing: dict[str, tuple[int, int | None, dict[str, Any]]] = {}
    for condition in in_values(session, CreditRecord.source_record_id, keys):
        for rid, key, batch_id, data in session.execute(
            select(
                CreditRecord.id, CreditRecord.source_record_id, CreditRecord.batch_id, CreditRecord.data
            ).where(CreditRecord.source_dept_id == dept_id, condition)
        ):
            existing[key] = (rid, batch_id, data)
    return existing


def spanning_days(session: Session, days: Collection[dt.date]) -> list[CreditRecord]:
    """Records whose span after the decision, up to and including the receipt, holds one of ``days``."""
    if not days:
        return []
    spans = [and_(CreditRecord.decision_date < day, CreditRecord.received_on >= day) for day in days]
    return list(session.scalars(select(CreditRecord).where(or_(*spans)).order_by(CreditRecord.id)))


def spanning_year(session: Session, year: int, *, provisional_only: bool) -> list[CreditRecord]:
    """Records whose span from decision to receipt touches ``year`` (only the provisional ones, or all)."""
    stmt = select(CreditRecord).where(
        CreditRecord.decision_date <= dt.date(year, 12, 31), CreditRecord.received_on >= dt.date(year, 1, 1)
    )
    if provisional_only:
        stmt = stmt.where(CreditRecord.timeliness_provisional.is_(True))
    return list(session.scalars(stmt.order_by(CreditRecord.id)))
