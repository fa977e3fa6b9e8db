"""Credit files through the HTTP API: what each reader sees (public, staff in range, agency with a grant,
the subject itself), masked, and every non-public read logged with its purpose or refused and logged."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from secworld import (
    PERSON_RIC,
    PURPOSE,
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    query_log,
    unmasked_rics,
    world,  # noqa: F401
)


def test_county_clerk_cannot_read_another_countys_private_record(
    world: World, client: RecordingClient, session: Session
) -> None:
    own, other = world.records["a_private"], world.records["b_private"]
    assert not own.published and not other.published  # 警告: 轻微, not published
    ok = client.get(f"/api/v1/records/{own.id}", params=PURPOSE, headers=bearer(world, "clerk_a"))
    assert ok.status_code == 200 and ok.json()["item_code"] == "CF-001"
    refused = client.get(f"/api/v1/records/{other.id}", params=PURPOSE, headers=bearer(world, "clerk_a"))
    # out of range is answered exactly as a record that does not exist
    missing = client.get("/api/v1/records/999999", params=PURPOSE, headers=bearer(world, "clerk_a"))
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json() and refused.json()["code"] == "RECORD_NOT_FOUND"
    # Both reads are in the query log, the refusal too, with who, what, why.
    entries = query_log(session, username="clerk_a")
    assert [(e.target, e.allowed, e.purpose) for e in entries] == [
        (f"credit_record:{own.id}", True, "日常监管"),
        (f"credit_record:{other.id}", False, "日常监管"),
    ]
    assert (
        entries[0].legal_basis == PURPOSE["legal_basis"] and entries[0].department_id == world.depts["a"].id
    )
    # The city's credit office covers both counties.
    city = client.get(f"/api/v1/records/{other.id}", params=PURPOSE, headers=bearer(world, "admin"))
    assert city.status_code == 200
    # Inside its own county a department sees its own line only: not the county labour bureau's records.
    qual = world.records["person_qual"]
    other_line = client.get(f"/api/v1/records/{qual.id}", params=PURPOSE, headers=bearer(world, "clerk_b"))
    assert other_line.status_code == 404 and other_line.json()["code"] == "RECORD_NOT_FOUND"
    assert (
        client.get(f"/api/v1/records/{qual.id}", params=PURPOSE, headers=bearer(world, "admin")).status_code
        == 200
    )
    # A published record is readable by any clerk: it is public anyway.
    public = world.records["a_public"]
    assert (
        client.get(
            f"/api/v1/records/{public.id}", params=PURPOSE, headers=bearer(world, "clerk_b")
        ).status_code
        == 200
    )


def test_a_read_without_purpose_is_refused_and_logged(
    world: World, client: RecordingClient, session: Session
) -> None:
    record = world.records["a_private"]
    for params in ({}, {"purpose": "好奇"}):
        response = client.get(f"/api/v1/records/{record.id}", params=params, headers=bearer(world, "clerk_a"))
        assert response.status_code == 422 and response.json()["code"] == "QUERY_PURPOSE_REQUIRED"
        assert "行政审批" in response.json()["details"]["purposes"]
    no_basis = client.get(
        f"/api/v1/records/{record.id}", params={"purpose": "日常监管"}, headers=bearer(world, "clerk_a")
    )
    assert no_basis.status_code == 422 and no_basis.json()["code"] == "QUERY_LEGAL_BASIS_REQUIRED"
    assert [e.reason for e in query_log(session, username="clerk_a")] == [
        "未说明查询用途",
        "查询用途不在规定范围内：好奇",
        "未写明查询依据",
    ]


def test_staff_file_shows_only_the_callers_range(world: World, client: RecordingClient) -> None:
    assert world.company is not None
    url = f"/api/v1/subjects/{world.company.id}/file"

    def seen(user: str) -> set[int]:
        response = client.get(url, params=PURPOSE, headers=bearer(world, user))
        assert response.status_code == 200
        return {r["id"] for r in response.json()["records"]}

    r = world.records
    assert seen("clerk_a") == {r["a_public"].id, r["a_private"].id}
    assert seen("clerk_b") == {r["a_public"].id, r["b_private"].id}
    assert seen("admin") == {r["a_public"].id, r["a_private"].id, r["b_private"].id}


def test_public_sees_only_published_records_and_no_persons(world: World, client: RecordingClient) -> None:
    assert world.company is not None and world.person is not None
    found = client.get("/api/v1/public/subjects", params={"q": "鹽城市示範商貿"})  # traditional script
    assert found.status_code == 200 and [s["id"] for s in found.json()["subjects"]] == [world.company.id]
    by_code = client.get("/api/v1/public/subjects", params={"q": world.company.uscc})
    assert [s["id"] for s in by_code.json()["subjects"]] == [world.company.id]
    file = client.get(f"/api/v1/public/subjects/{world.company.id}").json()
    assert [rec["id"] for rec in file["records"]] == [world.records["a_public"].id]
    assert PERSON_RIC not in str(file) and "13812345678" not in str(file)
    assert client.get("/api/v1/public/subjects", params={"q": "王某明"}).json()["total"] == 0
    person = client.get(f"/api/v1/public/subjects/{world.person.id}")
    assert person.status_code == 404 and person.json()["code"] == "SUBJECT_NOT_FOUND"
    checked = client.get("/api/v1/ids/check", params={"code": PERSON_RIC})
    assert checked.json()["valid"] and checked.json()["value"] == PERSON_RIC[:4] + "*" * 10 + PERSON_RIC[-4:]
    assert set(checked.json()["parts"]) <= {"sex"}  # region and birth date would unmask the middle
    echoed = client.get("/api/v1/ids/check", params={"code": PERSON_RIC + "。"}).json()
    assert PERSON_RIC not in echoed["input"]


def test_public_sees_published_text_with_ids_and_phones_masked(world: World, client: RecordingClient) -> None:
    assert world.company is not None
    file = client.get(f"/api/v1/public/subjects/{world.company.id}").json()
    violation = file["records"][0]["data"]["violation"]
    assert PERSON_RIC[:4] + "*" * 10 + PERSON_RIC[-4:] in violation and "138****5678" in violation


def test_agency_needs_a_live_grant(world: World, client: RecordingClient, session: Session) -> None:
    assert world.person is not None
    url = f"/api/v1/agency/subjects/{world.person.id}/file"
    refused = client.get(url, headers=bearer(world, "agency"))
    assert refused.status_code == 403 and refused.json()["code"] == "AUTHORISATION_REQUIRED"
    (entry,) = query_log(session, username="agency")
    assert not entry.allowed and entry.subject_id == world.person.id and entry.purpose == "授权查询"

    # The person grants one purpose for 30 days; never more than a year, never unlimited.
    too_long = {"agency": "agency", "purpose": "人员录用", "days": 366}
    response = client.post("/api/v1/me/authorisations", json=too_long, headers=bearer(world, "person"))
    assert response.status_code == 422 and response.json()["code"] == "AUTHORISATION_PERIOD_INVALID"
    grant = client.post(
        "/api/v1/me/authorisations",
        json={"agency": "agency", "purpose": "人员录用", "days": 30},
        headers=bearer(world, "person"),
    )
    assert grant.status_code == 201
    assert grant.json()["valid_from"] == "2026-03-16" and grant.json()["valid_until"] == "2026-04-14"

    allowed = client.get(url, headers=bearer(world, "agency"))
    assert allowed.status_code == 200
    body = allowed.json()
    assert body["subject"]["ric_masked"] == PERSON_RIC[:4] + "**********" + PERSON_RIC[-4:]
    assert body["subject"]["phone_masked"] == "138****5678"
    (qual,) = body["records"]  # 授权查询 item, shown to an authorised agency
    assert qual["item_code"] == "ZG-001" and qual["data"]["subject_id"].count("*") == 10
    assert query_log(session, username="agency")[-1].allowed

    # The person sees who looked, and why.
    log = client.get("/api/v1/me/query-log", headers=bearer(world, "person")).json()
    assert [(e["username"], e["purpose"], e["allowed"]) for e in log["entries"]][:2] == [
        ("agency", "人员录用", True),
        ("agency", "授权查询", False),
    ]

    # Revoked: refused again at once.
    revoked = client.delete(
        f"/api/v1/me/authorisations/{grant.json()['id']}", headers=bearer(world, "person")
    )
    assert revoked.status_code == 200 and revoked.json()["live"] is False
    assert client.get(url, headers=bearer(world, "agency")).json()["code"] == "AUTHORISATION_REQUIRED"


def test_a_grant_ends_by_itself(world: World, client: RecordingClient) -> None:
    assert world.person is not None
    client.post(
        "/api/v1/me/authorisations",
        json={"agency": "agency", "purpose": "政府采购", "days": 10},
        headers=bearer(world, "person"),
    )
    url = f"/api/v1/agency/subjects/{world.person.id}/file"
    world.clock.advance(dt.timedelta(days=9))
    assert client.get(url, headers=bearer(world, "agency")).status_code == 200
    world.clock.advance(dt.timedelta(days=1))
    assert client.get(url, headers=bearer(world, "agency")).json()["code"] == "AUTHORISATION_REQUIRED"


def test_no_unmasked_citizen_id_leaves_in_staff_views_either(world: World, client: RecordingClient) -> None:
    assert world.person is not None
    response = client.get(
        f"/api/v1/subjects/{world.person.id}/file", params=PURPOSE, headers=bearer(world, "admin")
    )
    assert response.status_code == 200 and unmasked_rics(response.text) == []
    assert PERSON_RIC not in response.text


def test_staff_cannot_claim_the_subjects_or_an_agencys_purpose(
    world: World, client: RecordingClient, session: Session
) -> None:
    record = world.records["a_private"]
    for purpose in ("本人查询", "授权查询"):
        response = client.get(
            f"/api/v1/records/{record.id}",
            params={**PURPOSE, "purpose": purpose},
            headers=bearer(world, "clerk_a"),
        )
        assert response.status_code == 403 and response.json()["code"] == "QUERY_PURPOSE_NOT_ALLOWED"
        assert "日常监管" in response.json()["details"]["purposes"]
        assert purpose not in response.json()["details"]["purposes"]
    assert [(e.purpose, e.allowed) for e in query_log(session, username="clerk_a")] == [
        ("本人查询", False),
        ("授权查询", False),
    ]
    # Staff purposes still work, and the auditor can pick entries by purpose.
    assert client.get(
        f"/api/v1/records/{record.id}", params=PURPOSE, headers=bearer(world, "clerk_a")
    ).is_success
    found = client.get(
        "/api/v1/audit/query-log", params={"purpose": "授权查询"}, headers=bearer(world, "auditor")
    ).json()
    assert found["total"] == 1 and found["entries"][0]["purpose"] == "授权查询"
    bad = client.get("/api/v1/audit/query-log", params={"purpose": "好奇"}, headers=bearer(world, "auditor"))
    assert bad.status_code == 422 and bad.json()["code"] == "REQUEST_INVALID"


def test_an_agency_probing_an_unknown_subject_is_logged(
    world: World, client: RecordingClient, session: Session
) -> None:
    response = client.get("/api/v1/agency/subjects/999999/file", headers=bearer(world, "agency"))
    assert response.status_code == 403 and response.json()["code"] == "AUTHORISATION_REQUIRED"
    (entry,) = query_log(session, username="agency")
    assert not entry.allowed and entry.subject_id is None and entry.target.startswith("subject_file:999999")
    assert entry.purpose == "授权查询"


def test_a_subject_reads_its_whole_file_and_the_read_is_logged(
    world: World, client: RecordingClient, session: Session
) -> None:
    assert world.company is not None
    response = client.get("/api/v1/me/file", headers=bearer(world, "company"))
    assert response.status_code == 200 and response.json()["view"] == "own"
    r = world.records
    assert {rec["id"] for rec in response.json()["records"]} == {
        r["a_public"].id,
        r["a_private"].id,
        r["b_private"].id,
    }
    (entry,) = query_log(session, username="company")
    assert (entry.subject_id, entry.target, entry.purpose, entry.allowed) == (
        world.company.id,
        "subject_file",
        "本人查询",
        True,
    )


def test_a_person_outside_the_readers_range_does_not_exist_for_the_reader(
    world: World, client: RecordingClient, session: Session
) -> None:
    """王某明 has one record, a qualification from county B's labour bureau. A county-A reviewer and county
    B's market regulator (another line) get the 404 of a subject that does not exist, for the file and
    the record; the refusals are logged. The city's credit office reads both."""
    assert world.person is not None
    person, qual = world.person.id, world.records["person_qual"].id
    missing = client.get("/api/v1/subjects/999999/file", params=PURPOSE, headers=bearer(world, "clerk_a"))
    for reader in ("clerk_a", "clerk_b"):
        refused = client.get(f"/api/v1/subjects/{person}/file", params=PURPOSE, headers=bearer(world, reader))
        assert (refused.status_code, refused.json()) == (404, missing.json()), reader
    for reader in ("clerk_a", "clerk_b", "operator_a"):  # operators read records, not files
        record = client.get(f"/api/v1/records/{qual}", params=PURPOSE, headers=bearer(world, reader))
        assert (record.status_code, record.json()["code"]) == (404, "RECORD_NOT_FOUND"), reader
        logged = query_log(session, username=reader, subject_id=person)
        assert all(not e.allowed for e in logged) and len(logged) == (1 if reader == "operator_a" else 2)
    public = client.get(f"/api/v1/public/subjects/{person}")
    assert public.status_code == 404 and public.json()["code"] == "SUBJECT_NOT_FOUND"
    for reader in ("admin",):
        assert (
            client.get(
                f"/api/v1/subjects/{person}/file", params=PURPOSE, headers=bearer(world, reader)
            ).status_code
            == 200
        )
        assert (
            client.get(f"/api/v1/records/{qual}", params=PURPOSE, headers=bearer(world, reader)).status_code
            == 200
        )
