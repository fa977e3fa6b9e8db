"""Storing a chunk: accepted rows bulk-loaded as records (records.repository.load_records), rejected rows
kept with their values, and earlier rejected rows closed when their fix arrives."""

from __future__ import annotations

import polars as pl
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from xinyong.db import in_values, pieces
from xinyong.ingest.pipeline.run import Run
from xinyong.ingest.protect import protect_frame
from xinyong.ingest.validation import KIND, RESERVED_LABELS, ROW
from xinyong.kit.crypto import is_phone_field, mask_field_value, seal_values
from xinyong.models import CreditRecord, IngestBatch, RejectedRow, RejectedStatus
from xinyong.records import repository as records
from xinyong.records.assess import SEVERITY_OVERRIDE_COLUMN, SEVERITY_REASON_COLUMN


def store_records(
    session: Session, run: Run, accepted: pl.DataFrame
) -> tuple[int | None, int | None, pl.Series]:
    """Bulk-load the accepted rows; the id range they got, and their data as stored (JSON text)."""
    if accepted.height == 0:
        return None, None, pl.Series("__data", [], dtype=pl.String)
    before = session.scalar(select(func.max(CreditRecord.id))) or 0
    field_names = [f.name for f in run.ctx.spec.fields if f.name in accepted.columns]
    protected = protect_frame(run.ctx.spec, accepted, person_rows=accepted[KIND] == "ric", cipher=run.cipher)
    data = protected.select(
        pl.struct(
            [
                pl.col(n).dt.strftime("%Y-%m-%d") if protected.schema[n] == pl.Date else pl.col(n)
                for n in field_names
            ]
        )
        .struct.json_encode()
        .alias("__data")
    )["__data"]
    frame = pl.DataFrame(
        {
            "subject_id": accepted["__subject"],
            "catalog_item_id": pl.repeat(run.item_id, accepted.height, dtype=pl.Int64, eager=True),
            "source_dept_id": pl.repeat(run.dept_id, accepted.height, dtype=pl.Int64, eager=True),
            "source_record_id": accepted["source_record_id"],
            "version": pl.repeat(1, accepted.height, dtype=pl.Int32, eager=True),
            "status": pl.repeat("active", accepted.height, dtype=pl.String, eager=True),
            "severity": accepted["severity"],
            "severity_reason": accepted.select(
                pl.when(pl.col(SEVERITY_OVERRIDE_COLUMN).is_not_null()).then(pl.col(SEVERITY_REASON_COLUMN))
            ).to_series(),
            "decision_no": accepted["decision_no"]
            if "decision_no" in accepted.columns
            else pl.repeat(None, accepted.height, dtype=pl.String, eager=True),
            "decision_date": accepted["decision_date"],
            "received_on": pl.repeat(run.received_on, accepted.height, dtype=pl.Date, eager=True),
            "delay_workdays": accepted["delay_workdays"],
            "late": accepted["late"],
            "timeliness_provisional": accepted["timeliness_provisional"],
            "published": accepted["published"],
            "publish_from": accepted["publish_from"],
            "publish_min_end": accepted["publish_min_end"],
            "publish_max_end": accepted["publish_max_end"],
            "data": data,
            "batch_id": pl.repeat(run.batch_id, accepted.height, dtype=pl.Int64, eager=True),
        }
    )
    records.load_records(session, frame)
    first_id, last_id = session.execute(
        select(func.min(CreditRecord.id), func.max(CreditRecord.id)).where(
            CreditRecord.id > before, CreditRecord.batch_id == run.batch_id
        )
    ).one()
    return first_id, last_id, data


def record_ids(session: Session, run: Run, rows: pl.DataFrame) -> dict[int, int]:
    """Record ids of some just-stored rows (those with warnings, or fixes to link), by row number."""
    by_key = dict(zip(rows["source_record_id"].to_list(), rows[ROW].to_list(), strict=True))
    out: dict[int, int] = {}
    for condition in in_values(session, CreditRecord.source_record_id, list(by_key)):
        for key, rid in session.execute(
            select(CreditRecord.source_record_id, CreditRecord.id).where(
                CreditRecord.source_dept_id == run.dept_id, condition
            )
        ):
            out[by_key[key]] = rid
    return out


