"""Subjects of a chunk, resolved in bulk through subjects.service: old codes converted (新旧码转换), known
subjects found by USCC or by the keyed hash of a citizen ID, unknown ones registered from the row's name,
subject kinds held against the catalog item, and name differences reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import polars as pl
from sqlalchemy.orm import Session

from xinyong.catalog.schema import Category
from xinyong.ingest.pipeline.run import Run
from xinyong.ingest.validation import KIND, ROW, Issue
from xinyong.kit.errors import InvalidInput
from xinyong.kit.names import normalize_series
from xinyong.models.subjects import SUBJECT_KIND_ZH, SubjectKind
from xinyong.subjects import service as subjects
from xinyong.subjects.repository import SubjectRef

NAME_MISMATCH: Final = "SUBJECT_NAME_MISMATCH"
AUTO_REGISTERED: Final = "SUBJECT_AUTO_REGISTERED"
REGISTERED_MESSAGE: Final = "该信用主体此前未登记，已按本行的名称和代码登记为新主体，请核对"
#: An organisation first seen in a submission that is not the registry's: held as 待核验.
UNVERIFIED: Final = "SUBJECT_UNVERIFIED"
UNVERIFIED_MESSAGE: Final = (
    "登记机关尚未报送该代码的主体：已按本行的名称和代码收录为待核验主体，"
    "在登记机关报送或信用办核验之前不在信用门户公示，请核对代码"
)
OLD_CODE_CONVERTED: Final = "SUBJECT_OLD_CODE_CONVERTED"
OLD_CODE_UNKNOWN: Final = "SUBJECT_OLD_CODE_UNKNOWN"
SUBJECT_TYPE_NOT_ALLOWED: Final = "SUBJECT_TYPE_NOT_ALLOWED"


@dataclass
class Resolved:
    """Subjects of a chunk by key (a USCC, or the keyed hash of a citizen ID)."""

    found: dict[str, SubjectRef] = field(default_factory=dict)
    #: Subject kind per key, also for keys of rows refused before registration.
    kinds: dict[str, SubjectKind] = field(default_factory=dict)
    #: Citizen ID -> keyed hash.
    hashes: dict[str, str] = field(default_factory=dict)
    #: Whether organisations registered by this chunk are held as unverified (not the registry's batch).
    unverified: bool = False
    #: Keys registered by this chunk.
    new_keys: set[str] = field(default_factory=set)


def _first_names(frame: pl.DataFrame, codes: list[str]) -> dict[str, str]:
    return dict(
        frame.filter(pl.col("subject_id").is_in(codes))
        .group_by("subject_id", maintain_order=True)
        .agg(pl.col("subject_name").first())
        .iter_rows()
    )


def _convert_old(session: Session, run: Run, frame: pl.DataFrame, issues: list[Issue]) -> pl.DataFrame:
    """Rows giving an old code get its USCC (with a warning), or an error when it converts to nothing."""
    old_rows = frame.filter(pl.col(KIND) == "old").select(ROW, "subject_id")
    if old_rows.height == 0:
        return frame
    converted = subjects.convert_old_codes(session, old_rows["subject_id"].unique().to_list())
    label = run.ctx.label("subject_id")
    for row_no, code in old_rows.iter_rows():
        if code in converted:
            message = f"「{label}」旧代码“{code}”已转换为统一社会信用代码“{converted[code]}”"
            issues.append(Issue(row_no, "subject_id", OLD_CODE_CONVERTED, message, level="warning"))
            continue
        verdict = subjects.check_old_code(code)
        reason = verdict.message if not verdict.valid else "该旧代码未关联任何已登记的信用主体"
        error = OLD_CODE_UNKNOWN if verdict.valid else (verdict.error_code or OLD_CODE_UNKNOWN)
        issues.append(Issue(row_no, "subject_id", error, f"「{label}」{reason}：请填写18位统一社会信用代码"))
    return frame.with_columns(
        pl.col("subject_id").replace(converted),
        pl.when(pl.col(KIND) == "old").then(pl.lit("uscc")).otherwise(pl.col(KIND)).alias(KIND),
    )


def _organisations(session: Session, run: Run, frame: pl.DataFrame, out: Resolved, allowed: set[str]) -> None:
    usccs = frame.filter(pl.col(KIND) == "uscc")["subject_id"].unique().to_list()
    known = subjects.find_organisations(session, usccs)
    out.found.update(known)
    registry = run.ctx.spec.category is Category.REGISTRATION  # the registry's own submission confirms
    if registry:
        subjects.confirm_registered(session, [ref.id for ref in known.values()])
    out.kinds.update({u: ref.kind for u, ref in known.items()})
    unknown = [u for u in usccs if u not in known]
    out.kinds.update({u: subjects.kind_of_uscc(u) for u in unknown})
    missing = [u for u in unknown if out.kinds[u].value in allowed]  # never register for a refused row
    if missing:
        names = _first_names(frame, missing)
        registered = subjects.register_organisations(
            session, {u: names[u] for u in missing}, verified=registry
        )
        out.found.update(registered)
        out.new_keys.update(missing)
        out.unverified = not registry


def _persons(session: Session, run: Run, frame: pl.DataFrame, out: Resolved, allowed: set[str]) -> None:
    rics = frame.filter(pl.col(KIND) == "ric")["subject_id"].unique().to_list()
    if not rics:
        return
    if SubjectKind.natural_person.value not in allowed:
        out.kinds.update({r: SubjectKind.natural_person for r in rics})
        return
    if run.cipher is None:
        raise InvalidInput("记录含身份证号码，需要个人信息密钥", code="RECORD_CIPHER_REQUIRED")
    out.hashes = {r: run.cipher.index(r) for r in rics}
    known = subjects.find_persons(session, list(out.hashes.values()))
    out.found.update(known)
    missing = {r: h for r, h in out.hashes.items() if h not in known}
    if missing:
        names = _first_names(frame, list(missing))
        out.found.update(subjects.register_persons(session, {r: names[r] for r in missing}, run.cipher))
        out.new_keys.update(missing.values())
    out.kinds.update({h: SubjectKind.natural_person for h in out.hashes.values()})


def _refuse_kinds(
    run: Run, frame: pl.DataFrame, out: Resolved, allowed: set[str], issues: list[Issue]
) -> pl.DataFrame:
    kinds = {k: v.value for k, v in out.kinds.items()}
    refused = frame.filter(
        ~pl.col("__key").replace_strict(kinds, default=None, return_dtype=pl.String).is_in(list(allowed))
    )
    if refused.height == 0:
        return frame
    may = "、".join(SUBJECT_KIND_ZH[SubjectKind(t)] for t in sorted(allowed))
    label = run.ctx.label("subject_id")
    for row_no, key in refused.select(ROW, "__key").iter_rows():
        kind_zh = SUBJECT_KIND_ZH[out.kinds[key]] if key in out.kinds else "未知"
        message = f"「{label}」对应的信用主体是{kind_zh}，本目录事项只收录：{may}"
        issues.append(Issue(row_no, "subject_id", SUBJECT_TYPE_NOT_ALLOWED, message))
    return frame.filter(~pl.col(ROW).is_in(refused[ROW].to_list()))


def _warnings(session: Session, run: Run, frame: pl.DataFrame, out: Resolved, issues: list[Issue]) -> None:
    if out.new_keys:
        first_rows = (
            frame.filter(pl.col("__key").is_in(list(out.new_keys))).group_by("__key").agg(pl.col(ROW).min())
        )
        persons = set(out.hashes.values())  # persons are never public: nothing to hold for them
        for key, row_no in first_rows.iter_rows():
            held = out.unverified and key not in persons
            code, message = (
                (UNVERIFIED, UNVERIFIED_MESSAGE) if held else (AUTO_REGISTERED, REGISTERED_MESSAGE)
            )
            issues.append(Issue(row_no, "subject_id", code, message, level="warning"))
    mismatch = frame.filter(pl.col("__given_norm") != pl.col("__name_norm"))
    if mismatch.height == 0:
        return
    registered = subjects.names_of(session, mismatch["__subject"].unique().to_list())
    label = run.ctx.label("subject_name")
    for row_no, given, sid in mismatch.select(ROW, "subject_name", "__subject").iter_rows():
        message = f"「{label}」“{given}”与登记名称“{registered.get(sid, '')}”不一致，已按代码入库，请核对名称"
        issues.append(Issue(row_no, "subject_name", NAME_MISMATCH, message, level="warning"))


def resolve_subjects(
    session: Session, run: Run, frame: pl.DataFrame
) -> tuple[pl.DataFrame, list[Issue], Resolved]:
    """Add ``__subject`` (subject id) and ``__name_norm``; convert old codes; register unknown subjects."""
    issues: list[Issue] = []
    out = Resolved()
    if frame.height == 0:
        empty = frame.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("__subject"),
            pl.lit(None, dtype=pl.String).alias("__name_norm"),
        )
        return empty, issues, out
    allowed = {t.value for t in run.ctx.spec.subject_types}
    frame = _convert_old(session, run, frame, issues)
    _organisations(session, run, frame, out, allowed)
    _persons(session, run, frame, out, allowed)
    key = pl.col("subject_id")
    if out.hashes:
        by_hash = pl.col("subject_id").replace_strict(out.hashes, default=None, return_dtype=pl.String)
        key = pl.when(pl.col(KIND) == "ric").then(by_hash).otherwise(pl.col("subject_id"))
    frame = _refuse_kinds(run, frame.with_columns(key.alias("__key")), out, allowed, issues)
    frame = frame.with_columns(
        pl.col("__key")
        .replace_strict({k: v.id for k, v in out.found.items()}, default=None, return_dtype=pl.Int64)
        .alias("__subject"),
        pl.col("__key")
        .replace_strict({k: v.name_norm for k, v in out.found.items()}, default=None, return_dtype=pl.String)
        .alias("__name_norm"),
    )
    frame = frame.with_columns(normalize_series(frame["subject_name"]).alias("__given_norm"))
    _warnings(session, run, frame, out, issues)
    return frame.drop("__key", "__given_norm"), issues, out
