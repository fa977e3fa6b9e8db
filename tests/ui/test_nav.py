"""The navigation bar: each caller sees the sections its scopes open, and the page's section is marked."""

from __future__ import annotations

from xinyong.security.auth import Principal
from xinyong.security.roles import Role, scopes_of
from xinyong.ui.nav import nav_for


def _caller(role: Role) -> Principal:
    return Principal(
        username=role.value, scopes=scopes_of([role]), roles=frozenset({role}), via="session", user_id=1
    )


def _labels(role: Role, path: str = "/") -> list[str]:
    return [item.label for item in nav_for(_caller(role), path)]


def _current(role: Role, path: str) -> list[str]:
    return [item.label for item in nav_for(_caller(role), path) if item.current]


def test_each_role_sees_the_sections_it_may_open() -> None:
    public = ["首页", "信用查询", "信息目录", "红黑名单", "政策公告"]
    assert _labels(Role.public) == public
    assert _labels(Role.subject) == [*public, "我的信用"]
    assert _labels(Role.agency) == [*public, "授权查询"]
    assert _labels(Role.dept_operator) == [*public, "数据报送", "报送质量", "反馈率"]
    assert _labels(Role.auditor) == [*public, "报送质量", "反馈率", "查询日志", "审计记录"]
    assert {"数据报送", "主体查询", "统计看板", "系统管理"} <= set(_labels(Role.platform_admin))
    assert "系统管理" not in _labels(Role.dept_reviewer)


def test_the_page_marks_its_own_section_only() -> None:
    assert _current(Role.platform_admin, "/console/tokens") == ["系统管理"]
    assert _current(Role.platform_admin, "/console/catalog/3") == ["系统管理"]
    assert _current(Role.platform_admin, "/catalog") == ["信息目录"]
    assert _current(Role.dept_reviewer, "/console/subjects/5") == ["主体查询"]
    assert _current(Role.dept_operator, "/console/batches/7/rejected") == ["数据报送"]
    assert _current(Role.public, "/") == ["首页"]
    assert _current(Role.public, "/subjects/5") == []
