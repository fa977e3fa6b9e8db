"""The collection pipeline end to end on real databases: outcome counts, reasons, resubmission,
idempotency, duplicates, old codes, unknown subjects, formats."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import service as audit
from xinyong.ingest import reports
from xinyong.ingest.schemas import BatchOutcome
from xinyong.ingest.service import resubmit_rejected, submit_file, submit_records
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError
from xinyong.models import CreditRecord, IngestBatch, RejectedRow, Subject

from ingestworld import (
    COMPANY_A,
    COMPANY_B,
    COMPANY_C,
    COURT,
    DEPT,
    OLD_REG_NO,
    build_world,
    penalty,
    write_csv,
    write_jsonl,
    write_xlsx,
)


@pytest.fixture
def world(session: Session, clock: FixedClock) -> Session:
    build_world(session, clock)
    session.commit()
    return session


def _submit(
    sessions: sessionmaker[Session],
    path: Path,
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
    **kw: Any,
) -> BatchOutcome:
    return submit_file(
        sessions,
        path,
        item_code=kw.pop("item", "CF-001"),
        dept_code=kw.pop("dept", DEPT),
        actor="tester",
        clock=clock,
        cipher=cipher,
        store_dir=tmp_path / "store",
        **kw,
    )


def _records(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CreditRecord)) or 0


def test_three_rows_one_bad_uscc_one_future_date_one_good(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    bad_uscc = COMPANY_B[:-1] + ("0" if COMPANY_B[-1] != "0" else "1")
    rows = [
        penalty("P-1"),
        penalty("P-2", subject_id=bad_uscc, name="盐城华美食品有限公司"),
        penalty("P-3", subject_id=COMPANY_B, name="盐城华美食品有限公司", decided="2026-04-01"),
    ]
    path = write_csv(tmp_path / "three.csv", rows)
    outcome = _submit(sessions, path, clock, cipher, tmp_path)
    assert (outcome.status, outcome.rows, outcome.accepted, outcome.rejected) == ("done", 3, 1, 2)
    errors = {(i.row_no, i.field, i.code): i.message for i in outcome.issues if i.level == "error"}
    assert set(errors) == {(3, "subject_id", "ID_USCC_CHECK"), (4, "decision_date", "INGEST_DATE_IN_FUTURE")}
    assert "统一社会信用代码校验位" in errors[(3, "subject_id", "ID_USCC_CHECK")]
    assert "处罚决定日期" in errors[(4, "decision_date", "INGEST_DATE_IN_FUTURE")]
    assert "日期不能在未来" in errors[(4, "decision_date", "INGEST_DATE_IN_FUTURE")]
    # the report, as CSV with a BOM for Excel
    blob = reports.batch_errors_csv(world, outcome.batch_id)
    assert blob.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(blob.decode("utf-8-sig"))))
    assert table[0][:3] == ["行号", "数据标识", "字段"]
    assert {(r[0], r[2]) for r in table[1:]} == {("3", "subject_id"), ("4", "decision_date")}
    assert reports.batch_errors_xlsx(world, outcome.batch_id)[:2] == b"PK"
    # fix and resubmit the rejected rows: only the wrong fields are sent
    fixed = resubmit_rejected(
        world,
        outcome.batch_id,
        [{"row_no": 3, "subject_id": COMPANY_B}, {"row_no": 4, "decision_date": "2026-03-12"}],
        actor="tester",
        clock=clock,
        cipher=cipher,
    )
    assert (fixed.accepted, fixed.rejected, fixed.resubmission_of_id) == (2, 0, outcome.batch_id)
    assert _records(world) == 3
    statuses = world.scalars(select(RejectedRow.status).where(RejectedRow.batch_id == outcome.batch_id)).all()
    assert {s.value for s in statuses} == {"fixed"}
    assert reports.batch_outcome(world, outcome.batch_id).open_rejected_rows == 0
    assert audit.verify(world).ok


def test_same_file_twice_stores_nothing_twice(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path / "p.csv", [penalty(f"P-{i}") for i in range(5)])
    first = _submit(sessions, path, clock, cipher, tmp_path)
    again = _submit(sessions, path, clock, cipher, tmp_path)
    assert first.accepted == 5
    assert (again.status, again.accepted, again.duplicates, again.duplicate_of_id) == (
        "duplicate",
        0,
        5,
        first.batch_id,
    )
    assert _records(world) == 5
    # the same rows in another file (another digest): every row is an ignored duplicate
    copy = write_csv(tmp_path / "copy.csv", [penalty(f"P-{i}") for i in range(5)] + [penalty("P-new")])
    third = _submit(sessions, copy, clock, cipher, tmp_path)
    assert (third.accepted, third.duplicates, third.rejected) == (1, 5, 0)
    assert {i.code for i in third.issues} == {"INGEST_DUPLICATE_IGNORED"}
    assert _records(world) == 6
    # uploads may hold personal data in clear: none is kept once its batch is done
    assert [f for f in (tmp_path / "store").rglob("*") if f.is_file()] == []
    stored = world.scalars(select(IngestBatch.stored_path).where(IngestBatch.id >= first.batch_id)).all()
    assert stored and all(path is None for path in stored)


def test_changed_row_under_a_known_key_is_rejected_not_overwritten(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    _submit(sessions, write_csv(tmp_path / "a.csv", [penalty("K-1")]), clock, cipher, tmp_path)
    changed = _submit(
        sessions, write_csv(tmp_path / "b.csv", [penalty("K-1", kind="警告")]), clock, cipher, tmp_path
    )
    assert (changed.accepted, changed.rejected) == (0, 1)
    assert changed.issues[0].code == "RECORD_DUPLICATE_KEY_CHANGED"
    within = _submit(
        sessions,
        write_csv(tmp_path / "c.csv", [penalty("K-2"), penalty("K-2"), penalty("K-2", kind="警告")]),
        clock,
        cipher,
        tmp_path,
    )
    assert (within.accepted, within.duplicates, within.rejected) == (1, 1, 1)
    assert {i.code for i in within.issues} == {"INGEST_DUPLICATE_IGNORED", "RECORD_DUPLICATE_IN_FILE"}


def test_old_codes_names_and_unknown_subjects(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    rows = [
        penalty("S-1", subject_id=OLD_REG_NO),
        penalty("S-2", name="鹽城恒通建設工程有限公司"),  # traditional: same name
        penalty("S-3", name="盐城恒通建设有限公司"),  # a different name: warning
        penalty("S-4", subject_id=COMPANY_C, name="盐城新来的贸易有限公司"),
        penalty("S-5", subject_id="320902000099999"),  # a 15-digit number with a bad check digit
    ]
    outcome = _submit(sessions, write_csv(tmp_path / "s.csv", rows), clock, cipher, tmp_path)
    assert (outcome.accepted, outcome.rejected) == (4, 1)
    codes = {(i.row_no, i.code) for i in outcome.issues}
    assert (2, "SUBJECT_OLD_CODE_CONVERTED") in codes
    assert not any(row == 3 for row, _ in codes)
    assert (4, "SUBJECT_NAME_MISMATCH") in codes
    assert (5, "SUBJECT_UNVERIFIED") in codes  # a penalty is not the registry: the company is held
    assert outcome.warnings == 3
    record = world.scalar(select(CreditRecord).where(CreditRecord.source_record_id == "S-1"))
    assert record is not None and record.data["subject_id"] == COMPANY_A
    new = world.scalar(select(Subject).where(Subject.uscc == COMPANY_C))
    assert new is not None and new.name == "盐城新来的贸易有限公司"


@pytest.mark.parametrize("fmt", ["xlsx", "jsonl"])
def test_xlsx_and_json_lines(
    fmt: str,
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    import datetime as dt

    rows = [penalty("X-1"), penalty("X-2", decided="2026-02-30")]
    if fmt == "xlsx":
        rows[0]["decision_date"] = dt.date(2026, 3, 10)  # a real Excel date cell
        path = write_xlsx(tmp_path / "p.xlsx", rows)
    else:
        path = write_jsonl(tmp_path / "p.jsonl", [*rows, "{not json"])
    outcome = _submit(sessions, path, clock, cipher, tmp_path)
    expected_rejected = 1 if fmt == "xlsx" else 2
    assert (outcome.accepted, outcome.rejected) == (1, expected_rejected)
    assert (3 if fmt == "xlsx" else 2, "INGEST_DATE_INVALID") in {(i.row_no, i.code) for i in outcome.issues}
    record = world.scalar(select(CreditRecord).where(CreditRecord.source_record_id == "X-1"))
    assert record is not None and record.decision_date == dt.date(2026, 3, 10)


def test_json_batch_api(world: Session, clock: FixedClock, cipher: PersonalDataCipher) -> None:
    rows = [penalty(f"J-{i}", fine_amount=1000 + i) for i in range(3)]
    outcome = submit_records(
        world, rows, item_code="CF-001", dept_code=DEPT, actor="sys", clock=clock, cipher=cipher
    )
    assert (outcome.channel, outcome.accepted) == ("api", 3)
    again = submit_records(
        world, rows, item_code="CF-001", dept_code=DEPT, actor="sys", clock=clock, cipher=cipher
    )
    assert again.status == "duplicate"
    with pytest.raises(DomainError) as too_many:
        submit_records(
            world, [{}] * 10_001, item_code="CF-001", dept_code=DEPT, actor="sys", clock=clock, cipher=cipher
        )
    assert too_many.value.code == "INGEST_TOO_MANY_ROWS"
    with pytest.raises(DomainError) as unknown:
        submit_records(
            world, rows, item_code="CF-999", dept_code=DEPT, actor="sys", clock=clock, cipher=cipher
        )
    assert unknown.value.code == "CATALOG_ITEM_NOT_FOUND"
    with pytest.raises(DomainError) as no_dept:
        submit_records(
            world, rows, item_code="CF-001", dept_code="nope", actor="sys", clock=clock, cipher=cipher
        )
    assert no_dept.value.code == "DEPT_NOT_FOUND"
    batches = reports.list_batches(world, world.scalar(select(IngestBatch.dept_id).limit(1)) or 0)
    assert [b.status for b in batches] == ["duplicate", "done"]


def _person_row(key: str, ric: str, name: str = "王某明") -> dict[str, str]:
    return {
        "被执行人姓名": name,
        "公民身份号码": ric,
        "数据标识": key,
        "执行案号": f"（2026）苏0902执{key}号",
        "纳入失信名单日期": "2026-03-02",
        "执行法院": "盐城市亭湖区人民法院",
        "执行依据文号": "（2025）苏0902民初1号",
        "生效法律文书确定的义务": "支付货款10万元",
        "被执行人的履行情况": "全部未履行",
        "失信被执行人行为具体情形": "违反财产报告制度",
    }


def test_natural_persons_chinese_headers_and_gbk(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    from xinyong.kit import ids

    good = "32090219850312991" + ids.calc_ric_check("32090219850312991")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [_person_row("N-1", good), _person_row("N-2", bad)]
    path = write_csv(tmp_path / "persons.csv", rows, encoding="gbk")  # as Excel saves it in China
    outcome = _submit(sessions, path, clock, cipher, tmp_path, item="SF-003", dept=COURT)
    assert (outcome.accepted, outcome.rejected) == (1, 1)
    assert {(i.row_no, i.code) for i in outcome.issues} >= {
        (2, "SUBJECT_AUTO_REGISTERED"),
        (3, "ID_RIC_CHECK"),
    }
    record = world.scalar(select(CreditRecord).where(CreditRecord.source_record_id == "N-1"))
    assert record is not None
    assert good not in str(record.data) and record.data["subject_id"] == ids.mask_ric(good)
    person = world.get(Subject, record.subject_id)
    assert person is not None and person.uscc is None and person.name == "王某明"
    rejected = world.scalar(select(RejectedRow).where(RejectedRow.batch_id == outcome.batch_id))
    assert rejected is not None and bad not in str(rejected.raw)
    assert str(rejected.raw["subject_id"]).startswith("enc:")
    assert bad not in reports.batch_errors_csv(world, outcome.batch_id).decode("utf-8-sig")
    # fixing the ID: the stored (encrypted) values come back, only the ID is sent again
    fixed = resubmit_rejected(
        world,
        outcome.batch_id,
        [{"row_no": 3, "subject_id": good, "数据标识": "N-2"}],
        actor="t",
        clock=clock,
        cipher=cipher,
    )
    assert (fixed.accepted, fixed.rejected, fixed.duplicates) == (1, 0, 0)


def test_missing_columns_refuse_the_file(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    row = penalty("M-1")
    del row["penalty_kind"]
    row["备注"] = "x"
    with pytest.raises(DomainError) as refused:
        _submit(sessions, write_csv(tmp_path / "m.csv", [row]), clock, cipher, tmp_path)
    assert refused.value.code == "INGEST_COLUMNS_MISSING"
    assert "处罚类别" in refused.value.message
    extra = _submit(
        sessions, write_csv(tmp_path / "e.csv", [{**penalty("M-2"), "备注": "x"}]), clock, cipher, tmp_path
    )
    assert (extra.accepted, extra.ignored_columns) == (1, ["备注"])
    with pytest.raises(DomainError) as fmt:
        _submit(sessions, write_csv(tmp_path / "m.pdf", [penalty("M-3")]), clock, cipher, tmp_path)
    assert fmt.value.code == "INGEST_FORMAT_UNSUPPORTED"


def test_numbers_in_a_submission_never_merge_or_hide_rows(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    """Only a resubmission names rows by 原行号; in any other submission a row_no / 行号 is just an
    unknown column, and rows are numbered by position, so none can vanish behind another's number."""
    submit_records(
        world, [penalty("K-1")], item_code="CF-001", dept_code=DEPT, actor="t", clock=clock, cipher=cipher
    )
    body = [{**penalty("K-1"), "row_no": 1}, {**penalty("K-2"), "row_no": 1}]
    outcome = submit_records(
        world, body, item_code="CF-001", dept_code=DEPT, actor="t", clock=clock, cipher=cipher
    )
    assert (outcome.rows, outcome.accepted, outcome.duplicates, outcome.rejected) == (2, 1, 1, 0)
    assert "row_no" in outcome.ignored_columns
    # a CSV whose 行号 column repeats, with a bad row and a good row under the same number
    rows = [
        {"行号": "7", **penalty("K-3")},
        {"行号": "7", **penalty("K-4", decided="2030-01-01")},
        {"行号": "7", **penalty("K-5")},
    ]
    outcome = _submit(sessions, write_csv(tmp_path / "numbered.csv", rows), clock, cipher, tmp_path)
    assert (outcome.status, outcome.rows, outcome.accepted, outcome.rejected) == ("done", 3, 2, 1)
    assert {i.row_no for i in outcome.issues if i.level == "error"} == {3}
    assert "行号" in outcome.ignored_columns
    assert _records(world) == 4


