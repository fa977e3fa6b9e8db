"""Files that cannot exhaust the server or reach it as a server error (issue 10 items 5 and 9), sent
through the upload route as an attacker or a careless clerk sends them: an XLSX that inflates to a
gigabyte or lays out a grid of billions of cells, a text file or a zip named .xlsx, JSON Lines nested
thousands deep, a CSV line over 131 KB, text fields past their length; and every way a submission can
fail leaves no copy of the file (clear personal data) behind."""

from __future__ import annotations

import datetime as dt
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.app import create_app
from xinyong.config import Settings
from xinyong.ingest.pipeline.workbook import MAX_COLUMNS, check_workbook
from xinyong.ingest.service import resume_batch, submit_file
from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError
from xinyong.models import CreditRecord, IngestBatch
from xinyong.security.accounts import create_user, issue_token
from xinyong.security.roles import Role

from conftest import Database
from ingestworld import COURT, DEPT, build_world, penalty, write_csv, write_jsonl, write_xlsx

CLOCK = dt.datetime(2026, 3, 16, 10, 0)
SHEET = "xl/worksheets/sheet1.xml"


class Api:
    def __init__(self, client: TestClient, token: str, session: Session, data: Path) -> None:
        self.client, self.token, self.session, self.data = client, token, session, data

    def upload(self, path: Path, item: str = "CF-001") -> tuple[int, dict[str, Any]]:
        with path.open("rb") as f:
            response = self.client.post(
                "/api/v1/ingest/batches",
                files={"file": (path.name, f, "application/octet-stream")},
                data={"item": item},
                headers={"Authorization": f"Bearer {self.token}"},
            )
        return response.status_code, response.json()

    def records(self) -> int:
        return self.session.scalar(select(func.count()).select_from(CreditRecord)) or 0

    def files_left(self) -> list[str]:
        """Every file under the data directory: uploads and copies kept for a batch."""
        return sorted(str(p.relative_to(self.data)) for p in self.data.rglob("*") if p.is_file())


@pytest.fixture
def api(
    database: Database,
    session: Session,
    sessions: sessionmaker[Session],
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> Iterator[Api]:
    clock = FixedClock(CLOCK)
    build_world(session, clock)
    create_user(
        session,
        username="operator",
        display_name="operator",
        roles=[Role.dept_operator],
        password=None,
        actor="t",
        clock=clock,
        department_code=DEPT,
    )
    token = issue_token(
        session,
        username="operator",
        name="t",
        scopes=None,
        days=365,
        settings=Settings(),
        actor="t",
        clock=clock,
    ).token
    session.commit()
    data = tmp_path / "data"
    app = create_app(Settings(database_url=database.url, data_dir=data), engine=database.engine, clock=clock)
    app.state.sessions = sessions
    app.state.cipher = cipher
    with TestClient(app) as client:
        yield Api(client, token, session, data)


# --------------------------------------------------------------------------- crafted workbooks


def _workbook(path: Path, sheet: str | None = None, *, rows: list[dict[str, Any]] | None = None) -> Path:
    """A real workbook (xlsxwriter) of ``rows``, its first sheet's XML replaced by ``sheet`` if given."""
    plain = write_xlsx(path.with_suffix(".plain.xlsx"), rows or [penalty("W-1")])
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            out.writestr(name, sheet if sheet is not None and name == SHEET else src.read(name))
    plain.unlink()
    return path


def _sheet(cells: str) -> str:
    """Sheet XML: a header row of two columns, then ``cells`` (raw XML: rows)."""
    head = '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>'
    head += '<c r="B1" t="inlineStr"><is><t>b</t></is></c></row>'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{head}{cells}</sheetData></worksheet>"
    )


