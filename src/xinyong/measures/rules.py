"""The rule of joint rewards and punishments (联合奖惩), pure: given one subject's facts, the measures of
the catalog version in force and a scenario, which measures apply, which are suspended, and the decision.

This is the one statement of the rule. The single check (measures.screening) feeds it one subject's
facts; the batch check (measures.batch) is its vectorised twin, proven equal by a test.

The rule (domain.md 5.2, 5.3; seeds 000, 003, 004):

* only measures of the list, and only those whose ``scenarios`` hold the scenario and whose
  ``subject_types`` hold the subject's type;
* a published black-list entry inside its period triggers the punishment measures its scope names
  (a black-list entry is 严重); a published red-list entry the incentive measures its scope names;
* a credit record triggers a punishment whose ``triggers.items`` hold its catalog item, when its
  severity is at least the measure's ``min_severity`` (a 一般 record never triggers a 严重 measure);
* a record or entry under an open objection, or a revoked record, triggers nothing: the measure is
  listed as suspended, with the reason; a repaired or expired record, an exited entry or one past its
  period triggers nothing and is not listed;
* an incentive with ``triggers.clean_years`` applies when the subject has no adverse record (any
  severity, not revoked or repaired) decided in those years and no black-list entry decided or
  published and not exited;
* the decision is the strongest effect applied: prohibit > restrict > warn > incentive; none: pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from xinyong.catalog.lists import Effect, ListKind, Measure, Scenario
from xinyong.catalog.terms import SubjectType
from xinyong.models.lists import EntryState
from xinyong.models.measures import Decision
from xinyong.models.records import RecordStatus, Severity
from xinyong.records.rules import add_months

#: Effects by strength, and the decision each one gives.
EFFECT_RANK: Final[dict[Effect, int]] = {
    Effect.INCENTIVE: 1,
    Effect.WARN: 2,
    Effect.RESTRICT: 3,
    Effect.PROHIBIT: 4,
}
DECISION_OF: Final[dict[Effect, Decision]] = {
    Effect.INCENTIVE: Decision.incentive,
    Effect.WARN: Decision.warn,
    Effect.RESTRICT: Decision.restrict,
    Effect.PROHIBIT: Decision.prohibit,
}

SourceKind = Literal["entry", "record", "clean"]
SuspendReason = Literal["objection", "revoked"]
SUSPEND_REASON_ZH: Final[dict[str, str]] = {
    "objection": "异议处理中，以其为依据的措施中止",
    "revoked": "信用记录已撤销，不再作为惩戒依据",
}


@dataclass(frozen=True)
class RecordFact:
    """One adverse credit record (severity set) of the subject, as the rule needs it."""

    id: int
    item_code: str
    severity: Severity
    decision_date: dt.date
    status: RecordStatus
    #: The first day the record is no longer in force (publish_max_end); None: no automatic end.
    ends_on: dt.date | None
    objection_open: bool = False


@dataclass(frozen=True)
class EntryFact:
    """One list entry of the subject, with the measure codes its scope item names."""

    id: int
    number: str
    list_kind: ListKind
    state: EntryState
    #: The last day of the listing period (inclusive); None: not decided yet.
    period_end: dt.date | None
    measures: tuple[str, ...]
    objection_open: bool = False


@dataclass(frozen=True)
class Source:
    """What triggered (or would have triggered) a measure."""

    kind: SourceKind
    id: int | None


@dataclass(frozen=True)
class Applied:
    measure: Measure
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Suspended:
    measure: Measure
    source: Source
    reason: SuspendReason


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    applied: tuple[Applied, ...] = ()
    suspended: tuple[Suspended, ...] = ()
    #: Whether the subject has a clean record for the incentive's years (None: no such incentive).
    clean: bool | None = None
    notes: tuple[str, ...] = field(default=())


def candidates(measures: Sequence[Measure], scenario: Scenario, subject_type: SubjectType) -> list[Measure]:
    """The measures that can bite in ``scenario`` on a subject of ``subject_type``."""
    return [m for m in measures if scenario in m.scenarios and subject_type in m.subject_types]


def entry_in_force(entry: EntryFact, today: dt.date) -> bool:
    """Published and inside its period (the objection is looked at separately)."""
    return entry.state is EntryState.published and (entry.period_end is None or today <= entry.period_end)


def record_in_force(record: RecordFact, today: dt.date) -> bool:
    """Active, decided by today and not past its publication's end (repaired and expired: not)."""
    return (
        record.status is RecordStatus.active
        and record.decision_date <= today
        and (record.ends_on is None or today < record.ends_on)
    )


