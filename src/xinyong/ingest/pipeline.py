"""The collection pipeline (归集): one path for uploaded files, the CLI and the JSON batch API.

A batch is processed chunk by chunk. Each chunk is validated (vectorised, see ``validation``), its
subjects are resolved in bulk (old codes converted, unknown but valid codes registered from the
row's name), duplicates are sorted out, severity / window / timeliness come from records.service,
accepted rows are bulk-loaded, rejected rows and every finding are stored, and the batch's
checkpoint (``rows_done``) and counts move forward — all in the chunk's one transaction, with one
audit entry. A process killed half way therefore leaves whole chunks and a matching checkpoint;
submitting the same file again (or :func:`resume_batch`) carries on from there.

Decisions (see docs):

- same file (sha256) from the same department for the same item, already done: a new batch with
  status ``duplicate`` that points at the first one; nothing is stored twice;
- a row whose (department, source record id) is already stored: identical values -> counted as a
  duplicate and ignored; different values -> rejected with ``RECORD_DUPLICATE_KEY_CHANGED`` (a change
  is made with an explicit correction, never by silently overwriting); the same id twice in one
  file with different values -> ``RECORD_DUPLICATE_IN_FILE``;
- a valid USCC of no registered subject: the subject is registered from the row's name (and type
  from the code's entity-type digits), with a warning on the row, so the source sees it;
- a subject name that differs from the registered one (after kit.names normalisation): a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import polars as pl
from sqlalchemy import ARRAY, Engine, String, any_, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import service as audit
from xinyong.db import session_factory
from xinyong.ingest import loader
from xinyong.ingest.validation import (
    KIND,
    OK,
    ROW,
    Issue,
    ItemContext,
    context_for,
    json_ready,
    validate_chunk,
)
from xinyong.kit import ids
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import (
    PersonalDataCipher,
    is_phone_field,
    mask_field_value,
    seal_frame,
    seal_values,
    unseal_values,
)
from xinyong.kit.errors import Conflict, InvalidInput, NotFound
from xinyong.kit.names import normalize_series
from xinyong.kit.workdays import WorkCalendar
from xinyong.models import (
    BatchStatus,
    CreditRecord,
    Department,
    IdScheme,
    IngestBatch,
    IssueLevel,
    RejectedRow,
    RejectedStatus,
    RowIssue,
    Subject,
    SubjectIdentifier,
    SubjectKind,
)
from xinyong.models.subjects import SUBJECT_KIND_ZH
from xinyong.records.service import SEVERITY_OVERRIDE_COLUMN, SEVERITY_REASON_COLUMN, assess_frame
from xinyong.workdays.service import calendar as work_calendar

DEFAULT_CHUNK_ROWS: Final = 50_000
MAX_API_ROWS: Final = 10_000
_IN_PIECE: Final = 5_000

DUPLICATE_IGNORED: Final = "INGEST_DUPLICATE_IGNORED"
DUPLICATE_IN_FILE: Final = "RECORD_DUPLICATE_IN_FILE"
DUPLICATE_KEY_CHANGED: Final = "RECORD_DUPLICATE_KEY_CHANGED"
NAME_MISMATCH: Final = "SUBJECT_NAME_MISMATCH"
AUTO_REGISTERED: Final = "SUBJECT_AUTO_REGISTERED"
OLD_CODE_CONVERTED: Final = "SUBJECT_OLD_CODE_CONVERTED"
OLD_CODE_UNKNOWN: Final = "SUBJECT_OLD_CODE_UNKNOWN"
SUBJECT_TYPE_NOT_ALLOWED: Final = "SUBJECT_TYPE_NOT_ALLOWED"

Progress = Callable[[int, int | None], None]
Db = Engine | sessionmaker[Session]


def _factory(db: Db) -> sessionmaker[Session]:
    return session_factory(db) if isinstance(db, Engine) else db


def default_store_dir() -> Path:
    from xinyong.config import get_settings

    return get_settings().data_dir / "ingest"


def find_department(session: Session, code: str) -> Department:
    dept = session.scalar(select(Department).where(Department.code == code.strip()))
    if dept is None:
        raise NotFound(f"部门代码 {code} 不存在", code="DEPT_NOT_FOUND", details={"dept": code})
    return dept


# --------------------------------------------------------------------------- the run of one batch


@dataclass
class _Run:
    batch_id: int
    dept_id: int
    item_id: int
    ctx: ItemContext
    received_on: dt.date
    today: dt.date
    cal: WorkCalendar
    cipher: PersonalDataCipher | None
    actor: str
    clock: Clock
    resubmission_of: int | None = None


@dataclass
class _Counts:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0
    duplicates: int = 0
    late: int = 0
    ignored: list[str] = field(default_factory=list)


def _run_for(
    session: Session, batch: IngestBatch, *, actor: str, clock: Clock, cipher: PersonalDataCipher | None
) -> _Run:
    from xinyong.models import CatalogItemRow

    row = session.get(CatalogItemRow, batch.catalog_item_id)
    assert row is not None
    return _Run(
        batch_id=batch.id,
        dept_id=batch.dept_id,
        item_id=row.id,
        ctx=context_for(row),
        received_on=batch.received_on,
        today=clock.today(),
        cal=work_calendar(session),
        cipher=cipher,
        actor=actor,
        clock=clock,
        resubmission_of=batch.resubmission_of_id,
    )


def _claim(session: Session, batch_id: int, expected: int, rows: int) -> None:
    """Move the checkpoint from ``expected`` to ``expected + rows``; refuse if someone else moved it."""
    result = session.execute(
        update(IngestBatch)
        .where(IngestBatch.id == batch_id, IngestBatch.rows_done == expected)
        .values(rows_done=expected + rows, status=BatchStatus.processing)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "该批次正由另一进程处理，请稍后查看结果",
            code="INGEST_BATCH_BUSY",
            details={"batch_id": batch_id},
        )


def process_chunk(session: Session, run: _Run, raw: pl.DataFrame, *, expected_done: int | None) -> _Counts:
    """Validate, resolve, de-duplicate, assess and store one chunk in ``session``'s transaction."""
    counts = _Counts(rows=raw.height)
    if expected_done is not None:
        _claim(session, run.batch_id, expected_done, raw.height)
    checked = validate_chunk(run.ctx, raw, today=run.today, received_on=run.received_on)
    issues: list[Issue] = list(checked.issues)
    frame = checked.frame.filter(pl.col(OK))
    frame, more = _resolve_subjects(session, run, frame)
    issues += more
    frame = frame.filter(~pl.col(ROW).is_in([i.row_no for i in more if i.level == "error"]))
    frame, more, dup_rows = _duplicates(session, run, frame)
    issues += more
    spec = run.ctx.spec
    assessed = assess_frame(spec, frame, received_on=run.received_on, cal=run.cal)
    failed = assessed.filter(pl.col("assess_error").is_not_null())
    by_field = getattr(spec.severity_rule, "by_field", None)
    for row_no, code, message in failed.select(ROW, "assess_error", "assess_message").iter_rows():
        where = {
            "RECORD_SEVERITY_REASON_REQUIRED": SEVERITY_REASON_COLUMN,
            "RECORD_SEVERITY_NOT_APPLICABLE": SEVERITY_OVERRIDE_COLUMN,
        }.get(code, by_field)
        issues.append(Issue(row_no, where, code, message))
    accepted = assessed.filter(pl.col("assess_error").is_null())
    first_id, last_id, data = _store_records(session, run, accepted)
    accepted_rows = set(accepted[ROW].to_list())
    warned = {i.row_no for i in issues if i.level == "warning" and i.row_no in accepted_rows}
    wanted = accepted_rows if run.resubmission_of is not None else warned
    ids_by_row = _record_ids(session, run, accepted.filter(pl.col(ROW).is_in(list(wanted)))) if wanted else {}
    for issue in issues:
        if issue.level != "error" and issue.record_id is None:
            issue.record_id = ids_by_row.get(issue.row_no)
    rejected_rows = sorted({i.row_no for i in issues if i.level == "error"})
    _store_rejected(session, run, raw, rejected_rows)
    warning_issues = [i for i in issues if i.level == "warning" and i.row_no in accepted_rows]
    stored_issues = [i for i in issues if i.level != "warning"] + warning_issues
    if stored_issues:
        session.execute(
            insert(RowIssue),
            [
                {
                    "batch_id": run.batch_id,
                    "row_no": i.row_no,
                    "level": IssueLevel(i.level),
                    "field": i.field,
                    "code": i.code,
                    "message": i.message[:1000],
                    "record_id": i.record_id,
                }
                for i in stored_issues
            ],
        )
    if run.resubmission_of is not None:
        _link_fixes(session, run, ids_by_row, rejected_rows, dup_rows)
    if accepted.height:
        _close_fixed_elsewhere(session, run, accepted["source_record_id"].to_list())
    counts.accepted = accepted.height
    counts.rejected = len(rejected_rows)
    counts.warnings = len(warning_issues)
    counts.duplicates = len(dup_rows)
    counts.late = int(accepted["late"].sum()) if accepted.height else 0
    session.execute(
        update(IngestBatch)
        .where(IngestBatch.id == run.batch_id)
        .values(
            accepted=IngestBatch.accepted + counts.accepted,
            rejected=IngestBatch.rejected + counts.rejected,
            warnings=IngestBatch.warnings + counts.warnings,
            duplicates=IngestBatch.duplicates + counts.duplicates,
            late=IngestBatch.late + counts.late,
        )
    )
    digest = hashlib.sha256("\n".join(data.to_list()).encode()).hexdigest() if accepted.height else None
    audit.record(
        session,
        actor=run.actor,
        action="ingest.chunk_committed",
        entity="ingest_batch",
        entity_id=run.batch_id,
        after={"rows_sha256": digest, "record_ids": [first_id, last_id]},
        detail={
            "rows": [raw[ROW].min(), raw[ROW].max()] if raw.height else None,
            "accepted": counts.accepted,
            "rejected": counts.rejected,
            "duplicates": counts.duplicates,
            "first_record_id": first_id,
            "last_record_id": last_id,
            "rows_sha256": digest,
        },
        clock=run.clock,
    )
    return counts


