"""Collection services: submit a file or a JSON batch, resume, resubmit fixed rows.

``submit_file`` and ``resume_batch`` take an Engine (or a sessionmaker) because they commit once per
chunk; ``submit_records`` and ``resubmit_rejected`` work inside the caller's session (one
transaction, at most 10,000 rows). All of them run the same chunk pipeline (``pipeline``).
Reports (outcome, row-level errors as JSON / CSV / XLSX, timeliness) are in ``reports``.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import service as audit
from xinyong.db import transaction
from xinyong.departments.service import get_department
from xinyong.ingest import readers
from xinyong.ingest import unknown_fields as unknown
from xinyong.ingest.access import source_item
from xinyong.ingest.batches import (
    UNFINISHED,
    canonical_digest,
    fail,
    new_batch,
    note_unknown,
    same_content,
    single_chunk,
)
from xinyong.ingest.pipeline.chunk import process_chunk
from xinyong.ingest.pipeline.run import (
    DEFAULT_CHUNK_ROWS,
    MAX_API_ROWS,
    Db,
    Progress,
    Run,
    default_store_dir,
    factory_of,
    run_for,
)
from xinyong.ingest.reports import batch_outcome
from xinyong.ingest.resubmit import resubmit_rejected
from xinyong.ingest.schemas import BatchOutcome
from xinyong.ingest.validation import ItemContext, context_for, rows_frame
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Conflict, DomainError, InvalidInput, NotFound
from xinyong.models import (
    BatchChannel,
    BatchStatus,
    CatalogItemRow,
    CreditRecord,
    IngestBatch,
)
from xinyong.records.history import find_record

log = logging.getLogger(__name__)


def _duplicate_of(
    session: Session,
    prior: IngestBatch,
    channel: BatchChannel,
    fmt: str,
    sha256: str,
    file_name: str,
    actor: str,
    clock: Clock,
) -> BatchOutcome:
    """A file already processed: a ``duplicate`` batch pointing at the first one; nothing is stored twice
    (its fields outside the catalog are those found in the first)."""
    dup = new_batch(
        session,
        dept_id=prior.dept_id,
        item_id=prior.catalog_item_id,
        item_code=prior.item_code,
        channel=channel,
        fmt=fmt,
        sha256=sha256,
        file_name=file_name,
        stored_path=None,
        actor=actor,
        clock=clock,
        unknown=unknown.from_json(prior.ignored_columns),
        rows_total=prior.rows_done,
        status=BatchStatus.duplicate,
        duplicate_of=prior,
    )
    return batch_outcome(session, dup.id)


def submit_file(
    db: Db,
    path: Path,
    *,
    item_code: str,
    dept_code: str,
    actor: str,
    clock: Clock,
    cipher: PersonalDataCipher | None,
    fmt: str | None = None,
    channel: BatchChannel = BatchChannel.cli,
    file_name: str | None = None,
    progress: Progress | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    store_dir: Path | None = None,
) -> BatchOutcome:
    """Submit a CSV / XLSX / JSON Lines file of one catalog item for one department.

    The same file again returns a ``duplicate`` batch pointing at the first (nothing stored twice);
    the same file of a batch that did not finish resumes that batch from its checkpoint.
    """
    path = Path(path)
    fmt = readers.infer_format(path, fmt)
    store = store_dir or default_store_dir()
    staged = readers.stage(path, fmt, store)
    factory = factory_of(db)
    kept: readers.Kept | None = None
    try:
        with transaction(factory) as session:
            dept, item = source_item(session, dept_code, item_code)
            ctx = context_for(item)
            lay = readers.layout(ctx, readers.read_header(staged.temp_path, fmt))
            prior = same_content(session, dept.id, item.id, staged.sha256)
            if prior is not None and prior.status not in UNFINISHED:
                return _duplicate_of(
                    session, prior, channel, fmt, staged.sha256, file_name or path.name, actor, clock
                )
            if prior is not None and prior.stored_path and Path(prior.stored_path).exists():
                resume_id = prior.id
            else:
                kept = readers.keep_catalog_only(staged, ctx, lay, store)
                resume_id = _batch_for(
                    session,
                    prior,
                    kept,
                    ctx,
                    dept.id,
                    item,
                    channel,
                    fmt,
                    staged.sha256,
                    file_name or path.name,
                    actor,
                    clock,
                )
    except BaseException:
        if kept is not None:  # the batch that was to hold it was not stored
            kept.path.unlink(missing_ok=True)
        raise
    finally:
        readers.discard(staged)
    return resume_batch(
        factory, resume_id, actor=actor, clock=clock, cipher=cipher, progress=progress, chunk_rows=chunk_rows
    )


def _batch_for(
    session: Session,
    prior: IngestBatch | None,
    kept: readers.Kept,
    ctx: ItemContext,
    dept_id: int,
    item: CatalogItemRow,
    channel: BatchChannel,
    fmt: str,
    sha256: str,
    file_name: str,
    actor: str,
    clock: Clock,
) -> int:
    """The batch that processes the kept copy: a new one, or the unfinished batch of the same content
    whose copy was deleted when it stopped on the file (it resumes from its checkpoint)."""
    if prior is not None:
        prior.stored_path = str(kept.path)
        return prior.id
    batch = new_batch(
        session,
        dept_id=dept_id,
        item_id=item.id,
        item_code=item.code,
        channel=channel,
        fmt=fmt,
        sha256=sha256,
        file_name=file_name,
        stored_path=str(kept.path),
        actor=actor,
        clock=clock,
        unknown=unknown.found(ctx.spec, kept.unknown, kept.present),
        rows_total=kept.rows,
    )
    return batch.id


@dataclass
class _Resume:
    """Where a file batch picks up: its stored file, its layout and its checkpoint."""

    path: Path
    fmt: str
    done: int
    total: int | None
    run: Run
    lay: readers.Layout


def _prepare_resume(
    session: Session, batch_id: int, *, actor: str, clock: Clock, cipher: PersonalDataCipher | None
) -> _Resume | None:
    """The batch's resume point; None when it has nothing left to do."""
    batch = session.get(IngestBatch, batch_id)
    if batch is None:
        raise NotFound(f"批次 {batch_id} 不存在", code="INGEST_BATCH_NOT_FOUND")
    if batch.status not in UNFINISHED:
        return None
    if not batch.stored_path or not Path(batch.stored_path).exists():
        raise Conflict(
            "该批次的原始文件已不存在，无法续传，请重新提交文件",
            code="INGEST_FILE_GONE",
            details={"batch_id": batch_id},
        )
    # The kept copy may be in another format than the file sent (a CSV of an XLSX's catalog columns).
    path = Path(batch.stored_path)
    fmt = readers.infer_format(path)
    run = run_for(session, batch, actor=actor, clock=clock, cipher=cipher)
    lay = readers.layout(run.ctx, readers.read_header(path, fmt))
    return _Resume(path, fmt, batch.rows_done, batch.rows_total, run, lay)


