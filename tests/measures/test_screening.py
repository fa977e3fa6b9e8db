"""The single screening (联合奖惩核查) over the API, on both databases: every "Must show" of the single check
(black list → prohibit with CJ-001 and its legal basis; objection → suspended; exit → pass; a 一般 penalty
never triggers a 严重 measure but does trigger CJ-003; a clean company gets JL-001/JL-002; revoked and
repaired records), the stored proof and its verification, the refusals and the query log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.kit import ids
from xinyong.models import CreditRecord, QueryLogEntry, RecordStatus, Screening
from xinyong.models.lists import EntryState, ExitCause, ObjectionTarget

from screeningworld import ScreeningWorld, add_screeners, black_entry, clean_company, objection
from secworld import PERSON_RIC, RecordingClient, World, bearer, client, query_log, world  # noqa: F401

GP = "government_procurement"


@pytest.fixture
def sw(world: World) -> ScreeningWorld:
    return add_screeners(world)


def _screen(
    client: RecordingClient, sw: ScreeningWorld, identifier: str, scenario: str = GP, *, who: str = "cz",
    purpose: str | None = None, status: int = 201,
) -> dict:  # type: ignore[type-arg]  # fmt: skip
    body = {"identifier": identifier, "scenario": scenario}
    if purpose:
        body["purpose"] = purpose
    r = client.post("/api/v1/screening", json=body, headers=bearer(sw.world, who))
    assert r.status_code == status, r.text
    out: dict = r.json()  # type: ignore[type-arg]
    return out


def _codes(items: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [m["code"] for m in items]


def test_black_listed_company_is_prohibited_in_procurement(
    client: RecordingClient, sw: ScreeningWorld
) -> None:
    entry = black_entry(sw, sw.company)
    sw.world.session.commit()
    out = _screen(client, sw, str(sw.company.uscc))
    assert out["decision"] == "prohibit"
    assert out["decision_label"] == "禁止"
    [cj1] = out["measures"]
    assert cj1["code"] == "CJ-001"
    assert "政府采购法" in cj1["legal_basis"]
    assert cj1["content"]
    assert [e["number"] for e in cj1["entries"]] == [entry.number]
    assert cj1["entries"][0]["doc_kind_label"] == "行政处罚决定书"
    assert out["number"].startswith("SC-20260316-")
    assert len(out["code"]) == 23
    assert out["data_version"]["catalog"]
    assert out["department"] == "盐城市财政局"


def test_open_objection_on_the_entry_suspends_the_measure(
    client: RecordingClient, sw: ScreeningWorld
) -> None:
    entry = black_entry(sw, sw.company)
    objection(sw, ObjectionTarget.entry, entry.id, sw.company)
    sw.world.session.commit()
    out = _screen(client, sw, str(sw.company.uscc))
    assert out["decision"] == "pass"
    assert out["measures"] == []
    [held] = out["suspended"]
    assert held["code"] == "CJ-001"
    assert held["reason"] == "objection"
    assert "异议" in held["reason_label"]
    assert held["entry"]["number"] == entry.number


def test_after_exit_or_past_the_period_the_entry_triggers_nothing(
    client: RecordingClient, sw: ScreeningWorld
) -> None:
    entry = black_entry(sw, sw.company)
    entry.state, entry.exit_cause = EntryState.exited, ExitCause.repaired
    black_entry(sw, sw.company, number="HMD-2025-000009", period_end=dt.date(2026, 3, 15))
    sw.world.session.commit()
    out = _screen(client, sw, str(sw.company.uscc))
    assert out["decision"] == "pass"
    assert out["measures"] == [] and out["suspended"] == []


def test_general_penalty_never_triggers_a_serious_measure_but_warns_in_supervision(
    client: RecordingClient, sw: ScreeningWorld
) -> None:
    # The world's company has CF-001 penalties (一般 and 轻微); CJ-001 and CJ-002 need 严重.
    severities = {r.severity.value for r in sw.world.records.values() if r.severity is not None}
    assert "general" in severities and "serious" not in severities
    for scenario in (GP, "public_funds"):
        out = _screen(client, sw, str(sw.company.uscc), scenario, who="admin")
        assert out["decision"] == "pass", scenario
    out = _screen(client, sw, str(sw.company.uscc), "日常监管", who="scjg_iu")
    assert out["decision"] == "warn"
    [cj3] = out["measures"]
    assert cj3["code"] == "CJ-003"
    general = [r for r in cj3["records"] if r["severity"] == "general"]
    assert general and all(r["item_code"] == "CF-001" for r in cj3["records"])
    assert {r["severity"] for r in cj3["records"]} == {"general"}


def test_clean_company_gets_the_green_channel(client: RecordingClient, sw: ScreeningWorld) -> None:
    clean = clean_company(sw)
    sw.world.session.commit()
    out = _screen(client, sw, clean.name, "行政许可", who="scjg_iu")
    assert out["decision"] == "incentive"
    assert _codes(out["measures"]) == ["JL-001", "JL-002"]
    assert all(m["clean"] for m in out["measures"])
    assert out["clean"] is True
    # The penalised company is not clean: CJ-003 (warn), no incentive.
    out = _screen(client, sw, str(sw.company.uscc), "行政许可", who="scjg_iu")
    assert out["decision"] == "warn" and out["clean"] is False


def test_revoked_record_is_suspended_and_repaired_triggers_nothing(
    client: RecordingClient, sw: ScreeningWorld
) -> None:
    session: Session = sw.world.session
    general = [
        r for r in sw.world.records.values() if r.severity is not None and r.severity.value == "general"
    ]
    ids = [r.id for r in general]
    session.execute(update(CreditRecord).where(CreditRecord.id.in_(ids)).values(status=RecordStatus.revoked))
    session.commit()
    out = _screen(client, sw, str(sw.company.uscc), "supervision", who="scjg_iu")
    assert out["decision"] == "pass"
    assert {(s["code"], s["reason"]) for s in out["suspended"]} == {("CJ-003", "revoked")}
    assert {s["record"]["id"] for s in out["suspended"]} == set(ids)
    session.execute(update(CreditRecord).where(CreditRecord.id.in_(ids)).values(status=RecordStatus.repaired))
    session.commit()
    out = _screen(client, sw, str(sw.company.uscc), "supervision", who="scjg_iu")
    assert out["decision"] == "pass"
    assert out["measures"] == [] and out["suspended"] == []


def test_stored_screening_verifies_and_fails_when_altered(
    client: RecordingClient, sw: ScreeningWorld
) -> None:
    black_entry(sw, sw.company)
    sw.world.session.commit()
    out = _screen(client, sw, str(sw.company.uscc))
    headers = bearer(sw.world, "cz")
    stored = client.get(f"/api/v1/screenings/{out['id']}", headers=headers)
    assert stored.status_code == 200
    assert stored.json() == out
    check = client.get(f"/api/v1/screenings/{out['id']}/verification", headers=headers).json()
    assert check["status"] == "valid" and check["valid"] is True
    session = sw.world.session
    row = session.get(Screening, out["id"])
    assert row is not None
    altered = dict(row.result) | {"decision": "pass", "decision_label": "通过"}
    session.execute(update(Screening).where(Screening.id == row.id).values(result=altered))
    session.commit()
    check = client.get(f"/api/v1/screenings/{out['id']}/verification", headers=headers).json()
    assert check["status"] == "altered" and check["valid"] is False


def test_screening_writes_the_query_log(client: RecordingClient, sw: ScreeningWorld) -> None:
    out = _screen(client, sw, str(sw.company.uscc))
    [entry] = query_log(sw.world.session, target=f"screening:{out['number']}")
    assert entry.allowed and entry.purpose == "政府采购"
    assert entry.subject_id == sw.company.id
    assert entry.department_id == sw.depts["cz"].id
    row = sw.world.session.scalars(select(Screening).where(Screening.id == out["id"])).one()
    assert row.username == "cz" and row.purpose == "政府采购" and row.scenario == GP
    assert row.request["identifier"] == sw.company.uscc


def test_department_outside_the_scenario_is_refused_and_logged(
    client: RecordingClient, sw: ScreeningWorld
) -> None:
    r = client.post(
        "/api/v1/screening",
        json={"identifier": sw.company.uscc, "scenario": "政府采购"},
        headers=bearer(sw.world, "sw"),
    )
    assert r.status_code == 403
    assert r.json()["code"] == "SCREENING_SCENARIO_NOT_YOURS"
    refused = query_log(sw.world.session, username="sw", allowed=False)
    assert refused and refused[-1].subject_id == sw.company.id
    assert sw.world.session.scalar(select(Screening.id).where(Screening.username == "sw")) is None


def test_unknown_subject_404_and_ambiguous_name_409(client: RecordingClient, sw: ScreeningWorld) -> None:
    r = client.post(
        "/api/v1/screening",
        json={"identifier": "不存在的公司", "scenario": GP},
        headers=bearer(sw.world, "cz"),
    )
    assert r.status_code == 404 and r.json()["code"] == "SCREENING_SUBJECT_NOT_FOUND"
    assert query_log(sw.world.session, username="cz", allowed=False)
    clean_company(sw, name=sw.company.name + " ")  # same normalised name, another code
    sw.world.session.commit()
    r = client.post(
        "/api/v1/screening",
        json={"identifier": sw.company.name, "scenario": GP},
        headers=bearer(sw.world, "cz"),
    )
    assert r.status_code == 409 and r.json()["code"] == "SCREENING_NAME_AMBIGUOUS"


def test_bad_input_is_4xx(client: RecordingClient, sw: ScreeningWorld) -> None:
    headers = bearer(sw.world, "cz")
    r = client.post("/api/v1/screening", json={"identifier": "x", "scenario": "月球采购"}, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "SCREENING_SCENARIO_UNKNOWN"
    body = {"identifier": sw.company.uscc, "scenario": GP, "purpose": "好奇"}
    r = client.post("/api/v1/screening", json=body, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "QUERY_PURPOSE_REQUIRED"
    bad_code = str(sw.company.uscc)[:-1] + ("0" if str(sw.company.uscc)[-1] != "0" else "1")
    r = client.post("/api/v1/screening", json={"identifier": bad_code, "scenario": GP}, headers=headers)
    assert r.status_code == 422


def test_citizen_id_is_resolved_and_masked_in_the_request(
    client: RecordingClient, sw: ScreeningWorld
) -> None:
    from secworld import PERSON_RIC

    out = _screen(client, sw, PERSON_RIC, "recruitment", who="admin", purpose="人员录用")
    assert sw.world.person is not None
    assert out["subject"]["id"] == sw.world.person.id
    row = sw.world.session.get(Screening, out["id"])
    assert row is not None and PERSON_RIC not in str(row.request)


def test_stored_screening_is_only_its_departments(client: RecordingClient, sw: ScreeningWorld) -> None:
    out = _screen(client, sw, str(sw.company.uscc))
    for who in ("scjg_iu", "sw"):
        r = client.get(f"/api/v1/screenings/{out['id']}", headers=bearer(sw.world, who))
        assert r.status_code == 404 and r.json()["code"] == "SCREENING_NOT_FOUND"
        r = client.get(f"/api/v1/screenings/{out['id']}/verification", headers=bearer(sw.world, who))
        assert r.status_code == 404
        assert client.get("/api/v1/screenings", headers=bearer(sw.world, who)).json()["total"] == 0
    assert client.get(f"/api/v1/screenings/{out['id']}", headers=bearer(sw.world, "admin")).status_code == 200
    listing = client.get("/api/v1/screenings", headers=bearer(sw.world, "cz")).json()
    assert listing["total"] == 1 and listing["items"][0]["number"] == out["number"]
    assert client.get("/api/v1/screenings/999999", headers=bearer(sw.world, "cz")).status_code == 404
    assert sw.world.session.scalar(select(QueryLogEntry.id).where(QueryLogEntry.username == "sw")) is None


def test_old_organisation_code_resolves_through_the_conversion(
    client: RecordingClient, sw: ScreeningWorld
) -> None:
    black_entry(sw, sw.company)
    sw.world.session.commit()
    org_code = ids.org_code_of_uscc(str(sw.company.uscc))
    out = _screen(client, sw, org_code[:8] + "-" + org_code[8:])
    assert out["subject"]["id"] == sw.company.id and out["decision"] == "prohibit"