# --------------------------------------------------------------------------- subjects


def _pieces(values: list[Any]) -> list[list[Any]]:
    return [values[i : i + _IN_PIECE] for i in range(0, len(values), _IN_PIECE)]


def _in(session: Session, column: Any, values: list[str]) -> list[Any]:
    """``column IN values`` as few statements: one ``= ANY(array)`` on PostgreSQL (one parameter,
    however many values), pieces of bound parameters on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return [column == any_(bindparam("values", values, type_=ARRAY(String)))] if values else []
    return [column.in_(piece) for piece in _pieces(values)]


_KIND_BY_PREFIX: Final = {
    "11": SubjectKind.government_body,
    "12": SubjectKind.public_institution,
    "92": SubjectKind.individual_business,
}


def _resolve_subjects(session: Session, run: _Run, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[Issue]]:
    """Add ``__subject`` (subject id) and ``__name_norm``; convert old codes; register unknown subjects."""
    issues: list[Issue] = []
    if frame.height == 0:
        return frame.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("__subject"),
            pl.lit(None, dtype=pl.String).alias("__name_norm"),
        ), issues
    found: dict[str, tuple[int, str]] = {}  # key -> (subject id, name_norm); key = USCC or ric hash
    kinds: dict[str, str] = {}  # key -> subject kind, to hold against the item's subject types
    allowed = {t.value for t in run.ctx.spec.subject_types}

    # old codes (新旧码转换)
    old_rows = frame.filter(pl.col(KIND) == "old").select(ROW, "subject_id")
    converted: dict[str, str] = {}
    if old_rows.height:
        for code in old_rows["subject_id"].unique().to_list():
            verdict = ids.check_reg_no(code) if len(code) == 15 else ids.check_org_code(code)
            if not verdict.valid or verdict.value is None:
                continue
            scheme = IdScheme.reg_no if verdict.kind == "reg_no" else IdScheme.org_code
            uscc = session.scalar(
                select(Subject.uscc)
                .join(SubjectIdentifier, SubjectIdentifier.subject_id == Subject.id)
                .where(SubjectIdentifier.scheme == scheme, SubjectIdentifier.value == verdict.value)
            )
            if uscc:
                converted[code] = uscc
        for row_no, code in old_rows.iter_rows():
            if code in converted:
                issues.append(
                    Issue(
                        row_no,
                        "subject_id",
                        OLD_CODE_CONVERTED,
                        f"「{run.ctx.label('subject_id')}」旧代码“{code}”已转换为统一社会信用代码“{converted[code]}”",
                        level="warning",
                    )
                )
            else:
                verdict = ids.check_reg_no(code) if len(code) == 15 else ids.check_org_code(code)
                reason = verdict.message if not verdict.valid else "该旧代码未关联任何已登记的信用主体"
                issues.append(
                    Issue(
                        row_no,
                        "subject_id",
                        OLD_CODE_UNKNOWN if verdict.valid else (verdict.error_code or OLD_CODE_UNKNOWN),
                        f"「{run.ctx.label('subject_id')}」{reason}：请填写18位统一社会信用代码",
                    )
                )
        frame = frame.with_columns(
            pl.col("subject_id").replace(converted),
            pl.when(pl.col(KIND) == "old").then(pl.lit("uscc")).otherwise(pl.col(KIND)).alias(KIND),
        )

    # organisations, by USCC: one query per piece of distinct codes
    usccs = frame.filter(pl.col(KIND) == "uscc")["subject_id"].unique().to_list()
    for condition in _in(session, Subject.uscc, usccs):
        for sid, uscc, norm, kind in session.execute(
            select(Subject.id, Subject.uscc, Subject.name_norm, Subject.kind).where(condition)
        ):
            found[str(uscc)] = (sid, norm)
            kinds[str(uscc)] = kind.value
    unknown = [u for u in usccs if u not in found]
    kinds.update({u: _KIND_BY_PREFIX.get(u[:2], SubjectKind.legal_person).value for u in unknown})
    missing = [u for u in unknown if kinds[u] in allowed]  # never register a subject for a refused row
    new_keys: set[str] = set()
    if missing:
        names = dict(
            frame.filter(pl.col("subject_id").is_in(missing))
            .group_by("subject_id", maintain_order=True)
            .agg(pl.col("subject_name").first())
            .iter_rows()
        )
        found.update(_register_organisations(session, run, {u: names[u] for u in missing}))
        new_keys.update(missing)

    # natural persons, by keyed hash of the citizen ID
    rics = frame.filter(pl.col(KIND) == "ric")["subject_id"].unique().to_list()
    hashes: dict[str, str] = {}
    if rics and SubjectKind.natural_person.value not in allowed:
        kinds.update({r: SubjectKind.natural_person.value for r in rics})
    elif rics:
        if run.cipher is None:
            raise InvalidInput("记录含身份证号码，需要个人信息密钥", code="RECORD_CIPHER_REQUIRED")
        hashes = {r: run.cipher.index(r) for r in rics}
        for condition in _in(session, SubjectIdentifier.value, list(hashes.values())):
            for sid, value, norm in session.execute(
                select(Subject.id, SubjectIdentifier.value, Subject.name_norm)
                .join(SubjectIdentifier, SubjectIdentifier.subject_id == Subject.id)
                .where(SubjectIdentifier.scheme == IdScheme.ric_hash, condition)
            ):
                found[value] = (sid, norm)
                kinds[value] = SubjectKind.natural_person.value
        from xinyong.subjects.service import register_person

        names_p = dict(
            frame.filter(pl.col(KIND) == "ric")
            .group_by("subject_id", maintain_order=True)
            .agg(pl.col("subject_name").first())
            .iter_rows()
        )
        for ric, digest in hashes.items():
            if digest not in found:
                person = register_person(
                    session, name=names_p[ric], ric=ric, cipher=run.cipher, actor=run.actor, clock=run.clock
                )
                found[digest] = (person.id, person.name_norm)
                kinds[digest] = SubjectKind.natural_person.value
                new_keys.add(digest)

    key = (
        pl.when(pl.col(KIND) == "ric")
        .then(pl.col("subject_id").replace_strict(hashes, default=None, return_dtype=pl.String))
        .otherwise(pl.col("subject_id"))
        if hashes
        else pl.col("subject_id")
    )
    frame = frame.with_columns(key.alias("__key"))
    refused = frame.filter(
        ~pl.col("__key").replace_strict(kinds, default=None, return_dtype=pl.String).is_in(list(allowed))
    )
    if refused.height:
        may = "、".join(SUBJECT_KIND_ZH[SubjectKind(t)] for t in sorted(allowed))
        for row_no, subject_key in refused.select(ROW, "__key").iter_rows():
            kind_zh = SUBJECT_KIND_ZH[SubjectKind(kinds[subject_key])] if subject_key in kinds else "未知"
            issues.append(
                Issue(
                    row_no,
                    "subject_id",
                    SUBJECT_TYPE_NOT_ALLOWED,
                    f"「{run.ctx.label('subject_id')}」对应的信用主体是{kind_zh}，本目录事项只收录：{may}",
                )
            )
        frame = frame.filter(~pl.col(ROW).is_in(refused[ROW].to_list()))
    frame = frame.with_columns(
        pl.col("__key")
        .replace_strict({k: v[0] for k, v in found.items()}, default=None, return_dtype=pl.Int64)
        .alias("__subject"),
        pl.col("__key")
        .replace_strict({k: v[1] for k, v in found.items()}, default=None, return_dtype=pl.String)
        .alias("__name_norm"),
    )
    frame = frame.with_columns(normalize_series(frame["subject_name"]).alias("__given_norm"))
    label = run.ctx.label("subject_name")
    if new_keys:
        first_rows = (
            frame.filter(pl.col("__key").is_in(list(new_keys))).group_by("__key").agg(pl.col(ROW).min())
        )
        for _key, row_no in first_rows.iter_rows():
            issues.append(
                Issue(
                    row_no,
                    "subject_id",
                    AUTO_REGISTERED,
                    "该信用主体此前未登记，已按本行的名称和代码登记为新主体，请核对",
                    level="warning",
                )
            )
    mismatch = frame.filter(pl.col("__given_norm") != pl.col("__name_norm"))
    if mismatch.height:
        registered = dict(
            session.execute(
                select(Subject.id, Subject.name).where(
                    Subject.id.in_(mismatch["__subject"].unique().to_list())
                )
            ).all()
        )
        for row_no, given, sid in mismatch.select(ROW, "subject_name", "__subject").iter_rows():
            issues.append(
                Issue(
                    row_no,
                    "subject_name",
                    NAME_MISMATCH,
                    f"「{label}」“{given}”与登记名称“{registered.get(sid, '')}”不一致，"
                    "已按代码入库，请核对名称",
                    level="warning",
                )
            )
    return frame.drop("__key", "__given_norm"), issues


def _register_organisations(session: Session, run: _Run, names: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Register organisations first seen in a submission, in bulk, with one audit entry."""
    from xinyong.kit.names import normalize_names

    codes = list(names)
    norms = normalize_names([names[c] for c in codes])
    rows = [
        {
            "kind": _KIND_BY_PREFIX.get(code[:2], SubjectKind.legal_person),
            "name": names[code].strip()[:300],
            "name_norm": norm[:300],
            "uscc": code,
            "region_code": code[2:8],
        }
        for code, norm in zip(codes, norms, strict=True)
    ]
    created = session.execute(
        insert(Subject).returning(Subject.id, Subject.uscc, sort_by_parameter_order=True), rows
    ).all()
    out = {str(uscc): (sid, norm) for (sid, uscc), norm in zip(created, norms, strict=True)}
    org_codes = {code: code[8:17] for code in codes}
    taken: set[str] = set()
    for condition in _in(session, SubjectIdentifier.value, list(set(org_codes.values()))):
        taken.update(
            session.scalars(
                select(SubjectIdentifier.value).where(
                    SubjectIdentifier.scheme == IdScheme.org_code, condition
                )
            )
        )
    identifiers = []
    for code, (sid, _norm) in out.items():
        identifiers.append({"subject_id": sid, "scheme": IdScheme.uscc, "value": code})
        org = org_codes[code]
        if org not in taken:
            taken.add(org)
            identifiers.append({"subject_id": sid, "scheme": IdScheme.org_code, "value": org})
    session.execute(insert(SubjectIdentifier), identifiers)
    audit.record(
        session,
        actor=run.actor,
        action="subject.registered_from_ingest",
        entity="ingest_batch",
        entity_id=run.batch_id,
        after=sorted(codes),
        detail={"subjects": len(codes), "first_subject_id": created[0][0], "last_subject_id": created[-1][0]},
        clock=run.clock,
    )
    return out


