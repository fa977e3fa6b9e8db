"""Cells of the files the platform writes (CSV and XLSX downloads), inert in a spreadsheet.

A cell a spreadsheet would run is an attack on the reader (CSV/formula injection): text beginning with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some programs skip before reading on),
such as ``=HYPERLINK("http://x","y")`` in a header or a value a department sent. The one rule is
:func:`is_formula_like`; every download goes through :func:`csv_download` or :class:`XlsxDownload`:

* CSV: such text gets a leading apostrophe (:func:`safe_cell`), which spreadsheets read as "text" and
  show; the rest of the text is kept as written.
* XLSX: every string is written as a string (never a formula, a link or a number: xlsxwriter's
  ``strings_to_formulas``, ``strings_to_urls`` and ``strings_to_numbers`` are off), and such text is
  marked quote-prefixed, so that editing the cell in Excel keeps it text. Numbers stay numbers.

A text that is a plain decimal number (``-5``, ``+3``, ``-0.5``) is left alone: a spreadsheet reads it
as that number, nothing runs, and a corrected rejected-rows file sent back keeps ``-5`` as ``-5``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

import xlsxwriter  # type: ignore[import-untyped]

__all__ = ["FORMULA_STARTS", "XlsxDownload", "csv_download", "is_formula_like", "safe_cell"]

#: What a cell must not begin with unless it is made inert.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")
_BOM: Final = "\ufeff"


def is_formula_like(value: object) -> bool:
    """Whether ``value`` is text that a spreadsheet could run as a formula (see the module docstring)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell: formula-like text with a leading apostrophe, anything else unchanged."""
    return "'" + value if is_formula_like(value) else value


def csv_download(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as a CSV download: every cell through :func:`safe_cell`, CRLF line ends, UTF-8 with a
    byte-order mark so that Excel shows the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return (_BOM + buffer.getvalue()).encode("utf-8")


class XlsxDownload:
    """An XLSX download being written: strings as strings, numbers as numbers, nothing that runs."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self._buffer,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self._quoted = self.book.add_format({"quote_prefix": True})

    def add_sheet(self, name: str) -> Any:
        return self.book.add_worksheet(name)

    def write_row(self, sheet: Any, row: int, values: Sequence[Any], cell_format: Any = None) -> None:
        """One row from column 0: text as a string (formula-like text quote-prefixed), numbers as
        numbers, ``None`` as an empty cell."""
        for col, value in enumerate(values):
            if value is None:
                sheet.write_blank(row, col, None, cell_format)
            elif isinstance(value, bool):
                sheet.write_boolean(row, col, value, cell_format)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value, cell_format)
            else:
                text = str(value)
                sheet.write_string(row, col, text, self._quoted if is_formula_like(text) else cell_format)

    def finish(self) -> bytes:
        self.book.close()
        return self._buffer.getvalue()
