"""Reading submitted files in chunks: CSV (streamed), JSON Lines (streamed), XLSX (one sheet).

Every value is read as text, exactly as submitted; validation types it. The file is first copied
under the data directory, named by its sha256 (and, for a CSV in GB18030/GBK as Excel writes it in
China, transcoded to UTF-8 on the way), so that a batch can be resumed from its checkpoint.

Columns and keys that are not fields of the item (``unknown_fields``) are counted, never kept: the
copy kept for the batch holds the catalog's columns only. A CSV or XLSX file with such columns is
kept as a CSV of its catalog columns (same rows, same row numbers, lines with too many values still
flagged); a JSON Lines file is kept line for line with those keys removed (and a line that is not a
JSON object kept as ``null``, which reads as the same unreadable row).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

import fastexcel
import polars as pl

from xinyong.ingest import unknown_fields as unknown
from xinyong.ingest.pipeline.workbook import MAX_COLUMNS, check_workbook, not_a_workbook
from xinyong.ingest.validation import ROW, TOO_MANY_FIELDS, UNREADABLE, ItemContext, rows_frame
from xinyong.kit.errors import InvalidInput

FORMATS: Final = ("csv", "xlsx", "jsonl")
_SUFFIXES: Final = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_BLOCK: Final = 8 << 20
#: Header of the column that carries a row's original row number in a resubmitted file.
ROW_NO_HEADERS: Final = ("row_no", "原行号", "行号")
#: Rows per pass when a file is re-written with its catalog columns only.
_REWRITE_ROWS: Final = 50_000
#: A header cell longer than this is no column name (the first line is data, or not a table at all).
MAX_HEADER_CHARS: Final = 256
#: Nesting of a JSON Lines row (a row is a flat object; as for JSON bodies of the API).
MAX_JSON_DEPTH: Final = 32
# A value may be as long in a CSV read by the csv module (a line with too many values, the header) as
# in one read by Polars: the csv module's default of 131,072 characters gave a server error (issue 10
# item 9); text fields are held to their length by validation, row by row.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))


def infer_format(path: Path, fmt: str | None = None) -> str:
    """``csv`` / ``xlsx`` / ``jsonl`` from ``fmt`` or the file suffix."""
    chosen = (fmt or _SUFFIXES.get(path.suffix.lower(), "")).lower().lstrip(".")
    chosen = {"ndjson": "jsonl", "json": "jsonl", "xls": "xlsx"}.get(chosen, chosen)
    if chosen not in FORMATS:
        raise InvalidInput(
            f"不支持的文件格式“{path.suffix or fmt}”：请提交 CSV、XLSX 或 JSON Lines 文件",
            code="INGEST_FORMAT_UNSUPPORTED",
            details={"file": path.name},
        )
    return chosen


@dataclass(frozen=True)
class StagedFile:
    """A submitted file copied next to the store: its digest and where the working copy is."""

    sha256: str
    temp_path: Path
    fmt: str
    size: int


def stage(path: Path, fmt: str, store_dir: Path) -> StagedFile:
    """Hash the file and copy it into ``store_dir`` in one pass (CSV not in UTF-8 is read as
    GB18030 and written as UTF-8; a UTF-8 byte-order mark is dropped). Whatever stops it, the copy
    is deleted: it holds personal data in clear."""
    if not path.is_file():
        raise InvalidInput(f"找不到文件 {path}", code="INGEST_FILE_NOT_FOUND", details={"file": str(path)})
    store_dir.mkdir(parents=True, exist_ok=True)
    # The suffix names the format for the XLSX reader, which would otherwise try every format it knows.
    fd, temp = tempfile.mkstemp(dir=store_dir, prefix=".incoming-", suffix=f".{fmt}")
    try:
        digest, size, utf8 = _copy(path, os.fdopen(fd, "wb"), fmt)
        if fmt != "xlsx" and not utf8:
            _transcode(path, Path(temp))
        if size == 0:
            raise InvalidInput("文件为空", code="INGEST_FILE_EMPTY", details={"file": path.name})
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return StagedFile(sha256=digest, temp_path=Path(temp), fmt=fmt, size=size)


def _copy(path: Path, dst: BinaryIO, fmt: str) -> tuple[str, int, bool]:
    """Copy ``path`` to ``dst`` (closed after): its sha256, its size and whether it is UTF-8."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = fmt != "xlsx"
    size = 0
    first = True
    with open(path, "rb") as src, dst:
        while block := src.read(_BLOCK):
            digest.update(block)
            size += len(block)
            if first and fmt != "xlsx" and block.startswith(codecs.BOM_UTF8):
                block = block[len(codecs.BOM_UTF8) :]
            first = False
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
            dst.write(block)
    return digest.hexdigest(), size, utf8


