"""The small demo's red and black list entries, each taken through the lifecycle functions a department's
clicks call (``lists.lifecycle``), on dates before the demo's day:

- a black-list entry (SX-001, city 市场监管) published: on the public 黑名单 and with feedback tasks;
- a red-list entry (CX-001, the credit office) published: on the public 红名单;
- a black-list entry notified on 12 October, its objection period over: ready to be decided (the browser
  journey decides and publishes it);
- a black-list entry only proposed.

The subjects are the second to fifth legal persons: the first is the demo ``company`` account's own, kept
off the lists so that the journeys using that account do not depend on them.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog.lists_service import scope_row
from xinyong.departments import repository as departments
from xinyong.kit.clock import FixedClock
from xinyong.lists import lifecycle
from xinyong.models import Department, Subject, SubjectKind
from xinyong.models.lists import ListEntry

#: The days the demo's steps are dated (before the demo's day, 2026-11-20).
DOC_DAY: Final = dt.date(2026, 9, 15)
NOTIFY_DAY: Final = dt.datetime(2026, 10, 12, 9, 30)  # objection period: to 19 October
DECIDE_DAY: Final = dt.datetime(2026, 10, 20, 10, 0)
PUBLISH_DAY: Final = dt.datetime(2026, 10, 21, 15, 0)
BLACK_REASON: Final = "生产销售不符合食品安全标准的食品，货值金额较大，受到较重行政处罚（演示）"
RED_REASON: Final = "连续三年无失信记录，获市级“重合同守信用”企业表彰（演示）"


def _proposal(
    session: Session, scope: str, subject: Subject, dept: Department, doc: tuple[str, str, str], reason: str
) -> lifecycle.Proposal:
    row, spec = scope_row(session, scope)
    kind, number, issuer = doc
    return lifecycle.Proposal(
        scope_row=row,
        scope=spec,
        subject=subject,
        dept=dept,
        doc_kind=kind,
        doc_no=number,
        doc_date=DOC_DAY,
        doc_issuer=issuer,
        reason=reason,
        leniency=[],
        review_note=None,
    )


def _through(session: Session, entry: ListEntry, steps: int, actor: str) -> None:
    """Take a proposed entry ``steps`` steps on: notify, decide, publish."""
    if steps >= 1:
        lifecycle.notify(session, entry, actor=actor, clock=FixedClock(NOTIFY_DAY))
    if steps >= 2:
        lifecycle.decide(session, entry, actor=actor, clock=FixedClock(DECIDE_DAY))
    if steps >= 3:
        lifecycle.publish(session, entry, actor="admin", clock=FixedClock(PUBLISH_DAY))


def load_list_entries(session: Session, city_code: str) -> int:
    """The demo's entries (none when the database has entries already); how many were made."""
    if session.scalar(select(ListEntry.id).limit(1)) is not None:
        return 0
    market = departments.by_code(session, f"{city_code}-SCJG")
    office = departments.by_code(session, f"{city_code}-XYB")
    companies = list(
        session.scalars(
            select(Subject)
            .where(Subject.kind == SubjectKind.legal_person, Subject.verified.is_(True))
            .order_by(Subject.id)
            .limit(5)
        )
    )[1:]
    if market is None or office is None or len(companies) < 4:
        return 0
    penalty = ("penalty_decision", "市监罚〔2026〕{}号", market.name)
    plan: list[tuple[str, Subject, Department, tuple[str, str, str], str, int]] = [
        ("SX-001", companies[0], market, (penalty[0], penalty[1].format(101), penalty[2]), BLACK_REASON, 3),
        (
            "CX-001",
            companies[1],
            office,
            ("honour_decision", "信用办发〔2026〕12号", office.name),
            RED_REASON,
            3,
        ),
        ("SX-001", companies[2], market, (penalty[0], penalty[1].format(102), penalty[2]), BLACK_REASON, 1),
        ("SX-001", companies[3], market, (penalty[0], penalty[1].format(103), penalty[2]), BLACK_REASON, 0),
    ]
    for scope, subject, dept, doc, reason, steps in plan:
        clock = FixedClock(dt.datetime.combine(DOC_DAY + dt.timedelta(days=7), dt.time(9)))
        entry = lifecycle.propose(
            session, _proposal(session, scope, subject, dept, doc, reason), actor="demo", clock=clock
        )
        _through(session, entry, steps, "demo")
    return len(plan)
