"""Records: publication windows, severity and timeliness (双公示) — the rules records.rules owns."""

from __future__ import annotations

import datetime as dt

import pytest

from xinyong.catalog.schema import load_default_catalog
from xinyong.kit.errors import DomainError
from xinyong.kit.workdays import WorkCalendar
from xinyong.models import Severity
from xinyong.records.rules import add_months, publication_window, severity_of, timeliness

CATALOG = load_default_catalog()
PENALTY = CATALOG.item("CF-001")
LICENCE = CATALOG.item("XK-001")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2025, 8, 31), 3, dt.date(2025, 11, 30)),
        (dt.date(2025, 12, 15), 12, dt.date(2026, 12, 15)),
        (dt.date(2024, 2, 29), 36, dt.date(2027, 2, 28)),
        (dt.date(2025, 5, 10), 0, dt.date(2025, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("kind", "severity", "publish", "min_end", "max_end"),
    [
        ("警告", Severity.minor, False, None, None),
        ("罚款(较大数额)", Severity.general, True, dt.date(2025, 12, 26), dt.date(2026, 9, 26)),
        ("吊销许可证件", Severity.serious, True, dt.date(2026, 9, 26), dt.date(2028, 9, 26)),
    ],
)
def test_each_severity_has_its_window(
    kind: str, severity: Severity, publish: bool, min_end: dt.date | None, max_end: dt.date | None
) -> None:
    data = {"penalty_kind": kind, "decision_date": "2025-09-26"}
    found = severity_of(PENALTY, data)
    assert found is severity
    window = publication_window(PENALTY, data, found)
    assert (window.publish, window.min_end, window.max_end) == (publish, min_end, max_end)
    if publish:
        assert window.start == dt.date(2025, 9, 26)


def test_licence_window_ends_with_its_validity() -> None:
    """Valid until 2027-01-01 inclusive: the first day no longer shown is 2027-01-02."""
    data = {"decision_date": "2025-09-26", "valid_until": "2027-01-01"}
    window = publication_window(LICENCE, data, severity_of(LICENCE, data))
    assert (window.publish, window.start, window.max_end) == (True, dt.date(2025, 9, 26), dt.date(2027, 1, 2))


def test_override_needs_a_reason() -> None:
    data = {"penalty_kind": "警告"}
    with pytest.raises(DomainError) as missing:
        severity_of(PENALTY, data, override=Severity.general)
    assert missing.value.code == "RECORD_SEVERITY_REASON_REQUIRED"
    assert (
        severity_of(PENALTY, data, override=Severity.general, reason="情节较重，经集体讨论")
        is Severity.general
    )


def test_double_publicity_timeliness() -> None:
    cal = WorkCalendar()
    on_time = timeliness(PENALTY, dt.date(2025, 9, 26), dt.date(2025, 10, 10), cal)
    assert (on_time.delay_workdays, on_time.late) == (5, False)
    late = timeliness(PENALTY, dt.date(2025, 9, 26), dt.date(2025, 10, 20), cal)
    assert late.late and late.delay_workdays > 7
    assert timeliness(LICENCE, dt.date(2025, 9, 26), dt.date(2025, 10, 20), cal).late


def test_no_override_for_information_without_severity() -> None:
    """A licence is not dishonesty information: its severity cannot be "adjusted" into one (which
    would also give it a publication window the catalog never allows)."""
    with pytest.raises(DomainError) as refused:
        severity_of(LICENCE, {"decision_date": "2026-03-10"}, override=Severity.serious, reason="情节严重")
    assert refused.value.code == "RECORD_SEVERITY_NOT_APPLICABLE"
    assert "不是失信信息" in refused.value.message