def _transcode(source: Path, target: Path) -> None:
    try:
        with (
            open(source, encoding="gb18030", newline="") as src,
            open(target, "w", encoding="utf-8", newline="") as dst,
        ):
            while text := src.read(_BLOCK):
                dst.write(text)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "文件编码无法识别：请保存为 UTF-8（或 GBK）编码的 CSV", code="INGEST_FILE_ENCODING"
        ) from exc


def keep(staged: StagedFile, store_dir: Path) -> Path:
    """Move the staged copy to a name of its own, kept until its batch finishes (then deleted: the
    file may hold personal data in clear, and the records it became are stored protected)."""
    final = store_dir / staged.sha256[:2] / f"{staged.sha256}.{uuid.uuid4().hex[:12]}.{staged.fmt}"
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged.temp_path, final)
    return final


def discard(staged: StagedFile) -> None:
    staged.temp_path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Kept:
    """The copy of a submitted file kept for its batch, and what was left out of it."""

    path: Path
    #: Per column or key that is not a field of the item: the rows in which it held a value.
    unknown: dict[str, int]
    #: The fields the file carries (candidates for a misspelling are the others).
    present: set[str]
    rows: int | None


def keep_catalog_only(staged: StagedFile, ctx: ItemContext, lay: Layout, store_dir: Path) -> Kept:
    """Keep the staged file for its batch with the catalog's columns only (see the module docstring);
    a CSV or XLSX file without other columns is kept as it is. On any failure nothing is left behind."""
    suffix = "jsonl" if staged.fmt == "jsonl" else "csv"
    final = store_dir / staged.sha256[:2] / f"{staged.sha256}.{uuid.uuid4().hex[:12]}.{suffix}"
    try:
        if staged.fmt != "jsonl" and not lay.ignored:
            final = keep(staged, store_dir)
            return Kept(final, {}, set(lay.columns.values()), count_rows(final, staged.fmt))
        final.parent.mkdir(parents=True, exist_ok=True)
        if staged.fmt == "jsonl":
            return _rewrite_jsonl(staged.temp_path, ctx, final)
        return _rewrite_table(staged.temp_path, staged.fmt, lay, final)
    except (pl.exceptions.PolarsError, OSError, ValueError, csv.Error) as exc:
        final.unlink(missing_ok=True)
        raise unreadable(exc) from exc
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    finally:
        discard(staged)


def unreadable(exc: Exception) -> InvalidInput:
    """A file that could not be read before any row of it was processed."""
    technical = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    return InvalidInput(
        "文件无法读取（文件损坏，或不是所选的格式），未处理任何行；请检查文件后重新提交",
        code="INGEST_FILE_UNREADABLE",
        details={"detail": technical},
    )