# --------------------------------------------------------------------------- duplicates


def _comparable(values: dict[str, Any], run: _Run, stored: bool) -> dict[str, Any]:
    """Values as they can be compared with what is stored (sealed values decrypted, the subject's
    citizen ID masked as it is stored)."""
    out = {k: v for k, v in values.items() if v is not None}
    if stored:
        out = unseal_values(out, run.cipher)
    subject_field = run.ctx.spec.field("subject_id")
    sid = out.get("subject_id")
    if not stored and subject_field is not None and isinstance(sid, str) and ids.check_ric(sid).valid:
        out["subject_id"] = ids.mask_ric(sid)
    return out


def _duplicates(
    session: Session, run: _Run, frame: pl.DataFrame
) -> tuple[pl.DataFrame, list[Issue], dict[int, int | None]]:
    """Drop rows already stored (identical) or repeated; reject changed rows under a known key."""
    issues: list[Issue] = []
    dup_rows: dict[int, int | None] = {}  # row -> record id it duplicates (None: earlier row in chunk)
    if frame.height == 0:
        return frame, issues, dup_rows
    names = [f.name for f in run.ctx.spec.fields] + [SEVERITY_OVERRIDE_COLUMN]
    frame = frame.with_columns(pl.struct([c for c in names if c in frame.columns]).hash().alias("__h"))
    firsts = frame.select(
        pl.col("source_record_id").is_first_distinct().alias("first"),
        pl.col("__h").first().over("source_record_id").alias("h0"),
    )
    repeat = frame.with_columns(firsts).filter(~pl.col("first"))
    drop: set[int] = set()
    key_label = run.ctx.label("source_record_id")
    for row_no, key, h, h0 in repeat.select(ROW, "source_record_id", "__h", "h0").iter_rows():
        drop.add(row_no)
        if h == h0:
            dup_rows[row_no] = None
            issues.append(
                Issue(
                    row_no,
                    "source_record_id",
                    DUPLICATE_IGNORED,
                    f"与本批次中「{key_label}」“{key}”的前一行完全相同，已忽略",
                    level="duplicate",
                )
            )
        else:
            issues.append(
                Issue(
                    row_no,
                    "source_record_id",
                    DUPLICATE_IN_FILE,
                    f"「{key_label}」“{key}”在本批次中重复出现且内容不同：同一数据标识只能对应一条记录",
                )
            )
    frame = frame.filter(~pl.col(ROW).is_in(list(drop)))
    keys = frame["source_record_id"].to_list()
    existing: dict[str, tuple[int, int | None, dict[str, Any]]] = {}
    for condition in _in(session, CreditRecord.source_record_id, keys):
        for rid, key, batch_id, data in session.execute(
            select(
                CreditRecord.id, CreditRecord.source_record_id, CreditRecord.batch_id, CreditRecord.data
            ).where(CreditRecord.source_dept_id == run.dept_id, condition)
        ):
            existing[key] = (rid, batch_id, data)
    if existing:
        hit = frame.filter(pl.col("source_record_id").is_in(list(existing)))
        field_names = [f.name for f in run.ctx.spec.fields]
        for row_no, values in zip(hit[ROW].to_list(), json_ready(hit, field_names), strict=True):
            rid, batch_id, data = existing[values["source_record_id"]]
            drop.add(row_no)
            if _comparable(values, run, False) == _comparable(data, run, True):
                dup_rows[row_no] = rid
                issues.append(
                    Issue(
                        row_no,
                        "source_record_id",
                        DUPLICATE_IGNORED,
                        f"与已入库的信用记录（编号 {rid}）完全相同，已忽略",
                        level="duplicate",
                        record_id=rid,
                    )
                )
            elif batch_id == run.batch_id:
                issues.append(
                    Issue(
                        row_no,
                        "source_record_id",
                        DUPLICATE_IN_FILE,
                        f"「{key_label}」“{values['source_record_id']}”在本批次中重复出现且内容不同：同一数据标识只能对应一条记录",
                    )
                )
            else:
                issues.append(
                    Issue(
                        row_no,
                        "source_record_id",
                        DUPLICATE_KEY_CHANGED,
                        f"「{key_label}」“{values['source_record_id']}”已有信用记录（编号 {rid}）且内容不同："
                        "如需修改请使用“更正”功能，不能重复报送覆盖",
                        record_id=rid,
                    )
                )
        frame = frame.filter(~pl.col(ROW).is_in(list(drop)))
    return frame.drop("__h"), issues, dup_rows


