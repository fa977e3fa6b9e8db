"""Credit records: severity, publication window, timeliness and history. One place owns each rule.

- ``publication_window`` is the only function that turns a catalog item's rule, a severity and a
  record's dates into the dates it is published from and until (《信用修复管理办法》: 轻微 not published
  in principle, 一般 3–12 months, 严重 1–3 years, counted from the deciding document's date).
- ``timeliness`` counts working days from decision to receipt through kit.workdays.
"""

from __future__ import annotations

import base64
import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from xinyong.catalog.schema import CatalogItem, FieldType
from xinyong.catalog.schema import Severity as CatalogSeverity
from xinyong.catalog.service import item_spec
from xinyong.deadlines.service import calendar as work_calendar
from xinyong.kit import audit, ids
from xinyong.kit.clock import Clock, SystemClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import InvalidInput
from xinyong.kit.workdays import WorkCalendar
from xinyong.models import CatalogItemRow, CreditRecord, CreditRecordVersion, Department, Subject
from xinyong.models.records import RecordStatus, Severity
from xinyong.models.subjects import SubjectKind


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's last day (2025-01-31 + 1 month = 2025-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    """When a record is published: from ``start``; it may be withdrawn (repair) from ``min_end`` on;
    publication stops by itself at ``max_end`` (None: no automatic end)."""

    publish: bool
    start: dt.date | None
    min_end: dt.date | None
    max_end: dt.date | None


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def publication_window(item: CatalogItem, data: dict[str, Any], severity: Severity | None) -> Window:
    """The publication window of one record of ``item`` with field values ``data``."""
    rule = item.publication_rule
    window = rule.window_for(CatalogSeverity(severity.value) if severity else None)
    start = _as_date(data.get(rule.from_field))
    if not window.publish or start is None:
        return Window(False, None, None, None)
    max_end = add_months(start, window.max_months) if window.max_months is not None else None
    until = _as_date(data.get(rule.until_field)) if rule.until_field else None
    if until is not None and (max_end is None or until < max_end):
        max_end = until
    min_end = add_months(start, window.min_months)
    if max_end is not None and min_end > max_end:
        min_end = max_end
    return Window(True, start, min_end, max_end)


def severity_of(
    item: CatalogItem, data: dict[str, Any], *, override: Severity | None = None, reason: str | None = None
) -> Severity | None:
    """The catalog's severity for the record; the source may override it, but only with a reason."""
    if override is not None:
        if not reason or not reason.strip():
            raise InvalidInput(
                "调整严重程度必须说明理由",
                code="RECORD_SEVERITY_REASON_REQUIRED",
                details={"item": item.code},
            )
        return override
    found = item.severity_for(data)
    return Severity(found.value) if found is not None else None


@dataclass(frozen=True)
class Timeliness:
    delay_workdays: int
    late: bool
    provisional: bool


def timeliness(item: CatalogItem, decided: dt.date, received: dt.date, cal: WorkCalendar) -> Timeliness:
    """Working days from decision to receipt; late when the item's collection deadline is exceeded."""
    count = cal.workdays_between(decided, received)
    limit = item.collection_deadline_workdays
    return Timeliness(count.days, limit is not None and count.days > limit, count.provisional)


def is_visible(record: CreditRecord, today: dt.date) -> bool:
    """Whether the public may see the record today: active, publishable and inside its window."""
    return (
        record.status is RecordStatus.active
        and record.published
        and record.publish_from is not None
        and record.publish_from <= today
        and (record.publish_max_end is None or today < record.publish_max_end)
    )


def fill_core_fields(
    data: dict[str, Any],
    subject: Subject,
    item: CatalogItemRow,
    dept: Department,
    decided: dt.date,
    serial: int,
) -> None:
    """Set the core fields a record needs from its subject and source (used by generators)."""
    data["subject_name"] = subject.name
    data["subject_id"] = subject.uscc or "（自然人，见主体档案）"
    data["source_record_id"] = f"{dept.code}-{item.code}-{serial:08d}"
    data["decision_date"] = decided.isoformat()
    if any(f["name"] == "decision_no" for f in item.spec["fields"]):
        data["decision_no"] = f"{dept.name[:2]}{item.code}〔{decided.year}〕{serial % 10000}号"


def _protect_personal(
    item: CatalogItem, data: dict[str, Any], subject: Subject, cipher: PersonalDataCipher | None
) -> dict[str, Any]:
    """Citizen IDs never sit in record data in clear: the subject's is masked (the subject row keeps it
    encrypted); any other ID field is encrypted (``enc:`` + base64)."""
    out = dict(data)
    for spec in item.fields:
        value = out.get(spec.name)
        if not value or (
            spec.type is not FieldType.RIC
            and not (spec.name == "subject_id" and subject.kind is SubjectKind.natural_person)
        ):
            continue
        if spec.name == "subject_id":
            out[spec.name] = ids.mask_ric(str(value))
        else:
            if cipher is None:
                raise InvalidInput("记录含身份证号码字段，需要个人信息密钥", code="RECORD_CIPHER_REQUIRED")
            out[spec.name] = "enc:" + base64.b64encode(cipher.encrypt(str(value))).decode()
    return out


def create_record(
    session: Session,
    *,
    item: CatalogItemRow,
    subject: Subject,
    dept: Department,
    data: dict[str, Any],
    received_on: dt.date,
    actor: str,
    clock: Clock | None = None,
    cipher: PersonalDataCipher | None = None,
    cal: WorkCalendar | None = None,
    severity_override: Severity | None = None,
    override_reason: str | None = None,
    batch_id: int | None = None,
) -> CreditRecord:
    """Store a validated record as version 1, with severity, window and timeliness, and audit it."""
    clock = clock or SystemClock()
    spec = item_spec(item)
    decided = _as_date(data.get("decision_date"))
    if decided is None:
        raise InvalidInput("缺少决定日期 decision_date", code="RECORD_DECISION_DATE_MISSING")
    severity = severity_of(spec, data, override=severity_override, reason=override_reason)
    window = publication_window(spec, data, severity)
    timely = timeliness(spec, decided, received_on, cal or work_calendar(session))
    stored = _protect_personal(spec, data, subject, cipher)
    record = CreditRecord(
        subject_id=subject.id,
        catalog_item_id=item.id,
        source_dept_id=dept.id,
        source_record_id=str(data["source_record_id"]),
        version=1,
        status=RecordStatus.active,
        severity=severity,
        decision_no=data.get("decision_no"),
        decision_date=decided,
        received_on=received_on,
        delay_workdays=timely.delay_workdays,
        late=timely.late,
        published=window.publish,
        publish_from=window.start,
        publish_min_end=window.min_end,
        publish_max_end=window.max_end,
        data=stored,
        batch_id=batch_id,
    )
    session.add(record)
    session.flush()
    session.add(
        CreditRecordVersion(
            record_id=record.id,
            version=1,
            change="created",
            reason=override_reason,
            status=RecordStatus.active,
            data=stored,
            changed_at=clock.now(),
            changed_by=actor,
        )
    )
    audit.record(
        session,
        actor=actor,
        action="record.created",
        entity="credit_record",
        entity_id=record.id,
        subject_id=subject.id,
        after=stored,
        detail={"item": item.code, "severity": severity.value if severity else None},
        clock=clock,
    )
    return record
