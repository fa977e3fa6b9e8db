"""Corrections by the source (更正): new values validated as intake validates them, the old version kept,
severity, window and timeliness recomputed by the records rules, the change audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog.schema import CatalogItem
from xinyong.catalog.service import item_spec
from xinyong.ingest import unknown_fields as unknown
from xinyong.ingest.protect import protect_values
from xinyong.ingest.validation import context_for, json_ready, rows_frame, validate_chunk
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Conflict, InvalidInput
from xinyong.models import CatalogItemRow, CreditRecord, Subject
from xinyong.models.records import RecordStatus, Severity
from xinyong.models.subjects import SubjectKind
from xinyong.records import history
from xinyong.records.rules import as_date, publication_window, severity_of, timeliness
from xinyong.subjects.service import resolve
from xinyong.workdays.service import calendar as work_calendar


@dataclass(frozen=True)
class CheckedData:
    values: dict[str, Any]
    subject_id: int


def validate_record_data(
    session: Session,
    item_row: CatalogItemRow,
    data: dict[str, Any],
    *,
    today: dt.date,
    received_on: dt.date,
    cipher: PersonalDataCipher | None,
) -> CheckedData:
    """Validate one record's values exactly as intake does and find its subject (for corrections)."""
    ctx = context_for(item_row)
    frame, ignored = rows_frame(ctx, [data])
    if ignored:  # nothing is dropped without a word: a key outside the catalog is refused
        present = [k for k in data if str(k) not in ignored]
        found = unknown.found(ctx.spec, {k: 1 for k in ignored}, present)
        raise InvalidInput(
            "；".join(unknown.message(ctx.spec, f, word="字段") for f in found),
            code=unknown.FIELD_NOT_IN_CATALOG,
            details={"fields": unknown.to_json(found)},
        )
    checked = validate_chunk(ctx, frame, today=today, received_on=received_on)
    if checked.issues:
        errors = [{"field": i.field, "code": i.code, "message": i.message} for i in checked.issues]
        raise InvalidInput(
            "数据未通过校验：" + "；".join(str(e["message"]) for e in errors),
            code="RECORD_DATA_INVALID",
            details={"errors": errors},
        )
    values = json_ready(checked.frame, [f.name for f in ctx.spec.fields])[0]
    subject = resolve(session, str(values["subject_id"]), cipher=cipher).subject
    if subject.uscc:
        values["subject_id"] = subject.uscc
    return CheckedData(values=values, subject_id=subject.id)


def _apply(
    session: Session,
    record: CreditRecord,
    spec: CatalogItem,
    values: dict[str, Any],
    stored: dict[str, Any],
    severity: Severity | None,
) -> None:
    """The record's new current state: values, severity, window and timeliness by the records rules
    (timeliness from the original receipt date), as a new version number."""
    decided = as_date(values["decision_date"])
    if decided is None:
        raise InvalidInput("缺少决定日期 decision_date", code="RECORD_DECISION_DATE_MISSING")
    window = publication_window(spec, values, severity)
    timely = timeliness(spec, decided, record.received_on, work_calendar(session))
    record.version += 1
    record.data = stored
    record.severity = severity
    record.decision_no = values.get("decision_no")
    record.decision_date = decided
    record.delay_workdays, record.late = timely.delay_workdays, timely.late
    record.timeliness_provisional = timely.provisional
    record.published = window.publish
    record.publish_from, record.publish_min_end, record.publish_max_end = (
        window.start,
        window.min_end,
        window.max_end,
    )


def correct_record(
    session: Session,
    record_id: int,
    *,
    data: dict[str, Any],
    reason: str,
    actor: str,
    clock: Clock,
    cipher: PersonalDataCipher | None = None,
    dept_id: int | None = None,
    severity_override: Severity | None = None,
    override_reason: str | None = None,
) -> CreditRecord:
    """A correction from the source: validate the new values like intake does, keep the old version,
    store the new one as the record's current state, recompute severity and window, audit it.

    ``data`` holds the record's complete new field values. Values equal to the current ones change
    nothing (no new version). Timeliness keeps the original receipt date.
    """
    record = history.changeable(session, record_id, dept_id, reason)
    if record.status is not RecordStatus.active:
        raise Conflict(
            "该信用记录已撤销或不再有效，不能更正",
            code="RECORD_NOT_ACTIVE",
            details={"record_id": record_id, "status": record.status.value},
        )
    item_row = session.get_one(CatalogItemRow, record.catalog_item_id)
    spec = item_spec(item_row)
    incoming = dict(data)
    key = incoming.setdefault("source_record_id", record.source_record_id)
    if str(key).strip() != record.source_record_id:
        raise InvalidInput(
            "更正不能改变数据标识 source_record_id；换了标识的是另一条记录",
            code="RECORD_KEY_IMMUTABLE",
            details={"record_id": record_id},
        )
    checked = validate_record_data(
        session, item_row, incoming, today=clock.today(), received_on=record.received_on, cipher=cipher
    )
    subject = session.get_one(Subject, checked.subject_id)
    severity = severity_of(spec, checked.values, override=severity_override, reason=override_reason)
    stored = protect_values(
        spec, checked.values, natural_person=subject.kind is SubjectKind.natural_person, cipher=cipher
    )
    if stored == record.data and severity == record.severity and subject.id == record.subject_id:
        return record
    history.ensure_first_version(session, record)
    before = record.data
    _apply(session, record, spec, checked.values, stored, severity)
    record.subject_id = subject.id
    record.severity_reason = override_reason if severity_override is not None else None
    record.updated_at = clock.now()
    history.add_version(session, record, change="corrected", reason=reason, actor=actor, clock=clock)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="record.corrected",
        entity="credit_record",
        entity_id=record.id,
        subject_id=record.subject_id,
        before=before,
        after=stored,
        detail={"version": record.version, "reason": reason.strip()},
        clock=clock,
    )
    return record
