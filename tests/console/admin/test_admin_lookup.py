"""主体查询 and 待核验 in the console, pages and JSON twins, on both databases: a person by citizen ID is one
logged read of the file, out of range answered exactly as an ID no subject has; organisations by name and
code; the staff view of a file; the credit office's queue and its confirmation."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from xinyong.models import Subject
from xinyong.models.subjects import SubjectKind
from xinyong.subjects.service import register_organisation

from secworld import (
    COUNTY_A,
    PERSON_RIC,
    PURPOSE,
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    query_log,
    ric,
    uscc,
    world,  # noqa: F401
)

LOOKUP = "/api/v1/subjects/lookup/person"
#: A valid citizen ID that no subject of the world has.
NOBODY_RIC = ric("32090219900101123")


def test_a_county_reviewer_looking_up_a_person_of_another_county_gets_the_404_of_nobody_and_it_is_logged(
    world: World, client: RecordingClient, session: Session
) -> None:
    """clerk_a (county A) asks for the person, whose only record is county B's: the answer is the one a
    citizen ID nobody has gets, byte for byte, and the refusal is in the query log."""
    assert world.person is not None
    out_of_range = client.post(LOOKUP, json={"ric": PERSON_RIC, **PURPOSE}, headers=bearer(world, "clerk_a"))
    nobody = client.post(LOOKUP, json={"ric": NOBODY_RIC, **PURPOSE}, headers=bearer(world, "clerk_a"))
    assert (out_of_range.status_code, out_of_range.json()["code"]) == (404, "SUBJECT_NOT_FOUND")
    assert (nobody.status_code, nobody.content) == (out_of_range.status_code, out_of_range.content)
    entries = query_log(session, username="clerk_a", subject_id=world.person.id)
    assert [(e.allowed, e.purpose, e.legal_basis) for e in entries] == [
        (False, PURPOSE["purpose"], PURPOSE["legal_basis"])
    ]
    # The page answers the same 404, and logs again.
    page = client.post(
        "/console/lookup/person", data={"ric": PERSON_RIC, **PURPOSE}, headers=bearer(world, "clerk_a")
    )
    assert page.status_code == 404 and "信用主体不存在" in page.text
    assert len(query_log(session, username="clerk_a", subject_id=world.person.id)) == 2


def test_the_office_reads_a_person_by_citizen_id_once_logged_and_masked(
    world: World, client: RecordingClient, session: Session
) -> None:
    assert world.person is not None
    response = client.post(LOOKUP, json={"ric": PERSON_RIC, **PURPOSE}, headers=bearer(world, "admin"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["subject"]["id"] == world.person.id and body["view"] == "staff"
    assert PERSON_RIC not in response.text and body["subject"]["ric_masked"].endswith(PERSON_RIC[-4:])
    assert [e.allowed for e in query_log(session, username="admin", subject_id=world.person.id)] == [True]
    page = client.post(
        "/console/lookup/person", data={"ric": PERSON_RIC, **PURPOSE}, headers=bearer(world, "admin")
    )
    assert page.status_code == 200 and "王某明" in page.text and PERSON_RIC not in page.text
    assert 'id="read-logged"' in page.text
    assert len(query_log(session, username="admin", subject_id=world.person.id)) == 2


def test_a_person_lookup_without_purpose_is_refused_alike_whoever_the_id_is(
    world: World, client: RecordingClient, session: Session
) -> None:
    """No purpose: 422 before the ID is looked at, the same for a real person and for nobody; logged."""
    answers = [
        client.post(LOOKUP, json={"ric": r, "legal_basis": "x"}, headers=bearer(world, "admin"))
        for r in (PERSON_RIC, NOBODY_RIC)
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].content == answers[1].content and answers[0].json()["code"] == "QUERY_PURPOSE_REQUIRED"
    refused = query_log(session, username="admin", target="subject_lookup")
    assert [(e.allowed, e.subject_id) for e in refused] == [(False, None), (False, None)]
    page = client.post("/console/lookup/person", data={"ric": PERSON_RIC}, headers=bearer(world, "admin"))
    assert page.status_code == 422 and "查询用途" in page.text


def test_organisations_are_found_by_name_and_by_code_never_a_person(
    world: World, client: RecordingClient
) -> None:
    assert world.company is not None and world.company.uscc is not None
    by_name = client.get(
        "/api/v1/subjects/lookup", params={"q": "示范商贸"}, headers=bearer(world, "clerk_a")
    )
    assert by_name.status_code == 200
    assert (by_name.json()["matched_by"], [s["id"] for s in by_name.json()["subjects"]]) == (
        "name",
        [world.company.id],
    )
    by_code = client.get(
        "/api/v1/subjects/lookup", params={"q": world.company.uscc}, headers=bearer(world, "checker")
    )
    assert by_code.json()["matched_by"] == "code" and by_code.json()["total"] == 1
    person = client.get("/api/v1/subjects/lookup", params={"q": PERSON_RIC}, headers=bearer(world, "admin"))
    assert (person.status_code, person.json()["code"]) == (422, "LOOKUP_PERSON_BY_ID")
    page = client.get("/console/lookup", params={"q": "示范商贸"}, headers=bearer(world, "clerk_a"))
    assert page.status_code == 200 and f"/console/subjects/{world.company.id}" in page.text


def test_the_staff_view_of_a_file_asks_the_purpose_then_reads_it_logged(
    world: World, client: RecordingClient, session: Session
) -> None:
    assert world.company is not None and world.person is not None
    path = f"/console/subjects/{world.company.id}"
    asked = client.get(path, headers=bearer(world, "clerk_a"))
    assert asked.status_code == 200 and 'name="purpose"' in asked.text
    assert query_log(session, username="clerk_a") == []  # asking is not reading
    read = client.get(path, params=PURPOSE, headers=bearer(world, "clerk_a"))
    assert read.status_code == 200 and world.company.name in read.text and 'id="file-tabs"' in read.text
    assert [e.allowed for e in query_log(session, username="clerk_a")] == [True]
    penalties = client.get(path, params={**PURPOSE, "tab": "penalty"}, headers=bearer(world, "clerk_a"))
    assert penalties.status_code == 200 and re.search(
        r'data-tab="penalty"\s+aria-current="page"', penalties.text
    )
    assert "legal_basis=" in penalties.text  # every tab link keeps the stated purpose and basis
    # Out of range: the JSON route's 404, logged; an id nobody has: the same 404 (and nothing to log).
    hidden = client.get(
        f"/console/subjects/{world.person.id}", params=PURPOSE, headers=bearer(world, "clerk_a")
    )
    api = client.get(
        f"/api/v1/subjects/{world.person.id}/file", params=PURPOSE, headers=bearer(world, "clerk_a")
    )
    assert hidden.status_code == api.status_code == 404 and api.json()["code"] == "SUBJECT_NOT_FOUND"
    assert [e.allowed for e in query_log(session, username="clerk_a", subject_id=world.person.id)] == [
        False,
        False,
    ]
    for params in ({}, PURPOSE):
        missing = client.get("/console/subjects/999999", params=params, headers=bearer(world, "admin"))
        assert missing.status_code == 404


def _unverified(world: World) -> Subject:
    subject = register_organisation(
        world.session,
        kind=SubjectKind.legal_person,
        name="盐城市待核验贸易有限公司",
        uscc=uscc("MA1XYW98", COUNTY_A),
        actor="test",
        clock=world.clock,
        region_code=COUNTY_A,
    )
    subject.verified = False
    world.session.commit()
    return subject


def test_the_office_confirms_an_unverified_subject_of_its_region(
    world: World, client: RecordingClient, session: Session
) -> None:
    subject = _unverified(world)
    queue = client.get("/console/unverified", headers=bearer(world, "admin"))
    assert queue.status_code == 200 and subject.name in queue.text
    assert client.get("/api/v1/subjects/unverified", headers=bearer(world, "admin")).json()["total"] == 1
    done = client.post(
        f"/console/unverified/{subject.id}/verification",
        headers=bearer(world, "admin"),
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/console/unverified?done=verified")
    session.expire_all()
    assert session.get(Subject, subject.id).verified is True  # type: ignore[union-attr]
    after = client.get("/console/unverified?done=verified", headers=bearer(world, "admin"))
    assert "已确认核验" in after.text and subject.name not in after.text
    again = client.post(f"/console/unverified/{subject.id}/verification", headers=bearer(world, "admin"))
    assert again.status_code == 409
    assert (
        client.post("/console/unverified/999999/verification", headers=bearer(world, "admin")).status_code
        == 404
    )
