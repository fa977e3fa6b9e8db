"""Fields outside the catalog (issue 9, rule 6): a column or JSON key that is not in the item's schema
is reported per field in the batch report with the number of rows it held a value in, a misspelt
field is named, and the values of such a field (联系电话, 微信) are stored nowhere: not in records,
rejected rows, error downloads, audit, nor in the copy of the file kept for the batch."""

from __future__ import annotations

import contextlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, MetaData, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.catalog.service import item_row, item_spec
from xinyong.ingest import reports
from xinyong.ingest.schemas import BatchOutcome, UnknownFieldOut
from xinyong.ingest.service import resubmit_rejected, resume_batch, submit_file, submit_records
from xinyong.ingest.unknown_fields import closest_field
from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import ENC_PREFIX, PersonalDataCipher, unseal
from xinyong.kit.errors import DomainError
from xinyong.models import IngestBatch

from ingestworld import (
    AUTHORITY,
    COMPANY_A,
    COMPANY_B,
    DEPT,
    OTHER_DEPT,
    build_world,
    penalty,
    write_csv,
    write_jsonl,
    write_xlsx,
)

PHONE = "13912345678"
WECHAT = "wxid_zhangsan1988"
PHONE_2 = "13800001111"
SECRETS = (PHONE, WECHAT, PHONE_2, ids.mask_phone(PHONE), ids.mask_phone(PHONE_2))


@pytest.fixture
def world(session: Session, clock: FixedClock) -> Session:
    build_world(session, clock)
    session.commit()
    return session


def licence(key: str, **extra: Any) -> dict[str, Any]:
    """A row of 行政许可信息 (XK-001) under its Chinese headers; 有效期至 (valid_until) is optional."""
    row: dict[str, Any] = {
        "行政相对人名称": "盐城恒通建设工程有限公司",
        "统一社会信用代码": COMPANY_A,
        "数据标识": key,
        "行政许可决定文书号": f"亭市监许〔2026〕{key}号",
        "许可决定日期": "2026-03-10",
        "行政许可决定文书名称": "食品经营许可决定书",
        "许可类别": "普通",
        "许可内容": "食品销售经营者（预包装食品销售）",
        "有效期自": "2026-03-10",
        "许可机关": "亭湖区市场监督管理局",
        "许可机关统一社会信用代码": AUTHORITY,
        "当前状态": "有效",
    }
    row.update(extra)
    return row


def _rows() -> list[dict[str, Any]]:
    """The rule's example: 联系电话 and 微信 columns and a misspelt 有效期止 next to the real 有效期至."""
    return [
        licence("L-1", 联系电话=PHONE, 微信=WECHAT, 有效期止="2031-03-09"),
        licence("L-2", 联系电话=PHONE_2, 微信="", 有效期止=""),
        # rejected (a decision in the future), with a phone number: the rejected row keeps no phone
        licence("L-3", 许可决定日期="2030-01-01", 联系电话=PHONE, 微信=WECHAT, 有效期止="2031-03-09"),
    ]


def _write(fmt: str, path: Path, rows: list[dict[str, Any]]) -> Path:
    if fmt == "csv":
        return write_csv(path.with_suffix(".csv"), rows)
    if fmt == "xlsx":
        return write_xlsx(path.with_suffix(".xlsx"), rows)
    return write_jsonl(path.with_suffix(".jsonl"), rows)


def _by_column(outcome: BatchOutcome) -> dict[str, UnknownFieldOut]:
    return {u.column: u for u in outcome.unknown_fields}