# --------------------------------------------------------------------------- storing


def _protect(run: _Run, frame: pl.DataFrame) -> pl.DataFrame:
    """Personal data never sits in record data in clear: the same rule as
    records.service._protect_personal (``kit.crypto.seal_values``), vectorised (``seal_frame``)."""

    fields = [f.name for f in run.ctx.spec.fields if f.name != "subject_id"]
    always = set(run.ctx.ric_fields) | {n for n in fields if is_phone_field(n)}
    out = seal_frame(frame, fields, run.cipher, always=always)
    if "subject_id" in out.columns and (out[KIND] == "ric").any():
        masked = [
            ids.mask_ric(v) if k == "ric" else v
            for v, k in zip(out["subject_id"].to_list(), out[KIND].to_list(), strict=True)
        ]
        out = out.with_columns(pl.Series("subject_id", masked, dtype=pl.String))
    return out


def _store_records(
    session: Session, run: _Run, accepted: pl.DataFrame
) -> tuple[int | None, int | None, pl.Series]:
    """Bulk-load the accepted rows; the id range they got, and their data as stored (JSON text)."""
    if accepted.height == 0:
        return None, None, pl.Series("__data", [], dtype=pl.String)
    before = session.scalar(select(func.max(CreditRecord.id))) or 0
    field_names = [f.name for f in run.ctx.spec.fields if f.name in accepted.columns]
    protected = _protect(run, accepted)
    data = protected.select(
        pl.struct(
            [
                pl.col(n).dt.strftime("%Y-%m-%d") if protected.schema[n] == pl.Date else pl.col(n)
                for n in field_names
            ]
        )
        .struct.json_encode()
        .alias("__data")
    )["__data"]
    frame = pl.DataFrame(
        {
            "subject_id": accepted["__subject"],
            "catalog_item_id": pl.repeat(run.item_id, accepted.height, dtype=pl.Int64, eager=True),
            "source_dept_id": pl.repeat(run.dept_id, accepted.height, dtype=pl.Int64, eager=True),
            "source_record_id": accepted["source_record_id"],
            "version": pl.repeat(1, accepted.height, dtype=pl.Int32, eager=True),
            "status": pl.repeat("active", accepted.height, dtype=pl.String, eager=True),
            "severity": accepted["severity"],
            "severity_reason": accepted.select(
                pl.when(pl.col(SEVERITY_OVERRIDE_COLUMN).is_not_null()).then(pl.col(SEVERITY_REASON_COLUMN))
            ).to_series(),
            "decision_no": accepted["decision_no"]
            if "decision_no" in accepted.columns
            else pl.repeat(None, accepted.height, dtype=pl.String, eager=True),
            "decision_date": accepted["decision_date"],
            "received_on": pl.repeat(run.received_on, accepted.height, dtype=pl.Date, eager=True),
            "delay_workdays": accepted["delay_workdays"],
            "late": accepted["late"],
            "timeliness_provisional": accepted["timeliness_provisional"],
            "published": accepted["published"],
            "publish_from": accepted["publish_from"],
            "publish_min_end": accepted["publish_min_end"],
            "publish_max_end": accepted["publish_max_end"],
            "data": data,
            "batch_id": pl.repeat(run.batch_id, accepted.height, dtype=pl.Int64, eager=True),
        }
    )
    loader.load_records(session, frame)
    first_id, last_id = session.execute(
        select(func.min(CreditRecord.id), func.max(CreditRecord.id)).where(
            CreditRecord.id > before, CreditRecord.batch_id == run.batch_id
        )
    ).one()
    return first_id, last_id, data


