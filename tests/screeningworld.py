"""A world for the screening tests: the security world (tests/secworld.py: a city, two counties, a company in
county A with 一般 and 轻微 penalties) plus implementing departments (财政, 市场监管, 税务) with their
accounts, list entries and objections made directly as rows (the lifecycle is another module's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from xinyong.catalog.lists_service import current_lists
from xinyong.config import Settings
from xinyong.kit.clock import CHINA_TZ
from xinyong.models import Department, ListEntry, Subject
from xinyong.models.lists import EntryState, ListKind, Objection, ObjectionStatus, ObjectionTarget
from xinyong.models.subjects import SubjectKind
from xinyong.security.accounts import create_user, issue_token
from xinyong.security.roles import Role
from xinyong.subjects.service import register_organisation

from secworld import CITY, COUNTY_A, World, password_hash, uscc

#: The screening accounts: username -> (department key, role).
SCREENERS = {"cz": "cz", "scjg_iu": "scjg", "sw": "sw"}


@dataclass
class ScreeningWorld:
    world: World
    depts: dict[str, Department]

    @property
    def company(self) -> Subject:
        assert self.world.company is not None
        return self.world.company


def _dept(session: Session, code: str, name: str, kind: str) -> Department:
    dept = Department(code=code, name=name, kind=kind, region_code=CITY, level="city")
    session.add(dept)
    session.flush()
    return dept


def add_screeners(world: World) -> ScreeningWorld:
    """财政局 (CJ-001, CJ-002, JL-002), 市场监管局 (CJ-003, JL-001) and 税务局 (no measure) of the city, each
    with an implementing-unit account and a token."""
    s = world.session
    depts = {
        "cz": _dept(s, f"{CITY}-CZ", "盐城市财政局", "财政"),
        "scjg": _dept(s, f"{CITY}-SCJG", "盐城市市场监督管理局", "市场监管"),
        "sw": _dept(s, f"{CITY}-SW", "盐城市税务局", "税务"),
    }
    for username, key in SCREENERS.items():
        user = create_user(
            s, username=username, display_name=username, roles=[Role.implementing_unit], password=None,
            actor="test", clock=world.clock, department_code=depts[key].code,
        )  # fmt: skip
        user.password_hash = password_hash()
        issued = issue_token(
            s, username=username, name="test", scopes=None, days=30, settings=Settings(), actor="t",
            clock=world.clock,
        )  # fmt: skip
        world.tokens[username] = issued.token
    s.commit()
    return ScreeningWorld(world, depts)


def black_entry(
    sw: ScreeningWorld,
    subject: Subject,
    *,
    state: EntryState = EntryState.published,
    period_end: dt.date = dt.date(2028, 12, 31),
    number: str = "HMD-2026-000001",
    scope: str = "SX-001",
    list_kind: ListKind = ListKind.black,
) -> ListEntry:
    """A list entry of ``scope`` (default the black list's SX-001), published unless told otherwise."""
    session = sw.world.session
    lists = current_lists(session)
    at = dt.datetime(2026, 1, 10, 9, tzinfo=CHINA_TZ)
    entry = ListEntry(
        number=number, list_kind=list_kind, scope_id=lists.scope_ids[scope], scope_code=scope,
        subject_id=subject.id, initiating_dept_id=sw.world.depts["a"].id, state=state,
        doc_kind="penalty_decision", doc_no="盐市监罚〔2026〕7号", doc_date=dt.date(2026, 1, 5),
        doc_issuer="亭湖区市场监督管理局", reason="严重违法失信", leniency=[],
        period_start=dt.date(2026, 1, 10), period_end=period_end, proposed_at=at,
        published_at=at if state is EntryState.published else None,
        created_by="test",
    )  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


def objection(sw: ScreeningWorld, target: ObjectionTarget, target_id: int, subject: Subject) -> Objection:
    """An open objection (异议处理中) against a record or an entry."""
    row = Objection(
        target_kind=target, target_id=target_id, subject_id=subject.id, dept_id=sw.world.depts["a"].id,
        status=ObjectionStatus.open, reason="认定事实有误",
        filed_at=dt.datetime(2026, 3, 1, 9, tzinfo=CHINA_TZ), filed_by="company",
    )  # fmt: skip
    sw.world.session.add(row)
    sw.world.session.flush()
    return row


def clean_company(
    sw: ScreeningWorld, name: str = "盐城市守信示范科技有限公司", body: str = "MA1XYC01"
) -> Subject:
    """A company with no record at all (``body``: the 8 characters its organisation code starts with)."""
    return register_organisation(
        sw.world.session, kind=SubjectKind.legal_person, name=name, uscc=uscc(body, COUNTY_A),
        actor="test", clock=sw.world.clock, region_code=COUNTY_A,
    )  # fmt: skip


def other_city_office(world: World) -> None:
    """南京市 信用办 with a platform administrator (another city's credit office)."""
    s = world.session
    s.add(
        Department(code="320100-XYB", name="南京市信用办", kind="信用办", region_code="320100", level="city")
    )
    s.flush()
    create_user(
        s, username="nj_admin", display_name="nj_admin", roles=[Role.platform_admin], password=None,
        actor="test", clock=world.clock, department_code="320100-XYB",
    )  # fmt: skip
    issued = issue_token(
        s, username="nj_admin", name="test", scopes=None, days=30, settings=Settings(), actor="t",
        clock=world.clock,
    )  # fmt: skip
    world.tokens["nj_admin"] = issued.token
    s.commit()
