"""Quality feedback and oversight: timeliness per department and month, late records, own batches;
and the vectorised identifier checks of the bulk path agree with python-stdnum."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric as std_ric
from stdnum.cn import uscc as std_uscc

from xinyong.catalog.service import item_row
from xinyong.ingest import oversight, reports
from xinyong.ingest.service import submit_records
from xinyong.ingest.validation import context_for, rows_frame, validate_chunk
from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError
from xinyong.models import CreditRecord, Department

from ingestworld import DEPT, OTHER_DEPT, build_world, penalty


def test_timeliness_report_and_late_records(session: Session, cipher: PersonalDataCipher) -> None:
    build_world(session, FixedClock(dt.date(2025, 10, 10)))
    for received, key in [(dt.date(2025, 10, 10), "T-1"), (dt.date(2025, 10, 20), "T-2")]:
        outcome = submit_records(
            session,
            [penalty(key, decided="2025-09-26")],
            item_code="CF-001",
            dept_code=DEPT,
            actor="u",
            clock=FixedClock(received),
            cipher=cipher,
        )
        assert outcome.accepted == 1
    on_time = session.scalar(select(CreditRecord).where(CreditRecord.source_record_id == "T-1"))
    assert on_time is not None and (on_time.delay_workdays, on_time.late) == (5, False)
    report = oversight.timeliness_report(session, dept_code=DEPT, month="2025-10")
    [row] = report.departments
    assert (row.dept_code, row.total, row.on_time, row.late, row.on_time_rate) == (DEPT, 2, 1, 1, 0.5)
    assert row.median_delay_workdays == 8.5
    everyone = oversight.timeliness_report(session, dept_code=None, month="2025-10")
    assert [d.dept_code for d in everyone.departments] == [DEPT]
    assert oversight.timeliness_report(session, dept_code=DEPT, month="2025-11").departments[0].total == 0
    # a source that sent nothing in a month is still listed, with zeros; one that never sent is not
    [silent] = oversight.timeliness_report(session, dept_code=None, month="2025-11").departments
    assert (silent.dept_code, silent.total, silent.on_time_rate) == (DEPT, 0, None)
    assert oversight.timeliness_report(session, dept_code=None, month="2025-09").departments == []
    with pytest.raises(DomainError) as bad_month:
        oversight.timeliness_report(session, dept_code=DEPT, month="2025-13")
    assert bad_month.value.code == "INGEST_MONTH_INVALID"
    dept = session.scalar(select(Department).where(Department.code == DEPT))
    other = session.scalar(select(Department).where(Department.code == OTHER_DEPT))
    assert dept is not None and other is not None
    late = oversight.late_records(session, dept.id, month="2025-10")
    assert [(r.source_record_id, r.delay_workdays, r.limit_workdays) for r in late] == [("T-2", 12, 7)]
    # a department sees its own batches only
    assert len(reports.list_batches(session, dept.id)) == 2
    assert reports.list_batches(session, other.id) == []
    assert oversight.late_records(session, other.id) == []


def _random_codes(rng: random.Random, n: int) -> list[str]:
    alphabet = ids.USCC_ALPHABET
    out = []
    for _ in range(n):
        body = "".join(rng.choice("0123456789") for _ in range(8)) + "".join(
            rng.choice(alphabet) for _ in range(9)
        )
        good = body + ids.calc_uscc_check(body)
        roll = rng.random()
        if roll < 0.4:
            out.append(good)
        elif roll < 0.6:
            out.append(good[:-1] + rng.choice(alphabet))  # usually a wrong check character
        elif roll < 0.7:
            out.append(good[: rng.randrange(1, 18)])
        elif roll < 0.8:
            out.append(good.lower())
        elif roll < 0.9:
            pos = rng.randrange(18)
            out.append(good[:pos] + rng.choice("IOZSV-（ ") + good[pos + 1 :])
        else:
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(25000))
            first17 = f"320902{birth:%Y%m%d}{rng.randrange(1000):03d}"
            ric = first17 + ids.calc_ric_check(first17)
            out.append(ric if rng.random() < 0.7 else ric[:-1] + rng.choice("0123456789X"))
    return out


def test_bulk_identifier_checks_agree_with_python_stdnum(session: Session, clock: FixedClock) -> None:
    """The pipeline's vectorised checks accept exactly what python-stdnum accepts (20,000 codes)."""
    build_world(session, clock)
    ctx = context_for(item_row(session, "CF-001"))
    codes = _random_codes(random.Random(20261122), 20_000)
    frame, _ = rows_frame(ctx, [{"authority_id": c} for c in codes])
    checked = validate_chunk(ctx, frame, today=clock.today(), received_on=clock.today())
    bad_rows = {i.row_no for i in checked.issues if i.field == "authority_id"}
    for row_no, code in enumerate(codes, start=1):
        assert (row_no not in bad_rows) is bool(std_uscc.is_valid(code)), code
    # citizen IDs through the RIC twin
    rics = [c for c in codes if len(c) == 18 and c[:6] == "320902" and c[6:8] in ("19", "20")]
    verdicts = pl.DataFrame({"v": rics}).select(ids.ric_error_expr("v"))["v_error"].to_list()
    for code, error in zip(rics, verdicts, strict=True):
        assert (error is None) is bool(std_ric.is_valid(code)), code


