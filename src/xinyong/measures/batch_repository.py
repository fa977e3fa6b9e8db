"""SQL of batch screening (自动比对): subjects found in bulk from their identifiers, the facts of many
subjects at once (adverse records, list entries, open objections), the batch rows and the query-log
entries of a batch, all set-based: IN-lists in pieces (``db.pieces``; one array parameter on PostgreSQL),
never one query per subject.

A batch that names many subjects reads the facts table by table without the IN-list and keeps the
subjects' rows by a join in Polars (``FULL_READ_FROM``): a few scans beat hundreds of pieces of probes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any, Final

import polars as pl
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Select,
    String,
    any_,
    bindparam,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from xinyong.audit import querychain
from xinyong.audit.keys import ChainKey
from xinyong.db import is_postgres, pieces
from xinyong.models import QueryLogEntry
from xinyong.models.catalog import CatalogItemRow
from xinyong.models.lists import EntryState, ListEntry, ListScopeRow, Objection, ObjectionStatus
from xinyong.models.measures import ScreeningBatch
from xinyong.models.records import CreditRecord
from xinyong.models.subjects import IdScheme, Subject, SubjectIdentifier

#: From this many subjects on, the facts are read without an IN-list and joined in Polars.
FULL_READ_FROM: Final = 50_000
#: Ids per ``= ANY(array)`` on PostgreSQL.
PG_PIECE: Final = 100_000

SUBJECT_SCHEMA: Final = {"value": pl.String, "subject_id": pl.Int64, "kind": pl.String, "name": pl.String}
RECORD_SCHEMA: Final = {
    "id": pl.Int64,
    "subject_id": pl.Int64,
    "item_code": pl.String,
    "severity": pl.String,
    "decision_date": pl.Date,
    "status": pl.String,
    "ends_on": pl.Date,
}
ENTRY_SCHEMA: Final = {
    "id": pl.Int64,
    "subject_id": pl.Int64,
    "number": pl.String,
    "list_kind": pl.String,
    "state": pl.String,
    "period_end": pl.Date,
    "scope_id": pl.Int64,
}
OBJECTION_SCHEMA: Final = {"target_kind": pl.String, "target_id": pl.Int64}


def _text(column: Any) -> Any:
    """An enum column read as its stored text (no Python enum per row)."""
    return type_coerce(column, String)


def members(
    session: Session, column: Any, values: Sequence[int] | Sequence[str]
) -> list[ColumnElement[bool]]:
    """``column IN values`` in as few conditions as the database takes (run one query per condition):
    one array parameter per piece on PostgreSQL (``= ANY``), one JSON text parameter per piece on
    SQLite (``IN (SELECT value FROM json_each(?))``): no statement with thousands of parameters."""
    if not values:
        return []
    whole = list(values)
    if is_postgres(session):
        kind = ARRAY(BigInteger) if isinstance(whole[0], int) else ARRAY(String)
        return [
            column == any_(bindparam(f"members_{i}", piece, type_=kind))
            for i, piece in enumerate(pieces(whole, PG_PIECE))
        ]
    conditions = []
    for piece in pieces(whole, PG_PIECE):
        listed = func.json_each(json.dumps(piece, ensure_ascii=False)).table_valued("value")
        conditions.append(column.in_(select(listed.c.value)))
    return conditions


def _frame(session: Session, statements: Iterable[Select[Any]], schema: dict[str, Any]) -> pl.DataFrame:
    rows: list[Sequence[Any]] = []
    connection = session.connection()  # Core rows: no ORM loading per row
    for statement in statements:
        rows.extend(connection.execute(statement).all())
    return pl.DataFrame(rows, schema=schema, orient="row")


def _raw(session: Session, statements: Iterable[Select[Any]], schema: dict[str, Any]) -> pl.DataFrame:
    """Like ``_frame`` but fetched by the driver's own cursor (no SQLAlchemy row per result row), for
    the subject look-ups of a million identifiers. Only for text and integer columns (nothing to convert)."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    assert driver is not None
    rows: list[Sequence[Any]] = []
    for statement in statements:
        compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
        params = compiled.construct_params()
        args = tuple(params[name] for name in compiled.positiontup or ()) if compiled.positional else params
        cursor = driver.cursor()
        try:
            cursor.execute(str(compiled), args)
            rows.extend(cursor.fetchall())
        finally:
            cursor.close()
    return pl.DataFrame(rows, schema=schema, orient="row")


# --------------------------------------------------------------------------- subjects