def is_clean(records: Sequence[RecordFact], entries: Sequence[EntryFact], years: int, today: dt.date) -> bool:
    """No adverse record (not revoked or repaired) decided in the last ``years`` and no black-list entry
    decided or published and not exited."""
    since = add_months(today, -12 * years)
    for record in records:
        if record.status in (RecordStatus.revoked, RecordStatus.repaired):
            continue
        if since < record.decision_date <= today:
            return False
    return not any(
        e.list_kind is ListKind.black and e.state in (EntryState.decided, EntryState.published)
        for e in entries
    )


def _record_triggers(measure: Measure, record: RecordFact) -> bool:
    return (
        measure.min_severity is not None
        and record.item_code in measure.triggers.items
        and record.severity.rank >= measure.min_severity.rank
    )


def _by_entries(
    measure: Measure, entries: Sequence[EntryFact], today: dt.date
) -> tuple[list[Source], list[Suspended]]:
    applied: list[Source] = []
    suspended: list[Suspended] = []
    for entry in entries:
        if entry.list_kind not in measure.triggers.lists or measure.code not in entry.measures:
            continue
        if not entry_in_force(entry, today):
            continue
        if entry.objection_open:
            suspended.append(Suspended(measure, Source("entry", entry.id), "objection"))
        else:
            applied.append(Source("entry", entry.id))
    return applied, suspended


def _by_records(
    measure: Measure, records: Sequence[RecordFact], today: dt.date
) -> tuple[list[Source], list[Suspended]]:
    applied: list[Source] = []
    suspended: list[Suspended] = []
    for record in records:
        if not _record_triggers(measure, record):
            continue
        if record.status is RecordStatus.revoked:
            suspended.append(Suspended(measure, Source("record", record.id), "revoked"))
        elif not record_in_force(record, today):
            continue
        elif record.objection_open:
            suspended.append(Suspended(measure, Source("record", record.id), "objection"))
        else:
            applied.append(Source("record", record.id))
    return applied, suspended


def screen(
    *,
    measures: Sequence[Measure],
    scenario: Scenario,
    subject_type: SubjectType,
    records: Sequence[RecordFact],
    entries: Sequence[EntryFact],
    today: dt.date,
) -> Outcome:
    """Apply the rule (module docstring) to one subject."""
    applied: list[Applied] = []
    suspended: list[Suspended] = []
    clean: bool | None = None
    for measure in sorted(candidates(measures, scenario, subject_type), key=lambda m: m.code):
        by_entries, held_entries = _by_entries(measure, entries, today)
        by_records, held_records = _by_records(measure, records, today)
        sources = by_entries + by_records
        suspended += held_entries + held_records
        if measure.triggers.clean_years is not None:
            clean = is_clean(records, entries, measure.triggers.clean_years, today)
            if clean:
                sources.append(Source("clean", None))
        if sources:
            applied.append(Applied(measure, tuple(sources)))
    strongest = max((a.measure.effect for a in applied), key=EFFECT_RANK.__getitem__, default=None)
    decision = Decision.passed if strongest is None else DECISION_OF[strongest]
    return Outcome(decision, tuple(applied), tuple(suspended), clean)