def _rewrite_table(source: Path, fmt: str, lay: Layout, target: Path) -> Kept:
    """A CSV of the catalog columns of a CSV or XLSX file: one line per row read (so rows keep their
    numbers), values as read (empty and missing kept apart), and the too-many-values flag."""
    known = [h for h in lay.header if h in lay.columns]
    counts: dict[str, int] = {}
    rows = 0
    with open(target, "w", encoding="utf-8", newline="") as out:
        pl.DataFrame(schema=dict.fromkeys([*known, TOO_MANY_FIELDS], pl.String)).write_csv(out)
        for raw in _raw_chunks(source, fmt, skip=0, chunk_rows=_REWRITE_ROWS):
            unknown.add_counts(counts, unknown.count_filled(raw, _unknown_columns(raw, lay)))
            flag = (
                pl.when(pl.col(TOO_MANY_FIELDS)).then(pl.lit("true"))
                if TOO_MANY_FIELDS in raw.columns
                else pl.lit(None, dtype=pl.String)
            )
            raw.select([*[pl.col(c).cast(pl.String) for c in known], flag.alias(TOO_MANY_FIELDS)]).write_csv(
                out, include_header=False
            )
            rows += raw.height
    return Kept(target, counts, set(lay.columns.values()), rows)


def _rewrite_jsonl(source: Path, ctx: ItemContext, target: Path) -> Kept:
    """JSON Lines with only the item's keys, line for line (so rows keep their numbers)."""
    header = ctx.header_map()
    counts: dict[str, int] = {}
    present: set[str] = set()
    lines = 0
    with open(source, encoding="utf-8-sig") as src, open(target, "w", encoding="utf-8", newline="\n") as out:
        for line in src:
            lines += 1
            out.write(_catalog_line(line, lines, header, counts, present) + "\n")
    return Kept(target, counts, present, lines)


def _catalog_line(
    line: str, number: int, header: dict[str, str], counts: dict[str, int], present: set[str]
) -> str:
    if not line.strip():
        return ""
    row = _json_row(line, number)
    if not isinstance(row, dict):
        return "null"  # read as the same unreadable row, without what it held
    names = {key: header.get(str(key).strip()) for key in row}
    present.update(n for n in names.values() if n is not None)
    dropped = [key for key, name in names.items() if name is None]
    if not dropped:
        return line.rstrip("\r\n")
    for key in dropped:
        counts[str(key)] = counts.get(str(key), 0) + (not unknown.is_blank(row[key]))
    return json.dumps({k: v for k, v in row.items() if names[k] is not None}, ensure_ascii=False)


def _json_row(line: str, number: int) -> Any:
    """Line ``number`` of a JSON Lines file as parsed, None when it is not JSON (an unreadable row).
    A line nested deeper than :data:`MAX_JSON_DEPTH` refuses the file (deep enough, it stopped the
    parser with a server error: issue 10 item 9)."""
    try:
        row = json.loads(line)
    except ValueError:
        return None
    except RecursionError:
        raise _too_deep(number) from None
    if line.count("{") + line.count("[") > MAX_JSON_DEPTH and _depth(row) > MAX_JSON_DEPTH:
        raise _too_deep(number)
    return row


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children)
    return deepest


def _too_deep(number: int) -> InvalidInput:
    return InvalidInput(
        f"第 {number} 行的 JSON 嵌套超过 {MAX_JSON_DEPTH} 层，未处理任何行："
        "JSON Lines 文件每行应为一个平铺的 JSON 对象（字段名: 值）",
        code="INGEST_JSON_TOO_DEEP",
        details={"line": number, "max_depth": MAX_JSON_DEPTH},
    )


# --------------------------------------------------------------------------- headers


@dataclass(frozen=True)
class Layout:
    """How the file's columns map to the item's fields."""

    columns: dict[str, str]  # header as in the file -> field name
    #: Columns that are not fields of the item, as reported (``unknown_fields.column_label``).
    ignored: list[str]
    row_no_column: str | None
    #: Only a resubmission of rejected rows names its rows by their original number (原行号); every
    #: other file is numbered by position, so a number in the file can never merge or hide rows.
    keep_row_numbers: bool = False
    #: The header as read (CSV, XLSX), to name unknown columns by position.
    header: tuple[str, ...] = ()

    def is_known(self, raw: str) -> bool:
        return raw in self.columns or raw == self.row_no_column


