"""The facts the screening rule (measures.rules) needs, read with set-based SQL for one or many subjects:
adverse records, list entries with the measures their scope names, open objections, subject types.

Four queries whatever the number of subjects (chunked for the databases' parameter limits), never one
per subject."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.catalog.lists import ListKind
from xinyong.catalog.terms import SubjectType
from xinyong.measures.rules import EntryFact, RecordFact
from xinyong.models import CreditRecord, Subject
from xinyong.models.catalog import CatalogItemRow
from xinyong.models.lists import EntryState, ListEntry, ListScopeRow, Objection, ObjectionStatus
from xinyong.models.measures import Screening

#: Subjects per IN (...) list: well under SQLite's and PostgreSQL's parameter limits.
CHUNK: Final = 5000
#: Entry states the rule looks at: published (may trigger) and decided (not clean any more).
ENTRY_STATES: Final = (EntryState.decided, EntryState.published)


@dataclass(frozen=True)
class RecordDetail:
    """What a screening shows of a record that triggered (or would have triggered) a measure."""

    id: int
    item_code: str
    item_name: str
    severity: str
    decision_no: str | None
    decision_date: dt.date


@dataclass(frozen=True)
class EntryDetail:
    """What a screening shows of a list entry: its number, scope and legal document."""

    id: int
    number: str
    list_kind: str
    scope_code: str
    scope_name: str
    doc_kind: str
    doc_no: str
    doc_date: dt.date
    doc_issuer: str
    period_end: dt.date | None


@dataclass
class SubjectFacts:
    """One subject's facts for ``rules.screen``, and the details a stored answer names."""

    subject_id: int
    subject_type: SubjectType
    records: list[RecordFact] = field(default_factory=list)
    entries: list[EntryFact] = field(default_factory=list)
    record_details: dict[int, RecordDetail] = field(default_factory=dict)
    entry_details: dict[int, EntryDetail] = field(default_factory=dict)


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _open_objections(session: Session, subject_ids: list[int]) -> set[tuple[str, int]]:
    rows = session.execute(
        select(Objection.target_kind, Objection.target_id).where(
            Objection.subject_id.in_(subject_ids), Objection.status == ObjectionStatus.open
        )
    )
    return {(str(kind.value), int(target)) for kind, target in rows}


def _add_records(
    session: Session, subject_ids: list[int], out: dict[int, SubjectFacts], held: set[tuple[str, int]]
) -> None:
    stmt = (
        select(
            CreditRecord.id,
            CreditRecord.subject_id,
            CatalogItemRow.code,
            CatalogItemRow.name,
            CreditRecord.severity,
            CreditRecord.decision_date,
            CreditRecord.status,
            CreditRecord.publish_max_end,
            CreditRecord.decision_no,
        )
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .where(CreditRecord.subject_id.in_(subject_ids), CreditRecord.severity.is_not(None))
        .order_by(CreditRecord.id)
    )
    for rid, sid, code, name, severity, decided, status, ends_on, decision_no in session.execute(stmt):
        if severity is None:  # excluded by the query; for the type checker
            continue
        facts = out[sid]
        facts.records.append(
            RecordFact(rid, code, severity, decided, status, ends_on, ("record", rid) in held)
        )
        facts.record_details[rid] = RecordDetail(rid, code, name, severity.value, decision_no, decided)


def _add_entries(
    session: Session, subject_ids: list[int], out: dict[int, SubjectFacts], held: set[tuple[str, int]]
) -> None:
    stmt = (
        select(ListEntry, ListScopeRow.name, ListScopeRow.spec)
        .join(ListScopeRow, ListScopeRow.id == ListEntry.scope_id)
        .where(ListEntry.subject_id.in_(subject_ids), ListEntry.state.in_(ENTRY_STATES))
        .order_by(ListEntry.id)
    )
    for entry, scope_name, spec in session.execute(stmt):
        facts = out[entry.subject_id]
        measures = tuple(str(code) for code in (spec or {}).get("measures", []))
        facts.entries.append(
            EntryFact(
                entry.id,
                entry.number,
                ListKind(entry.list_kind.value),
                entry.state,
                entry.period_end,
                measures,
                ("entry", entry.id) in held,
            )
        )
        facts.entry_details[entry.id] = EntryDetail(
            entry.id, entry.number, entry.list_kind.value, entry.scope_code, scope_name,
            entry.doc_kind, entry.doc_no, entry.doc_date, entry.doc_issuer, entry.period_end,
        )  # fmt: skip


def facts_of(session: Session, subject_ids: Iterable[int]) -> dict[int, SubjectFacts]:
    """The facts of each subject in ``subject_ids`` that exists (unknown ids are left out)."""
    wanted = sorted(set(subject_ids))
    out: dict[int, SubjectFacts] = {}
    for chunk in _chunks(wanted):
        for sid, kind in session.execute(select(Subject.id, Subject.kind).where(Subject.id.in_(chunk))):
            out[sid] = SubjectFacts(sid, SubjectType(kind.value))
        present = [sid for sid in chunk if sid in out]
        if not present:
            continue
        held = _open_objections(session, present)
        _add_records(session, present, out, held)
        _add_entries(session, present, out, held)
    return out


# --------------------------------------------------------------------------- stored screenings


def add_screening(session: Session, row: Screening) -> Screening:
    session.add(row)
    session.flush()
    return row


def screening(session: Session, screening_id: int) -> Screening | None:
    return session.get(Screening, screening_id)


def screenings_of(
    session: Session, department_ids: list[int], *, limit: int, offset: int
) -> tuple[int, list[Screening]]:
    """Single screenings (not batch rows) of these departments, newest first."""
    where = (Screening.batch_id.is_(None), Screening.department_id.in_(department_ids))
    stmt = select(Screening).where(*where)
    count = select(func.count()).select_from(Screening).where(*where)
    rows = session.scalars(stmt.order_by(Screening.id.desc()).limit(limit).offset(offset))
    return session.scalar(count) or 0, list(rows)
