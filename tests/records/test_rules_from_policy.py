"""Rules written from the policy documents' own dates and examples (issue 9, rules 2–4).

- 轻微 is not published in principle (《信用修复管理办法》2026): a record lowered to 轻微 takes the 轻微
  rule, never the item's general window.
- A validity date (有效期至) keeps the record current through that day inclusive; a removal date
  (移出日期, 付清日期) ends it on that day.
- The 7-working-day collection period ends with its 7th working day; arrival on a later rest day is late.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from typing import Any

import pytest

from xinyong.catalog.schema import MINOR_WINDOW, UntilKind, load_default_catalog
from xinyong.kit.workdays import WorkCalendar
from xinyong.models import CreditRecord, RecordStatus, Severity
from xinyong.records.rules import is_visible, publication_window, severity_of, timeliness

from conftest import Database

CATALOG = load_default_catalog()
PENALTY = CATALOG.item("CF-001")
COMMITMENT = CATALOG.item("CN-001")


# --------------------------------------------------------------------------- 轻微 is not published


def test_commitment_lowered_to_minor_is_not_published() -> None:
    """CN-001: an unkept commitment (一般) lowered to 轻微 with a reason is not published; before the fix it
    fell back to the item's general window and stayed published until D+3 years."""
    data = {"fulfilment_status": "未履约", "decision_date": "2026-03-02"}
    assert severity_of(COMMITMENT, data) is Severity.general
    lowered = severity_of(COMMITMENT, data, override=Severity.minor, reason="首次违反且及时改正")
    assert lowered is Severity.minor
    window = publication_window(COMMITMENT, data, lowered)
    assert window.publish is False
    assert (window.start, window.max_end) == (None, None)


def test_minor_never_takes_a_general_fixed_window() -> None:
    """Every item whose general window publishes: a 轻微 record of it is not published unless the item
    states its own 轻微 window (with the legal exception)."""
    for item in CATALOG.items:
        rule = item.publication_rule
        window = rule.window_for(Severity.minor)
        own = (rule.by_severity or {}).get(Severity.minor)
        assert window == (own or MINOR_WINDOW), item.code
        assert window.publish is False or window.legal_exception, item.code


# --------------------------------------------------------------------------- validity and removal dates


def _record(window: Any) -> CreditRecord:
    return CreditRecord(
        status=RecordStatus.active,
        published=window.publish,
        publish_from=window.start,
        publish_max_end=window.max_end,
    )


@pytest.mark.parametrize("code", ["XK-001", "RY-001", "ZS-001", "PJ-002"])
def test_validity_date_is_the_last_day_shown(code: str) -> None:
    """A licence (honour, right, evaluation) valid until 2026-06-30 is shown on 2026-06-30, not on 07-01."""
    item = CATALOG.item(code)
    assert item.publication_rule.until_kind is UntilKind.VALIDITY
    data = {"decision_date": "2025-07-01", "valid_until": "2026-06-30"}
    record = _record(publication_window(item, data, severity_of(item, data)))
    assert is_visible(record, dt.date(2026, 6, 30))
    assert not is_visible(record, dt.date(2026, 7, 1))


@pytest.mark.parametrize(("code", "field"), [("YC-001", "removal_date"), ("HT-002", "paid_date")])
def test_removal_date_ends_publication_that_day(code: str, field: str) -> None:
    """Removed from the abnormal-operation list (paid in full) on 2026-06-30: shown on 06-29, not on 06-30."""
    item = CATALOG.item(code)
    assert item.publication_rule.until_kind is UntilKind.REMOVAL
    data = {"decision_date": "2025-07-01", field: "2026-06-30", "arrears_conduct": "经催告仍未支付"}
    record = _record(publication_window(item, data, severity_of(item, data)))
    assert is_visible(record, dt.date(2026, 6, 29))
    assert not is_visible(record, dt.date(2026, 6, 30))


def test_every_end_field_states_its_kind() -> None:
    for item in CATALOG.items:
        rule = item.publication_rule
        assert (rule.until_field is None) == (rule.until_kind is None), item.code
        if rule.until_field is not None:
            spec = item.field(rule.until_field)
            assert spec is not None
            expected = UntilKind.VALIDITY if "有效期" in spec.label else UntilKind.REMOVAL
            assert rule.until_kind is expected, (item.code, spec.label)


# --------------------------------------------------------------------------- late arrivals on rest days


@pytest.mark.parametrize(
    ("decided", "due", "received", "late"),
    [
        # National Day 2025: 09-28 (Sunday) is a make-up workday, 10-01..08 are off
        ("2025-09-22", "2025-09-30", "2025-09-30", False),
        ("2025-09-22", "2025-09-30", "2025-10-05", True),  # a holiday after the 7th working day
        ("2025-09-22", "2025-09-30", "2025-10-09", True),
        ("2025-10-22", "2025-10-31", "2025-10-31", False),
        ("2025-10-22", "2025-10-31", "2025-11-01", True),  # Saturday after the 7th working day
    ],
)
def test_seven_working_days_end_with_the_seventh(decided: str, due: str, received: str, late: bool) -> None:
    found = timeliness(
        PENALTY, dt.date.fromisoformat(decided), dt.date.fromisoformat(received), WorkCalendar()
    )
    assert (found.due, found.late, found.provisional) == (dt.date.fromisoformat(due), late, False)


@pytest.mark.parametrize(("decided", "due"), [("2025-09-22", "2025-09-30"), ("2025-10-22", "2025-10-31")])
def test_due_date_is_what_workdays_add_prints(fresh_database: Database, decided: str, due: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env["XINYONG_DATABASE_URL"] = fresh_database.url
    printed = subprocess.run(
        [sys.executable, "-m", "xinyong", "workdays", "add", decided, "7"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip() == due
    found = timeliness(PENALTY, dt.date.fromisoformat(decided), dt.date.fromisoformat(due), WorkCalendar())
    assert found.due == dt.date.fromisoformat(printed.stdout.strip())
