"""Loading a year's working-day schedule, with everything it changes: the provisional deadlines
(workdays.service) and the timeliness of the credit records whose span touches that year, or holds a
day of a neighbouring year that the notice moved (the notice for 2019 moved days of December 2018)."""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog.schema import CatalogItem
from xinyong.catalog.service import item_spec
from xinyong.kit.clock import Clock, SystemClock
from xinyong.models.catalog import CatalogItemRow
from xinyong.models.records import CreditRecord
from xinyong.records import repository
from xinyong.records.rules import timeliness
from xinyong.workdays import service as workdays
from xinyong.workdays.service import ScheduleLoaded, calendar


def load_schedule(session: Session, text: str, *, actor: str, clock: Clock | None = None) -> ScheduleLoaded:
    """Store (or replace) one year's schedule, recompute the provisional deadlines it now covers and
    the timeliness of the credit records it touches (``xinyong workdays load FILE``)."""
    clock = clock or SystemClock()
    loaded = workdays.load_schedule(session, text, actor=actor, clock=clock)
    records = recompute_provisional_records(
        session, loaded.year, actor=actor, clock=clock, replaced=loaded.replaced
    )
    neighbours = [day for day in loaded.changed_days if day.year != loaded.year]
    records += _recompute(
        session, repository.spanning_days(session, neighbours), loaded.year, actor=actor, clock=clock
    )
    return dataclasses.replace(loaded, recomputed_records=records)


def recompute_provisional_records(
    session: Session, year: int, *, actor: str, clock: Clock | None = None, replaced: bool = False
) -> int:
    """Recompute the timeliness of the provisional credit records whose span (decision to receipt)
    touches ``year``, with the calendar now in force; returns how many records changed. When the
    year's schedule ``replaced`` an earlier one, every record touching the year is recomputed.

    The delay, the late verdict and the flag are stored again through records.rules.timeliness (the
    one rule), and each recomputed record gets an audit entry (``record.timeliness_recomputed``)."""
    records = repository.spanning_year(session, year, provisional_only=not replaced)
    return _recompute(session, records, year, actor=actor, clock=clock)


def _recompute(
    session: Session, records: list[CreditRecord], year: int, *, actor: str, clock: Clock | None
) -> int:
    """Recompute and store the timeliness of ``records``; audit and count those that changed."""
    cal = calendar(session)
    specs: dict[int, CatalogItem] = {}
    changed = 0
    for record in records:
        spec = specs.get(record.catalog_item_id)
        if spec is None:
            item = session.get_one(CatalogItemRow, record.catalog_item_id)
            spec = specs[record.catalog_item_id] = item_spec(item)
        timely = timeliness(spec, record.decision_date, record.received_on, cal)
        before = _timeliness_state(record)
        record.delay_workdays, record.late = timely.delay_workdays, timely.late
        record.timeliness_provisional = timely.provisional
        after = _timeliness_state(record)
        if after == before:
            continue
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="record.timeliness_recomputed",
            entity="credit_record",
            entity_id=record.id,
            subject_id=record.subject_id,
            before=before,
            after=after,
            detail={"year": year, **after},
            clock=clock,
        )
        changed += 1
    session.flush()
    return changed


def _timeliness_state(record: CreditRecord) -> dict[str, object]:
    return {
        "delay_workdays": record.delay_workdays,
        "late": record.late,
        "provisional": record.timeliness_provisional,
    }