def subjects_by_identifier(session: Session, scheme: IdScheme, values: list[str]) -> pl.DataFrame:
    base = (
        select(SubjectIdentifier.value, Subject.id, _text(Subject.kind), Subject.name)
        .join(Subject, Subject.id == SubjectIdentifier.subject_id)
        .where(_text(SubjectIdentifier.scheme) == scheme.value)
    )
    conditions = members(session, SubjectIdentifier.value, values)
    return _raw(session, (base.where(c) for c in conditions), SUBJECT_SCHEMA)


def subjects_by_name(session: Session, norms: list[str]) -> pl.DataFrame:
    base = select(Subject.name_norm, Subject.id, _text(Subject.kind), Subject.name)
    conditions = members(session, Subject.name_norm, norms)
    return _raw(session, (base.where(c) for c in conditions), SUBJECT_SCHEMA)


# --------------------------------------------------------------------------- facts


def _scoped(session: Session, base: Select[Any], column: Any, ids: list[int]) -> list[Select[Any]]:
    if len(ids) >= FULL_READ_FROM:
        return [base]
    return [base.where(c) for c in members(session, column, ids)]


def _keep(frame: pl.DataFrame, ids: list[int]) -> pl.DataFrame:
    if len(ids) < FULL_READ_FROM:
        return frame
    wanted = pl.DataFrame({"subject_id": ids}, schema={"subject_id": pl.Int64}).unique()
    return frame.join(wanted, on="subject_id", how="semi")


def adverse_records(session: Session, ids: list[int]) -> pl.DataFrame:
    """The subjects' records with a severity (any status: the rule looks at revoked ones too)."""
    base = (
        select(
            CreditRecord.id,
            CreditRecord.subject_id,
            CatalogItemRow.code,
            _text(CreditRecord.severity),
            CreditRecord.decision_date,
            _text(CreditRecord.status),
            CreditRecord.publish_max_end,
        )
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .where(CreditRecord.severity.is_not(None))
    )
    return _keep(_frame(session, _scoped(session, base, CreditRecord.subject_id, ids), RECORD_SCHEMA), ids)


def live_entries(session: Session, ids: list[int]) -> pl.DataFrame:
    """The subjects' list entries that are decided or published (no other state matters to the rule)."""
    base = select(
        ListEntry.id,
        ListEntry.subject_id,
        ListEntry.number,
        _text(ListEntry.list_kind),
        _text(ListEntry.state),
        ListEntry.period_end,
        ListEntry.scope_id,
    ).where(_text(ListEntry.state).in_([EntryState.decided.value, EntryState.published.value]))
    return _keep(_frame(session, _scoped(session, base, ListEntry.subject_id, ids), ENTRY_SCHEMA), ids)


def scope_measures(session: Session, scope_ids: list[int]) -> dict[int, list[str]]:
    """The measure codes each scope item names (its own catalog version's spec)."""
    out: dict[int, list[str]] = {}
    for condition in members(session, ListScopeRow.id, scope_ids):
        for sid, spec in session.execute(select(ListScopeRow.id, ListScopeRow.spec).where(condition)):
            out[sid] = [str(code) for code in spec.get("measures", [])]
    return out


def open_objections(session: Session, ids: list[int]) -> pl.DataFrame:
    """The open objections against the subjects' records and entries."""
    base = select(_text(Objection.target_kind), Objection.target_id, Objection.subject_id).where(
        _text(Objection.status) == ObjectionStatus.open.value
    )
    schema = {**OBJECTION_SCHEMA, "subject_id": pl.Int64}
    frame = _keep(_frame(session, _scoped(session, base, Objection.subject_id, ids), schema), ids)
    return frame.select("target_kind", "target_id")


# --------------------------------------------------------------------------- batches


def batch(session: Session, batch_id: int) -> ScreeningBatch | None:
    return session.get(ScreeningBatch, batch_id)


def batches_of(
    session: Session, department_ids: list[int], *, limit: int, offset: int
) -> list[ScreeningBatch]:
    """The batches of these departments, newest first."""
    query = select(ScreeningBatch).where(ScreeningBatch.department_id.in_(department_ids))
    return list(session.scalars(query.order_by(ScreeningBatch.id.desc()).limit(limit).offset(offset)))


# --------------------------------------------------------------------------- query log


def log_reads(
    session: Session,
    *,
    subject_ids: list[int],
    who: dict[str, Any],
    at: dt.datetime,
    target: str,
    key: ChainKey,
) -> int:
    """One allowed query-log entry per subject (``audit.querychain.append_many``). ``who`` holds user_id,
    username, department_id, purpose, legal_basis and client. Returns how many."""
    template = QueryLogEntry(
        at=at,
        user_id=who["user_id"],
        username=who["username"],
        department_id=who["department_id"],
        purpose=who["purpose"],
        legal_basis=who["legal_basis"],
        target=target[:100],
        allowed=True,
        reason=None,
        client=who["client"],
    )
    return querychain.append_many(session, template, subject_ids, key)
