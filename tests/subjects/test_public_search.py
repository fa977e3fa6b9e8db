"""The public search (/api/v1/public/subjects): a USCC, an old registration number or an organisation
code resolves through subjects.service.resolve (新旧码转换); names match after normalisation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from xinyong.app import create_app
from xinyong.config import Settings
from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import SubjectKind
from xinyong.subjects import service

from conftest import Database


def _uscc(body: str) -> str:
    org = body + ids.calc_org_check(body)
    return "91320902" + org + ids.calc_uscc_check("91320902" + org)


CODE = _uscc("MA1XYW12")
REG_NO = "32090200012345" + ids.calc_reg_no_check("32090200012345")
OLD_ORG = "12345678" + ids.calc_org_check("12345678")
PERSON_RIC = "32090219900307991" + ids.calc_ric_check("32090219900307991")


@pytest.fixture
def client(
    database: Database,
    sessions: sessionmaker[Session],
    session: Session,
    clock: FixedClock,
    cipher: PersonalDataCipher,
) -> Iterator[TestClient]:
    service.register_organisation(
        session,
        kind=SubjectKind.legal_person,
        name="盐城市恒通建设工程有限公司",
        uscc=CODE,
        actor="t",
        clock=clock,
        old_reg_no=REG_NO,
        old_org_code=OLD_ORG,
    )
    service.register_organisation(
        session,
        kind=SubjectKind.legal_person,
        name="盐城市华美食品有限公司",
        uscc=_uscc("MA1XYW13"),
        actor="t",
        clock=clock,
    )
    service.register_person(session, name="王某明", ric=PERSON_RIC, cipher=cipher, actor="t", clock=clock)
    session.commit()
    app = create_app(Settings(database_url=database.url), engine=database.engine)
    app.state.sessions = sessions
    with TestClient(app) as c:
        yield c


def _names(client: TestClient, q: str) -> list[str]:
    response = client.get("/api/v1/public/subjects", params={"q": q})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["subjects"])
    return [s["name"] for s in body["subjects"]]


@pytest.mark.parametrize(
    "q",
    [
        CODE,
        CODE.lower(),
        REG_NO,  # 15-digit registration number
        OLD_ORG,  # 9-character organisation code
        OLD_ORG[:8] + "-" + OLD_ORG[8],  # with its hyphen
        CODE[8:17],  # the organisation code inside the USCC
    ],
)
def test_codes_old_and_new_find_the_organisation(client: TestClient, q: str) -> None:
    assert _names(client, q) == ["盐城市恒通建设工程有限公司"]


def test_unknown_valid_code_finds_nothing(client: TestClient) -> None:
    assert _names(client, _uscc("MA1XYW14")) == []
    other_reg = "32090200099999" + ids.calc_reg_no_check("32090200099999")
    assert _names(client, other_reg) == []


def test_names_still_search_by_normalised_name(client: TestClient) -> None:
    assert _names(client, "鹽城市華美食品有限公司") == ["盐城市华美食品有限公司"]
    assert _names(client, "盐城市") == ["盐城市华美食品有限公司", "盐城市恒通建设工程有限公司"]


def test_one_and_two_character_queries_are_searches(client: TestClient) -> None:
    """A public portal's commonest queries are a 字号's one or two characters (issue 11)."""
    assert _names(client, "华") == ["盐城市华美食品有限公司"]
    assert _names(client, "華美") == ["盐城市华美食品有限公司"]


def test_a_citizen_id_is_never_a_public_query(client: TestClient) -> None:
    assert _names(client, PERSON_RIC) == []
    assert _names(client, "王某明") == []


def test_a_full_width_code_finds_the_organisation(client: TestClient) -> None:
    """Typed with a Chinese input method: full-width digits and letters are read as half-width."""
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in CODE)
    assert _names(client, full_width) == ["盐城市恒通建设工程有限公司"]
    checked = client.get("/api/v1/ids/check", params={"code": full_width}).json()
    assert checked["valid"] and checked["value"] == CODE


def test_the_total_is_true_and_pages_follow_it(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """60 trading companies: the total counts all of them (it stopped at 50), pages of 20 cover them once,
    the exact name comes first, and a company held as 待核验 is not listed."""
    for n in range(60):
        service.register_organisation(
            session,
            kind=SubjectKind.legal_person,
            name=f"亭湖测试贸易有限公司{n:02d}",
            uscc=_uscc(f"MA1XW{n:03d}"),
            actor="t",
            clock=clock,
        )
    exact = service.register_organisation(
        session,
        kind=SubjectKind.legal_person,
        name="测试贸易",
        uscc=_uscc("MA1XW900"),
        actor="t",
        clock=clock,
    )
    held = service.register_organisation(
        session,
        kind=SubjectKind.legal_person,
        name="未核验测试贸易有限公司",
        uscc=_uscc("MA1XW901"),
        actor="t",
        clock=clock,
    )
    held.verified = False
    session.commit()
    seen: list[str] = []
    for offset in (0, 20, 40, 60):
        body = client.get("/api/v1/public/subjects", params={"q": "测试贸易", "offset": offset}).json()
        assert body["total"] == 61
        seen += [s["name"] for s in body["subjects"]]
    assert seen[0] == exact.name and len(seen) == len(set(seen)) == 61
    assert "未核验测试贸易有限公司" not in seen
