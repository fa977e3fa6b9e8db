"""Resubmission of a batch's rejected rows, fixed (改正后重新提交): a new batch linked to the original."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from xinyong.ingest import readers, repository
from xinyong.ingest import unknown_fields as unknown
from xinyong.ingest.batches import canonical_digest, new_batch, single_chunk
from xinyong.ingest.pipeline.run import MAX_API_ROWS, default_store_dir
from xinyong.ingest.reports import REASONS_COLUMN
from xinyong.ingest.schemas import BatchOutcome
from xinyong.ingest.validation import ROW, ItemContext, context_for, rows_frame
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import ENC_PREFIX, PersonalDataCipher, unseal_values
from xinyong.kit.errors import InvalidInput, NotFound
from xinyong.models import BatchChannel, CatalogItemRow, IngestBatch, RejectedRow, RejectedStatus


def _open_rejected(session: Session, batch_id: int) -> dict[int, RejectedRow]:
    return {r.row_no: r for r in repository.rejected(session, batch_id, status=RejectedStatus.open)}


def _reveal(raw: dict[str, Any], cipher: PersonalDataCipher | None) -> dict[str, Any]:
    """A rejected row's values as submitted: sealed values decrypted, or left empty without the key."""
    if cipher is not None:
        return unseal_values(raw, cipher)
    return {k: None if isinstance(v, str) and v.startswith(ENC_PREFIX) else v for k, v in raw.items()}


def resubmit_rejected(
    session: Session,
    batch_id: int,
    fixes: list[dict[str, Any]] | Path,
    *,
    actor: str,
    clock: Clock,
    cipher: PersonalDataCipher | None,
    dept_id: int | None = None,
    store_dir: Path | None = None,
) -> BatchOutcome:
    """Resubmit fixed versions of a batch's rejected rows: a new batch (channel ``resubmit``).

    Each fix names the original ``row_no`` and the fields to change; fields it leaves out keep the
    value originally submitted. ``fixes`` may also be a file (CSV/XLSX/JSON Lines, e.g. the rejected
    rows download, edited) with a ``row_no`` / 原行号 column and the columns it changes, or more (an
    empty cell keeps the value first submitted); it is read as a submitted file is, from a copy in
    ``store_dir`` deleted after. Rows that pass are stored and their rejected row is marked fixed; rows
    that fail again become the new batch's rejected rows.
    """
    original = session.get(IngestBatch, batch_id)
    if original is None:
        raise NotFound(f"批次 {batch_id} 不存在", code="INGEST_BATCH_NOT_FOUND")
    if dept_id is not None and original.dept_id != dept_id:
        raise NotFound(f"批次 {batch_id} 不存在", code="INGEST_BATCH_NOT_FOUND")
    item = session.get_one(CatalogItemRow, original.catalog_item_id)
    ctx = context_for(item)
    from_file: dict[str, int] = {}
    if isinstance(fixes, Path):
        fixes, from_file = _fixes_from_file(ctx, fixes, store_dir or default_store_dir())
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
    frame, counts = rows_frame(ctx, merged, row_numbers=True)
    unknown.add_counts(counts, from_file)
    batch = new_batch(
        session,
        dept_id=original.dept_id,
        item_id=original.catalog_item_id,
        item_code=original.item_code,
        channel=BatchChannel.resubmit,
        fmt="json",
        sha256=canonical_digest({"batch": batch_id, "rows": merged, "at": clock.now().isoformat()}),
        file_name=None,
        stored_path=None,
        actor=actor,
        clock=clock,
        unknown=unknown.found(ctx.spec, counts, frame.columns),
        rows_total=len(merged),
        resubmission_of=batch_id,
    )
    return single_chunk(session, batch, frame, actor=actor, clock=clock, cipher=cipher)


def _fixes_from_file(
    ctx: ItemContext, path: Path, store_dir: Path
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The fixed rows of a file, and per column that is not a field, the rows in which it held a value
    (those values are not read into the fixes). The file is staged as a submitted file is (GBK CSV
    transcoded, XLSX checked before it is opened), and the copy deleted whatever happens."""
    fmt = readers.infer_format(path)
    staged = readers.stage(path, fmt, store_dir)
    try:
        lay = readers.layout(ctx, readers.read_header(staged.temp_path, fmt), need_row_no=True)
        out: list[dict[str, Any]] = []
        counts: dict[str, int] = {}
        chunks = readers.iter_chunks(staged.temp_path, fmt, ctx, lay, skip=0, chunk_rows=MAX_API_ROWS + 1)
        for chunk, more in chunks:
            unknown.add_counts(counts, {k: n for k, n in more.items() if k != REASONS_COLUMN})
            for record in chunk.iter_rows(named=True):
                row = {k: v for k, v in record.items() if not k.startswith("__") and v is not None}
                row["row_no"] = record[ROW]
                out.append(row)
            if len(out) > MAX_API_ROWS:
                break  # refused for its size by the caller, without reading the rest
    except (pl.exceptions.PolarsError, OSError, ValueError, csv.Error) as exc:
        raise readers.unreadable(exc) from exc
    finally:
        readers.discard(staged)
    return out, counts