def _record_ids(session: Session, run: _Run, rows: pl.DataFrame) -> dict[int, int]:
    """Record ids of some just-stored rows (those with warnings, or fixes to link), by row number."""
    by_key = dict(zip(rows["source_record_id"].to_list(), rows[ROW].to_list(), strict=True))
    out: dict[int, int] = {}
    for condition in _in(session, CreditRecord.source_record_id, list(by_key)):
        for key, rid in session.execute(
            select(CreditRecord.source_record_id, CreditRecord.id).where(
                CreditRecord.source_dept_id == run.dept_id, condition
            )
        ):
            out[by_key[key]] = rid
    return out


def _store_rejected(session: Session, run: _Run, raw: pl.DataFrame, rows: list[int]) -> None:
    """Keep rejected rows with their values as submitted, personal data sealed by the same rule as
    stored records (kit.crypto.seal_values; masked instead when there is no key)."""
    if not rows:
        return
    subset = raw.filter(pl.col(ROW).is_in(rows))
    value_cols = [c for c in subset.columns if not c.startswith("__")]
    ric = set(run.ctx.ric_fields)
    always = ric | {c for c in value_cols if is_phone_field(c)}
    payload = []
    for record in subset.iter_rows(named=True):
        values = {c: record[c] for c in value_cols if record[c] is not None}
        key = values.get("source_record_id")
        if run.cipher is not None:
            values = seal_values(values, run.cipher, always=always)
        else:
            values = {
                k: mask_field_value(k, str(v), is_ric=k in ric) if isinstance(v, str) or k in always else v
                for k, v in values.items()
            }
        payload.append(
            {
                "batch_id": run.batch_id,
                "row_no": int(record[ROW]),
                "source_record_id": str(key)[:100] if key is not None else None,
                "raw": values,
                "status": RejectedStatus.open,
            }
        )
    session.execute(insert(RejectedRow), payload)