@pytest.mark.parametrize("chunk_rows", [2, 1000])
def test_a_line_with_too_many_values_is_rejected_alone(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
    chunk_rows: int,
) -> None:
    """One malformed CSV line (an unquoted comma) costs that line only, never the whole file, and
    what it said is kept with the rejected row."""
    path = write_csv(tmp_path / "ragged.csv", [penalty(f"R-{i}") for i in range(5)])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace("罚款人民币伍万元", "罚款人民币伍万元,没收违法所得")  # data row 3 = line 4
    lines.insert(5, "\n")  # and a blank line (line 6)
    path.write_text("".join(lines), encoding="utf-8")
    outcome = _submit(sessions, path, clock, cipher, tmp_path, chunk_rows=chunk_rows)
    assert (outcome.status, outcome.rows, outcome.accepted, outcome.rejected) == ("done", 6, 4, 2)
    too_many = [i for i in outcome.issues if i.code == "INGEST_ROW_TOO_MANY_FIELDS"]
    assert [(i.row_no, i.field) for i in too_many] == [(4, None)]
    assert "未加引号的逗号" in too_many[0].message
    kept = world.scalars(
        select(RejectedRow).where(RejectedRow.batch_id == outcome.batch_id, RejectedRow.row_no == 4)
    ).one()
    assert "没收违法所得" in "".join(str(v) for v in kept.raw.values())
    assert kept.source_record_id == "R-2"
    assert _records(world) == 4


