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
    #: Other paths whose pages belong to this section (the section's own path is one already).
    holds: tuple[str, ...] = ()
    current: bool = False


#: The pages of 系统管理 besides its hub.
ADMIN_PAGES = (
    "/console/unverified",
    "/console/departments",
    "/console/users",
    "/console/tokens",
    "/console/catalog",
    "/console/list-catalog",
)

#: Every section, in the order the bar shows them. A section's pages check their own scope; the bar
#: only hides what a caller could not open.
SECTIONS: tuple[NavItem, ...] = (
    NavItem("/", "首页", Scope.public_read),
    NavItem("/search", "信用查询", Scope.public_read),
    NavItem("/catalog", "信息目录", Scope.public_read),
    NavItem("/lists", "红黑名单", Scope.public_read),
    NavItem("/notices", "政策公告", Scope.public_read),
    NavItem("/space", "我的信用", Scope.self_file),
    NavItem("/agency", "授权查询", Scope.agency_query),
    NavItem("/console/collection", "数据报送", Scope.records_submit, ("/console/batches",)),
    NavItem("/console/quality", "报送质量", Scope.oversight_read),
    NavItem("/console/lookup", "主体查询", Scope.subjects_read, ("/console/subjects",)),
    NavItem("/console/lists", "名单认定", Scope.lists_initiate),
    NavItem("/console/screening", "联合奖惩核查", Scope.screening_run, ("/console/screenings",)),
    NavItem("/console/feedback", "奖惩反馈", Scope.feedback_report),
    NavItem("/console/feedback/rates", "反馈率", Scope.oversight_read),
    NavItem("/console/dashboard", "统计看板", Scope.admin_manage),
    NavItem(
        "/console/admin",
        "系统管理",
        Scope.admin_manage,
        ADMIN_PAGES,
    ),
    NavItem("/console/query-log", "查询日志", Scope.querylog_read),
    NavItem("/console/audit-trail", "审计记录", Scope.audit_read),
)


def nav_for(principal: Principal, path: str) -> list[NavItem]:
    """The sections ``principal`` may open, the one holding ``path`` (by its longest path) marked current."""
    items = [item for item in SECTIONS if item.scope in principal.scopes]
    matches = [
        (prefix, item) for item in items for prefix in (item.href, *item.holds) if _holds(prefix, path)
    ]
    best = max(matches, key=lambda match: len(match[0]), default=None)
    return [
        NavItem(item.href, item.label, item.scope, item.holds, current=best is not None and best[1] is item)
        for item in items
    ]


def _holds(prefix: str, path: str) -> bool:
    if prefix == "/":
        return path == "/"
    return path == prefix or path.startswith(prefix + "/")
