"""Red and black list entries through the JSON API, on both databases: the lifecycle with its conditions
(legal document, objection period, leniency review), the object checks, the public lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from xinyong.models import AuditEntry
from xinyong.models.lists import ListEntry

from secworld import TODAY, RecordingClient, World, bearer, client, world  # noqa: F401

DOC = {
    "doc_kind": "penalty_decision",
    "doc_no": "盐市监罚〔2026〕18号",
    "doc_date": "2026-03-02",
    "doc_issuer": "亭湖区市场监督管理局",
}
#: Five working days after Monday 16 March 2026: the objection deadline of a notice given that day.
DUE = dt.date(2026, 3, 23)


def proposal(world: World, **extra: Any) -> dict[str, Any]:
    assert world.company is not None
    body: dict[str, Any] = {
        "scope": "SX-001",
        "subject": world.company.uscc,
        "reason": "生产销售不符合食品安全标准的食品，情节严重",
        **DOC,
    }
    body.update(extra)
    return body


def call(client: RecordingClient, world: World, who: str, method: str, url: str, **kw: Any) -> Any:
    response = client.request(method, url, headers=bearer(world, who), **kw)
    return response.status_code, response.json()


def propose(client: RecordingClient, world: World, **extra: Any) -> dict[str, Any]:
    status, body = call(
        client, world, "clerk_a", "POST", "/api/v1/list-entries", json=proposal(world, **extra)
    )
    assert status == 201, body
    return dict(body)


def decided(client: RecordingClient, world: World, **extra: Any) -> dict[str, Any]:
    """An entry proposed, notified today and decided the day after its objection deadline."""
    entry = propose(client, world, **extra)
    assert call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/notify")[0] == 200
    world.clock.set(dt.datetime.combine(DUE + dt.timedelta(days=1), dt.time(9)))
    status, body = call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/decide")
    assert status == 200, body
    return dict(body)


def test_no_listing_without_a_legal_document(world: World, client: RecordingClient) -> None:
    for missing in ("doc_kind", "doc_no", "doc_date", "doc_issuer"):
        body = proposal(world)
        del body[missing]
        status, answer = call(client, world, "clerk_a", "POST", "/api/v1/list-entries", json=body)
        assert (status, answer["code"]) == (422, "LIST_DOCUMENT_REQUIRED"), missing
        assert "法律文书" in answer["message"]
    body = proposal(world, doc_kind="judgment")  # SX-001 rests on a penalty decision only
    status, answer = call(client, world, "clerk_a", "POST", "/api/v1/list-entries", json=body)
    assert (status, answer["code"]) == (422, "LIST_DOCUMENT_KIND_REFUSED")
    assert world.session.scalar(select(ListEntry.id)) is None


def test_the_scope_item_decides_who_and_whom(world: World, client: RecordingClient) -> None:
    assert world.person is not None
    # the credit office is not a 市场监管 department: SX-001 is not its to propose
    status, answer = call(client, world, "admin", "POST", "/api/v1/list-entries", json=proposal(world))
    assert (status, answer["code"]) == (403, "LIST_DEPARTMENT_NOT_INITIATOR")
    # a natural person is not a subject type of SX-001
    body = proposal(world, subject=None, subject_id=world.person.id)
    status, answer = call(client, world, "clerk_a", "POST", "/api/v1/list-entries", json=body)
    assert (status, answer["code"]) == (422, "LIST_SUBJECT_TYPE_REFUSED")
    status, answer = call(
        client, world, "clerk_a", "POST", "/api/v1/list-entries", json=proposal(world, scope="SX-999")
    )
    assert (status, answer["code"]) == (404, "LIST_SCOPE_NOT_FOUND")


def test_the_whole_lifecycle_with_its_events_and_audit(world: World, client: RecordingClient) -> None:
    audit_before = len(world.session.scalars(select(AuditEntry.id)).all())
    entry = propose(client, world)
    assert entry["state"] == "proposed" and entry["number"].startswith("HMD-2026-")
    assert entry["next_states"] == ["notified", "exited"]
    # deciding before the notice, or publishing before the decision, is not a move of the table
    status, answer = call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/decide")
    assert (status, answer["code"]) == (409, "LIST_TRANSITION_REFUSED")
    status, answer = call(client, world, "admin", "POST", f"/api/v1/list-entries/{entry['id']}/publish")
    assert (status, answer["code"]) == (409, "LIST_TRANSITION_REFUSED")
    status, notified = call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/notify")
    assert status == 200 and notified["objection_due"] == DUE.isoformat()
    notice = notified["notice"]
    assert notice["rights"] == ["陈述", "申辩", "提出异议"] and "盐市监罚〔2026〕18号" in notice["text"]
    assert "《市场监督管理严重违法失信名单管理办法》" in notice["basis"]["legal_basis"]
    # on the deadline itself the subject may still object: no decision yet
    world.clock.set(dt.datetime.combine(DUE, dt.time(17)))
    status, answer = call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/decide")
    assert (status, answer["code"]) == (409, "LIST_OBJECTION_PERIOD_RUNNING")
    world.clock.set(dt.datetime.combine(DUE + dt.timedelta(days=1), dt.time(9)))
    status, done = call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/decide")
    assert status == 200, done
    decision = done["decision"]
    assert {"CJ-001", "CJ-002", "CJ-003"} <= {m["code"] for m in decision["measures"]}
    assert {r["name"] for r in decision["remedies"]} == {"行政复议", "行政诉讼"}
    assert decision["exit_conditions"] and decision["exit_procedure"]
    assert (done["period_start"], done["period_end"]) == ("2026-03-24", "2029-03-23")
    status, events = call(client, world, "clerk_a", "GET", f"/api/v1/list-entries/{entry['id']}/events")
    assert [e["to_state"] for e in events] == ["proposed", "notified", "decided"]
    actions = world.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()[audit_before:]
    assert [a for a in actions if a.startswith("list_entry.")] == [
        "list_entry.proposed",
        "list_entry.notified",
        "list_entry.decided",
    ]
    # the same subject cannot be proposed twice under the same scope item while an entry stands
    status, answer = call(client, world, "clerk_a", "POST", "/api/v1/list-entries", json=proposal(world))
    assert (status, answer["code"]) == (409, "LIST_ENTRY_EXISTS")


def test_leniency_needs_a_review_note_for_the_black_list(world: World, client: RecordingClient) -> None:
    entry = propose(client, world, leniency=["force_majeure"])
    call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/notify")
    world.clock.set(dt.datetime.combine(DUE + dt.timedelta(days=1), dt.time(9)))
    url = f"/api/v1/list-entries/{entry['id']}/decide"
    status, answer = call(client, world, "clerk_a", "POST", url)
    assert (status, answer["code"]) == (422, "LIST_REVIEW_NOTE_REQUIRED")
    status, answer = call(client, world, "clerk_a", "POST", url, json={"review_note": "   "})
    assert (status, answer["code"]) == (422, "LIST_REVIEW_NOTE_REQUIRED")
    note = "经集体审查，洪灾影响不足以免除其违法责任"
    status, answer = call(client, world, "clerk_a", "POST", url, json={"review_note": note})
    assert status == 200 and answer["review_note"] == note and answer["decision"]["review_note"] == note


def test_other_departments_get_the_404_of_nothing(world: World, client: RecordingClient) -> None:
    entry = propose(client, world)
    base = f"/api/v1/list-entries/{entry['id']}"
    for method, url in (("GET", base), ("GET", f"{base}/events"), ("POST", f"{base}/notify")):
        status, answer = call(client, world, "clerk_b", method, url)
        assert (status, answer["code"]) == (404, "LIST_ENTRY_NOT_FOUND"), url
    status, answer = call(
        client, world, "clerk_b", "POST", f"{base}/exit", json={"cause": "withdrawn", "note": "x"}
    )
    assert (status, answer["code"]) == (404, "LIST_ENTRY_NOT_FOUND")
    # the credit office sees it, but notifying is the initiating department's (谁认定、谁负责)
    assert call(client, world, "admin", "GET", base)[0] == 200
    status, answer = call(client, world, "admin", "POST", f"{base}/notify")
    assert (status, answer["code"]) == (403, "LIST_NOT_INITIATOR")
    assert call(client, world, "clerk_b", "GET", "/api/v1/list-entries")[1]["total"] == 0
    assert call(client, world, "clerk_a", "GET", "/api/v1/list-entries")[1]["total"] == 1
    assert call(client, world, "admin", "GET", "/api/v1/list-entries?state=proposed")[1]["total"] == 1


def test_withdrawal_before_the_decision(world: World, client: RecordingClient) -> None:
    entry = propose(client, world)
    url = f"/api/v1/list-entries/{entry['id']}/exit"
    status, answer = call(
        client, world, "clerk_a", "POST", url, json={"cause": "period_over", "note": "期满"}
    )
    assert (status, answer["code"]) == (422, "LIST_EXIT_CAUSE_REFUSED")
    status, answer = call(
        client, world, "clerk_a", "POST", url, json={"cause": "withdrawn", "note": "文书已被撤销"}
    )
    assert status == 200 and answer["state"] == "exited" and answer["exit_cause"] == "withdrawn"
    status, answer = call(client, world, "clerk_a", "POST", url, json={"cause": "withdrawn", "note": "再撤"})
    assert (status, answer["code"]) == (409, "LIST_TRANSITION_REFUSED")


def test_public_lists_show_only_published_entries_in_their_period(
    world: World, client: RecordingClient
) -> None:
    entry = decided(client, world)
    number = entry["number"]
    assert client.get("/api/v1/public/lists/black").json()["total"] == 0
    assert client.get(f"/api/v1/public/list-entries/{number}").status_code == 404
    status, published = call(client, world, "admin", "POST", f"/api/v1/list-entries/{entry['id']}/publish")
    assert status == 200 and published["state"] == "published", published
    listed = client.get("/api/v1/public/lists/black", params={"q": "示范商贸"}).json()
    assert listed["total"] == 1 and listed["items"][0]["number"] == number
    assert client.get("/api/v1/public/lists/red").json()["total"] == 0
    one = client.get(f"/api/v1/public/list-entries/{number}").json()
    assert one["legal_basis"] and "CJ-001" in {m["code"] for m in one["measures"]}
    # after the period's last day it is no longer shown
    world.clock.set(dt.datetime(2029, 3, 24, 9))
    assert client.get("/api/v1/public/lists/black").json()["total"] == 0
    assert client.get(f"/api/v1/public/list-entries/{number}").status_code == 404


def test_exit_after_publication_by_the_credit_office(world: World, client: RecordingClient) -> None:
    entry = decided(client, world)
    call(client, world, "admin", "POST", f"/api/v1/list-entries/{entry['id']}/publish")
    url = f"/api/v1/list-entries/{entry['id']}/exit"
    status, answer = call(client, world, "admin", "POST", url, json={"cause": "withdrawn", "note": "x"})
    assert (status, answer["code"]) == (422, "LIST_EXIT_CAUSE_REFUSED")
    status, answer = call(
        client, world, "admin", "POST", url, json={"cause": "repaired", "note": "已完成信用修复"}
    )
    assert status == 200 and answer["exit_cause"] == "repaired"
    assert client.get("/api/v1/public/lists/black").json()["total"] == 0


def test_bad_input_is_a_4xx(world: World, client: RecordingClient) -> None:
    assert client.get("/api/v1/public/lists/grey").status_code == 422
    status, _ = call(client, world, "clerk_a", "POST", "/api/v1/list-entries", json={"scope": "SX-001"})
    assert status == 422
    status, answer = call(
        client, world, "clerk_a", "POST", "/api/v1/list-entries", json=proposal(world, subject="")
    )
    assert (status, answer["code"]) == (422, "LIST_SUBJECT_REQUIRED")
    assert TODAY.year == 2026
