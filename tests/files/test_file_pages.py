"""Credit files a page at a time: per-tab true counts, limits, the SQL filter as the one rule of who sees
which record (``shown_to``), and the 404 rules of the file and record routes, on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.files import repository
from xinyong.files.schemas import View
from xinyong.files.service import shown_to
from xinyong.models import CatalogItemRow, CreditRecord, Department, Subject
from xinyong.subjects.schemas import public_subject

from secworld import (
    PURPOSE,
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    query_log,
    world,  # noqa: F401
)


def _python_ids(
    session: Session, subject: Subject, view: View, today: dt.date, dept_ids: set[int]
) -> set[int]:
    person = not public_subject(subject)
    rows = session.execute(
        select(CreditRecord, CatalogItemRow, Department)
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .join(Department, Department.id == CreditRecord.source_dept_id)
        .where(CreditRecord.subject_id == subject.id)
    )
    return {
        r.id
        for r, item, dept in rows
        if shown_to(view, r, item, dept, today, dept.id in dept_ids, person=person)
    }


def _sql_ids(session: Session, subject: Subject, view: View, today: dt.date, dept_ids: set[int]) -> set[int]:
    items = repository.catalog_items(session)
    shown = repository.shown_clause(
        view, items, today=today, person=not public_subject(subject), in_range_dept_ids=dept_ids
    )
    return {
        r.id
        for r, _i, _d in repository.records_page(session, subject.id, items, shown, None, limit=100, offset=0)
    }


def test_the_sql_filter_agrees_with_shown_to(world: World, session: Session) -> None:
    """Every view, both subjects, every data range a caller can have among the sources, on days before,
    inside and after the public penalty's window (2026-01-05 to 2027-01-05)."""
    assert world.company is not None and world.person is not None
    ranges = [set(), {world.depts["a"].id}, {world.depts["b"].id, world.depts["b_rs"].id}]
    days = [dt.date(2025, 12, 1), dt.date(2026, 3, 16), dt.date(2027, 1, 4), dt.date(2027, 1, 5)]
    seen_some = set()
    for subject in (world.company, world.person):
        for view in View:
            for today in days:
                for dept_ids in ranges:
                    expected = _python_ids(session, subject, view, today, dept_ids)
                    assert _sql_ids(session, subject, view, today, dept_ids) == expected, (view, today)
                    seen_some |= expected
    assert seen_some == {r.id for r in world.records.values()}


def _totals(body: dict[str, object]) -> dict[str, int]:
    tabs = body["tabs"]
    assert isinstance(tabs, list)
    return {t["key"]: t["total"] for t in tabs}


def test_pages_of_a_file_with_true_per_tab_counts(world: World, client: RecordingClient) -> None:
    assert world.company is not None
    url = f"/api/v1/subjects/{world.company.id}/file"
    admin = bearer(world, "admin")
    whole = client.get(url, params=PURPOSE, headers=admin).json()
    assert (whole["tab"], whole["total"], whole["limit"], whole["offset"]) == (None, 3, 20, 0)
    assert _totals(whole) == {"basic": 0, "licence": 0, "penalty": 3, "lists": 0, "other": 0}
    newest_first = [r["id"] for r in whole["records"]]
    assert newest_first == [world.records[k].id for k in ("b_private", "a_private", "a_public")]
    first = client.get(url, params={**PURPOSE, "tab": "penalty", "limit": 2}, headers=admin).json()
    rest = client.get(
        url, params={**PURPOSE, "tab": "penalty", "limit": 2, "offset": 2}, headers=admin
    ).json()
    assert [r["id"] for r in first["records"] + rest["records"]] == newest_first
    assert first["total"] == rest["total"] == 3 and (rest["limit"], rest["offset"]) == (2, 2)
    empty = client.get(url, params={**PURPOSE, "tab": "licence"}, headers=admin).json()
    assert (empty["total"], empty["records"]) == (0, [])
    assert first["records"][0]["status_zh"] == "有效" and first["records"][0]["category_zh"] == "行政处罚"
    # The county reviewer's counts are its own range plus what is public.
    clerk = client.get(url, params={**PURPOSE, "tab": "penalty"}, headers=bearer(world, "clerk_a")).json()
    assert clerk["total"] == 2 and _totals(clerk)["penalty"] == 2
    public = client.get(f"/api/v1/public/subjects/{world.company.id}", params={"tab": "penalty"}).json()
    assert (public["total"], [r["id"] for r in public["records"]]) == (1, [world.records["a_public"].id])
    own = client.get(
        "/api/v1/me/file", params={"tab": "penalty", "limit": 1}, headers=bearer(world, "company")
    )
    assert own.json()["total"] == 3 and len(own.json()["records"]) == 1


