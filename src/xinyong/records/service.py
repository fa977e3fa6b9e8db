"""Credit records: severity, publication window, timeliness and history. One place owns each rule.

- ``publication_window`` is the only function that turns a catalog item's rule, a severity and a
  record's dates into the dates it is published from and until (《信用修复管理办法》: 轻微 not published
  in principle, 一般 3–12 months, 严重 1–3 years, counted from the deciding document's date).
- ``timeliness`` counts working days from decision to receipt through kit.workdays.
- ``assess_frame`` applies those same three functions to a whole chunk of rows (batch intake):
  it calls them once per distinct combination of inputs and joins the answers back, so the rule
  still lives in exactly one place.
- ``correct_record`` / ``revoke_record`` change a record: the old version is kept, the change is
  audited, and a revocation unpublishes at once and calls ``on_record_withdrawn``, the single hook
  through which anything based on a record (measures, list entries, reports) is ended.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog.schema import CatalogItem, FieldType
from xinyong.catalog.schema import Severity as CatalogSeverity
from xinyong.catalog.service import item_spec
from xinyong.kit import ids
from xinyong.kit.clock import Clock, SystemClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from xinyong.kit.workdays import WorkCalendar
from xinyong.models import CatalogItemRow, CreditRecord, CreditRecordVersion, Department, Subject
from xinyong.models.records import RecordStatus, Severity
from xinyong.models.subjects import SubjectKind
from xinyong.workdays.service import calendar as work_calendar

if TYPE_CHECKING:
    import polars as pl


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
    """The catalog's severity for the record; the source may override it, but only with a reason,
    and only for dishonesty information (a licence or an honour has no severity to adjust)."""
    if override is not None and not item.is_dishonesty_info:
        raise InvalidInput(
            f"「{item.name}」不是失信信息，没有严重程度，不能调整",
            code="RECORD_SEVERITY_NOT_APPLICABLE",
            details={"item": item.code},
        )
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
    """Personal data never sits in record data in clear: a natural person's ``subject_id`` is masked (the
    subject row keeps it encrypted); ID and phone fields, and any string quoting something that looks like
    a citizen ID or a mobile number, are encrypted whole (``enc:`` + base64; the rule:
    ``kit.crypto.seal_values``)."""
    from xinyong.kit.crypto import is_phone_field, seal_values

    out = dict(data)
    if subject.kind is SubjectKind.natural_person and out.get("subject_id"):
        out["subject_id"] = ids.mask_ric(str(out["subject_id"]))
    # subject_id: a masked ID or a validated USCC (public), and the key records are matched by.
    always = {s.name for s in item.fields if s.type is FieldType.RIC or is_phone_field(s.name)}
    return seal_values(out, cipher, always=always - {"subject_id"}, skip={"subject_id"})


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
        timeliness_provisional=timely.provisional,
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


# --------------------------------------------------------------------------- batch intake


#: Columns ``assess_frame`` reads besides the item's own fields.
SEVERITY_OVERRIDE_COLUMN = "severity_override"
SEVERITY_REASON_COLUMN = "severity_reason"


def assess_frame(
    item: CatalogItem, rows: pl.DataFrame, *, received_on: dt.date, cal: WorkCalendar
) -> pl.DataFrame:
    """Severity, publication window and timeliness for a chunk of validated rows.

    ``rows`` holds the item's fields already typed (dates as ``Date``), plus optional
    ``severity_override`` (``minor``/``general``/``serious``) and ``severity_reason`` columns. Returns
    ``rows`` with ``severity``, ``published``, ``publish_from``, ``publish_min_end``,
    ``publish_max_end``, ``delay_workdays``, ``late``, ``timeliness_provisional`` and
    ``assess_error`` / ``assess_message``
    (set, and nothing else, when the rule cannot be applied to the row). Each answer comes from
    :func:`severity_of`, :func:`publication_window` and :func:`timeliness`, called once per distinct
    combination of their inputs.
    """
    import polars as pl

    rule = item.severity_rule
    by_field = getattr(rule, "by_field", None)
    rule_from = item.publication_rule.from_field
    rule_until = item.publication_rule.until_field
    n = rows.height
    by_col = (
        rows[by_field]
        if by_field and by_field in rows.columns
        else pl.repeat(None, n, dtype=pl.String, eager=True)
    )
    override = (
        rows[SEVERITY_OVERRIDE_COLUMN]
        if SEVERITY_OVERRIDE_COLUMN in rows.columns
        else pl.repeat(None, n, dtype=pl.String, eager=True)
    )
    reason = (
        rows[SEVERITY_REASON_COLUMN].str.strip_chars().fill_null("").str.len_chars() > 0
        if SEVERITY_REASON_COLUMN in rows.columns
        else pl.repeat(False, n, dtype=pl.Boolean, eager=True)
    )
    keys = pl.DataFrame(
        {
            "_by": by_col.cast(pl.String),
            "_ov": override.cast(pl.String),
            "_has_reason": reason,
            "_from": rows[rule_from]
            if rule_from in rows.columns
            else pl.repeat(None, n, dtype=pl.Date, eager=True),
            "_until": rows[rule_until]
            if rule_until and rule_until in rows.columns
            else pl.repeat(None, n, dtype=pl.Date, eager=True),
            "_decided": rows["decision_date"],
        }
    )

    # severity: once per (rule input, override, reason given)
    sev_rows: list[dict[str, Any]] = []
    for by_value, ov, has_reason in keys.select("_by", "_ov", "_has_reason").unique().iter_rows():
        entry: dict[str, Any] = {"_by": by_value, "_ov": ov, "_has_reason": has_reason}
        try:
            found = severity_of(
                item,
                {by_field: by_value} if by_field else {},
                override=Severity(ov) if ov else None,
                reason="（已说明）" if has_reason else None,
            )
            entry.update(severity=found.value if found else None, assess_error=None, assess_message=None)
        except InvalidInput as exc:
            entry.update(severity=None, assess_error=exc.code, assess_message=exc.message)
        sev_rows.append(entry)
    sev_schema = {
        "_by": pl.String,
        "_ov": pl.String,
        "_has_reason": pl.Boolean,
        "severity": pl.String,
        "assess_error": pl.String,
        "assess_message": pl.String,
    }
    keyed = keys.join(
        pl.DataFrame(sev_rows, schema=sev_schema),
        on=["_by", "_ov", "_has_reason"],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )

    # window: once per (severity, from, until)
    win_rows: list[dict[str, Any]] = []
    for sev, start, until in keyed.select("severity", "_from", "_until").unique().iter_rows():
        values: dict[str, Any] = {rule_from: start}
        if rule_until:
            values[rule_until] = until
        try:
            window = publication_window(item, values, Severity(sev) if sev else None)
        except InvalidInput:
            window = Window(False, None, None, None)
        win_rows.append(
            {
                "severity": sev,
                "_from": start,
                "_until": until,
                "published": window.publish,
                "publish_from": window.start,
                "publish_min_end": window.min_end,
                "publish_max_end": window.max_end,
            }
        )
    win_schema = {
        "severity": pl.String,
        "_from": pl.Date,
        "_until": pl.Date,
        "published": pl.Boolean,
        "publish_from": pl.Date,
        "publish_min_end": pl.Date,
        "publish_max_end": pl.Date,
    }
    keyed = keyed.join(
        pl.DataFrame(win_rows, schema=win_schema),
        on=["severity", "_from", "_until"],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )

    # timeliness: once per decision date
    time_rows: list[dict[str, Any]] = []
    for (decided,) in keyed.select("_decided").unique().iter_rows():
        if decided is None:
            time_rows.append(
                {"_decided": None, "delay_workdays": None, "late": False, "timeliness_provisional": False}
            )
            continue
        timely = timeliness(item, decided, received_on, cal)
        time_rows.append(
            {
                "_decided": decided,
                "delay_workdays": timely.delay_workdays,
                "late": timely.late,
                "timeliness_provisional": timely.provisional,
            }
        )
    time_schema = {
        "_decided": pl.Date,
        "delay_workdays": pl.Int32,
        "late": pl.Boolean,
        "timeliness_provisional": pl.Boolean,
    }
    keyed = keyed.join(
        pl.DataFrame(time_rows, schema=time_schema),
        on="_decided",
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
    out_cols = [
        "severity",
        "published",
        "publish_from",
        "publish_min_end",
        "publish_max_end",
        "delay_workdays",
        "late",
        "timeliness_provisional",
        "assess_error",
        "assess_message",
    ]
    return rows.with_columns(keyed.select(out_cols))


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class VersionView:
    version: int
    change: str
    reason: str | None
    status: str
    data: dict[str, Any]
    changed_at: dt.datetime | None
    changed_by: str


def _batch_submitter(session: Session, batch_id: int | None) -> str:
    if batch_id is None:
        return "unknown"
    from xinyong.models.ingest import IngestBatch

    who = session.scalar(select(IngestBatch.submitted_by).where(IngestBatch.id == batch_id))
    return who or f"batch:{batch_id}"


def _ensure_first_version(session: Session, record: CreditRecord) -> None:
    """Before a record changes for the first time, keep its current state as a version row."""
    exists = session.scalar(
        select(CreditRecordVersion.id).where(
            CreditRecordVersion.record_id == record.id, CreditRecordVersion.version == record.version
        )
    )
    if exists is None:
        session.add(
            CreditRecordVersion(
                record_id=record.id,
                version=record.version,
                change="created",
                reason=record.severity_reason,
                status=record.status,
                data=record.data,
                changed_at=record.created_at,
                changed_by=_batch_submitter(session, record.batch_id),
            )
        )
        session.flush()


def record_history(session: Session, record_id: int) -> list[VersionView]:
    """Every version of a record, oldest first (version 1 is the record itself while it never changed)."""
    record = _get_record(session, record_id)
    rows = list(
        session.scalars(
            select(CreditRecordVersion)
            .where(CreditRecordVersion.record_id == record_id)
            .order_by(CreditRecordVersion.version)
        )
    )
    if not rows:
        return [
            VersionView(
                version=record.version,
                change="created",
                reason=record.severity_reason,
                status=record.status.value,
                data=record.data,
                changed_at=record.created_at,
                changed_by=_batch_submitter(session, record.batch_id),
            )
        ]
    return [
        VersionView(r.version, r.change, r.reason, r.status.value, r.data, r.changed_at, r.changed_by)
        for r in rows
    ]


# --------------------------------------------------------------------------- corrections, revocations


@dataclass(frozen=True)
class Withdrawal:
    """Why a record stopped being in force: passed to every hook of :func:`on_record_withdrawn`."""

    record_id: int
    subject_id: int
    cause: str  # revoked / repaired / expired
    reason: str
    actor: str


#: Functions that end what is based on a withdrawn record (measures, list entries ...). Later modules
#: register theirs with :func:`register_withdrawal_hook`; each returns how many things it ended.
WITHDRAWAL_HOOKS: list[Callable[[Session, Withdrawal, Clock], int]] = []


def register_withdrawal_hook(hook: Callable[[Session, Withdrawal, Clock], int]) -> None:
    if hook not in WITHDRAWAL_HOOKS:
        WITHDRAWAL_HOOKS.append(hook)


def on_record_withdrawn(session: Session, withdrawal: Withdrawal, clock: Clock) -> int:
    """The one place that ends everything based on a record that is no longer in force."""
    return sum(hook(session, withdrawal, clock) for hook in list(WITHDRAWAL_HOOKS))


def _get_record(session: Session, record_id: int) -> CreditRecord:
    record = session.get(CreditRecord, record_id)
    if record is None:
        raise NotFound(
            f"信用记录 {record_id} 不存在", code="RECORD_NOT_FOUND", details={"record_id": record_id}
        )
    return record


def find_record(session: Session, dept_id: int, source_record_id: str) -> CreditRecord:
    """A department's record by its own id (一数一源 key)."""
    record = session.scalar(
        select(CreditRecord).where(
            CreditRecord.source_dept_id == dept_id, CreditRecord.source_record_id == source_record_id
        )
    )
    if record is None:
        raise NotFound(
            f"本部门没有数据标识为 {source_record_id} 的信用记录",
            code="RECORD_NOT_FOUND",
            details={"source_record_id": source_record_id},
        )
    return record


