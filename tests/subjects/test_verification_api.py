"""The queue of subjects held as 待核验, through the API: the credit office of the region sees and confirms
them; another region's office gets the 404 of a subject that does not exist; staff without the scope, 403."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.models import AuditEntry, Subject, SubjectKind
from xinyong.subjects.service import register_organisation

from secworld import COUNTY_A, RecordingClient, World, bearer, client, uscc, world  # noqa: F401


def _held(world: World, name: str, body: str, region: str) -> Subject:
    subject = register_organisation(
        world.session,
        kind=SubjectKind.legal_person,
        name=name,
        uscc=uscc(body, region),
        actor="test",
        clock=world.clock,
        region_code=region,
    )
    subject.verified = False
    world.session.commit()
    return subject


def test_the_credit_office_confirms_a_held_subject(
    world: World, client: RecordingClient, session: Session
) -> None:
    mine = _held(world, "亭湖待核商贸有限公司", "MA1XYW01", COUNTY_A)
    other_city = _held(world, "南京待核商贸有限公司", "MA1XYW02", "320102")
    queue = client.get("/api/v1/subjects/unverified", headers=bearer(world, "admin"))
    assert queue.status_code == 200
    assert (queue.json()["total"], [s["name"] for s in queue.json()["subjects"]]) == (1, [mine.name])
    assert client.get("/api/v1/public/subjects", params={"q": "亭湖待核商贸"}).json()["total"] == 0

    refused = client.post(f"/api/v1/subjects/{other_city.id}/verification", headers=bearer(world, "admin"))
    assert refused.status_code == 404 and refused.json()["code"] == "SUBJECT_NOT_FOUND"
    operator = client.post(f"/api/v1/subjects/{mine.id}/verification", headers=bearer(world, "operator_a"))
    assert operator.status_code == 403

    done = client.post(f"/api/v1/subjects/{mine.id}/verification", headers=bearer(world, "admin"))
    assert done.status_code == 200 and done.json()["name"] == mine.name
    assert client.get("/api/v1/public/subjects", params={"q": "亭湖待核商贸"}).json()["total"] == 1
    again = client.post(f"/api/v1/subjects/{mine.id}/verification", headers=bearer(world, "admin"))
    assert again.status_code == 409 and again.json()["code"] == "SUBJECT_ALREADY_VERIFIED"
    audited = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == str(mine.id))).all()
    assert "subject.verified" in audited
