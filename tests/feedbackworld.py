"""A world for the feedback tests: the security world (tests/secworld.py: a city, two counties, a company in
county A) plus the implementing departments the default measures name, their accounts, and published
list entries made directly (the lifecycle service is another module's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from xinyong.catalog.lists_service import current_lists
from xinyong.config import Settings
from xinyong.kit.clock import CHINA_TZ
from xinyong.models import Department, ListEntry, Subject
from xinyong.models.lists import EntryState, ListKind
from xinyong.security.accounts import create_user, issue_token
from xinyong.security.roles import Role

from secworld import CITY, COUNTY_A, COUNTY_B, World, password_hash


@dataclass
class FeedbackWorld:
    world: World
    depts: dict[str, Department]


def _dept(session: Session, code: str, name: str, kind: str, region: str, level: str) -> Department:
    dept = Department(code=code, name=name, kind=kind, region_code=region, level=level)
    session.add(dept)
    session.flush()
    return dept


def _account(world: World, username: str, role: Role, dept: Department) -> None:
    user = create_user(
        world.session,
        username=username,
        display_name=username,
        roles=[role],
        password=None,
        actor="test",
        clock=world.clock,
        department_code=dept.code,
    )
    user.password_hash = password_hash()
    issued = issue_token(
        world.session,
        username=username,
        name="test",
        scopes=None,
        days=30,
        settings=Settings(),
        actor="t",
        clock=world.clock,
    )
    world.tokens[username] = issued.token


def add_departments(world: World) -> FeedbackWorld:
    """Implementing departments: 财政 at city and both counties, the city's 公共资源交易中心, a stopped
    city 发展改革委, and accounts ``cz_city`` / ``cz_a`` / ``cz_b`` (implementing units)."""
    s = world.session
    depts = {
        "cz_city": _dept(s, f"{CITY}-CZ", "盐城市财政局", "财政", CITY, "city"),
        "cz_a": _dept(s, f"{COUNTY_A}-CZ", "亭湖区财政局", "财政", COUNTY_A, "county"),
        "cz_b": _dept(s, f"{COUNTY_B}-CZ", "盐都区财政局", "财政", COUNTY_B, "county"),
        "ggzy": _dept(s, f"{CITY}-GGZY", "盐城市公共资源交易中心", "公共资源交易", CITY, "city"),
        "fg_off": _dept(s, f"{CITY}-FG", "盐城市发展和改革委员会", "发展改革", CITY, "city"),
    }
    depts["fg_off"].active = False
    for key in ("cz_city", "cz_a", "cz_b"):
        _account(world, key, Role.implementing_unit, depts[key])
    s.commit()
    return FeedbackWorld(world, depts)


def make_entry(
    session: Session,
    subject: Subject,
    initiator: Department,
    *,
    published: dt.date,
    scope_code: str = "SX-001",
    number: str = "HMD-2026-000001",
) -> ListEntry:
    """A published black-list entry made directly, as the lifecycle would leave it."""
    lists = current_lists(session)
    at = dt.datetime.combine(published, dt.time(10, 0), tzinfo=CHINA_TZ)
    entry = ListEntry(
        number=number,
        list_kind=lists.scopes[scope_code].list_kind,
        scope_id=lists.scope_ids[scope_code],
        scope_code=scope_code,
        subject_id=subject.id,
        initiating_dept_id=initiator.id,
        state=EntryState.published,
        doc_kind="penalty_decision",
        doc_no="盐市监罚〔2026〕88号",
        doc_date=published - dt.timedelta(days=30),
        doc_issuer=initiator.name,
        reason="销售不符合食品安全标准的食品，情节严重",
        leniency=[],
        period_start=published,
        period_end=published.replace(year=published.year + 3),
        proposed_at=at - dt.timedelta(days=20),
        decided_at=at - dt.timedelta(days=1),
        published_at=at,
        created_by="test",
        updated_at=at,
    )
    if entry.list_kind is ListKind.red:
        entry.doc_kind = "honour_decision"
    session.add(entry)
    session.flush()
    return entry
