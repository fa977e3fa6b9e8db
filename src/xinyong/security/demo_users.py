"""Demo accounts, one per role, so a newcomer can log in and see each view. Development only: the
password is published (README, ``xinyong demo``), so they are never created in production, and a
production platform refuses to start while one of them can still log in with it
(:func:`refuse_demo_accounts`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.departments.service import list_departments
from xinyong.kit.clock import Clock
from xinyong.kit.errors import DomainError
from xinyong.security import repository
from xinyong.security.accounts import create_user, password_matches
from xinyong.security.roles import Role

DEMO_PASSWORD = "xinyong-demo-2026"
#: The user names ``load_demo_users`` may create.
DEMO_USERNAMES: tuple[str, ...] = (
    "admin",
    "city-scjg",
    "city-reviewer",
    "city-cz",
    "auditor",
    "county-clerk",
    "company",
    "agency",
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    what: str


def load_demo_users(session: Session, *, settings: Settings, actor: str, clock: Clock) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; returns every demo account."""
    if settings.environment == "production":
        raise DomainError("生产模式下不创建演示账户", code="DEMO_IN_PRODUCTION", status=400)
    city = settings.platform_region
    depts = {d.code for d in list_departments(session)}
    county = sorted(c for c in depts if not c.startswith(city) and c.endswith("-SCJG"))
    company = repository.first_legal_person(session)
    plan: list[tuple[str, str, Role, str | None, int | None, str]] = [
        ("admin", "信用办管理员", Role.platform_admin, f"{city}-XYB", None, "市信用办，全市数据范围"),
        (
            "city-scjg",
            "市市场监管局报送员",
            Role.dept_operator,
            f"{city}-SCJG",
            None,
            "市级部门，全市数据范围",
        ),
        (
            "city-reviewer",
            "市市场监管局审核员",
            Role.dept_reviewer,
            f"{city}-SCJG",
            None,
            "全市数据范围；发起、告知、认定红黑名单",
        ),
        ("city-cz", "市财政局采购监管科", Role.implementing_unit, f"{city}-CZ", None, "联合奖惩核查与反馈"),
        ("auditor", "审计员", Role.auditor, f"{city}-XYB", None, "检索查询使用登记"),
    ]
    if county:
        plan.append(
            ("county-clerk", "区县市场监管局审核员", Role.dept_reviewer, county[0], None, "只看本区县")
        )
    if company:
        plan.append(("company", f"{company.name}经办人", Role.subject, None, company.id, "本企业信用档案"))
    plan.append(("agency", "示范信用评级有限公司", Role.agency, None, None, "须经主体授权方可查询"))
    accounts: list[DemoAccount] = []
    for username, name, role, dept, subject_id, what in plan:
        if dept is not None and dept not in depts:
            continue
        if not repository.username_taken(session, username):
            create_user(
                session,
                username=username,
                display_name=name,
                roles=[role],
                password=DEMO_PASSWORD,
                actor=actor,
                clock=clock,
                department_code=dept,
                subject_id=subject_id,
            )
        accounts.append(DemoAccount(username, role, what))
    return accounts


def live_demo_accounts(session: Session) -> list[str]:
    """The demo accounts that are active and still have the published demo password."""
    live = []
    for username in DEMO_USERNAMES:
        user = repository.user_by_username(session, username)
        if user is not None and user.active and password_matches(user, DEMO_PASSWORD):
            live.append(username)
    return live


def refuse_demo_accounts(session: Session, settings: Settings) -> None:
    """In production, refuse (``DEMO_ACCOUNTS_IN_PRODUCTION``) while a demo account can log in."""
    if settings.environment != "production":
        return
    live = live_demo_accounts(session)
    if live:
        raise DomainError(
            f"生产模式下不得保留可登录的演示账户：{'、'.join(live)}。"
            f"请先停用（xinyong users disable 用户名），或改用新的账户",
            code="DEMO_ACCOUNTS_IN_PRODUCTION",
            status=500,
            details={"accounts": live},
        )