@pytest.fixture(scope="module")
def gigabyte_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The issue's file: a few MB that inflate to 1 GB (one sheet of one repeated row)."""
    path = tmp_path_factory.mktemp("bomb") / "处罚.xlsx"
    plain = write_xlsx(path.with_suffix(".plain.xlsx"), [penalty("B-1")])
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
    with (
        zipfile.ZipFile(plain) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for name in src.namelist():
            if name != SHEET:
                out.writestr(name, src.read(name))
        with out.open(SHEET, "w", force_zip64=True) as sheet:
            for _ in range(1000):
                sheet.write(row * 1024)
    return path


def test_an_xlsx_that_inflates_to_a_gigabyte_is_refused_unread(api: Api, gigabyte_bomb: Path) -> None:
    with zipfile.ZipFile(gigabyte_bomb) as book:
        assert sum(i.file_size for i in book.infolist()) > 1 << 30  # as declared, and as it inflates
    assert gigabyte_bomb.stat().st_size < 10 << 20
    status, body = api.upload(gigabyte_bomb)
    assert (status, body["code"]) == (413, "INGEST_XLSX_BOMB")
    assert "解压后" in body["message"] and "512 MB" in body["message"]
    assert api.records() == 0 and api.files_left() == []


def _lie_about_size(path: Path, name: str, declared: int) -> None:
    """Write ``declared`` as the inflated size of part ``name`` in its local header and the directory."""
    blob = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as book:
        struct.pack_into("<I", blob, book.getinfo(name).header_offset + 22, declared)
    at = blob.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", blob, at + 28)[0]
        if blob[at + 46 : at + 46 + length] == name.encode():
            struct.pack_into("<I", blob, at + 24, declared)
        at = blob.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(blob))