def read_header(path: Path, fmt: str) -> list[str] | None:
    """The header row (CSV, XLSX); None for JSON Lines (keys are per line). An XLSX file is checked
    before it is opened (``pipeline.workbook``); a header of more than ``MAX_COLUMNS`` columns, or
    with a cell that cannot be a column's name, is refused."""
    if fmt == "jsonl":
        return None
    if fmt == "csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            try:
                header = next(csv.reader(f), [])
            except csv.Error as exc:
                raise unreadable(exc) from exc
    else:
        check_workbook(path)
        with _workbook_errors():
            sheet = fastexcel.read_excel(str(path)).load_sheet(0, n_rows=0)
            header = [str(c.name) for c in sheet.available_columns()]
    if len(header) > MAX_COLUMNS:
        raise InvalidInput(
            f"文件有 {len(header)} 列，超过上限 {MAX_COLUMNS} 列：请删除多余的列后重新提交",
            code="INGEST_TOO_MANY_COLUMNS",
            status=413,
            details={"columns": len(header), "max": MAX_COLUMNS},
        )
    for position, cell in enumerate(header, start=1):
        if len(cell) > MAX_HEADER_CHARS:
            raise InvalidInput(
                f"表头第 {position} 列超过 {MAX_HEADER_CHARS} 个字，不是字段名："
                "文件第一行应为表头（字段名或中文名称）",
                code="INGEST_HEADER_INVALID",
                details={"column": position},
            )
    return header


@contextmanager
def _workbook_errors() -> Iterator[None]:
    """What the XLSX reader cannot read is a file that is not a workbook, not a server error."""
    try:
        yield
    except fastexcel.FastExcelError as exc:
        raise not_a_workbook(str(exc).splitlines()[0][:200]) from exc


def _missing_columns(ctx: ItemContext, missing: list[Any], unknown_raw: list[str], seen: set[str]) -> None:
    """Refuse a file without some required columns, naming a column that may be one of them misspelt."""
    hints = []
    for raw in unknown_raw:
        guess = unknown.closest_field(ctx.spec, str(raw).strip(), seen)
        if guess in {f.name for f in missing}:
            hints.append(f"列“{unknown.column_label(raw, 0)}”是否为「{ctx.label(guess)}」（{guess}）？")
    raise InvalidInput(
        "文件缺少必填字段的列："
        + "、".join(f"{f.label}（{f.name}）" for f in missing)
        + "；表头可用字段名或中文名称"
        + ("。" + "".join(hints) if hints else ""),
        code="INGEST_COLUMNS_MISSING",
        details={"missing": [f.name for f in missing]},
    )


def layout(ctx: ItemContext, header: list[str] | None, *, need_row_no: bool = False) -> Layout:
    """Map headers (field names or Chinese labels) to fields; refuse missing required columns.

    ``need_row_no`` is for a resubmission of rejected rows: the file must keep the 原行号 column, and
    those numbers name the rows; it needs no other column (a field it leaves out keeps the value first
    submitted). Elsewhere a 原行号 / 行号 column is not a catalog field and is ignored.
    """
    if header is None:
        return Layout({}, [], None, keep_row_numbers=need_row_no)
    mapping = ctx.header_map()
    columns: dict[str, str] = {}
    unknown_raw: list[str] = []
    ignored: list[str] = []
    row_no_column = None
    seen: dict[str, str] = {}
    for position, raw in enumerate(header, start=1):
        text = str(raw).strip()
        if text in ROW_NO_HEADERS and need_row_no:
            row_no_column = raw
            continue
        name = mapping.get(text)
        if name is None:
            unknown_raw.append(raw)
            ignored.append(unknown.column_label(raw, position))
            continue
        if name in seen:
            raise InvalidInput(
                f"列“{seen[name]}”和“{text}”都对应字段「{ctx.label(name)}」，请删除重复的列",
                code="INGEST_COLUMN_DUPLICATE",
                details={"field": name},
            )
        seen[name] = text
        columns[raw] = name
    missing = [f for f in ctx.spec.fields if f.required and f.name not in seen]
    if missing and not need_row_no:
        _missing_columns(ctx, missing, unknown_raw, set(seen))
    if need_row_no and row_no_column is None:
        raise InvalidInput(
            "重新提交的文件须保留“原行号”（row_no）列，以便对应被拒收的行",
            code="INGEST_ROW_NO_MISSING",
        )
    return Layout(
        columns,
        list(dict.fromkeys(ignored)),
        row_no_column,
        keep_row_numbers=need_row_no,
        header=tuple(str(h) for h in header),
    )