def _texts(value: Any, cipher: PersonalDataCipher) -> Iterator[str]:
    """Every text in a stored value, sealed values opened."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _texts(v, cipher)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _texts(v, cipher)
    elif isinstance(value, str):
        yield value
        if value.startswith(ENC_PREFIX):
            yield unseal(cipher, value)
        if value[:1] in "[{":
            with contextlib.suppress(ValueError):
                yield from _texts(json.loads(value), cipher)
    elif value is not None:
        yield str(value)


def _found_in_database(
    connection: Connection, cipher: PersonalDataCipher, needles: tuple[str, ...]
) -> list[str]:
    """Where in the whole database (every table, every column) any of ``needles`` is stored, in clear,
    sealed, or as its keyed index."""
    wanted = {*needles, *(cipher.index(n) for n in needles)}
    meta = MetaData()
    meta.reflect(bind=connection)
    hits = []
    for table in meta.sorted_tables:
        for row in connection.execute(select(table)).mappings():
            for column, value in row.items():
                if any(n in text for text in _texts(value, cipher) for n in wanted):
                    hits.append(f"{table.name}.{column}")
    return hits


def _found_on_disk(root: Path, needles: tuple[str, ...]) -> list[str]:
    """Files under ``root`` holding any of ``needles`` (an XLSX file is searched inside)."""
    hits = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        blobs = [path.read_bytes()]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as book:
                blobs += [book.read(name) for name in book.namelist()]
        if any(n.encode() in blob for n in needles for blob in blobs):
            hits.append(str(path))
    return hits


def _check_report(outcome: BatchOutcome, word: str) -> None:
    found = _by_column(outcome)
    assert set(found) == {"联系电话", "微信", "有效期止"}
    assert (found["联系电话"].rows, found["微信"].rows, found["有效期止"].rows) == (3, 2, 2)
    assert {u.code for u in found.values()} == {"FIELD_NOT_IN_CATALOG"}
    misspelt = found["有效期止"]
    assert (misspelt.suggested_field, misspelt.suggested_label) == ("valid_until", "有效期至")
    assert misspelt.message.startswith(
        f"{word}“有效期止”不在目录中，是否为「有效期至」（valid_until）？2 行有值"
    )
    assert found["联系电话"].suggested_field is None and found["微信"].suggested_field is None
    assert "3 行有值，未归集，也未保存" in found["联系电话"].message
    assert outcome.ignored_columns == ["联系电话", "微信", "有效期止"]
    assert "是否为「有效期至」" in outcome.describe()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_a_file_with_phone_wechat_and_a_misspelt_column(
    fmt: str,
    world: Session,
    sessions: sessionmaker[Session],
    connection: Connection,
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    path = _write(fmt, tmp_path / "licences", _rows())
    store = tmp_path / "store"

    def stop_after_first_chunk(done: int, total: int | None) -> None:
        if done == 1:
            raise RuntimeError("stopped on purpose")

    with pytest.raises(RuntimeError):
        submit_file(
            sessions,
            path,
            item_code="XK-001",
            dept_code=DEPT,
            actor="tester",
            clock=clock,
            cipher=cipher,
            store_dir=store,
            chunk_rows=1,
            progress=stop_after_first_chunk,
        )
    # the batch is paused with its file kept to resume from: the kept copy holds no unknown values
    paused = world.scalar(select(IngestBatch).order_by(IngestBatch.id.desc()).limit(1))
    assert paused is not None and paused.status.value == "failed" and paused.stored_path
    assert Path(paused.stored_path).exists()
    assert _found_on_disk(store, SECRETS) == []
    outcome = resume_batch(sessions, paused.id, actor="tester", clock=clock, cipher=cipher, chunk_rows=1)
    assert (outcome.status, outcome.rows, outcome.accepted, outcome.rejected) == ("done", 3, 2, 1)
    assert {(i.row_no, i.code) for i in outcome.issues if i.level == "error"} == {
        (4 if fmt != "jsonl" else 3, "INGEST_DATE_IN_FUTURE")
    }
    _check_report(outcome, "列" if fmt != "jsonl" else "字段")
    downloads = [
        reports.batch_errors_csv(world, outcome.batch_id).decode("utf-8-sig"),
        reports.rejected_rows_csv(world, outcome.batch_id).decode("utf-8-sig"),
        str(reports.batch_errors_xlsx(world, outcome.batch_id)),
        str(reports.rejected_rows(world, outcome.batch_id)),
    ]
    assert not [s for s in SECRETS for text in downloads if s in text]
    assert "有效期止" in downloads[0] and "FIELD_NOT_IN_CATALOG" in downloads[0]
    assert _found_in_database(connection, cipher, SECRETS) == []
    assert _found_on_disk(tmp_path / "store", SECRETS) == []


def test_a_json_batch_with_keys_outside_the_catalog(
    world: Session, connection: Connection, clock: FixedClock, cipher: PersonalDataCipher
) -> None:
    rows = _rows()
    rows[1]["valid_untill"] = "2031-03-09"
    outcome = submit_records(
        world, rows, item_code="XK-001", dept_code=DEPT, actor="sys", clock=clock, cipher=cipher
    )
    assert (outcome.accepted, outcome.rejected) == (2, 1)
    found = _by_column(outcome)
    assert found.pop("valid_untill").suggested_field == "valid_until"
    assert found["有效期止"].suggested_field == "valid_until"
    assert found["有效期止"].message.startswith(
        "字段“有效期止”不在目录中，是否为「有效期至」（valid_until）？"
    )
    assert {k: v.rows for k, v in found.items()} == {"联系电话": 3, "微信": 2, "有效期止": 2}
    again = submit_records(
        world, rows, item_code="XK-001", dept_code=DEPT, actor="sys", clock=clock, cipher=cipher
    )
    assert again.status == "duplicate" and again.ignored_columns == outcome.ignored_columns
    # fixing the rejected row, with a phone number again: reported, not stored
    fixed = resubmit_rejected(
        world,
        outcome.batch_id,
        [{"row_no": 3, "许可决定日期": "2026-03-10", "手机号": PHONE_2}],
        actor="sys",
        clock=clock,
        cipher=cipher,
    )
    assert (fixed.accepted, [(u.column, u.rows) for u in fixed.unknown_fields]) == (1, [("手机号", 1)])
    assert _found_in_database(connection, cipher, SECRETS) == []


def _csv_lines(path: Path, rows: list[list[str] | str]) -> Path:
    """A CSV written by hand, so that it can hold blank and ragged lines."""
    text = "\n".join(r if isinstance(r, str) else ",".join(r) for r in rows) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_read_the_same_with_or_without_a_column_outside_the_catalog(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    """The copy kept without the unknown column gives every row the number and the outcome that the
    file without that column gets: a blank line, a value over two lines, a short line, a line with
    too many values (its surplus in the last column, as always)."""
    names = list(penalty("x"))

    def line(key: str, phone: str, *, extra: tuple[str, ...] = (), **kw: str) -> list[str]:
        values = list(penalty(key, **kw).values())
        return [*values[:2], phone, *values[2:], *extra]

    header = [*names[:2], "联系电话", *names[2:]]
    rows: list[list[str] | str] = [
        header,
        line("R-1", PHONE),
        "",
        line("R-2", ""),
        line("R-3", PHONE, violation='"未按规定公示\n年度报告"'),
        line("R-4", PHONE)[:5],
        line("R-5", PHONE, extra=("多出的值",)),
        line("R-6", PHONE, subject_id=COMPANY_B, name="盐城华美食品有限公司"),
    ]
    with_phone = _csv_lines(tmp_path / "with.csv", rows)
    without = _csv_lines(tmp_path / "without.csv", [r if isinstance(r, str) else r[:2] + r[3:] for r in rows])

    def run(path: Path, dept: str) -> tuple[BatchOutcome, set[tuple[int, str, str | None]], list[Any]]:
        outcome = submit_file(
            sessions,
            path,
            item_code="CF-001",
            dept_code=dept,
            actor="t",
            clock=clock,
            cipher=cipher,
            store_dir=tmp_path / "store",
            chunk_rows=2,
        )
        issues = {(i.row_no, i.code, i.field) for i in reports.batch_issues(world, outcome.batch_id)}
        rejected = [(r.row_no, r.values) for r in reports.rejected_rows(world, outcome.batch_id)]
        return outcome, issues, rejected

    first, first_issues, first_rejected = run(with_phone, DEPT)
    second, second_issues, second_rejected = run(without, OTHER_DEPT)
    assert (first.rows, first.accepted, first.rejected) == (second.rows, second.accepted, second.rejected)
    assert first.rows == 7 and first.accepted >= 3
    assert first_issues == second_issues
    # row numbers count rows, not lines (R-3 spans two lines): R-5, the line with too many values, is row 7
    assert {(3, "INGEST_REQUIRED"), (6, "INGEST_REQUIRED"), (7, "INGEST_ROW_TOO_MANY_FIELDS")} <= {
        (r, c) for r, c, _ in first_issues
    }
    assert first_rejected == second_rejected
    assert [(u.column, u.rows) for u in first.unknown_fields] == [("联系电话", 5)]  # R-2 left it empty
    assert second.unknown_fields == []
    assert _found_on_disk(tmp_path / "store", SECRETS) == []


def test_a_misspelt_required_column_is_named_when_the_file_is_refused(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    row = licence("M-1")
    row["许可决定日其"] = row.pop("许可决定日期")
    with pytest.raises(DomainError) as refused:
        submit_file(
            sessions,
            write_csv(tmp_path / "m.csv", [row]),
            item_code="XK-001",
            dept_code=DEPT,
            actor="t",
            clock=clock,
            cipher=cipher,
            store_dir=tmp_path / "store",
        )
    assert refused.value.code == "INGEST_COLUMNS_MISSING"
    assert "列“许可决定日其”是否为「许可决定日期」（decision_date）？" in refused.value.message


def test_which_columns_get_a_hint(world: Session) -> None:
    spec = item_spec(item_row(world, "XK-001"))
    present = {f.name for f in spec.fields if f.name != "valid_until"}
    # 有效期止 is as close to 有效期自 as to 有效期至; only a field the file lacks is a candidate
    assert closest_field(spec, "有效期止", present) == "valid_until"
    assert closest_field(spec, "valid_untill", present) == "valid_until"
    assert closest_field(spec, "Valid Until", present) == "valid_until"
    assert closest_field(spec, "许可证号", present - {"licence_no"}) == "licence_no"
    for column in ("联系电话", "微信", "手机号", "备注", "行号", "身份证号"):
        assert closest_field(spec, column, present) is None, column
    assert closest_field(spec, "有效期止", {f.name for f in spec.fields}) is None