def test_bad_pages_are_refused_before_anything_is_read(
    world: World, client: RecordingClient, session: Session
) -> None:
    assert world.company is not None
    url = f"/api/v1/subjects/{world.company.id}/file"
    for params, code in (
        ({"tab": "commitment"}, "FILE_TAB_UNKNOWN"),
        ({"limit": 101}, "REQUEST_INVALID"),
        ({"limit": 0}, "REQUEST_INVALID"),
        ({"offset": -1}, "REQUEST_INVALID"),
    ):
        response = client.get(url, params={**PURPOSE, **params}, headers=bearer(world, "admin"))
        assert (response.status_code, response.json()["code"]) == (422, code), params
    assert query_log(session, username="admin") == []
    public = client.get(f"/api/v1/public/subjects/{world.company.id}", params={"tab": "x"})
    assert (public.status_code, public.json()["code"]) == (422, "FILE_TAB_UNKNOWN")
    assert "basic" in public.json()["details"]["tabs"]


def test_the_404_rules_hold_for_every_page(world: World, client: RecordingClient, session: Session) -> None:
    assert world.person is not None
    person = world.person.id
    for params in ({}, {"tab": "other"}, {"tab": "other", "offset": 5}):
        response = client.get(f"/api/v1/public/subjects/{person}", params=params)
        assert (response.status_code, response.json()["code"]) == (404, "SUBJECT_NOT_FOUND")
        refused = client.get(
            f"/api/v1/subjects/{person}/file", params={**PURPOSE, **params}, headers=bearer(world, "clerk_a")
        )
        assert (refused.status_code, refused.json()["code"]) == (404, "SUBJECT_NOT_FOUND")
    assert [e.allowed for e in query_log(session, username="clerk_a")] == [False, False, False]
    # The agency with a live grant sees the qualification (授权查询) in its tab.
    client.post(
        "/api/v1/me/authorisations",
        json={"agency": "agency", "purpose": "人员录用", "days": 30},
        headers=bearer(world, "person"),
    )
    agency = client.get(
        f"/api/v1/agency/subjects/{person}/file", params={"tab": "other"}, headers=bearer(world, "agency")
    )
    assert agency.status_code == 200 and agency.json()["total"] == 1
    assert _totals(agency.json()) == {"basic": 0, "licence": 0, "penalty": 0, "lists": 0, "other": 1}


def test_a_public_record_page_shows_only_what_is_published(world: World, client: RecordingClient) -> None:
    r = world.records
    shown = client.get(f"/api/v1/public/records/{r['a_public'].id}")
    assert shown.status_code == 200
    body = shown.json()
    assert body["record"]["id"] == r["a_public"].id and body["subject"]["name"] == "盐城市示范商贸有限公司"
    labels = {f["name"]: f["label"] for f in body["fields"]}
    assert labels["penalty_kind"] == "处罚类别" and labels["authority_name"] == "处罚机关"
    missing = client.get("/api/v1/public/records/999999")
    for key in ("a_private", "b_private", "person_qual"):
        hidden = client.get(f"/api/v1/public/records/{r[key].id}")
        assert (hidden.status_code, hidden.json()) == (404, missing.json()), key
    assert missing.json()["code"] == "RECORD_NOT_FOUND"
    # After its window the published penalty is gone from the public too.
    world.clock.advance(dt.timedelta(days=365))
    assert client.get(f"/api/v1/public/records/{r['a_public'].id}").status_code == 404