def store_rejected(session: Session, run: Run, raw: pl.DataFrame, rows: list[int]) -> None:
    """Keep rejected rows with their values as submitted, personal data sealed by the same rule as
    stored records (kit.crypto.seal_values; masked instead when there is no key). Only the item's
    fields are kept: a value outside the catalog is never stored (``unknown_fields``)."""
    if not rows:
        return
    subset = raw.filter(pl.col(ROW).is_in(rows))
    catalog = {*run.ctx.spec.field_names, *RESERVED_LABELS}
    value_cols = [c for c in subset.columns if c in catalog]
    ric = set(run.ctx.ric_fields)
    always = ric | {c for c in value_cols if is_phone_field(c)}
    payload = []
    for record in subset.iter_rows(named=True):
        values = {c: record[c] for c in value_cols if record[c] is not None}
        key = values.get("source_record_id")
        if run.cipher is not None:
            values = seal_values(values, run.cipher, always=always)
        else:
            values = {
                k: mask_field_value(k, str(v), is_ric=k in ric) if isinstance(v, str) or k in always else v
                for k, v in values.items()
            }
        payload.append(
            {
                "batch_id": run.batch_id,
                "row_no": int(record[ROW]),
                "source_record_id": str(key)[:100] if key is not None else None,
                "raw": values,
                "status": RejectedStatus.open,
            }
        )
    session.execute(insert(RejectedRow), payload)


def close_fixed_elsewhere(session: Session, run: Run, keys: list[str]) -> None:
    """A record stored now under a key (department + item + source record id) that an earlier batch
    rejected means the department fixed it and sent it again in a new file: close that rejected row,
    so the department's open corrections are the ones still to do."""
    earlier = select(IngestBatch.id).where(
        IngestBatch.dept_id == run.dept_id,
        IngestBatch.catalog_item_id == run.item_id,
        IngestBatch.id != run.batch_id,
    )
    stored = (
        select(CreditRecord.id)
        .where(
            CreditRecord.source_dept_id == run.dept_id,
            CreditRecord.catalog_item_id == run.item_id,
            CreditRecord.source_record_id == RejectedRow.source_record_id,
        )
        .order_by(CreditRecord.id)
        .limit(1)
        .scalar_subquery()
    )
    waiting = session.execute(
        select(RejectedRow.id, RejectedRow.source_record_id).where(
            RejectedRow.status == RejectedStatus.open,
            RejectedRow.batch_id.in_(earlier),
            RejectedRow.source_record_id.is_not(None),
        )
    ).all()
    if not waiting:  # the usual case: one small indexed query per chunk
        return
    wanted = set(keys)
    hits = [row_id for row_id, key in waiting if key in wanted]
    for piece in pieces(hits):
        session.execute(
            update(RejectedRow)
            .where(RejectedRow.id.in_(piece))
            .values(status=RejectedStatus.fixed, fixed_batch_id=run.batch_id, fixed_record_id=stored)
        )


def link_fixes(
    session: Session, run: Run, accepted: dict[int, int], rejected: list[int], dups: dict[int, int | None]
) -> None:
    original = run.resubmission_of
    for row_no, record_id in [*accepted.items(), *((r, d) for r, d in dups.items() if d is not None)]:
        session.execute(
            update(RejectedRow)
            .where(RejectedRow.batch_id == original, RejectedRow.row_no == row_no)
            .values(status=RejectedStatus.fixed, fixed_batch_id=run.batch_id, fixed_record_id=record_id)
        )
    if rejected:
        session.execute(
            update(RejectedRow)
            .where(RejectedRow.batch_id == original, RejectedRow.row_no.in_(rejected))
            .values(status=RejectedStatus.superseded, fixed_batch_id=run.batch_id)
        )
