"""The rule of joint rewards and punishments (measures.rules.screen) on hand-built facts, against the
default measure list: each clause of the module docstring, and properties over random facts."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.catalog.lists import ListKind, Measure, Scenario
from xinyong.catalog.terms import SubjectType
from xinyong.measures.rules import EFFECT_RANK, EntryFact, Outcome, RecordFact, screen
from xinyong.models.lists import EntryState
from xinyong.models.measures import Decision
from xinyong.models.records import RecordStatus, Severity

TODAY = dt.date(2026, 3, 16)
GP, SUP, LIC = Scenario.GOVERNMENT_PROCUREMENT, Scenario.SUPERVISION, Scenario.ADMINISTRATIVE_LICENSING
COMPANY = SubjectType.LEGAL_PERSON
BLACK_MEASURES = ("CJ-001", "CJ-002", "CJ-003")


ORGS = ["legal_person", "unincorporated_org", "individual_business"]
RED_CLEAN = {"lists": ["red"], "clean_years": 3}
#: The measures the rule is tested against, written here (the default list grows; these stay).
SPECS: list[dict[str, Any]] = [
    {"code": "CJ-001", "kind": "punishment", "effect": "prohibit", "min_severity": "serious",
     "scenarios": ["government_procurement", "public_resource_trading"], "subject_types": ORGS,
     "triggers": {"lists": ["black"], "items": ["YZ-001", "YZ-002", "SF-001"]}},
    {"code": "CJ-002", "kind": "punishment", "effect": "restrict", "min_severity": "serious",
     "scenarios": ["public_funds"], "subject_types": ORGS,
     "triggers": {"lists": ["black"], "items": ["YZ-001", "YZ-002", "SF-001"]}},
    {"code": "CJ-003", "kind": "punishment", "effect": "warn", "min_severity": "general",
     "scenarios": ["supervision", "administrative_licensing"], "subject_types": ORGS,
     "triggers": {"lists": ["black"], "items": ["CF-001", "YC-001"]}},
    {"code": "JL-001", "kind": "incentive", "effect": "incentive", "subject_types": [*ORGS, "natural_person"],
     "scenarios": ["administrative_licensing", "market_access"], "triggers": RED_CLEAN},
    {"code": "JL-002", "kind": "incentive", "effect": "incentive", "subject_types": [*ORGS, "natural_person"],
     "scenarios": ["administrative_licensing", "public_funds"], "triggers": RED_CLEAN},
]  # fmt: skip


@cache
def measures() -> tuple[Measure, ...]:
    common = {"name": "措施", "content": "内容", "legal_basis": "依据", "nature": "administrative",
              "implementing_department_kinds": ["财政"]}  # fmt: skip
    return tuple(Measure.model_validate(common | spec) for spec in SPECS)


def black(
    *, state: EntryState = EntryState.published, period_end: dt.date | None = dt.date(2028, 1, 1),
    objection: bool = False, eid: int = 1,
) -> EntryFact:  # fmt: skip
    return EntryFact(eid, f"HMD-{eid}", ListKind.black, state, period_end, BLACK_MEASURES, objection)


def red(eid: int = 2) -> EntryFact:
    return EntryFact(
        eid, f"HONGMD-{eid}", ListKind.red, EntryState.published, dt.date(2027, 1, 1), ("JL-001", "JL-002")
    )


def record(
    item: str = "CF-001", severity: Severity = Severity.general, *,
    status: RecordStatus = RecordStatus.active,
    decided: dt.date = dt.date(2026, 1, 5), ends_on: dt.date | None = dt.date(2027, 1, 5),
    objection: bool = False, rid: int = 10,
) -> RecordFact:  # fmt: skip
    return RecordFact(rid, item, severity, decided, status, ends_on, objection)


def run(
    scenario: Scenario, *, records: tuple[RecordFact, ...] = (), entries: tuple[EntryFact, ...] = (),
    subject_type: SubjectType = COMPANY, today: dt.date = TODAY,
) -> Outcome:  # fmt: skip
    return screen(
        measures=measures(), scenario=scenario, subject_type=subject_type, records=records, entries=entries,
        today=today,
    )  # fmt: skip


def applied(outcome: Outcome) -> list[str]:
    return [a.measure.code for a in outcome.applied]


def test_published_black_entry_prohibits_in_procurement() -> None:
    out = run(GP, entries=(black(),))
    assert out.decision is Decision.prohibit
    assert applied(out) == ["CJ-001"]
    assert out.applied[0].sources[0].kind == "entry"


def test_entry_under_objection_is_suspended() -> None:
    out = run(GP, entries=(black(objection=True),))
    assert out.decision is Decision.passed
    assert [(s.measure.code, s.reason) for s in out.suspended] == [("CJ-001", "objection")]


def test_exited_decided_or_past_entry_triggers_nothing() -> None:
    for entry in (
        black(state=EntryState.exited),
        black(state=EntryState.decided),
        black(period_end=TODAY - dt.timedelta(days=1)),
    ):
        out = run(GP, entries=(entry,))
        assert out.decision is Decision.passed and not out.suspended
    # The last day of the period still counts.
    assert run(GP, entries=(black(period_end=TODAY),)).decision is Decision.prohibit


def test_measure_only_where_its_scope_names_it() -> None:
    entry = EntryFact(1, "HMD-1", ListKind.black, EntryState.published, None, ("CJ-003",))
    assert run(GP, entries=(entry,)).decision is Decision.passed
    assert applied(run(SUP, entries=(entry,))) == ["CJ-003"]


def test_general_record_never_triggers_a_serious_measure() -> None:
    for item in ("YZ-001", "SF-001"):
        assert run(GP, records=(record(item, Severity.general),)).decision is Decision.passed
        assert run(GP, records=(record(item, Severity.serious),)).decision is Decision.prohibit
    assert applied(run(SUP, records=(record("CF-001", Severity.general),))) == ["CJ-003"]
    assert run(SUP, records=(record("CF-001", Severity.minor),)).decision is Decision.passed


def test_revoked_is_suspended_repaired_and_expired_are_nothing() -> None:
    out = run(SUP, records=(record(status=RecordStatus.revoked),))
    assert out.decision is Decision.passed
    assert [(s.measure.code, s.reason) for s in out.suspended] == [("CJ-003", "revoked")]
    for status in (RecordStatus.repaired, RecordStatus.expired):
        out = run(SUP, records=(record(status=status),))
        assert out.decision is Decision.passed and not out.suspended
    past = run(SUP, records=(record(ends_on=TODAY),))
    assert past.decision is Decision.passed and not past.suspended
    held = run(SUP, records=(record(objection=True),))
    assert [s.reason for s in held.suspended] == ["objection"]


def test_clean_three_years_gets_incentives() -> None:
    out = run(LIC)
    assert out.decision is Decision.incentive
    assert applied(out) == ["JL-001", "JL-002"]
    assert out.clean is True
    old = record(decided=dt.date(2022, 1, 1), ends_on=dt.date(2023, 1, 1))
    assert run(LIC, records=(old,)).clean is True
    recent = record(decided=dt.date(2024, 6, 1), ends_on=dt.date(2025, 6, 1), status=RecordStatus.expired)
    out = run(LIC, records=(recent,))
    assert out.clean is False and out.decision is Decision.passed
    assert run(LIC, records=(record(status=RecordStatus.repaired),)).clean is True
    out = run(LIC, entries=(black(state=EntryState.decided),))
    assert out.clean is False


def test_red_list_gets_incentives_even_when_not_clean() -> None:
    out = run(LIC, records=(record(Severity.minor),), entries=(red(),))
    assert out.clean is False
    assert applied(out) == ["JL-001", "JL-002"]
    assert out.decision is Decision.incentive


def test_strongest_effect_decides() -> None:
    out = run(LIC, records=(record(),), entries=(red(),))
    assert set(applied(out)) == {"CJ-003", "JL-001", "JL-002"}
    assert out.decision is Decision.warn


def test_subject_type_and_scenario_filter() -> None:
    assert run(GP, entries=(black(),), subject_type=SubjectType.NATURAL_PERSON).decision is Decision.passed
    assert run(Scenario.AWARDS, entries=(black(),)).decision is Decision.passed


# --------------------------------------------------------------------------- properties

_records = st.builds(
    RecordFact,
    id=st.integers(1, 50),
    item_code=st.sampled_from(["CF-001", "YZ-001", "SF-001", "YC-001", "XK-001"]),
    severity=st.sampled_from(list(Severity)),
    decision_date=st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)),
    status=st.sampled_from(list(RecordStatus)),
    ends_on=st.none() | st.dates(dt.date(2021, 1, 1), dt.date(2029, 12, 31)),
    objection_open=st.booleans(),
)
_entries = st.builds(
    EntryFact,
    id=st.integers(100, 150),
    number=st.just("HMD-x"),
    list_kind=st.sampled_from(list(ListKind)),
    state=st.sampled_from(list(EntryState)),
    period_end=st.none() | st.dates(dt.date(2025, 1, 1), dt.date(2029, 12, 31)),
    measures=st.sampled_from([BLACK_MEASURES, ("JL-001", "JL-002"), ("CJ-003",)]),
    objection_open=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(
    scenario=st.sampled_from(list(Scenario)),
    records=st.lists(_records, max_size=5),
    entries=st.lists(_entries, max_size=3),
)
def test_properties(scenario: Scenario, records: list[RecordFact], entries: list[EntryFact]) -> None:
    out = run(scenario, records=tuple(records), entries=tuple(entries))
    # Only measures of the list, biting in the scenario.
    for a in out.applied:
        assert scenario in a.measure.scenarios and a.sources
    # The decision is the strongest effect applied.
    if out.applied:
        top = max(EFFECT_RANK[a.measure.effect] for a in out.applied)
        assert EFFECT_RANK[max((a.measure.effect for a in out.applied), key=EFFECT_RANK.__getitem__)] == top
        assert (
            out.decision.value
            == max((a.measure.effect for a in out.applied), key=EFFECT_RANK.__getitem__).value
        )
    else:
        assert out.decision is Decision.passed
    by_id = {r.id: r for r in records}
    for a in out.applied:
        for source in a.sources:
            if source.kind == "record":
                fact = by_id[source.id or 0]
                # Never a record below the measure's severity, revoked, repaired, expired or held.
                assert a.measure.min_severity is not None
                assert any(
                    r.id == source.id
                    and r.severity.rank >= a.measure.min_severity.rank
                    and r.status is RecordStatus.active
                    and not r.objection_open
                    for r in records
                ), fact
    # Whatever is suspended is not also applied by the same source.
    applied_sources = {(a.measure.code, s.kind, s.id) for a in out.applied for s in a.sources}
    for s in out.suspended:
        assert (s.measure.code, s.source.kind, s.source.id) not in applied_sources