def test_a_part_that_inflates_past_its_declared_size_is_stopped_there(tmp_path: Path) -> None:
    """The declared sizes can lie: the part is inflated as the reader inflates it, and stopped as soon
    as it passes what it declared (50 MB of sheet declared as 100 KB: ratio and total look fine)."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"x" * 500}</t></is></c></row>'
        for r in range(2, 100_000)
    )
    path = _workbook(tmp_path / "lies.xlsx", _sheet(rows))
    with zipfile.ZipFile(path) as book:
        compressed = book.getinfo(SHEET).compress_size
    _lie_about_size(path, SHEET, compressed * 50)
    with pytest.raises(DomainError) as refused:
        check_workbook(path)
    assert refused.value.code == "INGEST_XLSX_BOMB" and "超过其声明的大小" in refused.value.message


def test_a_part_inflating_past_100_to_1_or_a_zip_of_too_many_parts_is_refused(tmp_path: Path) -> None:
    repeated = '<row r="2"><c r="A2"><v>1</v></c></row>' * 600_000  # 22 MB, within the total
    with pytest.raises(DomainError) as ratio:
        check_workbook(_workbook(tmp_path / "ratio.xlsx", _sheet(repeated)))
    assert ratio.value.code == "INGEST_XLSX_BOMB" and "压缩比" in ratio.value.message
    many = _workbook(tmp_path / "many.xlsx")
    with zipfile.ZipFile(many, "a") as book:
        for i in range(10_001):
            book.writestr(f"xl/media/{i}.bin", b"")
    with pytest.raises(DomainError) as parts:
        check_workbook(many)
    assert parts.value.code == "INGEST_XLSX_BOMB" and "10000 个" in parts.value.message


#: Cells far apart, written every way the reader accepts: each lays out billions of cells.
FAR_CELLS = {
    "as Excel writes it": '<row r="2"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "single quotes": "<row r='2'><c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c></row>",
    "blanks around =": '<row r="2"><c r = "XFD1048576"><v>1</v></c></row>',
    "reference not first, no blank": '<row r="2"><c t="n"r="XFD1048576"><v>1</v></c></row>',
    "a tab, lower case": '<row r="2"><c\tr="xfd1048576"><v>1</v></c></row>',
    "zeros in front": '<row r="2"><c r="XFD00001048576"><v>1</v></c></row>',
    "a namespace prefix": '<row r="2"><x:c xmlns:x="urn:x" r="XFD1048576"><x:v>1</x:v></x:c></row>',
    "> in a value before it": '<row r="2"><c s="a>b" r="XFD1048576"><v>1</v></c></row>',
    "cells without a reference": '<row r="1048000">' + "<c/>" * 2000 + "<c><v>1</v></c></row>",
    "a value that looks like one": '<row r="1048000">' + '<c s=" r="><v>1</v></c>' * 1100 + "</row>",
    "a row's reference not first": '<row s="1" r="1048000">' + "<c><v>1</v></c>" * 1100 + "</row>",
}


@pytest.mark.parametrize("written", list(FAR_CELLS))
def test_a_sheet_whose_grid_would_exhaust_memory_is_refused_unread(tmp_path: Path, written: str) -> None:
    path = _workbook(tmp_path / "far.xlsx", _sheet(FAR_CELLS[written]))
    with pytest.raises(DomainError) as refused:
        check_workbook(path)
    assert (refused.value.code, refused.value.status) == ("INGEST_XLSX_TOO_LARGE", 413)
    assert "范围过大" in refused.value.message


def test_the_far_cell_attack_is_real_and_refused_through_the_route(api: Api, tmp_path: Path) -> None:
    """A 5 KB file with a value in A1 and one in XFD1048576: the reader aborts the whole process (it
    allocates the grid between them), so the guard refuses it before the reader sees it."""
    path = _workbook(tmp_path / "far.xlsx", _sheet(FAR_CELLS["as Excel writes it"]))
    assert path.stat().st_size < 10_000
    probe = "import resource, sys, fastexcel\nresource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
    probe += "fastexcel.read_excel(sys.argv[1]).load_sheet(0)\n"
    crashed = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, timeout=120)
    assert crashed.returncode != 0 and b"memory allocation" in crashed.stderr
    status, body = api.upload(path)
    assert (status, body["code"]) == (413, "INGEST_XLSX_TOO_LARGE")
    assert api.records() == 0 and api.files_left() == []


def test_workbooks_as_they_are_written_pass(tmp_path: Path) -> None:
    """Excel-like workbooks, cells without references as some libraries write them, a wide header."""
    check_workbook(_workbook(tmp_path / "plain.xlsx", rows=[penalty(f"P-{i}") for i in range(300)]))
    unreferenced = "".join(f'<row r="{r}">' + "<c><v>1</v></c>" * 13 + "</row>" for r in range(2, 5000))
    check_workbook(_workbook(tmp_path / "sdk.xlsx", _sheet(unreferenced)))
    wide = (
        '<row r="2">' + "".join(f'<c r="{col}2"><v>1</v></c>' for col in ("Z", "AA", "AZ", "BA")) + "</row>"
    )
    check_workbook(_workbook(tmp_path / "wide.xlsx", _sheet(wide)))


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(api: Api, tmp_path: Path) -> None:
    text = tmp_path / "名单.xlsx"
    text.write_text("subject_name,subject_id\n盐城恒通,91320902MA1XY0010X\n", encoding="utf-8")
    not_a_book = tmp_path / "压缩包.xlsx"
    with zipfile.ZipFile(not_a_book, "w") as z:
        z.writestr("readme.txt", "hello")
    ods_like = tmp_path / "表格.xlsx"
    with zipfile.ZipFile(ods_like, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships/>")  # names no workbook: the reader fails on it
    for path in (text, not_a_book, ods_like):
        status, body = api.upload(path)
        assert (status, body["code"]) == (422, "INGEST_XLSX_INVALID"), path.name
        assert "不是有效的 Excel 工作簿" in body["message"]
    assert api.records() == 0 and api.files_left() == []


# --------------------------------------------------------------------------- JSON Lines, CSV, text


def test_json_lines_nested_deeper_than_32_levels_are_refused(api: Api, tmp_path: Path) -> None:
    for depth in (5000, 40):  # 5000 stopped the parser itself (a server error before)
        nested = '{"violation": ' * depth + "1" + "}" * depth
        status, body = api.upload(write_jsonl(tmp_path / f"d{depth}.jsonl", [penalty("J-1"), nested]))
        assert (status, body["code"]) == (422, "INGEST_JSON_TOO_DEEP")
        assert "第 2 行" in body["message"] and "32 层" in body["message"]
    assert api.records() == 0 and api.files_left() == []
    shallow = {**penalty("J-2"), "备注": {"a": {"b": [1, 2]}}}  # nesting within the limit: read as usual
    status, body = api.upload(write_jsonl(tmp_path / "ok.jsonl", [shallow]))
    assert (status, body["accepted"], body["ignored_columns"]) == (201, 1, ["备注"])


def test_a_csv_line_over_131_kb(api: Api, tmp_path: Path) -> None:
    """The csv module reads at most 131,072 characters a value: a longer header, or a long value in a
    file that also has a line with too many values, gave a server error."""
    header = tmp_path / "header.csv"
    header.write_text("说明" * 70_000 + "\n1\n", encoding="utf-8")
    status, body = api.upload(header)
    assert (status, body["code"]) == (422, "INGEST_HEADER_INVALID")
    assert "第一行应为表头" in body["message"]
    rows = [penalty("L-1"), penalty("L-2", violation_facts="长" * 140_000), penalty("L-3")]
    path = write_csv(tmp_path / "long.csv", rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace("罚款人民币伍万元", "罚款人民币伍万元,没收违法所得")
    path.write_text("".join(lines), encoding="utf-8")
    status, body = api.upload(path)
    assert (status, body["accepted"], body["rejected"]) == (201, 1, 2)
    reasons = {(i["row_no"], i["code"]) for i in body["issues"]}
    assert {(3, "INGEST_TOO_LONG"), (4, "INGEST_ROW_TOO_MANY_FIELDS")} <= reasons
    assert api.files_left() == []


def test_a_header_of_more_columns_than_the_limit_is_refused(api: Api, tmp_path: Path) -> None:
    wide = list(penalty("C-1")) + [f"列{i}" for i in range(MAX_COLUMNS)]
    status, body = api.upload(write_csv(tmp_path / "wide.csv", [penalty("C-1")], header=wide))
    assert (status, body["code"]) == (413, "INGEST_TOO_MANY_COLUMNS")
    assert f"上限 {MAX_COLUMNS} 列" in body["message"]


def test_text_fields_without_a_catalog_length_stop_at_4000_characters(api: Api, tmp_path: Path) -> None:
    """违法事实 (violation_facts) is a text field with no max_length in the catalog."""
    rows = [penalty("T-1", violation_facts="查" * 4000), penalty("T-2", violation_facts="查" * 4001)]
    status, body = api.upload(write_csv(tmp_path / "text.csv", rows))
    assert (status, body["accepted"], body["rejected"]) == (201, 1, 1)
    assert [(i["row_no"], i["field"], i["code"]) for i in body["issues"]] == [
        (3, "violation_facts", "INGEST_TOO_LONG")
    ]


# --------------------------------------------------------------------------- nothing left on disk


def test_a_failed_gbk_transcoding_leaves_no_personal_data_on_disk(api: Api, tmp_path: Path) -> None:
    """The issue's case: 12 MB of citizen IDs in a CSV that is neither UTF-8 nor GBK."""
    ric = "32090219850312991" + ids.calc_ric_check("32090219850312991")
    path = tmp_path / "persons.csv"
    with open(path, "wb") as f:
        f.write("被执行人姓名,公民身份号码,数据标识\n".encode("gbk"))
        line = f"王某明,{ric},K\n".encode("gbk")
        f.write(line * (12_000_000 // len(line)))
        f.write(b"\xff\xfe\xff\n")
    status, body = api.upload(path, item="SF-003")
    assert (status, body["code"]) == (422, "INGEST_FILE_ENCODING")
    assert api.files_left() == []


def _submit(sessions: sessionmaker[Session], path: Path, store: Path, **kw: Any) -> Any:
    return submit_file(
        sessions,
        path,
        item_code=kw.pop("item", "CF-001"),
        dept_code=kw.pop("dept", DEPT),
        actor="tester",
        clock=FixedClock(CLOCK),
        cipher=None,
        store_dir=store,
        **kw,
    )


def _failures(tmp: Path) -> dict[str, tuple[Path, dict[str, str], str]]:
    """One file per way a submission stops before its batch runs: the file, arguments, the code."""
    no_kind = {k: v for k, v in penalty("F-1").items() if k != "penalty_kind"}
    return {
        "missing column": (write_csv(tmp / "m.csv", [no_kind]), {}, "INGEST_COLUMNS_MISSING"),
        "unknown item": (
            write_csv(tmp / "u.csv", [penalty("F-2")]),
            {"item": "XX-999"},
            "CATALOG_ITEM_NOT_FOUND",
        ),
        "not the item's source": (
            write_csv(tmp / "s.csv", [penalty("F-3")]),
            {"dept": COURT},
            "INGEST_ITEM_NOT_FOR_DEPARTMENT",
        ),
        "too deep, with an unknown key": (
            write_jsonl(tmp / "d.jsonl", [{**penalty("F-4"), "备注": "x"}, "[" * 50 + "]" * 50]),
            {},
            "INGEST_JSON_TOO_DEEP",
        ),
        "not a workbook": (tmp / "n.xlsx", {}, "INGEST_XLSX_INVALID"),
        "empty": (tmp / "e.csv", {}, "INGEST_FILE_EMPTY"),
    }


def test_every_refusal_before_the_batch_runs_leaves_no_copy(
    database: Database, session: Session, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    build_world(session, FixedClock(CLOCK))
    session.commit()
    (tmp_path / "n.xlsx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "e.csv").write_bytes(b"")
    store = tmp_path / "store"
    for case, (path, kw, code) in _failures(tmp_path).items():
        with pytest.raises(DomainError) as refused:
            _submit(sessions, path, store, **kw)
        assert (refused.value.code, refused.value.status < 500) == (code, True), case
        assert [p.name for p in store.rglob("*") if p.is_file()] == [], case


def test_a_batch_stopped_by_its_file_deletes_its_copy_and_carries_on_when_sent_again(
    database: Database, session: Session, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """A CSV whose fourth line opens a quote it never closes: the batch stops there (422, failed) and its
    copy is deleted at once; the same file sent again is attached to that batch and stops at the same
    line, storing nothing twice; no copy is ever left. (Whether the rows before the bad line are stored
    first depends on how far the reader's threads read ahead: 0 or 3, and the records match the
    checkpoint either way.)"""
    build_world(session, FixedClock(CLOCK))
    session.commit()
    path = write_csv(tmp_path / "q.csv", [penalty(f"Q-{i}") for i in range(1, 4)])
    path.write_text(path.read_text(encoding="utf-8") + '盐城,"未闭合\n', encoding="utf-8")
    store = tmp_path / "store"
    for attempt in (1, 2):
        with pytest.raises(DomainError) as stopped:
            _submit(sessions, path, store, chunk_rows=1)
        assert (stopped.value.code, stopped.value.status) == ("INGEST_FILE_UNREADABLE", 422), attempt
        assert [p for p in store.rglob("*") if p.is_file()] == [], attempt
        session.expire_all()
        [(status, stored, done)] = [
            (b.status.value, b.stored_path, b.rows_done) for b in session.scalars(select(IngestBatch))
        ]
        assert (status, stored) == ("failed", None) and done in (0, 3), attempt
        assert session.scalar(select(func.count()).select_from(CreditRecord)) == done, attempt


def test_a_batch_paused_for_a_reason_outside_its_file_keeps_its_copy_until_it_finishes(
    database: Database,
    session: Session,
    sessions: sessionmaker[Session],
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    """Citizen IDs without the personal-data key: the batch pauses with its copy kept, and resumes once
    the key is there; the copy goes when it finishes."""
    build_world(session, FixedClock(CLOCK))
    session.commit()
    ric = "32090219850312991" + ids.calc_ric_check("32090219850312991")
    row = {
        "被执行人姓名": "王某明",
        "公民身份号码": ric,
        "数据标识": "K-1",
        "执行案号": "（2026）苏0902执1号",
        "纳入失信名单日期": "2026-03-02",
        "执行法院": "盐城市亭湖区人民法院",
        "执行依据文号": "（2025）苏0902民初1号",
        "生效法律文书确定的义务": "支付货款10万元",
        "被执行人的履行情况": "全部未履行",
        "失信被执行人行为具体情形": "违反财产报告制度",
    }
    store = tmp_path / "store"
    with pytest.raises(DomainError) as paused:
        _submit(sessions, write_csv(tmp_path / "p.csv", [row]), store, item="SF-003", dept=COURT)
    assert paused.value.code == "RECORD_CIPHER_REQUIRED"
    batch = session.scalars(select(IngestBatch)).one()
    assert batch.status.value == "failed" and batch.stored_path and Path(batch.stored_path).exists()
    done = resume_batch(sessions, batch.id, actor="t", clock=FixedClock(CLOCK), cipher=cipher)
    assert (done.status, done.accepted) == ("done", 1)
    assert [p for p in store.rglob("*") if p.is_file()] == []
