"""Batch bookkeeping shared by every way in: a new batch (audited), the first batch of the same content,
running one in-memory chunk as a whole batch, pausing a batch on failure."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Final

import polars as pl
from sqlalchemy import update
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.db import transaction
from xinyong.ingest import repository, unknown_fields
from xinyong.ingest.pipeline.chunk import process_chunk
from xinyong.ingest.pipeline.run import run_for
from xinyong.ingest.reports import batch_outcome
from xinyong.ingest.schemas import BatchOutcome
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import BatchChannel, BatchStatus, IngestBatch

UNFINISHED: Final = (BatchStatus.receiving, BatchStatus.processing, BatchStatus.failed)


def new_batch(
    session: Session,
    *,
    dept_id: int,
    item_id: int,
    item_code: str,
    channel: BatchChannel,
    fmt: str,
    sha256: str,
    file_name: str | None,
    stored_path: str | None,
    actor: str,
    clock: Clock,
    unknown: list[unknown_fields.UnknownField],
    rows_total: int | None,
    status: BatchStatus = BatchStatus.receiving,
    duplicate_of: IngestBatch | None = None,
    resubmission_of: int | None = None,
    received_on: dt.date | None = None,
) -> IngestBatch:
    batch = IngestBatch(
        dept_id=dept_id,
        catalog_item_id=item_id,
        item_code=item_code,
        channel=channel,
        status=status,
        file_name=file_name,
        file_format=fmt,
        file_sha256=sha256,
        stored_path=stored_path,
        duplicate_of_id=duplicate_of.id if duplicate_of else None,
        resubmission_of_id=resubmission_of,
        received_on=received_on or clock.today(),
        submitted_at=clock.now(),
        submitted_by=actor,
        rows_done=0,
        rows_total=rows_total,
        accepted=0,
        rejected=0,
        warnings=0,
        late=0,
        duplicates=duplicate_of.rows_done if duplicate_of else 0,
        ignored_columns=unknown_fields.to_json(unknown),
    )
    if duplicate_of is not None:
        batch.rows_done = duplicate_of.rows_done
        batch.rows_total = duplicate_of.rows_done
        batch.finished_at = clock.now()
    session.add(batch)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="ingest.batch_duplicate" if duplicate_of else "ingest.batch_received",
        entity="ingest_batch",
        entity_id=batch.id,
        after={"sha256": sha256, "item": item_code, "dept_id": dept_id},
        detail={
            "channel": channel.value,
            "file": file_name,
            "duplicate_of": duplicate_of.id if duplicate_of else None,
            "resubmission_of": resubmission_of,
        },
        clock=clock,
    )
    return batch


def same_content(session: Session, dept_id: int, item_id: int, sha256: str) -> IngestBatch | None:
    """The first batch of this department and item with the same content (not itself a duplicate)."""
    return repository.first_with_content(session, dept_id, item_id, sha256)


def note_unknown(session: Session, batch_id: int, found: list[unknown_fields.UnknownField]) -> None:
    """Add fields outside the catalog found in one chunk to the batch's (row counts added up)."""
    batch = session.get_one(IngestBatch, batch_id)
    merged = unknown_fields.merge(unknown_fields.from_json(batch.ignored_columns), found)
    session.execute(
        update(IngestBatch)
        .where(IngestBatch.id == batch_id)
        .values(ignored_columns=unknown_fields.to_json(merged))
    )


def fail(
    factory: Any,
    batch_id: int,
    code: str,
    message: str,
    actor: str,
    clock: Clock,
    *,
    forget_file: bool = False,
) -> None:
    """Pause a batch (``failed``, resumable) with the reason; ``forget_file`` when its copy is to be
    deleted (the caller deletes it once this is committed)."""
    with transaction(factory) as session:
        batch = session.get(IngestBatch, batch_id)
        if batch is None:
            return
        batch.status = BatchStatus.failed
        batch.error_code, batch.error_message = code, message[:1000]
        if forget_file:
            batch.stored_path = None
        audit.record(
            session,
            actor=actor,
            action="ingest.batch_failed",
            entity="ingest_batch",
            entity_id=batch_id,
            detail={"code": code, "message": message[:300], "rows_done": batch.rows_done},
            clock=clock,
        )


def canonical_digest(rows: Any) -> str:
    blob = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def single_chunk(
    session: Session,
    batch: IngestBatch,
    frame: pl.DataFrame,
    *,
    actor: str,
    clock: Clock,
    cipher: PersonalDataCipher | None,
) -> BatchOutcome:
    run = run_for(session, batch, actor=actor, clock=clock, cipher=cipher)
    process_chunk(session, run, frame, expected_done=0)
    session.expire(batch)
    batch.status = BatchStatus.done
    batch.finished_at = clock.now()
    batch.rows_total = batch.rows_done
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="ingest.batch_done",
        entity="ingest_batch",
        entity_id=batch.id,
        after={"rows": batch.rows_done, "accepted": batch.accepted, "rejected": batch.rejected},
        clock=clock,
    )
    return batch_outcome(session, batch.id)