def count_rows(path: Path, fmt: str) -> int | None:
    """Number of data rows (lines, for text formats: exact unless values contain line breaks)."""
    if fmt == "xlsx":
        return None
    lines = 0
    last = b"\n"
    with open(path, "rb") as f:
        while block := f.read(_BLOCK):
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1
    return max(0, lines - 1) if fmt == "csv" else lines


# --------------------------------------------------------------------------- chunks


def _flag(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A row flag: Boolean as read, or text ``true`` in a file kept with its catalog columns only."""
    if frame.schema[name] == pl.Boolean:
        return pl.col(name)
    return (pl.col(name).cast(pl.String) == "true").fill_null(False).alias(name)


def _finish(frame: pl.DataFrame, lay: Layout) -> pl.DataFrame:
    keep_cols = [c for c in lay.columns if c in frame.columns]
    flags = [_flag(frame, c) for c in (TOO_MANY_FIELDS,) if c in frame.columns]
    out = frame.select(
        [pl.col(ROW).cast(pl.Int64), *[pl.col(c).alias(lay.columns[c]) for c in keep_cols], *flags]
    )
    if lay.keep_row_numbers and lay.row_no_column and lay.row_no_column in frame.columns:
        # A row without a readable original number stays without one: the resubmission refuses it.
        original = frame[lay.row_no_column].cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False)
        out = out.with_columns(original.alias(ROW))
    return out


def _unknown_columns(frame: pl.DataFrame, lay: Layout) -> dict[str, list[str]]:
    """The frame's columns that are not fields, grouped by the name they are reported under (by
    position in the header when the frame has one column per header cell, else by name)."""
    values = [c for c in frame.columns if c not in (ROW, TOO_MANY_FIELDS)]
    header = [h for h in lay.header if h != TOO_MANY_FIELDS]
    by_position = len(values) == len(header)
    groups: dict[str, list[str]] = {}
    for i, column in enumerate(values):
        raw = header[i] if by_position else column
        if not lay.is_known(raw):
            groups.setdefault(unknown.column_label(raw, i + 1), []).append(column)
    return groups


def iter_chunks(
    path: Path, fmt: str, ctx: ItemContext, lay: Layout, *, skip: int, chunk_rows: int
) -> Iterator[tuple[pl.DataFrame, dict[str, int]]]:
    """Chunks of at most ``chunk_rows`` rows after the first ``skip`` data rows, each with its row
    numbers in ``__row``, and, per column or key that is not a field, the rows in which it held a
    value (those values are not in the chunk)."""
    if fmt == "jsonl":
        yield from _jsonl_chunks(
            path, ctx, skip=skip, chunk_rows=chunk_rows, row_numbers=lay.keep_row_numbers
        )
        return
    for raw in _raw_chunks(path, fmt, skip=skip, chunk_rows=chunk_rows):
        yield _finish(raw, lay), unknown.count_filled(raw, _unknown_columns(raw, lay))


def _raw_chunks(path: Path, fmt: str, *, skip: int, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """A CSV or XLSX file's rows as read: every column under its header, row numbers in ``__row``."""
    if fmt == "csv":
        lazy = pl.scan_csv(
            path,
            infer_schema=False,
            row_index_name=ROW,
            row_index_offset=2 + skip,
            skip_rows_after_header=skip,
            missing_columns="insert",
            truncate_ragged_lines=False,
        )
        read = 0
        try:
            for batch in lazy.collect_batches(chunk_size=chunk_rows):
                yield batch
                read += batch.height
        except pl.exceptions.ComputeError as exc:
            if "more fields" not in str(exc):
                raise
            # A line with more values than the header: Polars cannot say which line, and truncating
            # would lose data. The csv module reads the rest and rejects just those lines.
            yield from _csv_module_chunks(path, skip=skip + read, chunk_rows=chunk_rows)
        return
    with _workbook_errors():
        sheet = fastexcel.read_excel(str(path)).load_sheet(0, dtypes="string", skip_rows=skip)
        frame = sheet.to_polars().with_row_index(ROW, offset=2 + skip)
    for start in range(0, frame.height, chunk_rows):
        yield frame.slice(start, chunk_rows)