class _FileStopped(Exception):
    """Reading the batch's own file failed (its cause says why): run again, it stops at the same place."""


def _chunks(at: _Resume, skip: int, chunk_rows: int) -> Iterator[tuple[pl.DataFrame, dict[str, int]]]:
    try:
        yield from readers.iter_chunks(at.path, at.fmt, at.run.ctx, at.lay, skip=skip, chunk_rows=chunk_rows)
    except (InvalidInput, pl.exceptions.PolarsError, OSError, ValueError, csv.Error) as exc:
        raise _FileStopped from exc


def _process_file(
    factory: sessionmaker[Session], batch_id: int, at: _Resume, progress: Progress | None, chunk_rows: int
) -> None:
    """Every chunk from the checkpoint on, each committed with its checkpoint; a failure pauses the batch
    (``failed``, resumable) with the reason, except when another process holds it. A batch stopped by
    its own file loses its copy (personal data in clear): the same file sent again carries on."""
    done = at.done
    try:
        for chunk, counts in _chunks(at, done, chunk_rows):
            if chunk.height == 0:
                continue
            with transaction(factory) as session:
                process_chunk(session, at.run, chunk, expected_done=done)
                if counts:  # only in a file kept whole (a batch begun before unknown columns were left out)
                    note_unknown(session, batch_id, unknown.found(at.run.ctx.spec, counts, chunk.columns))
            done += chunk.height
            if progress:
                progress(done, at.total)
    except _FileStopped as stop:
        cause = stop.__cause__ if isinstance(stop.__cause__, Exception) else stop
        raise _unreadable(factory, batch_id, done, cause, at, forget_file=True) from cause
    except DomainError as exc:
        if exc.code != "INGEST_BATCH_BUSY":
            fail(factory, batch_id, exc.code, exc.message, at.run.actor, at.run.clock)
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError, csv.Error) as exc:
        raise _unreadable(factory, batch_id, done, exc, at) from exc
    except IntegrityError as exc:
        # Another submission stored the same records (same department and record id) at the same
        # moment. Nothing of this chunk was kept; running the batch again skips them as duplicates.
        message = (
            "另一次提交同时报送了相同的记录，本批次已暂停，未重复入库；"
            "请稍后重新提交同一文件（或续传本批次），已入库的记录会作为重复忽略"
        )
        fail(factory, batch_id, "INGEST_CONCURRENT", message, at.run.actor, at.run.clock)
        raise Conflict(message, code="INGEST_CONCURRENT", details={"batch_id": batch_id}) from exc
    except Exception:
        log.exception("ingest batch %s stopped after %s rows", batch_id, done)
        message = f"处理在第 {done + 2} 行附近中断（内部错误）"
        fail(factory, batch_id, "INGEST_INTERRUPTED", message, at.run.actor, at.run.clock)
        raise


