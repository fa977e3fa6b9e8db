"""What the console's admin pages share: who the audit trail names, the confirmations a page shows after a
redirect, and the page size."""

from __future__ import annotations

from xinyong.security.auth import Principal

#: Rows on one page of a console list.
CONSOLE_PAGE = 20

#: Confirmations shown after a form's redirect (``?done=key``): fixed text, nothing echoed from the URL.
DONE: dict[str, str] = {
    "verified": "已确认核验：该主体此后在信用门户公示。",
    "dept-created": "部门已创建。",
    "dept-enabled": "部门已启用。",
    "dept-disabled": "部门已停用：其账户不能登录，令牌不能使用。",
    "user-created": "账户已创建。",
    "user-enabled": "账户已启用（原有登录和令牌不会恢复）。",
    "user-disabled": "账户已停用：其登录已结束，令牌已吊销。",
    "token-revoked": "令牌已吊销，立即生效。",
    "catalog-current": "已设为当前目录版本：此后报送的记录按该版本校验。",
}


def actor_of(principal: Principal) -> str:
    """How the audit trail names the caller (as every route does)."""
    return f"user:{principal.username}"


def done_message(done: str | None) -> str | None:
    return DONE.get(done or "")
