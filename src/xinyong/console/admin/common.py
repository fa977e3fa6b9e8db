"""What the console's admin pages share: who the audit trail names, the confirmations a page shows after a
redirect, the page size, and a form checked as its JSON twin's body."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from xinyong.kit.errors import InvalidInput
from xinyong.kit.pydantic_zh import message_zh
from xinyong.security.auth import Principal

Body = TypeVar("Body", bound=BaseModel)

#: The Chinese names of the fields the admin forms send (for the form's error message).
FIELD_ZH: dict[str, str] = {
    "username": "用户名",
    "display_name": "姓名",
    "roles": "角色",
    "department_code": "部门代码",
    "password": "初始密码",
    "name": "令牌用途",
    "scopes": "权限",
    "days": "有效天数",
}

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


def form_body(model: type[Body], values: dict[str, Any]) -> Body:
    """A form's values as its JSON twin's body, checked by the same model: the page is no way around the
    route's rules. What fails is said field by field in Chinese (``FORM_INVALID``)."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "；".join(
            f"{FIELD_ZH.get(str(e['loc'][0]), str(e['loc'][0])) if e['loc'] else '表单'}：{message_zh(e)}"
            for e in exc.errors()
        )
        raise InvalidInput(f"填写有误，请修改后重新提交：{problems}", code="FORM_INVALID") from None