def _unreadable(
    factory: sessionmaker[Session],
    batch_id: int,
    done: int,
    exc: Exception,
    at: _Resume,
    *,
    forget_file: bool = False,
) -> InvalidInput:
    """The batch stopped (failed) on what cannot be read; with ``forget_file``, its copy is deleted."""
    details: dict[str, Any] = {"batch_id": batch_id}
    if isinstance(exc, InvalidInput):  # the file refused by a reader's own rule (too deep ...)
        code, message, technical = exc.code, exc.message, ""
        details.update(exc.details)
    else:
        code = "INGEST_FILE_UNREADABLE"
        message = (
            f"文件从第 {done + 2} 行起无法读取（文件损坏，或不是所选的格式）；此前的 {done} 行已处理。"
            "请检查文件后重新提交，已入库的行不会重复入库"
        )
        technical = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        details["detail"] = technical
    noted = f"{message}（{technical}）" if technical else message
    fail(factory, batch_id, code, noted, at.run.actor, at.run.clock, forget_file=forget_file)
    if forget_file:
        at.path.unlink(missing_ok=True)
    return InvalidInput(message, code=code, status=getattr(exc, "status", 422), details=details)


def _finish(session: Session, batch_id: int, *, actor: str, clock: Clock) -> None:
    batch = session.get_one(IngestBatch, batch_id)
    batch.status = BatchStatus.done
    batch.finished_at = clock.now()
    batch.rows_total = batch.rows_done
    batch.error_code = batch.error_message = None
    batch.stored_path = None  # the file is deleted once this commits
    audit.record(
        session,
        actor=actor,
        action="ingest.batch_done",
        entity="ingest_batch",
        entity_id=batch_id,
        after={
            "rows": batch.rows_done,
            "accepted": batch.accepted,
            "rejected": batch.rejected,
            "duplicates": batch.duplicates,
        },
        clock=clock,
    )


