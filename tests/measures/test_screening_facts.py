"""The facts of the screening rule read set-based (measures.repository.facts_of): the same few statements
for one subject or many, and screen_facts agreeing with the stored single check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event

from xinyong.catalog.lists import Scenario
from xinyong.measures import repository
from xinyong.measures.screening import screen_facts
from xinyong.models.lists import ObjectionTarget
from xinyong.models.measures import Decision

from screeningworld import ScreeningWorld, add_screeners, black_entry, clean_company, objection
from secworld import World, world  # noqa: F401

TODAY = dt.date(2026, 3, 16)


@pytest.fixture
def sw(world: World) -> ScreeningWorld:
    return add_screeners(world)


def _statements(sw: ScreeningWorld, subject_ids: list[int]) -> int:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = sw.world.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        repository.facts_of(sw.world.session, subject_ids)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_facts_are_read_in_a_fixed_number_of_statements(sw: ScreeningWorld) -> None:
    others = [
        clean_company(sw, name=f"盐城市测试{i}号有限公司", body=f"MA1XYC{i:02d}").id for i in range(2, 8)
    ]
    black_entry(sw, sw.company)
    sw.world.session.flush()
    one = _statements(sw, [sw.company.id])
    many = _statements(sw, [sw.company.id, *others, 999_999])
    assert one == many <= 4


def test_facts_hold_records_entries_and_objections(sw: ScreeningWorld) -> None:
    entry = black_entry(sw, sw.company)
    objection(sw, ObjectionTarget.entry, entry.id, sw.company)
    facts = repository.facts_of(sw.world.session, [sw.company.id, 999_999])
    assert list(facts) == [sw.company.id]
    mine = facts[sw.company.id]
    assert [(e.number, e.objection_open) for e in mine.entries] == [(entry.number, True)]
    assert "CJ-001" in mine.entries[0].measures
    assert {r.item_code for r in mine.records} == {"CF-001"}
    assert mine.record_details.keys() == {r.id for r in mine.records}


def test_screen_facts_for_many_subjects(sw: ScreeningWorld) -> None:
    clean = clean_company(sw)
    black_entry(sw, sw.company)
    sw.world.session.flush()
    out = screen_facts(
        sw.world.session, [sw.company.id, clean.id, 999_999], Scenario.GOVERNMENT_PROCUREMENT, TODAY
    )
    assert out.keys() == {sw.company.id, clean.id}
    assert out[sw.company.id].decision is Decision.prohibit
    assert out[clean.id].decision is Decision.passed
    licensing = screen_facts(sw.world.session, [clean.id], Scenario.ADMINISTRATIVE_LICENSING, TODAY)
    assert licensing[clean.id].decision is Decision.incentive