def _csv_module_chunks(path: Path, *, skip: int, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """The slow, exact CSV path: rows numbered as Polars numbers them, short rows padded with
    empty values, rows with too many values flagged so that validation rejects them."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        width = len(header)
        number = 2
        rows: list[list[str | None]] = []
        numbers: list[int] = []
        too_many: list[bool] = []

        def chunk() -> pl.DataFrame:
            data: dict[str, Any] = {
                name: pl.Series(name, [r[i] for r in rows], dtype=pl.String) for i, name in enumerate(header)
            }
            data[ROW] = pl.Series(ROW, numbers, dtype=pl.Int64)
            data[TOO_MANY_FIELDS] = pl.Series(TOO_MANY_FIELDS, too_many, dtype=pl.Boolean)
            return pl.DataFrame(data)

        for values in reader:
            if number - 2 >= skip:
                over = len(values) > width
                if over:  # keep every value: the surplus stays in the last column, as written
                    values = [*values[: width - 1], ",".join(values[width - 1 :])]
                cells: list[str | None] = [None if v == "" else v for v in values]
                rows.append([*cells, *[None] * (width - len(cells))])
                numbers.append(number)
                too_many.append(over)
                if len(rows) >= chunk_rows:
                    yield chunk()
                    rows, numbers, too_many = [], [], []
            number += 1
        if rows:
            yield chunk()


def _jsonl_chunks(
    path: Path, ctx: ItemContext, *, skip: int, chunk_rows: int, row_numbers: bool
) -> Iterator[tuple[pl.DataFrame, dict[str, int]]]:
    rows: list[Any] = []
    first = skip + 1
    with open(path, encoding="utf-8-sig") as f:
        for number, line in enumerate(f, start=1):
            if number <= skip:
                continue
            rows.append(_json_row(line, number) if line.strip() else {"__blank": True})
            if len(rows) >= chunk_rows:
                yield _json_frame(ctx, rows, first, row_numbers)
                first += len(rows)
                rows = []
    if rows:
        yield _json_frame(ctx, rows, first, row_numbers)


def _json_frame(
    ctx: ItemContext, rows: list[Any], first: int, row_numbers: bool
) -> tuple[pl.DataFrame, dict[str, int]]:
    blank = [isinstance(r, dict) and r.get("__blank") is True for r in rows]
    frame, ignored = rows_frame(
        ctx,
        [{"__blank": True} if b else r for r, b in zip(rows, blank, strict=True)],
        first_row=first,
        row_numbers=row_numbers,
    )
    if any(blank):
        keep_mask = pl.Series([not b for b in blank])
        frame = frame.filter(keep_mask)
    return frame.with_columns(pl.col(UNREADABLE)), {k: n for k, n in ignored.items() if k != "__blank"}
