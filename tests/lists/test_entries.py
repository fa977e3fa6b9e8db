"""Red and black list entries through the JSON API, on both databases: the lifecycle with its conditions
(legal document, objection period, leniency review), the transition table move by move, the object
checks, the public lists; minors found from the citizen ID; objections on entries and records (open,
upheld, rejected) and who may file and answer them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from xinyong.kit.errors import DomainError
from xinyong.lists import lifecycle
from xinyong.models import AuditEntry, CreditRecord, RecordStatus
from xinyong.models.lists import EntryState, ExitCause, ListEntry, ListEntryEvent, Objection
from xinyong.subjects.service import register_person

from secworld import TODAY, RecordingClient, World, bearer, client, ric, world  # noqa: F401

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


def _every_move() -> list[tuple[EntryState, EntryState, ExitCause | None]]:
    moves: list[tuple[EntryState, EntryState, ExitCause | None]] = []
    for frm in EntryState:
        for to in EntryState:
            if to is EntryState.exited:
                moves += [(frm, to, cause) for cause in ExitCause]
            elif to is not EntryState.proposed:
                moves.append((frm, to, None))
    return moves


def test_every_move_is_allowed_exactly_when_the_table_says(world: World, client: RecordingClient) -> None:
    entry_id = propose(client, world)["id"]
    session = world.session
    for frm, to, cause in _every_move():
        entry = session.get_one(ListEntry, entry_id)
        entry.state = frm
        events = len(session.scalars(select(ListEntryEvent.id)).all())
        allowed = (frm, to) in lifecycle.TRANSITIONS and (
            cause is None or cause in lifecycle.TRANSITIONS[(frm, to)]
        )
        with session.begin_nested() as savepoint:
            try:
                lifecycle.move(session, entry, to, actor="t", clock=world.clock, cause=cause, note="n")
            except DomainError as exc:
                assert not allowed, f"{frm} → {to} ({cause}) refused: {exc.code}"
                assert exc.code in {"LIST_TRANSITION_REFUSED", "LIST_EXIT_CAUSE_REFUSED"}
            else:
                assert allowed, f"{frm} → {to} ({cause}) must be refused"
                assert len(session.scalars(select(ListEntryEvent.id)).all()) == events + 1
                last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
                assert last.action == f"list_entry.{to.value}" and last.entity_id == str(entry_id)
            savepoint.rollback()
        session.expunge_all()


def test_the_table_is_the_lifecycle_of_the_brief() -> None:
    s = EntryState
    forward = [(a, b) for (a, b), causes in lifecycle.TRANSITIONS.items() if not causes]
    assert forward == [
        (None, s.proposed),
        (s.proposed, s.notified),
        (s.notified, s.decided),
        (s.decided, s.published),
    ]
    for state in (s.proposed, s.notified, s.decided):
        assert lifecycle.causes_from(state) == [ExitCause.revoked, ExitCause.withdrawn]
    assert ExitCause.withdrawn not in lifecycle.causes_from(s.published)
    assert lifecycle.allowed_next(s.exited) == []


def test_a_minor_is_found_from_the_citizen_id(world: World, client: RecordingClient) -> None:
    # a person born 2010-05-01 in county A: 15 on the honour decision's date
    minor = ric("32090220100501991")
    person = register_person(
        world.session, name="李某华", ric=minor, cipher=world.cipher, actor="t", clock=world.clock
    )
    world.session.commit()
    body: dict[str, Any] = {
        "scope": "CX-001",
        "subject": minor,
        "reason": "见义勇为，获市级表彰",
        "doc_kind": "honour_decision",
        "doc_no": "盐政发〔2026〕3号",
        "doc_date": "2026-03-01",
        "doc_issuer": "盐城市人民政府",
    }
    status, answer = call(client, world, "admin", "POST", "/api/v1/list-entries", json=body)
    assert status == 201, answer
    assert answer["subject_id"] == person.id and answer["leniency"] == ["minor"]
    assert answer["subject_code"] != minor and answer["subject_code"].endswith(minor[-4:])


def test_a_subject_objects_and_the_deciding_department_answers(world: World, client: RecordingClient) -> None:
    entry = propose(client, world)
    target = {"target_kind": "entry", "target_id": entry["id"], "reason": "处罚决定正在复议中"}
    # not yet notified: the subject has not been told of it, so there is nothing to object to
    status, answer = call(client, world, "company", "POST", "/api/v1/objections", json=target)
    assert (status, answer["code"]) == (404, "OBJECTION_TARGET_NOT_FOUND")
    call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/notify")
    # another subject cannot object to the company's entry
    status, answer = call(client, world, "person", "POST", "/api/v1/objections", json=target)
    assert (status, answer["code"]) == (404, "OBJECTION_TARGET_NOT_FOUND")
    status, filed = call(client, world, "company", "POST", "/api/v1/objections", json=target)
    assert status == 201 and filed["status"] == "open", filed
    status, answer = call(client, world, "company", "POST", "/api/v1/objections", json=target)
    assert (status, answer["code"]) == (409, "OBJECTION_ALREADY_OPEN")
    # while it is open, no decision
    world.clock.set(dt.datetime.combine(DUE + dt.timedelta(days=1), dt.time(9)))
    status, answer = call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/decide")
    assert (status, answer["code"]) == (409, "LIST_OBJECTION_OPEN")
    # another county's reviewer does not answer it (and cannot see it)
    assert call(client, world, "clerk_b", "GET", "/api/v1/objections")[1]["total"] == 0
    url = f"/api/v1/objections/{filed['id']}/decision"
    status, answer = call(client, world, "clerk_b", "POST", url, json={"outcome": "rejected", "answer": "x"})
    assert (status, answer["code"]) == (404, "OBJECTION_NOT_FOUND")
    assert call(client, world, "clerk_a", "GET", "/api/v1/objections")[1]["total"] == 1
    status, answer = call(
        client, world, "clerk_a", "POST", url, json={"outcome": "rejected", "answer": "复议维持原处罚"}
    )
    assert status == 200 and answer["status"] == "rejected" and answer["decided_by"] == "clerk_a"
    status, answer = call(client, world, "clerk_a", "POST", url, json={"outcome": "upheld", "answer": "再答"})
    assert (status, answer["code"]) == (409, "OBJECTION_CLOSED")
    assert call(client, world, "clerk_a", "POST", f"/api/v1/list-entries/{entry['id']}/decide")[0] == 200
    mine = call(client, world, "company", "GET", "/api/v1/me/list-entries")[1]
    assert [m["entry"]["number"] for m in mine] == [entry["number"]]
    assert mine[0]["objections"][0]["answer"] == "复议维持原处罚" and mine[0]["can_object"]
    assert call(client, world, "person", "GET", "/api/v1/me/list-entries")[1] == []


def test_an_upheld_objection_revokes_a_published_entry(world: World, client: RecordingClient) -> None:
    entry = decided(client, world)
    call(client, world, "admin", "POST", f"/api/v1/list-entries/{entry['id']}/publish")
    target = {"target_kind": "entry", "target_id": entry["id"], "reason": "处罚决定已被复议机关撤销"}
    filed = call(client, world, "company", "POST", "/api/v1/objections", json=target)[1]
    url = f"/api/v1/objections/{filed['id']}/decision"
    status, answer = call(
        client, world, "clerk_a", "POST", url, json={"outcome": "upheld", "answer": "经核实，异议成立"}
    )
    assert status == 200 and answer["status"] == "upheld"
    after = call(client, world, "clerk_a", "GET", f"/api/v1/list-entries/{entry['id']}")[1]
    assert (after["state"], after["exit_cause"]) == ("exited", "revoked")
    assert client.get("/api/v1/public/lists/black").json()["total"] == 0


def test_an_objection_on_a_record_goes_to_its_source(world: World, client: RecordingClient) -> None:
    record = world.records["a_private"]
    target = {"target_kind": "record", "target_id": record.id, "reason": "警告决定所列事实有误"}
    status, filed = call(client, world, "company", "POST", "/api/v1/objections", json=target)
    assert status == 201 and filed["dept_id"] == world.depts["a"].id
    status, answer = call(client, world, "person", "POST", "/api/v1/objections", json=target)
    assert (status, answer["code"]) == (404, "OBJECTION_TARGET_NOT_FOUND")
    url = f"/api/v1/objections/{filed['id']}/decision"
    status, answer = call(
        client, world, "clerk_a", "POST", url, json={"outcome": "upheld", "answer": "将予更正"}
    )
    assert status == 200 and answer["status"] == "upheld"
    # the error is confirmed: the record is revoked at once (the source may submit a corrected one)
    world.session.expire_all()
    assert world.session.get_one(CreditRecord, record.id).status == RecordStatus.revoked
    assert world.session.scalars(select(Objection.status)).all() == [answer["status"]]


@pytest.mark.parametrize("who", ["clerk_a", "admin"])
def test_a_subject_account_without_a_subject_cannot_object(
    world: World, client: RecordingClient, who: str
) -> None:
    response = client.post(
        "/api/v1/objections",
        json={"target_kind": "entry", "target_id": 1, "reason": "x"},
        headers=bearer(world, who),
    )
    assert response.status_code == 403


def test_entries_past_their_period_exit_by_themselves(world: World, client: RecordingClient) -> None:
    entry = decided(client, world)
    call(client, world, "admin", "POST", f"/api/v1/list-entries/{entry['id']}/publish")
    world.clock.set(dt.datetime(2029, 3, 23, 9))  # the period's last day: still listed
    assert lifecycle.expire_entries(world.session, clock=world.clock) == 0
    world.clock.set(dt.datetime(2029, 3, 24, 9))
    assert lifecycle.expire_entries(world.session, clock=world.clock) == 1
    row = world.session.get_one(ListEntry, entry["id"])
    assert (row.state, row.exit_cause) == (EntryState.exited, ExitCause.period_over)
    assert lifecycle.expire_entries(world.session, clock=world.clock) == 0
