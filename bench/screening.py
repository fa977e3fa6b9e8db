"""Benchmark of batch screening (自动比对), with its baselines in the same run.

    python bench/screening.py --subjects 1000000 --adverse 100000 --loop-sample 2000
    python bench/screening.py --subjects 20000 --adverse 2000 --http-seconds 5   # a quick check

Builds, set-based, in a fresh SQLite file in a temp dir (``--db postgresql`` for a throw-away schema
instead), ``--subjects`` subjects (organisations, one in twenty a person) of which ``--adverse`` have
adverse records (each severity and status, some under objection) or list entries (black and red, some
exited, past their period, under objection), then times in one run, over the same identifiers and one
scenario:

(a) the batch screening (``measures.batch_service.screen_now``: identifiers resolved in bulk, facts read
    set-based, the rule as Polars joins) — no storing or logging;
(b) the single check's rule through its service function in a loop, one subject per call
    (``subjects.service.resolve`` then ``measures.screening.screen_facts`` for that one subject), on
    ``--loop-sample`` identifiers, extrapolated to all of them (said so in the output);
(c) the floor: a plain dict lookup of the black-listed subjects' codes, no rules (the codes read in one
    query, then one ``in`` per identifier);

and prints the ratios; then the whole service path of a batch (with its query-log entries and the result
file), and the single check over HTTP on loopback at ``--rate`` requests/s for ``--http-seconds``
(wrk with a Lua script when installed, else a constant-rate open-loop httpx generator: said so).

``build`` is also the sample of the batch-versus-single agreement test (tests/measures/test_batch_agree.py).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xinyong.catalog import repository as catalog_repository
from xinyong.catalog.lists_service import current_lists
from xinyong.catalog.schema import default_catalog_path
from xinyong.catalog.service import current_version, import_catalog
from xinyong.db import pieces
from xinyong.kit import ids
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import CreditRecord, Department, ListEntry, Subject
from xinyong.models.catalog import CatalogItemRow
from xinyong.models.lists import EntryState, ExitCause, ListKind, Objection, ObjectionStatus, ObjectionTarget
from xinyong.models.records import RecordStatus, Severity
from xinyong.models.subjects import IdScheme, SubjectIdentifier, SubjectKind

DEFAULT_PG: Final = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REGION: Final = "320900"
ITEMS: Final = ("CF-001", "YC-001", "YZ-001", "YZ-002", "SF-001", "SF-003")
BLACK_SCOPES: Final = ("SX-001", "SX-002", "SX-003", "SX-004")
RED_SCOPES: Final = ("CX-001", "CX-002", "CX-003")
STATUSES: Final = [RecordStatus.active] * 6 + [
    RecordStatus.revoked,
    RecordStatus.repaired,
    RecordStatus.expired,
]
ENTRY_STATES: Final = [EntryState.published] * 5 + [EntryState.decided, EntryState.exited]


@dataclass
class Sample:
    """What ``build`` made: every subject's identifier (USCC, citizen ID, old code or exact name)."""

    identifiers: list[str]
    subject_ids: list[int]
    black_usccs: set[str]


def uscc_of(n: int) -> str:
    body = f"{n:08d}"
    org = body + ids.calc_org_check(body)
    return "91" + REGION + org + ids.calc_uscc_check("91" + REGION + org)


def ric_of(n: int) -> str:
    year, month, day = 1985 + n // 336_000, (n // 28_000) % 12 + 1, (n // 1000) % 28 + 1
    body = f"320902{year}{month:02d}{day:02d}{n % 1000:03d}"
    return body + ids.calc_ric_check(body)


def _dept(session: Session, code: str, name: str, kind: str) -> int:
    found = session.scalar(select(Department.id).where(Department.code == code))
    if found is not None:
        return int(found)
    dept = Department(code=code, name=name, kind=kind, region_code=REGION, level="city")
    session.add(dept)
    session.flush()
    return dept.id