def _changeable(session: Session, record_id: int, dept_id: int | None, reason: str) -> CreditRecord:
    record = _get_record(session, record_id)
    if dept_id is not None and record.source_dept_id != dept_id:
        raise Forbidden(
            "只有报送该记录的部门可以更正或撤销（谁提供谁负责）",
            code="RECORD_NOT_OWN_SOURCE",
            details={"record_id": record_id},
        )
    if not reason or not reason.strip():
        raise InvalidInput("更正或撤销信用记录必须说明理由", code="RECORD_CHANGE_REASON_REQUIRED")
    return record


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
    from xinyong.ingest.validation import validate_record_data

    record = _changeable(session, record_id, dept_id, reason)
    if record.status is not RecordStatus.active:
        raise Conflict(
            "该信用记录已撤销或不再有效，不能更正",
            code="RECORD_NOT_ACTIVE",
            details={"record_id": record_id, "status": record.status.value},
        )
    item_row = session.get(CatalogItemRow, record.catalog_item_id)
    assert item_row is not None
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
    subject = session.get(Subject, checked.subject_id)
    assert subject is not None
    severity = severity_of(spec, checked.values, override=severity_override, reason=override_reason)
    stored = _protect_personal(spec, checked.values, subject, cipher)
    if stored == record.data and severity == record.severity and subject.id == record.subject_id:
        return record
    decided = _as_date(checked.values["decision_date"])
    assert decided is not None
    window = publication_window(spec, checked.values, severity)
    timely = timeliness(spec, decided, record.received_on, work_calendar(session))
    _ensure_first_version(session, record)
    before = record.data
    record.version += 1
    record.subject_id = subject.id
    record.data = stored
    record.severity = severity
    record.severity_reason = override_reason if severity_override is not None else None
    record.decision_no = checked.values.get("decision_no")
    record.decision_date = decided
    record.delay_workdays = timely.delay_workdays
    record.late = timely.late
    record.timeliness_provisional = timely.provisional
    record.published = window.publish
    record.publish_from, record.publish_min_end, record.publish_max_end = (
        window.start,
        window.min_end,
        window.max_end,
    )
    record.updated_at = clock.now()
    session.add(
        CreditRecordVersion(
            record_id=record.id,
            version=record.version,
            change="corrected",
            reason=reason.strip(),
            status=record.status,
            data=stored,
            changed_at=clock.now(),
            changed_by=actor,
        )
    )
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