def test_a_subject_outside_the_items_subject_types_is_refused(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    """CF-001 (行政处罚) covers companies, organisations, self-employed businesses and public
    institutions; a government body's penalty belongs to another item, known subject or not."""
    from xinyong.models.subjects import SubjectKind
    from xinyong.subjects.service import register_organisation

    from ingestworld import AUTHORITY, uscc

    bureau = uscc("MB100002", prefix="11")
    register_organisation(
        world, kind=SubjectKind.government_body, name="亭湖区某局", uscc=bureau, actor="t", clock=clock
    )
    world.commit()
    before = world.scalar(select(func.count()).select_from(Subject))
    rows = [
        penalty("T-1"),
        penalty("T-2", subject_id=bureau, name="亭湖区某局"),
        penalty("T-3", subject_id=AUTHORITY, name="盐城市某委员会"),  # unknown, code says 机关
    ]
    outcome = _submit(sessions, write_csv(tmp_path / "types.csv", rows), clock, cipher, tmp_path)
    assert (outcome.accepted, outcome.rejected) == (1, 2)
    refused = {i.row_no: i for i in outcome.issues if i.code == "SUBJECT_TYPE_NOT_ALLOWED"}
    assert set(refused) == {3, 4}
    assert "政府机构" in refused[3].message and "个体工商户" in refused[3].message
    assert world.scalar(select(func.count()).select_from(Subject)) == before  # nothing registered


def test_a_fixed_file_submitted_again_closes_the_earlier_rejections(
    world: Session,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> None:
    """The clerk's usual way: correct the spreadsheet and submit it again. The earlier batch's
    rejected rows are then fixed (by the new batch), not left open for ever."""
    rows = [penalty("F-1"), penalty("F-2", decided="2030-01-01"), penalty("F-3", fine_amount="五万")]
    first = _submit(sessions, write_csv(tmp_path / "v1.csv", rows), clock, cipher, tmp_path)
    assert (first.accepted, first.rejected, first.open_rejected_rows) == (1, 2, 2)
    rows[1] = penalty("F-2")  # F-3 is still wrong in the second file
    second = _submit(sessions, write_csv(tmp_path / "v2.csv", rows), clock, cipher, tmp_path)
    assert (second.accepted, second.duplicates, second.rejected) == (1, 1, 1)
    closed = world.scalars(select(RejectedRow).where(RejectedRow.batch_id == first.batch_id)).all()
    by_key = {r.source_record_id: r for r in closed}
    assert by_key["F-2"].status.value == "fixed" and by_key["F-2"].fixed_batch_id == second.batch_id
    f2 = world.scalar(select(CreditRecord.id).where(CreditRecord.source_record_id == "F-2"))
    assert by_key["F-2"].fixed_record_id == f2
    assert by_key["F-3"].status.value == "open"
    assert reports.batch_outcome(world, first.batch_id).open_rejected_rows == 1


def test_a_row_quoting_personal_data_is_a_duplicate_when_sent_again(
    world: Session, clock: FixedClock, cipher: PersonalDataCipher
) -> None:
    """Free text that quotes a citizen ID or a phone is stored sealed; the same row again must still
    be recognised as the same (ignored), not as a changed record under a known key."""
    from xinyong.kit import ids

    person = "32090219850312991" + ids.calc_ric_check("32090219850312991")
    row = penalty("S-1", violation_facts=f"经查，当事人负责人王某明（{person}，电话 13812345678）")
    first = submit_records(
        world, [row], item_code="CF-001", dept_code=DEPT, actor="t", clock=clock, cipher=cipher
    )
    stored = world.scalar(select(CreditRecord.data).where(CreditRecord.source_record_id == "S-1"))
    assert stored is not None and person not in str(stored) and "13812345678" not in str(stored)
    again = submit_records(
        world,
        [row, penalty("S-2")],
        item_code="CF-001",
        dept_code=DEPT,
        actor="t",
        clock=clock,
        cipher=cipher,
    )
    assert (first.accepted, again.accepted, again.duplicates, again.rejected) == (1, 1, 1, 0)


def test_without_a_key_rejected_rows_keep_personal_data_masked(world: Session, clock: FixedClock) -> None:
    """A platform run without a personal-data key cannot seal; a rejected row is then kept with the
    IDs and mobile numbers it quotes masked by the one display rule, never in clear."""
    from xinyong.kit import ids

    person = "32090219850312991" + ids.calc_ric_check("32090219850312991")
    row = penalty("NK-1", penalty_kind="不存在的处罚类别", violation_facts=f"负责人（{person}，13812345678）")
    outcome = submit_records(
        world, [row], item_code="CF-001", dept_code=DEPT, actor="t", clock=clock, cipher=None
    )
    assert outcome.rejected == 1
    kept = world.scalars(select(RejectedRow).where(RejectedRow.batch_id == outcome.batch_id)).one()
    facts = kept.raw["violation_facts"]
    assert facts == f"负责人（{ids.mask_ric(person)}，138****5678）"
