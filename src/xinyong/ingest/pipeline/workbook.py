"""What an XLSX file may cost before a reader opens it (issue 10 item 5).

fastexcel (calamine) inflates the parts of the zip without limit and lays the first sheet out as a dense
grid from its first to its last cell: a 6 MB file that inflates to 1 GB, or a 5 KB file with a value in
A1 and one in XFD1048576 (17 billion cells: the process aborts), would take the server down. So before
it is read a workbook is checked, part by part, without ever holding a part whole:

- the zip as declared: at most :data:`MAX_PARTS` parts, :data:`MAX_INFLATED` bytes inflated in all, no
  part over 1 MiB inflating more than :data:`MAX_RATIO` times its compressed size (Apache POI's rule);
- each part inflated as the reader would (from its local header, for its compressed size): it must give
  exactly the bytes it declares (a lying size is refused as soon as it is passed) and their CRC;
- the cells of every part (any part may be the sheet): the grid the reader would lay out, bounded from
  the cell references (``r="AB12"``, with or without a namespace prefix, either quote) and, for cells
  without one, from their count in a row, is at most :data:`MAX_ROWS` x :data:`MAX_COLUMNS` and
  :data:`MAX_CELLS` cells. Empty cells written as ``<c .../>`` count too (a bound, never less).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

import polars as pl

from xinyong.kit.errors import InvalidInput

MAX_PARTS: Final = 10_000
MAX_INFLATED: Final = 512 << 20
MAX_RATIO: Final = 100
#: Parts smaller than this inflated are not held to the ratio (small XML compresses well).
_RATIO_GRACE: Final = 1 << 20
#: Excel's own limit; the columns are far fewer than Excel's 16,384: a catalog item has a few dozen fields.
MAX_ROWS: Final = 1_048_576
MAX_COLUMNS: Final = 1_000
#: About 1 GB in the reader's grid (32 bytes a cell): a million rows of 30 columns.
MAX_CELLS: Final = 32_000_000
_CHUNK: Final = 4 << 20
#: An XML tag longer than this is no worksheet's.
_TAG_MAX: Final = 1 << 20
_DIRECTORY_MAX: Final = 8 << 20

_PREFIX: Final = r"(?:[^\s<>/:!?]+:)?"
_CELL: Final = rf"<{_PREFIX}c[\s/>]"
_ROW: Final = rf"<{_PREFIX}row[\s/>]"
#: A cell or a row counts as having a reference only when it is its first attribute (no other value can
#: then pass for it); any other is counted as one without, which only widens the bound.
_CELL_WITH_REF: Final = rf"<{_PREFIX}c\s+r\s*="
_ROW_WITH_REF: Final = rf"<{_PREFIX}row\s+r\s*="
#: A row's reference, to raise early the row above which cell references are read whole (the bound
#: itself comes from every attribute ``r``, wherever it is written: :meth:`_Grid._add_refs`).
_ROW_REF: Final = rf"""<{_PREFIX}row\s(?:[^<>]*[\s"'])?r\s*=\s*["'][0-9]*"""
#: What a chunk written as Excel writes it never holds: a cell or row without its reference first, an
#: ``r`` written other than `` r="``, a blank other than a space, a namespace prefix. Such a chunk is read
#: the slow way (:meth:`_Grid._add_as_written`).
_ODD: Final = "|".join(
    (
        *(r' r=[^"]', r"<c[^ ]", r"<c [^r]", r"<c r[^=]", r'<c r=[^"]'),
        *(r"<row[^ ]", r"<row [^r]", r"<row r[^=]", r'<row r=[^"]'),
        *(r":c[\s/>]", r":row[\s/>]", r"[\t\n\r]", r" r ", r" r\t", r"[\"']r[\s=]"),
    )
)


def not_a_workbook(detail: str) -> InvalidInput:
    """``INGEST_XLSX_INVALID``: the file is not an XLSX workbook, or a damaged one."""
    return InvalidInput(
        f"文件不是有效的 Excel 工作簿（.xlsx）：{detail}。请用 Excel 打开后另存为 .xlsx，或改交 CSV 文件",
        code="INGEST_XLSX_INVALID",
    )


def _bomb(detail: str) -> InvalidInput:
    return InvalidInput(
        f"Excel 文件解压后过大：{detail}，未读取。请拆分文件，或改交 CSV 文件",
        code="INGEST_XLSX_BOMB",
        status=413,
        details={"max_inflated_mb": MAX_INFLATED >> 20, "max_ratio": MAX_RATIO},
    )


def check_workbook(path: Path) -> None:
    """Refuse (``INGEST_XLSX_INVALID`` 422, ``INGEST_XLSX_BOMB`` / ``INGEST_XLSX_TOO_LARGE`` 413) a
    file that is not an XLSX workbook or whose reading would cost more than the limits above."""
    try:
        with open(path, "rb") as raw:
            _check_directory(raw)
            with zipfile.ZipFile(raw) as book:
                parts = book.infolist()
                _check_declared(parts)
                for part in parts:
                    _check_grid(part.filename, _inflate(raw, part))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, struct.error, ValueError) as exc:
        raise not_a_workbook("压缩包已损坏") from exc


def _check_directory(raw: BinaryIO) -> None:
    """The zip's end record, read before :mod:`zipfile` loads the directory: not too many parts."""
    size = raw.seek(0, 2)
    raw.seek(max(0, size - 65_557))
    tail = raw.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise not_a_workbook("文件不是 zip 压缩格式（.xlsx 文件本身是一个 zip 压缩包）")
    parts, directory = struct.unpack_from("<HI", tail, at + 10)
    if parts > MAX_PARTS:
        raise _bomb(f"压缩包内的文件多于 {MAX_PARTS} 个")
    if directory > _DIRECTORY_MAX:
        raise _bomb(f"压缩包的目录超过 {_DIRECTORY_MAX >> 20} MB")


def _check_declared(parts: list[zipfile.ZipInfo]) -> None:
    names = {p.filename for p in parts}
    if "_rels/.rels" not in names or "[Content_Types].xml" not in names:
        raise not_a_workbook("压缩包内没有工作簿")
    if any(name.lower().endswith("workbook.bin") for name in names):
        raise not_a_workbook("这是 .xlsb 二进制工作簿")
    if len(parts) > MAX_PARTS:
        raise _bomb(f"压缩包内的文件多于 {MAX_PARTS} 个")
    inflated = sum(p.file_size for p in parts)
    if inflated > MAX_INFLATED:
        raise _bomb(f"声明解压后共 {inflated >> 20} MB，上限 {MAX_INFLATED >> 20} MB")
    for p in parts:
        if p.file_size > _RATIO_GRACE and p.file_size > MAX_RATIO * max(p.compress_size, 1):
            ratio = p.file_size // max(p.compress_size, 1)
            raise _bomb(f"“{p.filename}”的压缩比为 {ratio}:1，上限 {MAX_RATIO}:1")
        if p.flag_bits & 0x1:
            raise not_a_workbook("文件已加密")
        if p.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise not_a_workbook("压缩方式不受支持")


def _inflate(raw: BinaryIO, part: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, inflated chunk by chunk from its compressed size, as the reader inflates them;
    refused as soon as they pass the declared size, and at the end unless size and CRC are as declared."""
    raw.seek(part.header_offset)
    head = raw.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise not_a_workbook("压缩包已损坏")
    name_length, extra_length = struct.unpack_from("<HH", head, 26)
    raw.seek(part.header_offset + 30 + name_length + extra_length)
    stored = part.compress_type == zipfile.ZIP_STORED
    if stored and part.compress_size != part.file_size:
        raise not_a_workbook("压缩包已损坏")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left, out, crc = part.compress_size, 0, 0
    while True:
        if inflater.unconsumed_tail:
            block = inflater.unconsumed_tail
        elif left > 0:
            block = raw.read(min(left, _CHUNK))
            if not block:
                raise not_a_workbook("压缩包已损坏")
            left -= len(block)
        else:
            block = b""
        data = block if stored else inflater.decompress(block, _CHUNK)
        out += len(data)
        if out > part.file_size:
            raise _bomb(f"“{part.filename}”解压后超过其声明的大小")
        crc = zlib.crc32(data, crc)
        if data:
            yield data
        if (stored and left <= 0) or inflater.eof:
            break
        if not block and not data:
            raise not_a_workbook("压缩包已损坏")
    if out != part.file_size or crc != part.CRC:
        raise not_a_workbook("压缩包已损坏")


def _number(value: object) -> int:
    return value if isinstance(value, int) else 0


def _highest_row(digits: pl.Series) -> int:
    if _number(digits.str.len_bytes().max()) > 7:
        return 10_000_000
    return _number(digits.cast(pl.Int64, strict=False).max())


def _highest_column(letters: pl.Series) -> int:
    """The rightmost column named (A = 1): among the longest names, the last in order."""
    longest = _number(letters.str.len_bytes().max())
    if longest > 3:
        return 20_000
    widest = letters.filter(letters.str.len_bytes() == longest).max()
    number = 0
    for letter in widest if isinstance(widest, str) else "":
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _above(ceiling: int) -> str:
    """A regex of the decimal numbers above ``ceiling``."""
    digits = str(ceiling)
    above = [f"[0-9]{{{len(digits) + 1},}}"]
    for i, d in enumerate(digits):
        if d != "9":
            above.append(f"{digits[:i]}[{int(d) + 1}-9][0-9]{{{len(digits) - i - 1}}}")
    return "|".join(above)


@dataclass
class _Grid:
    """The bound of the grid one part would be laid out as, gathered chunk by chunk.

    Rows are bounded by the highest row any attribute ``r`` names (a cell's or a row's), columns by Z or
    the rightmost column named after it: only the references past Z or past every row so far are read
    whole, so a sheet as Excel writes it costs a few scans per chunk. Cells without a reference add the
    longest run of them in a row; rows without one, their count."""

    rows: int = 0
    columns: int = 26
    cells_without_ref: int = 0
    rows_without_ref: int = 0
    run: int = 0  # cells without a reference in the row that continues into the next chunk
    longest_run: int = 0

    def add(self, frame: pl.DataFrame) -> None:
        t = pl.col("text")
        fast = frame.select(t.str.count_matches(_ODD).alias("odd"), t.str.extract_all(r'<row r="[0-9]*'))
        if fast.item(0, "odd") or self.run:
            self._add_as_written(frame)
            return
        self._add_rows(fast.get_column("text").explode().drop_nulls())
        self._add_refs(frame, rf' r="(?:[A-Za-z]{{2,}}[0-9]*|[A-Za-z]*(?:{_above(self.rows)}))"')

    def _add_rows(self, refs: pl.Series) -> None:
        self.rows = max(self.rows, _highest_row(refs.str.extract(r"([0-9]*)$", 1)))

    def _add_refs(self, frame: pl.DataFrame, pattern: str) -> None:
        """The cell references that name a column after Z or a row after every row so far."""
        refs = frame.select(pl.col("text").str.extract_all(pattern)).to_series().explode().drop_nulls()
        value = refs.str.extract(r"([A-Za-z]*[0-9]*)[\"']$", 1)
        self.rows = max(self.rows, _highest_row(value.str.extract(r"([0-9]*)$", 1)))
        letters = value.str.extract(r"^([A-Za-z]*)", 1).str.to_uppercase()
        self.columns = max(self.columns, _highest_column(letters))

    def _add_as_written(self, frame: pl.DataFrame) -> None:
        """Any attribute ``r`` after a blank, either quote, blanks around ``=``, namespace prefixes, cells
        and rows without a reference: what the reader accepts, read the way it reads it."""
        t = pl.col("text")
        rows = frame.select(
            t.str.count_matches(_ROW).alias("all"), t.str.count_matches(_ROW_WITH_REF).alias("ref")
        )
        self.rows_without_ref += _number(rows.item(0, "all")) - _number(rows.item(0, "ref"))
        self._add_rows(frame.select(t.str.extract_all(_ROW_REF)).to_series().explode().drop_nulls())
        self._add_refs(
            frame, rf"""[\s"']r\s*=\s*["'](?:[A-Za-z]{{2,}}[0-9]*|[A-Za-z]*(?:{_above(self.rows)}))["']"""
        )
        self._place_cells_without_ref(frame)

    def _place_cells_without_ref(self, frame: pl.DataFrame) -> None:
        """A cell without a reference is placed after the cells before it in its row."""
        pieces = (
            frame.select(pl.col("text").str.replace_all(_ROW, "\x00").str.split("\x00")).to_series().explode()
        )
        runs = pieces.str.count_matches(_CELL) - pieces.str.count_matches(_CELL_WITH_REF)
        self.cells_without_ref += _number(runs.sum())
        first = self.run + _number(runs[0])
        self.longest_run = max(self.longest_run, first, _number(runs.max()))
        self.run = first if runs.len() == 1 else _number(runs[-1])

    def bound(self) -> tuple[int, int]:
        """Rows and columns the reader's grid may span (a bound: never less than it does)."""
        if not self.cells_without_ref:
            return self.rows, self.columns
        return self.rows + self.rows_without_ref, self.columns + self.longest_run


def _too_large(rows: int, columns: int) -> InvalidInput:
    return InvalidInput(
        f"Excel 工作表的范围过大（约 {rows} 行 × {columns} 列），未读取：每个文件最多 {MAX_ROWS} 行、"
        f"{MAX_COLUMNS} 列、共 {MAX_CELLS // 10_000} 万个单元格。请删除表格外多余的单元格或拆分文件，"
        "或改交 CSV 文件",
        code="INGEST_XLSX_TOO_LARGE",
        status=413,
        details={"rows": rows, "columns": columns},
    )


def _check_grid(name: str, chunks: Iterator[bytes]) -> None:
    """Scan a part for the grid it would make, in pieces cut before their last ``<`` (so that no tag,
    and no character, is cut in two: what follows waits for the next chunk)."""
    grid = _Grid()
    pending = b""
    for chunk in chunks:
        data = pending + chunk
        start = max(data.rfind(b"<"), 0)
        pending, data = data[start:], data[:start]
        if len(pending) > _TAG_MAX:
            raise not_a_workbook(f"“{name}”中有超过 1 MB 的单个 XML 片段")
        if data:
            grid.add(_text(data))
    grid.add(_text(pending))
    rows, columns = grid.bound()
    if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise _too_large(rows, columns)


def _text(data: bytes) -> pl.DataFrame:
    """The piece as text (bytes that are not UTF-8 replaced, as a reader that skips them would)."""
    try:
        text = pl.Series("text", [data], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.ComputeError:
        text = pl.Series("text", [data.decode("utf-8", errors="replace")])
    return text.to_frame()
