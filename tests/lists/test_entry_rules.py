"""The subject's written waiver of its representations and objection (放弃陈述、申辩和异议): the decision may
then come before the objection deadline; only the subject itself, only while notified and in time, once.
And an organisation's published entries as the public subject page shows them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lists.test_entries import DUE, call, decided, proposal, propose
from xinyong.models import AuditEntry
from xinyong.models.lists import ListEntry, ListEntryEvent

from secworld import RecordingClient, World, client, query_log, world  # noqa: F401

STATEMENT = {"statement": "本单位已知悉告知书所列事由、依据和权利，放弃陈述、申辩和提出异议的权利。"}


def _waive(client: RecordingClient, world: World, who: str, entry_id: int) -> tuple[int, dict[str, object]]:
    status, body = call(
        client, world, who, "POST", f"/api/v1/me/list-entries/{entry_id}/waiver", json=STATEMENT
    )
    return status, body


def test_a_waiver_lets_the_department_decide_before_the_deadline(
    world: World, client: RecordingClient
) -> None:
    entry = propose(client, world)
    # not told yet: nothing to waive (the 404 of nobody)
    assert _waive(client, world, "company", entry["id"])[1]["code"] == "LIST_ENTRY_NOT_FOUND"
    call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/notify")
    status, body = call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/decide")
    assert (status, body["code"]) == (409, "LIST_OBJECTION_PERIOD_RUNNING")
    # another subject cannot waive for the company
    status, body = _waive(client, world, "person", entry["id"])
    assert (status, body["code"]) == (404, "LIST_ENTRY_NOT_FOUND")
    mine = call(client, world, "company", "GET", "/api/v1/me/list-entries")[1]
    assert mine[0]["can_waive"] is True
    status, body = _waive(client, world, "company", entry["id"])
    assert status == 200 and body["objection_waived_at"] is not None, body
    status, body = _waive(client, world, "company", entry["id"])
    assert (status, body["code"]) == (409, "LIST_WAIVER_REFUSED")
    status, body = call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/decide")
    assert status == 200 and body["state"] == "decided", body
    session = world.session
    events = session.scalars(select(ListEntryEvent).where(ListEntryEvent.entry_id == entry["id"])).all()
    assert [e.data.get("waived") for e in events] == [None, None, True, None]
    actions = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity == "list_entry", AuditEntry.entity_id == str(entry["id"])
        )
    ).all()
    assert "list_entry.objection_waived" in actions


def test_no_waiver_after_the_deadline(world: World, client: RecordingClient) -> None:
    entry = propose(client, world)
    call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/notify")
    world.clock.set(dt.datetime.combine(DUE + dt.timedelta(days=1), dt.time(9)))
    assert call(client, world, "company", "GET", "/api/v1/me/list-entries")[1][0]["can_waive"] is False
    status, body = _waive(client, world, "company", entry["id"])
    assert (status, body["code"]) == (409, "LIST_WAIVER_REFUSED")


def test_the_public_subject_page_lists_published_entries(world: World, client: RecordingClient) -> None:
    assert world.company is not None
    entry = decided(client, world)
    url = f"/api/v1/public/subjects/{world.company.id}/list-entries"
    assert client.get(url).json() == []
    call(client, world, "admin", "POST", f"/api/v1/list-entries/{entry['id']}/publish")
    listed = client.get(url).json()
    assert [e["number"] for e in listed] == [entry["number"]] and listed[0]["measures"]
    page = client.get(f"/subjects/{world.company.id}")
    assert page.status_code == 200 and entry["number"] in page.text


def test_a_staff_read_of_an_entry_is_in_the_query_log(world: World, client: RecordingClient) -> None:
    entry = propose(client, world)
    status, _ = call(client, world, "clerk_a", "GET", f"/api/v1/list-entries/{entry['id']}")
    assert status == 200
    logged = query_log(world.session, target=f"list_entry:{entry['number']}")
    assert [(e.username, e.purpose, e.allowed) for e in logged] == [("clerk_a", "名单认定", True)]
    assert logged[0].subject_id == entry["subject_id"]


def test_the_public_sees_that_an_objection_suspends_an_entry(world: World, client: RecordingClient) -> None:
    entry = decided(client, world)
    call(client, world, "admin", "POST", f"/api/v1/list-entries/{entry['id']}/publish")
    url = f"/api/v1/public/list-entries/{entry['number']}"
    assert client.get(url).json()["under_objection"] is False
    target = {"target_kind": "entry", "target_id": entry["id"], "reason": "处罚决定已申请复议"}
    assert call(client, world, "company", "POST", "/api/v1/objections", json=target)[0] == 201
    assert client.get(url).json()["under_objection"] is True
    assert "异议处理中" in client.get(f"/lists/{entry['number']}").text


def test_a_black_listing_cannot_rest_on_a_document_past_the_longest_window(
    world: World, client: RecordingClient
) -> None:
    """严重 information is published at most 36 months from its document: an older one lists nobody."""
    status, body = call(
        client, world, "clerk_a", "POST", "/api/v1/list-entries", json=proposal(world, doc_date="2023-03-01")
    )
    assert (status, body["code"]) == (422, "LIST_DOCUMENT_TOO_OLD")
    assert propose(client, world, doc_date="2023-03-20")["state"] == "proposed"  # within 36 months of TODAY


def test_no_exit_for_period_over_before_the_period_ends(world: World, client: RecordingClient) -> None:
    entry = decided(client, world)
    call(client, world, "admin", "POST", f"/api/v1/list-entries/{entry['id']}/publish")
    url = f"/api/v1/list-entries/{entry['id']}/exit"
    body = {"cause": "period_over", "note": "期满"}
    status, answer = call(client, world, "admin", "POST", url, json=body)
    assert (status, answer["code"]) == (422, "LIST_EXIT_CAUSE_REFUSED")
    # the period's last day was yesterday (set directly: the tokens of the world live 30 days)
    row = world.session.get_one(ListEntry, entry["id"])
    row.period_end = world.clock.today() - dt.timedelta(days=1)
    world.session.commit()
    status, answer = call(client, world, "admin", "POST", url, json=body)
    assert status == 200 and answer["exit_cause"] == "period_over", answer
