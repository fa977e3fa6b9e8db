"""The navigation bar: which sections a caller sees, by the scopes it holds."""

from __future__ import annotations

from dataclasses import dataclass

from xinyong.security.auth import Principal
from xinyong.security.roles import Scope


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    #: Shown when the caller holds this scope.
    scope: Scope
    current: bool = False


#: Every section, in the order the bar shows them. A section's pages check their own scope; the bar
#: only hides what a caller could not open.
SECTIONS: tuple[NavItem, ...] = (
    NavItem("/", "首页", Scope.public_read),
    NavItem("/search", "信用查询", Scope.public_read),
    NavItem("/catalog", "信息目录", Scope.public_read),
    NavItem("/notices", "政策公告", Scope.public_read),
    NavItem("/space", "我的信用", Scope.self_file),
    NavItem("/agency", "授权查询", Scope.agency_query),
    NavItem("/console/collection", "数据报送", Scope.records_submit),
    NavItem("/console/lookup", "主体查询", Scope.subjects_read),
    NavItem("/console/dashboard", "统计看板", Scope.admin_manage),
    NavItem("/console/admin", "系统管理", Scope.admin_manage),
    NavItem("/console/query-log", "查询日志", Scope.querylog_read),
    NavItem("/console/audit-trail", "审计记录", Scope.audit_read),
)


def nav_for(principal: Principal, path: str) -> list[NavItem]:
    """The sections ``principal`` may open, the one holding ``path`` marked current."""
    items = [item for item in SECTIONS if item.scope in principal.scopes]
    best = max((item.href for item in items if _holds(item.href, path)), key=len, default=None)
    return [NavItem(item.href, item.label, item.scope, current=item.href == best) for item in items]


def _holds(href: str, path: str) -> bool:
    if href == "/":
        return path == "/"
    return path == href or path.startswith(href + "/")