def _mutations(good: str) -> st.SearchStrategy[str]:
    """A valid code, or one small change of the kind clerks make (or tests for stdnum's edges)."""
    n = len(good)
    position = st.integers(0, n - 1)
    char = st.sampled_from([*"0123456789ABCDEFGHJKLMNPQRTUWXYZ", *"IOSVZx-（ ０１", "\n"])
    return st.one_of(
        st.just(good),
        st.tuples(position, char).map(lambda pc: good[: pc[0]] + pc[1] + good[pc[0] + 1 :]),
        position.map(lambda i: good[:i] + good[i + 1 :]),
        st.tuples(position, char).map(lambda pc: good[: pc[0]] + pc[1] + good[pc[0] :]),
        position.map(lambda i: good[:i] + good[i + 1 : i + 2] + good[i : i + 1] + good[i + 2 :]),
        st.just(good.lower()),
        st.just(f" {good} "),
    )


_USCC_BODY = st.tuples(
    st.sampled_from(["91", "92", "93", "11", "12", "51", "52", "53", "31", "99"]),
    st.sampled_from(["320902", "320100", "110101", "440300", "999999", "000000"]),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
).map(lambda t: "".join(t))
_USCC = _USCC_BODY.flatmap(lambda body: _mutations(body + ids.calc_uscc_check(body)))
_RIC = (
    st.tuples(
        st.sampled_from(["320902", "320100", "110101", "440300", "999999", "522700"]),
        st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
        st.integers(0, 999),
    )
    .map(lambda t: f"{t[0]}{t[1]:%Y%m%d}{t[2]:03d}")
    .flatmap(lambda f17: _mutations(f17 + ids.calc_ric_check(f17)))
)


@pytest.fixture
def catalog_session(session: Session, clock: FixedClock) -> Session:
    build_world(session, clock)
    return session


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codes=st.lists(_USCC, min_size=1, max_size=60))
def test_bulk_uscc_check_agrees_with_python_stdnum_property(
    catalog_session: Session, codes: list[str]
) -> None:
    """Property: through the real bulk validation of an item's USCC field, a code is accepted
    exactly when python-stdnum says it is valid (generated near-misses, not just random strings)."""
    ctx = context_for(item_row(catalog_session, "CF-001"))
    frame, _ = rows_frame(ctx, [{"authority_id": c} for c in codes])
    today = dt.date(2026, 3, 16)
    checked = validate_chunk(ctx, frame, today=today, received_on=today)
    bad_rows = {i.row_no for i in checked.issues if i.field == "authority_id"}
    for row_no, code in enumerate(codes, start=1):
        assert (row_no not in bad_rows) is _stdnum_valid(std_uscc, code), repr(code)


@settings(max_examples=60, deadline=None)
@given(codes=st.lists(_RIC, min_size=1, max_size=60))
def test_bulk_ric_check_agrees_with_python_stdnum_property(codes: list[str]) -> None:
    verdicts = pl.DataFrame({"v": codes}).select(ids.ric_error_expr("v"))["v_error"].to_list()
    for code, error in zip(codes, verdicts, strict=True):
        assert (error is None) is _stdnum_valid(std_ric, code), repr(code)


def _stdnum_valid(module: object, code: str) -> bool:
    try:
        return bool(module.is_valid(code))  # type: ignore[attr-defined]
    except ValueError:  # stdnum raises on a few inputs (e.g. a newline); they are invalid
        return False
