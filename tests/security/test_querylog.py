"""querylog.guarded_read, the one gate of a read of non-public data: purpose, then the route's check, then
the log entry; every refusal on the way logged and kept."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from xinyong.kit.clock import as_aware
from xinyong.kit.errors import DomainError
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.querylog import Access, Denied, Stated
from xinyong.security.roles import Purpose, Role, scopes_of

from secworld import World, query_log, world  # noqa: F401

CLERK = Principal(
    username="clerk_a", scopes=scopes_of([Role.dept_reviewer]), roles=frozenset({Role.dept_reviewer})
)
BASIS = "《江苏省社会信用条例》第三十条"


def _read(
    session: Session, world: World, why: Stated | Access, check: querylog.AccessCheck | None = None
) -> Access:
    return querylog.guarded_read(
        session, CLERK, subject_id=None, target="t", why=why, clock=world.clock, check=check
    )


def test_a_stated_purpose_is_checked_and_the_read_logged(world: World, session: Session) -> None:
    access = _read(session, world, Stated("日常监管", BASIS))
    assert access == Access(Purpose.supervision, BASIS)
    (entry,) = query_log(session, username="clerk_a")
    assert (entry.allowed, entry.purpose, entry.legal_basis) == (True, "日常监管", BASIS)
    assert as_aware(entry.at) == world.clock.now()


@pytest.mark.parametrize(
    ("stated", "code", "reason"),
    [
        (Stated(None, BASIS), "QUERY_PURPOSE_REQUIRED", "未说明查询用途"),
        (Stated("好奇", BASIS), "QUERY_PURPOSE_REQUIRED", "查询用途不在规定范围内：好奇"),
        (Stated("本人查询", BASIS), "QUERY_PURPOSE_NOT_ALLOWED", "查询用途不适用于当前账户：本人查询"),
        (Stated("日常监管", " "), "QUERY_LEGAL_BASIS_REQUIRED", "未写明查询依据"),
    ],
)
def test_a_bad_purpose_is_refused_logged_and_kept(
    world: World, session: Session, stated: Stated, code: str, reason: str
) -> None:
    with pytest.raises(DomainError) as caught:
        _read(session, world, stated)
    assert caught.value.code == code and caught.value.keep_changes
    (entry,) = query_log(session, username="clerk_a")
    assert not entry.allowed and entry.reason == reason


def test_the_check_refuses_with_its_own_code_and_the_stated_purpose_is_logged(
    world: World, session: Session
) -> None:
    def out_of_range(_access: Access) -> Access | Denied:
        return Denied("OUT_OF_DATA_RANGE", "不在数据范围内")

    with pytest.raises(DomainError) as caught:
        _read(session, world, Stated("日常监管", BASIS), out_of_range)
    assert (caught.value.code, caught.value.status, caught.value.keep_changes) == (
        "OUT_OF_DATA_RANGE",
        403,
        True,
    )
    (entry,) = query_log(session, username="clerk_a")
    assert (entry.allowed, entry.purpose, entry.legal_basis, entry.reason) == (
        False,
        "日常监管",
        BASIS,
        "不在数据范围内",
    )


def test_a_fixed_purpose_skips_the_statement_and_the_check_may_narrow_it(
    world: World, session: Session
) -> None:
    def grant(_access: Access) -> Access | Denied:
        return Access(Purpose.recruitment, "信用主体授权（授权编号 1）")

    access = _read(session, world, Access(Purpose.authorised_query), grant)
    assert access.purpose is Purpose.recruitment
    (entry,) = query_log(session, username="clerk_a")
    assert (entry.allowed, entry.purpose, entry.legal_basis) == (
        True,
        "人员录用",
        "信用主体授权（授权编号 1）",
    )
