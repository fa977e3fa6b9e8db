"""A small world for the security and credit-file tests (tests/security, tests/files): two counties of one
city, their departments, accounts of every role, a company and a person with records public and not, and
an app whose every response is recorded."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.app import create_app
from xinyong.catalog.schema import default_catalog_path
from xinyong.catalog.service import import_catalog
from xinyong.config import Settings
from xinyong.ingest.service import submit_record
from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import CreditRecord, Department, QueryLogEntry, Subject
from xinyong.models.subjects import SubjectKind
from xinyong.security.accounts import create_user, hash_password, issue_token
from xinyong.security.roles import Role
from xinyong.subjects.service import register_organisation, register_person

from conftest import Database

CITY, COUNTY_A, COUNTY_B = "320900", "320902", "320903"
PASSWORD = "correct-horse-battery"
TODAY = dt.datetime(2026, 3, 16, 10, 0)


def uscc(org_body: str, region: str) -> str:
    org = org_body + ids.calc_org_check(org_body)
    return "91" + region + org + ids.calc_uscc_check("91" + region + org)


def ric(body17: str) -> str:
    return body17 + ids.calc_ric_check(body17)


PERSON_RIC = ric("32090219850312991")
#: The deciding authority named in the world's penalties.
AUTHORITY_USCC = uscc("MB1XY001", COUNTY_A)
#: A department's stated purpose and legal basis for reading non-public data.
PURPOSE = {"purpose": "日常监管", "legal_basis": "《江苏省社会信用条例》第三十条"}
# The leak detector is deliberately independent of kit.ids (the code it checks) and broader: any run of
# 17 digits + digit/X (no date or checksum test), letters may touch it (only a lowercase hex digit before
# it is excluded, so hex digests do not count); any 1[3-9] + 9 digits with optional +86, spaces or
# hyphens. Full-width characters are folded by Unicode NFKC first.
RIC_PATTERN = re.compile(r"(?<![0-9a-f])[0-9]{17}[0-9Xx](?![0-9])")
PHONE_PATTERN = re.compile(r"(?<![0-9a-f])(?:\+?86[ -]?)?1[3-9](?:[ -]?[0-9]){9}(?![0-9])")


def unmasked_rics(text: str) -> list[str]:
    """Everything in ``text`` that looks like a citizen ID or a mobile number written out in full."""
    folded = unicodedata.normalize("NFKC", text)
    return RIC_PATTERN.findall(folded) + PHONE_PATTERN.findall(folded)


@functools.cache
def password_hash() -> str:
    """The argon2 hash of ``PASSWORD``, computed once: hashing is slow on purpose (about a second here),
    and every account of every world has the same password."""
    return hash_password(PASSWORD)


@dataclass
class World:
    session: Session
    clock: FixedClock
    cipher: PersonalDataCipher
    depts: dict[str, Department] = field(default_factory=dict)
    company: Subject | None = None
    person: Subject | None = None
    records: dict[str, CreditRecord] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def _dept(session: Session, code: str, name: str, kind: str, region: str, level: str) -> Department:
    dept = Department(code=code, name=name, kind=kind, region_code=region, level=level)
    session.add(dept)
    session.flush()
    return dept


def _penalty(
    world: World,
    key: str,
    dept: Department,
    kind: str,
    decided: dt.date,
    violation: str = "未按规定公示年度报告",
) -> None:
    assert world.company is not None
    data: dict[str, Any] = {
        "subject_name": world.company.name,
        "subject_id": world.company.uscc,
        "source_record_id": f"{dept.code}-{key}",
        "decision_no": f"盐市监罚〔{decided.year}〕{len(world.records) + 1}号",
        "decision_date": decided.isoformat(),
        "penalty_kind": kind,
        "violation": violation,
        "violation_facts": "经查，当事人未按规定期限公示年度报告",
        "legal_basis_text": "《企业信息公示暂行条例》第十八条",
        "penalty_content": kind,
        "authority_name": dept.name,
        "authority_id": AUTHORITY_USCC,
    }
    world.records[key] = submit_record(
        world.session,
        data,
        item_code="CF-001",
        dept_code=dept.code,
        received_on=decided + dt.timedelta(days=3),
        actor="test",
        clock=world.clock,
        cipher=world.cipher,
    )


def build_world(session: Session, clock: FixedClock, cipher: PersonalDataCipher) -> World:
    import_catalog(session, default_catalog_path().read_text(encoding="utf-8"), actor="test")
    w = World(session, clock, cipher)
    w.depts["city"] = _dept(session, f"{CITY}-XYB", "盐城市信用办", "信用办", CITY, "city")
    w.depts["a"] = _dept(session, f"{COUNTY_A}-SCJG", "亭湖区市场监督管理局", "市场监管", COUNTY_A, "county")
    w.depts["b"] = _dept(session, f"{COUNTY_B}-SCJG", "盐都区市场监督管理局", "市场监管", COUNTY_B, "county")
    w.depts["b_rs"] = _dept(
        session, f"{COUNTY_B}-RS", "盐都区人力资源和社会保障局", "人力资源社会保障", COUNTY_B, "county"
    )
    w.company = register_organisation(
        session,
        kind=SubjectKind.legal_person,
        name="盐城市示范商贸有限公司",
        uscc=uscc("MA1XYW12", COUNTY_A),
        actor="test",
        clock=clock,
        region_code=COUNTY_A,
    )
    w.person = register_person(
        session, name="王某明", ric=PERSON_RIC, phone="13812345678", cipher=cipher, actor="test", clock=clock
    )
    # A public penalty (一般, in its window), a minor one in county A (not published), one in county B.
    # Its text quotes a citizen ID and a mobile number, as real decisions do: both must go out masked.
    quoted = f"法定代表人王某明（公民身份号码{PERSON_RIC}，电话13812345678）未按规定公示年度报告"
    _penalty(w, "a_public", w.depts["a"], "罚款(较大数额)", dt.date(2026, 1, 5), quoted)
    _penalty(w, "a_private", w.depts["a"], "警告", dt.date(2026, 2, 2))
    _penalty(w, "b_private", w.depts["b"], "警告", dt.date(2026, 2, 9))
    # The person's professional qualification: 授权查询, carries the citizen ID.
    qual = {
        "subject_name": "王某明",
        "subject_id": PERSON_RIC,
        "source_record_id": f"{COUNTY_B}-RS-Q1",
        "decision_no": "ZG2025001",
        "decision_date": "2025-06-01",
        "qualification_name": "注册会计师",
        "qualification_class": "准入类",
        "issuing_authority": "江苏省注册会计师协会",
        "qualification_status": "有效",
    }
    w.records["person_qual"] = submit_record(
        session,
        qual,
        item_code="ZG-001",
        dept_code=w.depts["b_rs"].code,
        received_on=dt.date(2025, 6, 5),
        actor="test",
        clock=clock,
        cipher=cipher,
    )
    _accounts(w, w.company, w.person)
    session.commit()
    return w


def _accounts(w: World, company: Subject, person: Subject) -> None:
    """One account of every role, each with a 30-day token of all its scopes."""
    accounts: list[tuple[str, Role, str | None, int | None]] = [
        ("admin", Role.platform_admin, "city", None),
        ("operator_a", Role.dept_operator, "a", None),
        ("clerk_a", Role.dept_reviewer, "a", None),
        ("clerk_b", Role.dept_reviewer, "b", None),
        ("checker", Role.implementing_unit, "city", None),
        ("auditor", Role.auditor, "city", None),
        ("company", Role.subject, None, company.id),
        ("person", Role.subject, None, person.id),
        ("agency", Role.agency, None, None),
    ]
    settings = Settings()
    for username, role, dept_key, subject_id in accounts:
        user = create_user(
            w.session,
            username=username,
            display_name=username,
            roles=[role],
            password=None,
            actor="test",
            clock=w.clock,
            department_code=w.depts[dept_key].code if dept_key else None,
            subject_id=subject_id,
        )
        user.password_hash = password_hash()
        issued = issue_token(
            w.session,
            username=username,
            name="test",
            scopes=None,
            days=30,
            settings=settings,
            actor="t",
            clock=w.clock,
        )
        w.tokens[username] = issued.token


class RecordingClient(TestClient):
    """A test client that keeps every response, and which caller got it (anonymous, or the account
    whose token was sent), so the fixture can search every public and agency body afterwards."""

    def __init__(self, *args: Any, token_owner: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token_owner = token_owner or {}
        self.responses: list[tuple[str, str, httpx.Response]] = []
        #: The account a web login signed in (the session cookie's owner).
        self.session_owner = "session"

    def request(self, method: str, url: httpx.URL | str, *args: Any, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = super().request(method, url, *args, **kwargs)
        auth = str((kwargs.get("headers") or {}).get("Authorization", ""))
        caller = self.token_owner.get(auth.removeprefix("Bearer "), "anonymous" if not auth else "unknown")
        if self.cookies.get("xy_session") and not auth:
            caller = self.session_owner
        self.responses.append((caller, f"{method} {url}", response))
        form = kwargs.get("data")
        signed_in = response.status_code == 303 and str(url).endswith("/login") and method.upper() == "POST"
        if signed_in and isinstance(form, dict):
            self.session_owner = str(form.get("username", "session"))
        return response

    def leaks(self, callers: set[str]) -> list[tuple[str, list[str]]]:
        """(call, unmasked citizen IDs and mobile numbers) for every recorded response to one of ``callers``
        (a caller is the token's account, ``anonymous``, or the account signed in by a web login)."""
        found = []
        for caller, call, response in self.responses:
            if caller in callers:
                hits = unmasked_rics(response.text) + unmasked_rics(str(response.headers))
                if hits:
                    found.append((call, hits))
        return found


def make_client(
    database: Database,
    sessions: sessionmaker[Session],
    clock: FixedClock,
    cipher: PersonalDataCipher,
    token_owner: dict[str, str] | None = None,
    **settings: Any,
) -> RecordingClient:
    app = create_app(Settings(database_url=database.url, **settings), engine=database.engine, clock=clock)
    app.state.sessions = sessions
    app.state.cipher = cipher
    return RecordingClient(app, token_owner=token_owner or {})


@pytest.fixture
def world(session: Session, cipher: PersonalDataCipher) -> World:
    return build_world(session, FixedClock(TODAY), cipher)


@pytest.fixture
def client(
    world: World, database: Database, sessions: sessionmaker[Session], cipher: PersonalDataCipher
) -> Iterator[RecordingClient]:
    owners = {token: username for username, token in world.tokens.items()}
    with make_client(database, sessions, world.clock, cipher, owners) as c:
        yield c
    # Every test that used this client: no public or agency response may carry a full citizen ID.
    leaked = c.leaks({"anonymous", "agency"})
    assert leaked == [], f"unmasked citizen ID or mobile number in a public or agency response: {leaked}"


def bearer(world: World, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[username]}"}


def query_log(session: Session, **where: object) -> list[QueryLogEntry]:
    """Query-log entries matching ``where`` (column = value), oldest first."""
    stmt = select(QueryLogEntry).order_by(QueryLogEntry.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(QueryLogEntry, name) == value)
    return list(session.scalars(stmt))
