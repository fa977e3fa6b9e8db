"""Stored checks and their proofs, beyond the department that ran them: a credit office reads the checks
of its own region's departments only, and the verification code covers who checked and whom."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from xinyong.models import Screening

from screeningworld import ScreeningWorld, add_screeners, other_city_office
from secworld import RecordingClient, World, bearer, client, world  # noqa: F401


@pytest.fixture
def sw(world: World) -> ScreeningWorld:
    return add_screeners(world)


def _screen(client: RecordingClient, sw: ScreeningWorld) -> dict[str, object]:
    body = {"identifier": str(sw.company.uscc), "scenario": "government_procurement"}
    r = client.post("/api/v1/screening", json=body, headers=bearer(sw.world, "cz"))
    assert r.status_code == 201, r.text
    out: dict[str, object] = r.json()
    return out


def test_a_credit_office_reads_its_own_regions_checks_only(
    client: RecordingClient, sw: ScreeningWorld
) -> None:
    other_city_office(sw.world)
    out = _screen(client, sw)
    mine = bearer(sw.world, "admin")
    theirs = bearer(sw.world, "nj_admin")
    assert client.get(f"/api/v1/screenings/{out['id']}", headers=mine).status_code == 200
    assert client.get("/api/v1/screenings", headers=mine).json()["total"] == 1
    refused = client.get(f"/api/v1/screenings/{out['id']}", headers=theirs)
    assert refused.status_code == 404 and refused.json()["code"] == "SCREENING_NOT_FOUND"
    assert client.get(f"/api/v1/screenings/{out['id']}/verification", headers=theirs).status_code == 404
    assert client.get("/api/v1/screenings", headers=theirs).json()["total"] == 0


@pytest.mark.parametrize("column", ["username", "department_id", "subject_id"])
def test_the_code_covers_who_checked_and_whom(
    client: RecordingClient, sw: ScreeningWorld, column: str
) -> None:
    assert sw.world.person is not None
    out = _screen(client, sw)
    url = f"/api/v1/screenings/{out['id']}/verification"
    headers = bearer(sw.world, "admin")
    assert client.get(url, headers=headers).json()["status"] == "valid"
    values = {
        "username": "someone-else",
        "department_id": sw.depts["scjg"].id,
        "subject_id": sw.world.person.id,
    }
    session = sw.world.session
    session.execute(update(Screening).where(Screening.id == out["id"]).values({column: values[column]}))
    session.commit()
    assert client.get(url, headers=headers).json()["status"] == "altered"
