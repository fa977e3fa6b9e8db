"""Collection services: submit a file or a JSON batch, resume, resubmit fixed rows.

``submit_file`` and ``resume_batch`` take an Engine (or a sessionmaker) because they commit once per
chunk; ``submit_records`` and ``resubmit_rejected`` work inside the caller's session (one
transaction, at most 10,000 rows). All of them run the same chunk pipeline (``pipeline``).
Reports (outcome, row-level errors as JSON / CSV / XLSX, timeliness) are in ``reports``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog.service import item_row
from xinyong.db import transaction
from xinyong.departments.service import get_department
from xinyong.ingest import readers
from xinyong.ingest.pipeline.chunk import process_chunk
from xinyong.ingest.pipeline.run import (
    DEFAULT_CHUNK_ROWS,
    MAX_API_ROWS,
    Db,
    Progress,
    default_store_dir,
    factory_of,
    run_for,
)
from xinyong.ingest.reports import batch_outcome
from xinyong.ingest.schemas import BatchOutcome
from xinyong.ingest.validation import ROW, context_for, rows_frame
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Conflict, DomainError, InvalidInput, NotFound
from xinyong.models import (
    BatchChannel,
    BatchStatus,
    CatalogItemRow,
    CreditRecord,
    IngestBatch,
    RejectedRow,
    RejectedStatus,
)
from xinyong.records.history import find_record

log = logging.getLogger(__name__)
_UNFINISHED = (BatchStatus.receiving, BatchStatus.processing, BatchStatus.failed)


def _new_batch(
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
    ignored: list[str],
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
        ignored_columns=ignored,
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


def _same_content(session: Session, dept_id: int, item_id: int, sha256: str) -> IngestBatch | None:
    """The first batch of this department and item with the same content (not itself a duplicate)."""
    return session.scalar(
        select(IngestBatch)
        .where(
            IngestBatch.dept_id == dept_id,
            IngestBatch.catalog_item_id == item_id,
            IngestBatch.file_sha256 == sha256,
            IngestBatch.status != BatchStatus.duplicate,
        )
        .order_by(IngestBatch.id)
        .limit(1)
    )


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
    resume_id: int | None = None
    try:
        with transaction(factory) as session:
            dept = get_department(session, dept_code)
            item = item_row(session, item_code)
            ctx = context_for(item)
            lay = readers.layout(ctx, readers.read_header(staged.temp_path, fmt))
            prior = _same_content(session, dept.id, item.id, staged.sha256)
            if prior is not None and prior.status not in _UNFINISHED:
                dup = _new_batch(
                    session,
                    dept_id=dept.id,
                    item_id=item.id,
                    item_code=item.code,
                    channel=channel,
                    fmt=fmt,
                    sha256=staged.sha256,
                    file_name=file_name or path.name,
                    stored_path=None,
                    actor=actor,
                    clock=clock,
                    ignored=lay.ignored,
                    rows_total=prior.rows_done,
                    status=BatchStatus.duplicate,
                    duplicate_of=prior,
                )
                readers.discard(staged)
                return batch_outcome(session, dup.id)
            if prior is not None:
                resume_id = prior.id
                readers.discard(staged)
            else:
                kept = readers.keep(staged, store)
                batch = _new_batch(
                    session,
                    dept_id=dept.id,
                    item_id=item.id,
                    item_code=item.code,
                    channel=channel,
                    fmt=fmt,
                    sha256=staged.sha256,
                    file_name=file_name or path.name,
                    stored_path=str(kept),
                    actor=actor,
                    clock=clock,
                    ignored=lay.ignored,
                    rows_total=readers.count_rows(kept, fmt),
                )
                resume_id = batch.id
    except BaseException:
        readers.discard(staged)
        raise
    return resume_batch(
        factory, resume_id, actor=actor, clock=clock, cipher=cipher, progress=progress, chunk_rows=chunk_rows
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
        batch = session.get(IngestBatch, batch_id)
        if batch is None:
            raise NotFound(f"批次 {batch_id} 不存在", code="INGEST_BATCH_NOT_FOUND")
        if batch.status not in _UNFINISHED:
            return batch_outcome(session, batch_id)
        if not batch.stored_path or not Path(batch.stored_path).exists():
            raise Conflict(
                "该批次的原始文件已不存在，无法续传，请重新提交文件",
                code="INGEST_FILE_GONE",
                details={"batch_id": batch_id},
            )
        path, fmt, done, total = Path(batch.stored_path), batch.file_format, batch.rows_done, batch.rows_total
        run = run_for(session, batch, actor=actor, clock=clock, cipher=cipher)
        lay = readers.layout(run.ctx, readers.read_header(path, fmt))
    if progress:
        progress(done, total)
    try:
        for chunk, ignored in readers.iter_chunks(path, fmt, run.ctx, lay, skip=done, chunk_rows=chunk_rows):
            if chunk.height == 0:
                continue
            with transaction(factory) as session:
                process_chunk(session, run, chunk, expected_done=done)
                if ignored:
                    _note_ignored(session, batch_id, ignored)
            done += chunk.height
            if progress:
                progress(done, total)
    except DomainError as exc:
        if exc.code != "INGEST_BATCH_BUSY":
            _fail(factory, batch_id, exc.code, exc.message, actor, clock)
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        message = (
            f"文件从第 {done + 2} 行起无法读取（文件损坏，或不是所选的格式）；此前的 {done} 行已处理。"
            "请检查文件后重新提交，已入库的行不会重复入库"
        )
        technical = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        _fail(factory, batch_id, "INGEST_FILE_UNREADABLE", f"{message}（{technical}）", actor, clock)
        raise InvalidInput(
            message, code="INGEST_FILE_UNREADABLE", details={"batch_id": batch_id, "detail": technical}
        ) from exc
    except IntegrityError as exc:
        # Another submission stored the same records (same department and record id) at the same
        # moment. Nothing of this chunk was kept; running the batch again skips them as duplicates.
        message = (
            "另一次提交同时报送了相同的记录，本批次已暂停，未重复入库；"
            "请稍后重新提交同一文件（或续传本批次），已入库的记录会作为重复忽略"
        )
        _fail(factory, batch_id, "INGEST_CONCURRENT", message, actor, clock)
        raise Conflict(message, code="INGEST_CONCURRENT", details={"batch_id": batch_id}) from exc
    except Exception:
        log.exception("ingest batch %s stopped after %s rows", batch_id, done)
        _fail(
            factory,
            batch_id,
            "INGEST_INTERRUPTED",
            f"处理在第 {done + 2} 行附近中断（内部错误）",
            actor,
            clock,
        )
        raise
    with transaction(factory) as session:
        batch = session.get(IngestBatch, batch_id)
        assert batch is not None
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
        outcome = batch_outcome(session, batch_id)
    path.unlink(missing_ok=True)
    return outcome


def _note_ignored(session: Session, batch_id: int, ignored: list[str]) -> None:
    batch = session.get(IngestBatch, batch_id)
    assert batch is not None
    merged = list(dict.fromkeys([*batch.ignored_columns, *ignored]))
    if merged != batch.ignored_columns:
        batch.ignored_columns = merged


def _fail(factory: Any, batch_id: int, code: str, message: str, actor: str, clock: Clock) -> None:
    with transaction(factory) as session:
        batch = session.get(IngestBatch, batch_id)
        if batch is None:
            return
        batch.status = BatchStatus.failed
        batch.error_code, batch.error_message = code, message[:1000]
        audit.record(
            session,
            actor=actor,
            action="ingest.batch_failed",
            entity="ingest_batch",
            entity_id=batch_id,
            detail={"code": code, "message": message[:300], "rows_done": batch.rows_done},
            clock=clock,
        )


def _canonical_digest(rows: Any) -> str:
    blob = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


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
    dept = get_department(session, dept_code)
    item = item_row(session, item_code)
    ctx = context_for(item)
    digest = _canonical_digest(rows)
    prior = _same_content(session, dept.id, item.id, digest)
    frame, ignored = rows_frame(ctx, rows)
    if prior is not None and prior.status not in _UNFINISHED:
        dup = _new_batch(
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
            ignored=ignored,
            rows_total=prior.rows_done,
            status=BatchStatus.duplicate,
            duplicate_of=prior,
            received_on=received_on,
        )
        return batch_outcome(session, dup.id)
    batch = _new_batch(
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
        ignored=ignored,
        rows_total=len(rows),
        received_on=received_on,
    )
    return _single_chunk(session, batch, frame, actor=actor, clock=clock, cipher=cipher)


def _single_chunk(
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


def _open_rejected(session: Session, batch_id: int) -> dict[int, RejectedRow]:
    return {
        r.row_no: r
        for r in session.scalars(
            select(RejectedRow).where(
                RejectedRow.batch_id == batch_id, RejectedRow.status == RejectedStatus.open
            )
        )
    }


def _reveal(raw: dict[str, Any], cipher: PersonalDataCipher | None) -> dict[str, Any]:
    out = dict(raw)
    for key, value in raw.items():
        if isinstance(value, str) and value.startswith("enc:"):
            out[key] = cipher.decrypt(base64.b64decode(value[4:])) if cipher else None
    return out


def resubmit_rejected(
    session: Session,
    batch_id: int,
    fixes: list[dict[str, Any]] | Path,
    *,
    actor: str,
    clock: Clock,
    cipher: PersonalDataCipher | None,
    dept_id: int | None = None,
) -> BatchOutcome:
    """Resubmit fixed versions of a batch's rejected rows: a new batch (channel ``resubmit``).

    Each fix names the original ``row_no`` and the fields to change; fields it leaves out keep the
    value originally submitted. ``fixes`` may also be a file (CSV/XLSX/JSON Lines, e.g. the rejected
    rows download, edited) with a ``row_no`` / 原行号 column. Rows that pass are stored and their
    rejected row is marked fixed; rows that fail again become the new batch's rejected rows.
    """
    original = session.get(IngestBatch, batch_id)
    if original is None:
        raise NotFound(f"批次 {batch_id} 不存在", code="INGEST_BATCH_NOT_FOUND")
    if dept_id is not None and original.dept_id != dept_id:
        raise NotFound(f"批次 {batch_id} 不存在", code="INGEST_BATCH_NOT_FOUND")
    item = session.get(CatalogItemRow, original.catalog_item_id)
    assert item is not None
    ctx = context_for(item)
    if isinstance(fixes, Path):
        fixes = _fixes_from_file(ctx, fixes)
    if not fixes:
        raise InvalidInput("没有需要重新提交的行", code="INGEST_NO_ROWS")
    if len(fixes) > MAX_API_ROWS:
        raise InvalidInput(f"每次最多重新提交 {MAX_API_ROWS} 行", code="INGEST_TOO_MANY_ROWS", status=413)
    open_rows = _open_rejected(session, batch_id)
    merged: list[dict[str, Any]] = []
    seen: set[int] = set()
    for fix in fixes:
        number = fix.get("row_no", fix.get("原行号"))
        try:
            row_no = int(number)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidInput("每个更正行都要给出原行号 row_no", code="INGEST_ROW_NO_MISSING") from None
        if row_no not in open_rows or row_no in seen:
            raise InvalidInput(
                f"第 {row_no} 行不是该批次中待更正的被拒收行",
                code="INGEST_ROW_NOT_REJECTED",
                details={"row_no": row_no, "batch_id": batch_id},
            )
        seen.add(row_no)
        values = _reveal(open_rows[row_no].raw, cipher)
        values.update({k: v for k, v in fix.items() if k not in ("row_no", "原行号")})
        values["row_no"] = row_no
        merged.append(values)
    frame, ignored = rows_frame(ctx, merged, row_numbers=True)
    batch = _new_batch(
        session,
        dept_id=original.dept_id,
        item_id=original.catalog_item_id,
        item_code=original.item_code,
        channel=BatchChannel.resubmit,
        fmt="json",
        sha256=_canonical_digest({"batch": batch_id, "rows": merged, "at": clock.now().isoformat()}),
        file_name=None,
        stored_path=None,
        actor=actor,
        clock=clock,
        ignored=ignored,
        rows_total=len(merged),
        resubmission_of=batch_id,
    )
    return _single_chunk(session, batch, frame, actor=actor, clock=clock, cipher=cipher)


def _fixes_from_file(ctx: Any, path: Path) -> list[dict[str, Any]]:
    fmt = readers.infer_format(path)
    lay = readers.layout(ctx, readers.read_header(path, fmt), need_row_no=True)
    out: list[dict[str, Any]] = []
    for chunk, _ignored in readers.iter_chunks(path, fmt, ctx, lay, skip=0, chunk_rows=MAX_API_ROWS + 1):
        for record in chunk.iter_rows(named=True):
            row = {k: v for k, v in record.items() if not k.startswith("__") and v is not None}
            row["row_no"] = record[ROW]
            out.append(row)
    return out


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
