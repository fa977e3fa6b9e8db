"""The credit office's dashboard (issue 11 item 4): figures grouped in the database, and the same figures
drawn as SVG on the page with a data table under each chart."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from sqlalchemy.orm import Session

from xinyong.console.audit import service
from xinyong.console.audit.dashboard import summarise
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.querylog import Stated
from xinyong.security.roles import Role, scopes_of

from secworld import PURPOSE, RecordingClient, World, bearer, client, world  # noqa: F401


def _penalty(world: World, key: str, decided: str) -> dict[str, Any]:
    assert world.company is not None
    return {
        "subject_name": world.company.name,
        "subject_id": world.company.uscc,
        "source_record_id": key,
        "decision_no": f"盐市监罚〔2026〕{key}号",
        "decision_date": decided,
        "penalty_kind": "警告",
        "violation": "未按规定公示年度报告",
        "violation_facts": "经查，当事人未按规定期限公示年度报告",
        "legal_basis_text": "《企业信息公示暂行条例》第十八条",
        "penalty_content": "警告",
        "authority_name": world.depts["a"].name,
        "authority_id": world.company.uscc,
    }


def _activity(world: World, session: Session, client: RecordingClient) -> None:
    """In March (the world's today is 2026-03-16): county A sends one penalty decided in time, one decided
    in January (late: received two months after) and one row that is rejected; a clerk reads twice, and
    once without a purpose (refused)."""
    rows = [
        _penalty(world, "M1", "2026-03-12"),
        _penalty(world, "M2", "2026-01-05"),
        _penalty(world, "M3", "bad"),
    ]
    sent = client.post(
        "/api/v1/records:batch", json={"item": "CF-001", "records": rows}, headers=bearer(world, "operator_a")
    )
    assert sent.status_code == 201, sent.text
    assert world.company is not None
    clerk = Principal(
        username="clerk_a", scopes=scopes_of([Role.dept_reviewer]), roles=frozenset({Role.dept_reviewer})
    )
    for purpose in ("日常监管", "日常监管", None):
        with contextlib.suppress(querylog.PurposeRequired):
            querylog.guarded_read(
                session,
                clerk,
                subject_id=world.company.id,
                target="subject_file",
                why=Stated(purpose, PURPOSE["legal_basis"]),
                clock=world.clock,
            )
    session.commit()


def test_the_figures_are_grouped_by_month_and_department(
    world: World, session: Session, client: RecordingClient
) -> None:
    _activity(world, session, client)
    d = client.get(
        "/api/v1/oversight/dashboard", params={"months": 12}, headers=bearer(world, "admin")
    ).json()
    assert (d["first_month"], d["last_month"]) == ("2025-04", "2026-03") and len(d["months"]) == 12
    counts = {(c["month"], c["dept_name"]): c["records"] for c in d["records_by_month"]}
    a, b, rs = (world.depts[k].name for k in ("a", "b", "b_rs"))
    assert counts == {
        ("2025-06", rs): 1,
        ("2026-01", a): 1,
        ("2026-02", a): 1,
        ("2026-02", b): 1,
        ("2026-03", a): 2,
    }
    on_time = {r["dept_name"]: (r["total"], r["part"], r["rate"]) for r in d["on_time"]}
    # every item with a collection deadline counts: the penalties (双公示) and the qualification
    assert on_time == {a: (4, 3, 0.75), b: (1, 1, 1.0), rs: (1, 1, 1.0)}
    rejected = {r["dept_name"]: (r["total"], r["part"]) for r in d["rejected"]}
    assert rejected[a] == (3 + 2, 1)  # the JSON batch's three rows and the world's two single records
    assert {q["purpose"]: (q["allowed"], q["refused"]) for q in d["queries"]} == {
        "日常监管": (2, 0),
        "（未说明用途）": (0, 1),
    }


def test_the_page_draws_each_chart_as_svg_with_its_table(
    world: World, session: Session, client: RecordingClient
) -> None:
    _activity(world, session, client)
    page = client.get("/console/dashboard", headers=bearer(world, "admin"))
    assert page.status_code == 200, page.text
    assert "<script" not in page.text
    for chart in ("chart-records", "chart-on-time", "chart-rejected", "chart-queries"):
        svg = re.search(rf'<svg [^>]*id="{chart}" role="img"[^>]*>(.*?)</svg>', page.text, re.S)
        assert svg is not None, chart
        assert f'<title id="{chart}-title">' in svg.group(1) and f'<desc id="{chart}-desc">' in svg.group(1)
        assert f'<table id="{chart}-table">' in page.text
    on_time = re.search(r'<svg [^>]*id="chart-on-time".*?</svg>', page.text, re.S)
    assert on_time is not None and "75.0%" in on_time.group(0) and world.depts["a"].name in on_time.group(0)
    table = page.text.split('<table id="chart-on-time-table">')[1].split("</table>")[0]
    assert "75.0%" in table and "100.0%" in table
    assert 'id="total-records">6<' in page.text and 'id="total-queries">3<' in page.text
    assert (
        client.get("/console/dashboard", params={"months": "99"}, headers=bearer(world, "admin")).status_code
        == 422
    )


def test_the_summary_is_cached_for_a_short_while(
    world: World, session: Session, client: RecordingClient
) -> None:
    ticks = [0.0]
    cache = service.SummaryCache(ttl=60, now=lambda: ticks[0])
    first = service.dashboard(session, clock=world.clock, months=12, cache=cache)
    _activity(world, session, client)
    assert service.dashboard(session, clock=world.clock, months=12, cache=cache) is first
    ticks[0] = 61.0
    again = service.dashboard(session, clock=world.clock, months=12, cache=cache)
    assert again.queries != first.queries
    assert again == summarise(session, clock=world.clock, months=12)


def test_only_the_credit_office_sees_the_dashboard(world: World, client: RecordingClient) -> None:
    for who in ("operator_a", "auditor", "company"):
        assert client.get("/console/dashboard", headers=bearer(world, who)).status_code == 403