def _close_fixed_elsewhere(session: Session, run: _Run, keys: list[str]) -> None:
    """A record stored now under a key (department + item + source record id) that an earlier batch
    rejected means the department fixed it and sent it again in a new file: close that rejected row,
    so the department's open corrections are the ones still to do."""
    earlier = select(IngestBatch.id).where(
        IngestBatch.dept_id == run.dept_id,
        IngestBatch.catalog_item_id == run.item_id,
        IngestBatch.id != run.batch_id,
    )
    stored = (
        select(CreditRecord.id)
        .where(
            CreditRecord.source_dept_id == run.dept_id,
            CreditRecord.catalog_item_id == run.item_id,
            CreditRecord.source_record_id == RejectedRow.source_record_id,
        )
        .order_by(CreditRecord.id)
        .limit(1)
        .scalar_subquery()
    )
    waiting = session.execute(
        select(RejectedRow.id, RejectedRow.source_record_id).where(
            RejectedRow.status == RejectedStatus.open,
            RejectedRow.batch_id.in_(earlier),
            RejectedRow.source_record_id.is_not(None),
        )
    ).all()
    if not waiting:  # the usual case: one small indexed query per chunk
        return
    wanted = set(keys)
    hits = [row_id for row_id, key in waiting if key in wanted]
    for piece in _pieces(hits):
        session.execute(
            update(RejectedRow)
            .where(RejectedRow.id.in_(piece))
            .values(status=RejectedStatus.fixed, fixed_batch_id=run.batch_id, fixed_record_id=stored)
        )


def _link_fixes(
    session: Session, run: _Run, accepted: dict[int, int], rejected: list[int], dups: dict[int, int | None]
) -> None:
    original = run.resubmission_of
    for row_no, record_id in [*accepted.items(), *((r, d) for r, d in dups.items() if d is not None)]:
        session.execute(
            update(RejectedRow)
            .where(RejectedRow.batch_id == original, RejectedRow.row_no == row_no)
            .values(status=RejectedStatus.fixed, fixed_batch_id=run.batch_id, fixed_record_id=record_id)
        )
    if rejected:
        session.execute(
            update(RejectedRow)
            .where(RejectedRow.batch_id == original, RejectedRow.row_no.in_(rejected))
            .values(status=RejectedStatus.superseded, fixed_batch_id=run.batch_id)
        )
