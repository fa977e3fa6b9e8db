"""Cells of the files the platform writes cannot run in a spreadsheet (issue 10 item 4): the one rule,
its CSV rendering (a leading apostrophe) and its XLSX rendering (strings, never formulas)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

import fastexcel
import pytest

from xinyong.kit.cells import XlsxDownload, csv_download, is_formula_like, safe_cell

ATTACKS = ['=HYPERLINK("http://x","y")', "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "=1+1", "-"]
INERT = ["-5", "+3", "-0.5", "5", "罚款-5元", "a=1", " =1+1", "", "（已加密）"]


def xlsx_cells(blob: bytes) -> dict[str, tuple[str | None, str, bool]]:
    """Each cell of the first sheet: (its type attribute, its text or number, whether it has a formula)."""
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        shared_xml = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""
    shared = [_unescape(s) for s in re.findall(r"<si><t[^>]*>(.*?)</t></si>", shared_xml, re.S)]
    out = {}
    for ref, attrs, body in re.findall(r'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', sheet, re.S):
        kind = m.group(1) if (m := re.search(r't="(\w+)"', attrs)) else None
        value = m.group(1) if (m := re.search(r"<v>(.*?)</v>", body or "")) else ""
        out[ref] = (kind, shared[int(value)] if kind == "s" else value, "<f>" in (body or ""))
    return out


def _unescape(text: str) -> str:
    text = re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), text)
    return text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@pytest.mark.parametrize("value", ATTACKS)
def test_formula_like_text_gets_an_apostrophe(value: str) -> None:
    assert is_formula_like(value)
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [*INERT, 5, -5, 0.5, None, True])
def test_everything_else_is_left_as_it_is(value: Any) -> None:
    assert not is_formula_like(value)
    assert safe_cell(value) == value


def test_csv_download_neutralises_every_cell() -> None:
    blob = csv_download([["列", *ATTACKS], [1, *INERT], [-5, None, "x"]])
    assert blob.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(blob.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["列", *("'" + a for a in ATTACKS)]
    assert rows[1] == ["1", *INERT]
    assert rows[2] == ["-5", "", "x"]
    # nothing in the file begins a cell with a trigger character (a spreadsheet reads cell by cell)
    assert not [c for row in rows for c in row if is_formula_like(c)]


def test_xlsx_download_writes_strings_as_strings_and_numbers_as_numbers() -> None:
    out = XlsxDownload()
    sheet = out.add_sheet("表")
    out.write_row(sheet, 0, ATTACKS, out.book.add_format({"bold": True}))
    out.write_row(sheet, 1, [-5, 2.5, "-5", None, "文字", 'http://x"y'])
    blob = out.finish()
    cells = xlsx_cells(blob)
    assert not [ref for ref, (_k, _v, formula) in cells.items() if formula]
    assert [cells[f"{c}1"][:2] for c in "ABCDEFGH"] == [("s", a) for a in ATTACKS]
    assert cells["A2"] == (None, "-5", False) and cells["B2"] == (None, "2.5", False)  # numbers
    assert cells["C2"] == ("s", "-5", False) and cells["E2"] == ("s", "文字", False)
    assert cells["F2"][:2] == ("s", 'http://x"y')  # not turned into a link
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        assert "hyperlink" not in z.read("xl/worksheets/sheet1.xml").decode()
        assert 'quotePrefix="1"' in z.read("xl/styles.xml").decode()
    # as a reader of the file sees it: the text as written
    frame = fastexcel.read_excel(blob).load_sheet(0, header_row=None).to_polars()
    assert frame.row(0) == tuple(ATTACKS)
