"""One domain error base: a stable machine code, an HTTP status and a Chinese message.

Services raise these; one handler (see ``xinyong.app``) renders them as JSON for the API
and as a page for HTML routes. Codes are stable: clients may switch on them.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user may see."""

    code: str = "INTERNAL"
    status: int = 400
    message: str = "操作失败"
    #: When True, the request's transaction is committed before the error is returned, so that
    #: what the refusal wrote (a query-log entry, a failed-login count) is kept. Only for errors
    #: raised before the request changed anything else.
    keep_changes: bool = False

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details: dict[str, Any] = details or {}
        super().__init__(f"{self.code}: {self.message}")

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class NotFound(DomainError):
    code = "NOT_FOUND"
    status = 404
    message = "未找到所请求的对象"


class InvalidInput(DomainError):
    code = "INVALID_INPUT"
    status = 422
    message = "输入不符合要求"


class Conflict(DomainError):
    code = "CONFLICT"
    status = 409
    message = "与已有数据冲突"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"
    status = 401
    message = "请先登录或提供有效的访问令牌"


class Forbidden(DomainError):
    code = "FORBIDDEN"
    status = 403
    message = "无权执行此操作"


class RecordedRefusal(Forbidden):
    """A refusal that was written down (query log, login failures): the write survives the error."""

    keep_changes = True
