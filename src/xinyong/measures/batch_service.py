"""Batch screening (自动比对) as a service: a file or list of up to a million subjects checked in one
scenario, in a thread of its own with its own sessions, its progress (done / total) visible, its result
stored as a file (CSV with BOM; XLSX and JSON Lines from it) with a sha256 and a proof code.

Who may run one: the same object check as the single screening: the caller's department kind must
implement at least one measure of the scenario (the credit office, any scenario).

The query log: every subject found is one allowed entry of the query log (``查询使用登记``), written in
bulk and chained (batch_repository.log_reads), so it shows in that subject's "who looked at my file" like
any single check. A per-subject ``Screening`` row is not written for a batch: the batch's result file,
its sha256 and proof code are the stored answer for all its rows (docs/benchmarks.md gives the cost).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import proofs
from xinyong.audit import service as audit
from xinyong.audit.keys import current_key
from xinyong.catalog.lists import Scenario
from xinyong.catalog.lists_service import current_lists
from xinyong.db import transaction
from xinyong.departments.service import department_ids_in_region
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import InvalidInput, NotFound
from xinyong.measures import batch, batch_repository, screening
from xinyong.measures.version import data_version
from xinyong.models.measures import BatchState, ScreeningBatch
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.roles import Purpose

MAX_SUBJECTS: Final = 1_000_000
#: Identifiers screened per step (the progress moves by steps).
STEP: Final = 250_000
TARGET: Final = "screening_batch"
PROOF_KIND: Final = "screening_batch"
#: Headers taken as the identifier column (else the first column).
ID_HEADERS: Final = (
    "主体标识",
    "标识",
    "统一社会信用代码",
    "身份证号码",
    "代码",
    "主体名称",
    "名称",
    "identifier",
)
DECISION_ZH: Final = {
    "pass": "通过",
    "incentive": "激励",
    "warn": "提示",
    "restrict": "限制",
    "prohibit": "禁止",
}
REASON_ZH: Final = {"objection": "异议处理中", "revoked": "记录已撤销"}
#: The result file's columns (CSV / XLSX headers).
RESULT_COLUMNS: Final = (
    "序号",
    "主体标识",
    "主体名称",
    "核查结果",
    "适用措施",
    "中止措施",
    "守信状态",
    "说明",
)


class BatchNotFound(NotFound):
    code = "SCREENING_BATCH_NOT_FOUND"
    message = "没有该批量核查，或不属于本部门"


class BatchInvalid(InvalidInput):
    code = "SCREENING_BATCH_INVALID"
    message = "批量核查文件无法读取"


@dataclass(frozen=True)
class BatchRequest:
    identifiers: list[str]
    scenario: Scenario
    purpose: Purpose
    legal_basis: str
    file_name: str | None = None


# --------------------------------------------------------------------------- input


def read_identifiers(content: bytes, suffix: str) -> list[str]:
    """The identifier column of an uploaded CSV or XLSX (header 主体标识 or the like; else the first
    column)."""
    try:
        if suffix == ".xlsx":
            frame = pl.read_excel(io.BytesIO(content), infer_schema_length=0)
        elif suffix in (".csv", ".txt"):
            frame = pl.read_csv(io.BytesIO(content), infer_schema=False, encoding="utf8-lossy")
        else:
            raise BatchInvalid(f"不支持的文件类型“{suffix or '（无扩展名）'}”：请上传 .csv 或 .xlsx 文件")
    except BatchInvalid:
        raise
    except Exception as exc:
        raise BatchInvalid(
            "文件无法读取：请上传 UTF-8 编码的 CSV 或 XLSX 文件，第一行为表头“主体标识”"
        ) from exc
    if frame.width == 0:
        raise BatchInvalid("文件中没有列：第一行应为表头“主体标识”")
    named = [c for c in frame.columns if c.strip().lstrip("\ufeff") in ID_HEADERS]
    column = frame.get_column(named[0] if named else frame.columns[0])
    return [v.strip() for v in column.fill_null("").cast(pl.String).to_list()]


def prepare(
    session: Session,
    principal: Principal,
    identifiers: list[str],
    *,
    scenario: str,
    purpose: str | None,
    legal_basis: str | None,
    clock: Clock,
    file_name: str | None = None,
) -> BatchRequest:
    """The request checked as the single check checks one (``measures.screening``): the scenario, the
    object check (the caller's department implements a measure of the scenario; the credit office any),
    the purpose and legal basis (refusals logged), and the size."""
    chosen = screening.parse_scenario(scenario)
    if not identifiers:
        raise BatchInvalid("没有要核查的主体：文件或列表为空")
    if len(identifiers) > MAX_SUBJECTS:
        raise BatchInvalid(
            f"一次最多核查 {MAX_SUBJECTS:,} 个主体，本次 {len(identifiers):,} 个：请拆分后提交"
        )
    lists = current_lists(session)
    basis = (legal_basis or "").strip() or f"{chosen.label_zh}联合奖惩批量核查（措施清单 {lists.version}）"
    if not screening.may_screen(principal, lists, chosen):
        raise querylog.refuse(
            session, principal, subject_id=None, target=TARGET, purpose=None, legal_basis=basis, clock=clock,
            code="SCREENING_SCENARIO_NOT_YOURS",
            message=f"本部门不是“{chosen.label_zh}”场景任何措施的实施部门，不能在该场景核查",
        )  # fmt: skip
    stated = (purpose or "").strip() or screening.DEFAULT_PURPOSE[chosen].value
    why = querylog.require_purpose(
        session, principal, stated, subject_id=None, target=TARGET, legal_basis=basis, clock=clock
    )
    return BatchRequest(identifiers, chosen, why, basis, file_name)


# --------------------------------------------------------------------------- batches


def create(
    factory: sessionmaker[Session], principal: Principal, req: BatchRequest, *, clock: Clock
) -> ScreeningBatch:
    """Store the batch (queued), committed, so that its thread and the caller both see it."""
    with transaction(factory) as session:
        now = clock.now()
        row = ScreeningBatch(
            number=f"pending-{secrets.token_hex(12)}",  # numbered by its id below: no race on the number
            state=BatchState.queued,
            created_at=now,
            user_id=principal.user_id,
            username=principal.username,
            department_id=principal.department_id,
            scenario=req.scenario.value,
            purpose=req.purpose.value,
            file_name=req.file_name,
            total=len(req.identifiers),
            done=0,
            summary={"legal_basis": req.legal_basis},
            data_version=data_version(session),
        )
        session.add(row)
        session.flush()
        row.number = f"PL-{now:%Y%m%d}-{row.id:06d}"
        session.flush()
        audit.record(
            session,
            actor=principal.username,
            action="screening.batch_created",
            entity="screening_batch",
            entity_id=row.id,
            after={
                "number": row.number,
                "scenario": row.scenario,
                "purpose": row.purpose,
                "total": row.total,
            },
            clock=clock,
        )
    return row


_THREADS: dict[int, threading.Thread] = {}


def start(factory: sessionmaker[Session], batch_id: int, req: BatchRequest, **kwargs: Any) -> None:
    """Run the batch in a thread of its own (see ``run``)."""
    thread = threading.Thread(target=run, args=(factory, batch_id, req), kwargs=kwargs, daemon=True)
    _THREADS[batch_id] = thread
    thread.start()


def wait(batch_id: int, timeout: float | None = None) -> None:
    """Until the batch's thread ends (tests, the CLI)."""
    thread = _THREADS.pop(batch_id, None)
    if thread is not None:
        thread.join(timeout)


def run(
    factory: sessionmaker[Session],
    batch_id: int,
    req: BatchRequest,
    *,
    clock: Clock,
    cipher: PersonalDataCipher | None,
    store_dir: Path,
    actor: dict[str, Any],
) -> None:
    """Screen, step by step (committing the progress), then log the reads, store and sign the result."""
    try:
        began = time.perf_counter()
        frames = _screen_steps(factory, batch_id, req, clock=clock, cipher=cipher)
        seconds = {"screen": round(time.perf_counter() - began, 3)}
        _finish(
            factory,
            batch_id,
            pl.concat(frames),
            req,
            clock=clock,
            store_dir=store_dir,
            actor=actor,
            seconds=seconds,
        )
    except Exception as exc:
        with transaction(factory) as session:
            row = session.get(ScreeningBatch, batch_id)
            if row is not None:
                row.state, row.error, row.finished_at = BatchState.failed, str(exc)[:2000], clock.now()


def _screen_steps(
    factory: sessionmaker[Session],
    batch_id: int,
    req: BatchRequest,
    *,
    clock: Clock,
    cipher: PersonalDataCipher | None,
) -> list[pl.DataFrame]:
    frames: list[pl.DataFrame] = []
    with transaction(factory) as session:
        lists = current_lists(session)
        row = session.get(ScreeningBatch, batch_id)
        assert row is not None
        row.state = BatchState.running
    today = clock.today()
    for start_at in range(0, len(req.identifiers), STEP):
        piece = req.identifiers[start_at : start_at + STEP]
        with transaction(factory) as session:
            out = batch.screen_batch(
                session,
                piece,
                measures=list(lists.measures.values()),
                scenario=req.scenario,
                today=today,
                cipher=cipher,
            )
            frames.append(out.with_columns(pl.col("row") + start_at))
            row = session.get(ScreeningBatch, batch_id)
            assert row is not None
            row.done = start_at + len(piece)
    return frames


def summary_of(result: pl.DataFrame) -> dict[str, int]:
    """Counts per decision, and of rows whose subject was not found."""
    counts = {d: 0 for d in DECISION_ZH}
    for decision, n in result.group_by("decision").len().iter_rows():
        if decision is not None:
            counts[str(decision)] = int(n)
    counts["not_found"] = int(result.get_column("subject_id").null_count())
    counts["suspended"] = int(result.filter(pl.col("suspended").list.len() > 0).height)
    return counts


def _finish(
    factory: sessionmaker[Session],
    batch_id: int,
    result: pl.DataFrame,
    req: BatchRequest,
    *,
    clock: Clock,
    store_dir: Path,
    actor: dict[str, Any],
    seconds: dict[str, float],
) -> None:
    store_dir.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    with transaction(factory) as session:
        row = session.get(ScreeningBatch, batch_id)
        assert row is not None
        subject_ids = result.get_column("subject_id").drop_nulls().unique().sort().to_list()
        batch_repository.log_reads(
            session,
            subject_ids=[int(s) for s in subject_ids],
            who={**actor, "purpose": req.purpose.value, "legal_basis": req.legal_basis},
            at=clock.now(),
            target=f"{TARGET}:{row.number}",
            key=current_key(),
        )
        seconds["query_log"] = round(time.perf_counter() - began, 3)
        path = store_dir / f"{row.number}.csv"
        content = result_csv(result)
        path.write_bytes(content)
        sha = hashlib.sha256(content).hexdigest()
        seconds["result_file"] = round(time.perf_counter() - began - seconds["query_log"], 3)
        summary = {**summary_of(result), "legal_basis": req.legal_basis, "seconds": seconds}
        row.result_path, row.result_sha256, row.summary = str(path), sha, summary
        row.code = proofs.sign(PROOF_KIND, row.number, proof_content(row))
        row.state, row.done, row.finished_at = BatchState.done, row.total, clock.now()
        audit.record(
            session,
            actor=str(actor["username"]),
            action="screening.batch_done",
            entity="screening_batch",
            entity_id=row.id,
            after={"number": row.number, "sha256": sha, "summary": summary, "logged": len(subject_ids)},
            clock=clock,
        )


def proof_content(row: ScreeningBatch) -> dict[str, Any]:
    """What a batch's proof code signs: the result file's sha256 and what the batch ran against."""
    return {
        "sha256": row.result_sha256,
        "scenario": row.scenario,
        "purpose": row.purpose,
        "total": row.total,
        "summary": row.summary,
        "data_version": row.data_version,
        "department_id": row.department_id,
        "username": row.username,
    }


def verify(row: ScreeningBatch, content: bytes) -> bool:
    """Whether ``content`` is the batch's result file as signed."""
    if row.code is None or hashlib.sha256(content).hexdigest() != row.result_sha256:
        return False
    return proofs.verify(PROOF_KIND, row.number, proof_content(row), row.code)


# --------------------------------------------------------------------------- results


#: Identifiers that may hold personal data: any that is not an organisation code (a citizen ID, a name
#: that may quote an ID or a phone number, text that failed every check), and an organisation code of
#: the shape of a citizen ID (region, a birth date, serial, check character: a mistyped citizen ID is
#: read as one). Other organisation codes, the bulk of a file, stay out of Python.
_MAYBE_PERSONAL = ~pl.col("how").is_in(["uscc", "org_code", "reg_no"]) | pl.col("identifier").str.contains(
    r"^\s*\d{6}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]\s*$"
)


def _shown_identifiers(result: pl.DataFrame) -> pl.Series:
    """The identifiers as given, with citizen IDs and mobile numbers masked the way the single check
    masks its request (``screening.masked_identifier``); only rows that may hold personal data go through
    Python."""
    people = result.filter(_MAYBE_PERSONAL).select("row", "identifier")
    masked = people.with_columns(
        pl.Series(
            "masked",
            [screening.masked_identifier(v) for v in people.get_column("identifier").to_list()],
            dtype=pl.String,
        )
    )
    shown = result.select("row", "identifier").join(masked.drop("identifier"), on="row", how="left")
    return shown.select(pl.coalesce("masked", "identifier")).to_series()


def result_table(result: pl.DataFrame) -> pl.DataFrame:
    """The result as people read it (Chinese headers, citizen IDs masked)."""
    held = pl.col("suspended").list.eval(
        pl.element().str.split("|").list.first()
        + pl.lit("（")
        + pl.element().str.split("|").list.get(1).replace(REASON_ZH)
        + pl.lit("）")
    )
    clean = {True: "近年无不良记录", False: "有不良记录"}
    result = result.sort("row").with_columns(_shown_identifiers(result.sort("row")).alias("shown"))
    return result.select(
        (pl.col("row") + 1).alias(RESULT_COLUMNS[0]),
        pl.col("shown").alias(RESULT_COLUMNS[1]),
        pl.col("name").fill_null("").alias(RESULT_COLUMNS[2]),
        pl.col("decision").replace_strict(DECISION_ZH, default="未找到").alias(RESULT_COLUMNS[3]),
        pl.col("applied").list.join("；").fill_null("").alias(RESULT_COLUMNS[4]),
        held.list.join("；").fill_null("").alias(RESULT_COLUMNS[5]),
        pl.col("clean").replace_strict(clean, default="", return_dtype=pl.String).alias(RESULT_COLUMNS[6]),
        pl.col("problem")
        .replace_strict(batch.NOT_FOUND_ZH, default="")
        .fill_null("")
        .alias(RESULT_COLUMNS[7]),
    )


def result_csv(result: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    result_table(result).write_csv(buffer)
    return b"\xef\xbb\xbf" + buffer.getvalue()


def stored_bytes(row: ScreeningBatch) -> bytes:
    """The stored result file as written (``BATCH_NOT_FOUND`` when it is not there)."""
    if row.result_path is None or not Path(row.result_path).exists():
        raise BatchNotFound("批量核查结果尚未生成或已不在数据目录中")
    return Path(row.result_path).read_bytes()


def stored_table(row: ScreeningBatch) -> pl.DataFrame:
    """The stored result file, read back (its columns as the CSV has them)."""
    return pl.read_csv(io.BytesIO(stored_bytes(row)), infer_schema=False, encoding="utf8-lossy")


def as_xlsx(row: ScreeningBatch) -> bytes:
    buffer = io.BytesIO()
    stored_table(row).write_excel(buffer, worksheet="核查结果")
    return buffer.getvalue()


def as_json_lines(row: ScreeningBatch) -> bytes:
    table = stored_table(row)
    lines = (
        json.dumps(dict(zip(table.columns, values, strict=True)), ensure_ascii=False)
        for values in table.iter_rows()
    )
    return ("\n".join(lines) + "\n").encode()


# --------------------------------------------------------------------------- reading batches


def own_batch(session: Session, principal: Principal, batch_id: int) -> ScreeningBatch:
    """The batch, when it is the caller's department's, or the caller is the credit office (404 else)."""
    row = batch_repository.batch(session, batch_id)
    if row is None or row.department_id not in _visible_departments(session, principal):
        raise BatchNotFound()
    return row


def _visible_departments(session: Session, principal: Principal) -> list[int]:
    """The caller's department, or, for the credit office, every department of its region."""
    if screening.is_credit_office(principal):
        return department_ids_in_region(session, principal.region_prefix)
    return [principal.department_id] if principal.department_id is not None else []


def batches(
    session: Session, principal: Principal, *, limit: int = 50, offset: int = 0
) -> list[ScreeningBatch]:
    """The department's batches, newest first (the credit office: its region's departments')."""
    return batch_repository.batches_of(
        session, _visible_departments(session, principal), limit=limit, offset=offset
    )


def screen_now(
    session: Session,
    identifiers: Sequence[str],
    scenario: Scenario,
    today: dt.date,
    cipher: PersonalDataCipher | None,
) -> pl.DataFrame:
    """The batch check without storing anything (the benchmark, the equality test)."""
    lists = current_lists(session)
    return batch.screen_batch(
        session,
        identifiers,
        measures=list(lists.measures.values()),
        scenario=scenario,
        today=today,
        cipher=cipher,
    )