def _subjects(session: Session, n: int, cipher: PersonalDataCipher, rng: random.Random) -> Sample:
    """Subjects set-based: organisations by USCC, one in twenty a person (distinct citizen IDs)."""
    rows: list[dict[str, Any]] = []
    codes: list[str] = []
    person_ids: dict[int, str] = {}
    for i in range(n):
        if i % 20 == 19:
            ric = ric_of(i // 20)
            person_ids[i] = ric
            name = f"测试人员{i}"
            encrypted = cipher.encrypt(ric)
            rows.append({"kind": SubjectKind.natural_person, "name": name, "name_norm": name,
                         "ric_encrypted": encrypted, "region_code": REGION})  # fmt: skip
            codes.append(ric)
        else:
            code = uscc_of(i)
            name = f"盐城测试{i}商贸有限公司"
            rows.append({"kind": SubjectKind.legal_person, "name": name, "name_norm": name, "uscc": code,
                         "region_code": REGION})  # fmt: skip
            codes.append(code)
    subject_ids: list[int] = []
    for piece in pieces(rows, 20_000):
        subject_ids += list(
            session.execute(
                insert(Subject).returning(Subject.id, sort_by_parameter_order=True), piece
            ).scalars()
        )
    idents: list[dict[str, Any]] = []
    for i, sid in enumerate(subject_ids):
        if i not in person_ids:
            idents.append({"subject_id": sid, "scheme": IdScheme.uscc, "value": rows[i]["uscc"]})
        if i in person_ids:
            idents.append(
                {"subject_id": sid, "scheme": IdScheme.ric_hash, "value": cipher.index(person_ids[i])}
            )
        elif i % 97 == 5:  # a few found by their organisation code (新旧码转换) or their exact name
            idents.append({"subject_id": sid, "scheme": IdScheme.org_code, "value": codes[i][8:17]})
            codes[i] = codes[i][8:16] + "-" + codes[i][16]
        elif i % 89 == 7:
            codes[i] = str(rows[i]["name"])
    for piece in pieces(idents, 20_000):
        session.execute(insert(SubjectIdentifier), piece)
    return Sample(codes, subject_ids, set())


def _records(
    session: Session, adverse: list[int], today: dt.date, rng: random.Random, dept: int
) -> list[tuple[int, int]]:
    version = current_version(session).id
    query = select(CatalogItemRow.code, CatalogItemRow.id).where(CatalogItemRow.version_id == version)
    item_ids = {str(code): int(iid) for code, iid in session.execute(query)}
    rows: list[dict[str, Any]] = []
    for sid in adverse:
        for _ in range(rng.randint(1, 2)):
            decided = today - dt.timedelta(days=rng.randint(-10, 5 * 365))
            ends = (
                decided + dt.timedelta(days=rng.choice([365, 3 * 365, 5 * 365]))
                if rng.random() < 0.7
                else None
            )
            rows.append({
                "subject_id": sid, "catalog_item_id": item_ids[rng.choice(ITEMS)], "source_dept_id": dept,
                "source_record_id": f"R{len(rows)}-{sid}", "status": rng.choice(STATUSES),
                "severity": rng.choice(list(Severity)), "decision_date": decided,
                "received_on": decided, "publish_max_end": ends, "data": {},
            })  # fmt: skip
    ids_: list[int] = []
    for piece in pieces(rows, 20_000):
        ids_ += list(
            session.execute(
                insert(CreditRecord).returning(CreditRecord.id, sort_by_parameter_order=True), piece
            ).scalars()
        )
    return [(rid, int(row["subject_id"])) for rid, row in zip(ids_, rows, strict=True)]


def _entries(session: Session, listed: list[int], today: dt.date, rng: random.Random, dept: int) -> list[int]:
    lists = current_lists(session)
    at = dt.datetime.combine(today, dt.time(9, 0))
    rows: list[dict[str, Any]] = []
    for n, sid in enumerate(listed):
        black = n % 3 != 2
        scope = rng.choice(BLACK_SCOPES if black else RED_SCOPES)
        state = rng.choice(ENTRY_STATES)
        start = today - dt.timedelta(days=rng.randint(0, 4 * 365))
        rows.append({
            "number": f"B{n:07d}-{uuid.uuid4().hex[:6]}", "scope_id": lists.scope_ids[scope],
            "list_kind": ListKind.black if black else ListKind.red, "scope_code": scope, "subject_id": sid,
            "initiating_dept_id": dept, "state": state, "doc_no": f"盐〔2026〕{n}号",
            "doc_kind": "penalty_decision" if black else "honour_decision",
            "doc_date": start, "doc_issuer": "盐城市市场监督管理局", "reason": "测试", "leniency": [],
            "period_start": start, "period_end": start + dt.timedelta(days=rng.choice([365, 3 * 365])),
            "exit_cause": ExitCause.repaired if state is EntryState.exited else None,
            "proposed_at": at, "created_by": "bench",
        })  # fmt: skip
    ids_: list[int] = []
    for piece in pieces(rows, 20_000):
        ids_ += list(
            session.execute(
                insert(ListEntry).returning(ListEntry.id, sort_by_parameter_order=True), piece
            ).scalars()
        )
    return ids_


def _objections(
    session: Session, kind: ObjectionTarget, targets: list[tuple[int, int]], dept: int, today: dt.date
) -> None:
    at = dt.datetime.combine(today, dt.time(9, 0))
    rows = [
        {"target_kind": kind, "target_id": tid, "subject_id": sid, "dept_id": dept, "status": status,
         "reason": "测试异议", "filed_at": at, "filed_by": "bench"}
        for n, (tid, sid) in enumerate(targets)
        for status in [ObjectionStatus.open if n % 3 else ObjectionStatus.rejected]
    ]  # fmt: skip
    for piece in pieces(rows, 20_000):
        session.execute(insert(Objection), piece)


def build(
    session: Session,
    *,
    subjects: int,
    adverse: int,
    cipher: PersonalDataCipher,
    today: dt.date,
    seed: int = 7,
) -> Sample:
    """The sample (module docstring), committed. ``adverse`` subjects get records (three in four of them)
    or list entries (one in four, and one in ten of the others too); one in ten of those facts has an
    objection, two in three of them open."""
    rng = random.Random(seed)
    if catalog_repository.current_version(session) is None:
        import_catalog(session, default_catalog_path().read_text(encoding="utf-8"), actor="bench")
    dept = _dept(session, f"{REGION}-SCJG-B", "盐城市市场监督管理局", "市场监管")
    sample = _subjects(session, subjects, cipher, rng)
    chosen = rng.sample(range(subjects), adverse)
    with_records = [sample.subject_ids[i] for i in chosen[: adverse * 3 // 4]]
    listed = [sample.subject_ids[i] for i in chosen[adverse * 3 // 4 :]] + with_records[::10]
    records = _records(session, with_records, today, rng, dept)
    entry_ids = _entries(session, listed, today, rng, dept)
    _objections(session, ObjectionTarget.record, records[::10], dept, today)
    entry_pairs = list(zip(entry_ids, listed, strict=True))[::10]
    _objections(session, ObjectionTarget.entry, entry_pairs, dept, today)
    session.commit()
    black = set(
        session.execute(
            select(Subject.uscc)
            .join(ListEntry, ListEntry.subject_id == Subject.id)
            .where(ListEntry.list_kind == ListKind.black, ListEntry.state == EntryState.published)
        ).scalars()
    )
    sample.black_usccs = {str(u) for u in black if u}
    return sample
