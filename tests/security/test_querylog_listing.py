"""Two bugs a new user found (issue 10 item 10): the query-log total was 1 without filters, and an
unknown purpose was told "必须说明查询用途" instead of being told it is not an allowed purpose."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from xinyong.kit.errors import DomainError
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.querylog import Stated
from xinyong.security.roles import STAFF_PURPOSES, Purpose, Role, scopes_of
from xinyong.security.schemas import LogFilter

from secworld import RecordingClient, World, bearer, client, world  # noqa: F401

CLERK = Principal(
    username="clerk_a", scopes=scopes_of([Role.dept_reviewer]), roles=frozenset({Role.dept_reviewer})
)
BASIS = "《江苏省社会信用条例》第三十条"


def _read(session: Session, world: World, purpose: str | None) -> None:
    assert world.company is not None
    querylog.guarded_read(
        session,
        CLERK,
        subject_id=world.company.id,
        target="subject_file",
        why=Stated(purpose, BASIS),
        clock=world.clock,
    )


def test_the_total_counts_every_entry_without_a_filter(world: World, session: Session) -> None:
    for _ in range(3):
        _read(session, world, "日常监管")
    total, rows = querylog.search(session, LogFilter(), limit=2)
    assert total == 3 and len(rows) == 2
    assert querylog.search(session, LogFilter(username="clerk_a"))[0] == 3
    assert querylog.search(session, LogFilter(username="nobody"))[0] == 0


def test_the_auditors_listing_reports_the_real_total(
    world: World, session: Session, client: RecordingClient
) -> None:
    for _ in range(3):
        _read(session, world, "日常监管")
    session.commit()
    page = client.get("/api/v1/audit/query-log", params={"limit": 1}, headers=bearer(world, "auditor"))
    assert page.status_code == 200, page.text
    assert page.json()["total"] == 3 and len(page.json()["entries"]) == 1


def test_an_unknown_purpose_is_named_and_the_allowed_ones_listed(world: World, session: Session) -> None:
    with pytest.raises(DomainError) as caught:
        _read(session, world, "好奇")
    error = caught.value
    assert error.code == "QUERY_PURPOSE_REQUIRED" and error.keep_changes
    assert "必须说明" not in error.message
    assert error.message.startswith("查询用途“好奇”不是规定的查询用途之一；可选用途：")
    allowed = [p.value for p in Purpose if p in STAFF_PURPOSES]
    assert error.message.endswith("、".join(allowed))
    assert "本人查询" not in error.message  # only what this account may state
    assert error.details["purposes"] == allowed


def test_a_missing_purpose_is_still_asked_for(world: World, session: Session) -> None:
    with pytest.raises(DomainError) as caught:
        _read(session, world, None)
    assert caught.value.code == "QUERY_PURPOSE_REQUIRED"
    assert caught.value.message == "查询非公开信用信息必须说明查询用途"