def revoke_record(
    session: Session,
    record_id: int,
    *,
    reason: str,
    actor: str,
    clock: Clock,
    dept_id: int | None = None,
) -> CreditRecord:
    """撤销: the deciding document was withdrawn (reconsideration, court). The record stops being
    published at once, a version records the revocation and its reason, everything based on it ends
    (:func:`on_record_withdrawn`), and the audit trail says who did it. Revoking twice changes nothing.
    """
    record = _changeable(session, record_id, dept_id, reason)
    if record.status is RecordStatus.revoked:
        return record
    _ensure_first_version(session, record)
    before = {"status": record.status.value, "published": record.published, "version": record.version}
    record.version += 1
    record.status = RecordStatus.revoked
    record.published = False
    record.updated_at = clock.now()
    session.add(
        CreditRecordVersion(
            record_id=record.id,
            version=record.version,
            change="revoked",
            reason=reason.strip(),
            status=RecordStatus.revoked,
            data=record.data,
            changed_at=clock.now(),
            changed_by=actor,
        )
    )
    session.flush()
    ended = on_record_withdrawn(
        session,
        Withdrawal(record.id, record.subject_id, "revoked", reason.strip(), actor),
        clock,
    )
    audit.record(
        session,
        actor=actor,
        action="record.revoked",
        entity="credit_record",
        entity_id=record.id,
        subject_id=record.subject_id,
        before=before,
        after={"status": "revoked", "published": False, "version": record.version},
        detail={"reason": reason.strip(), "ended": ended},
        clock=clock,
    )
    return record