def resume_batch(
    db: Db,
    batch_id: int,
    *,
    actor: str,
    clock: Clock,
    cipher: PersonalDataCipher | None,
    progress: Progress | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> BatchOutcome:
    """Process a file batch from its checkpoint to the end, committing chunk by chunk."""
    factory = factory_of(db)
    with transaction(factory) as session:
        at = _prepare_resume(session, batch_id, actor=actor, clock=clock, cipher=cipher)
        if at is None:
            return batch_outcome(session, batch_id)
    if progress:
        progress(at.done, at.total)
    _process_file(factory, batch_id, at, progress, chunk_rows)
    with transaction(factory) as session:
        _finish(session, batch_id, actor=actor, clock=clock)
        outcome = batch_outcome(session, batch_id)
    at.path.unlink(missing_ok=True)
    return outcome


def submit_records(
    session: Session,
    rows: list[dict[str, Any]],
    *,
    item_code: str,
    dept_code: str,
    actor: str,
    clock: Clock,
    cipher: PersonalDataCipher | None,
    received_on: dt.date | None = None,
) -> BatchOutcome:
    """The JSON batch API for department systems: up to 10,000 records in one transaction.

    Row numbers are positions in ``rows`` (from 1). The same request body again is a ``duplicate``
    batch that stores nothing. ``received_on`` is the day the platform received the records: today,
    unless records received earlier are being loaded (history, demo data).
    """
    if not isinstance(rows, list) or not rows:
        raise InvalidInput("请求中没有记录（records 为空）", code="INGEST_NO_ROWS")
    if len(rows) > MAX_API_ROWS:
        raise InvalidInput(
            f"每次最多提交 {MAX_API_ROWS} 条记录，本次 {len(rows)} 条：请分批提交",
            code="INGEST_TOO_MANY_ROWS",
            status=413,
            details={"max": MAX_API_ROWS, "received": len(rows)},
        )
    dept, item = source_item(session, dept_code, item_code)
    ctx = context_for(item)
    digest = canonical_digest(rows)
    prior = same_content(session, dept.id, item.id, digest)
    frame, counts = rows_frame(ctx, rows)
    found = unknown.found(ctx.spec, counts, frame.columns)
    if prior is not None and prior.status not in UNFINISHED:
        dup = new_batch(
            session,
            dept_id=dept.id,
            item_id=item.id,
            item_code=item.code,
            channel=BatchChannel.api,
            fmt="json",
            sha256=digest,
            file_name=None,
            stored_path=None,
            actor=actor,
            clock=clock,
            unknown=found,
            rows_total=prior.rows_done,
            status=BatchStatus.duplicate,
            duplicate_of=prior,
            received_on=received_on,
        )
        return batch_outcome(session, dup.id)
    batch = new_batch(
        session,
        dept_id=dept.id,
        item_id=item.id,
        item_code=item.code,
        channel=BatchChannel.api,
        fmt="json",
        sha256=digest,
        file_name=None,
        stored_path=None,
        actor=actor,
        clock=clock,
        unknown=found,
        rows_total=len(rows),
        received_on=received_on,
    )
    return single_chunk(session, batch, frame, actor=actor, clock=clock, cipher=cipher)


def submit_record(
    session: Session,
    data: dict[str, Any],
    *,
    item_code: str,
    dept_code: str,
    actor: str,
    clock: Clock,
    cipher: PersonalDataCipher | None,
    received_on: dt.date | None = None,
) -> CreditRecord:
    """One record: a batch of one through the same pipeline as every file and JSON batch. Returns the
    stored record (the one already stored, for an identical resubmission); a rejected row raises its
    first error as :class:`InvalidInput` with the row's error code."""
    outcome = submit_records(
        session,
        [data],
        item_code=item_code,
        dept_code=dept_code,
        actor=actor,
        clock=clock,
        cipher=cipher,
        received_on=received_on,
    )
    errors = [i for i in outcome.issues if i.level == "error"]
    if errors:
        first = errors[0]
        raise InvalidInput(
            first.message,
            code=first.code,
            details={"batch_id": outcome.batch_id, "field": first.field, "errors": len(errors)},
        )
    dept = get_department(session, dept_code)
    return find_record(session, dept.id, str(data.get("source_record_id", "")).strip())


__all__ = ["resubmit_rejected", "resume_batch", "submit_file", "submit_record", "submit_records"]
