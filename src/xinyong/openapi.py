"""The OpenAPI document as the API really behaves: the bearer token scheme (so /docs can authorise), the
scope each operation needs, and the errors every operation may answer, in the one ``{code, message,
details?}`` shape the error handler writes (``xinyong.web.error_response``).

FastAPI's own document knows neither: it has no security scheme (``authorize`` is a plain dependency),
and it describes a 422 in its own shape, which the platform never sends.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from xinyong.limits import BodyLimit, route_table, size_text
from xinyong.security.roles import Scope

BEARER = "bearerAuth"
SECURITY_SCHEMES: dict[str, Any] = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "description": "API 访问令牌（xy_ 开头），由平台管理员用 xinyong keys 签发；"
        "请求头写作 Authorization: Bearer <令牌>。公开的接口可不带令牌。",
    }
}

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "description": "所有错误的统一格式。",
    "required": ["code", "message"],
    "additionalProperties": False,
    "properties": {
        "code": {
            "type": "string",
            "description": "稳定的错误代码（大写英文），程序可据以处理，如 NOT_FOUND、REQUEST_INVALID",
        },
        "message": {"type": "string", "description": "给人看的中文说明"},
        "details": {
            "type": "object",
            "additionalProperties": True,
            "description": "补充信息；请求参数不符合要求时，errors 逐项给出字段（field）、"
            "说明（message）和类型（type）",
        },
    },
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}

#: Errors any API operation may answer (status -> description).
COMMON_ERRORS: dict[str, str] = {
    "400": "请求格式不正确（如 JSON 无法解析），或操作不符合业务规则",
    "401": "未登录，或访问令牌无效、已过期、已吊销",
    "403": "当前账户无权使用此功能（缺少所需权限），或超出数据范围",
    "404": "所请求的对象不存在，或不在本账户可见的范围内",
    "422": "请求参数不符合要求（details.errors 逐项说明），或数据未通过校验",
    "429": "访问过于频繁（未登录的调用按来源地址限速），请稍后再试",
}
#: Errors of operations that change something.
CHANGE_ERRORS: dict[str, str] = {"409": "与已有数据冲突"}
#: Downloads, by the path's extension: their 200 is a file, not JSON.
DOWNLOADS: dict[str, str] = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: FastAPI's own 422 shape, replaced by ``Error`` everywhere.
FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the documented version (built once, then cached like FastAPI's)."""
    generate = app.openapi
    documented: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not documented:
            documented.update(document(generate(), app))
            app.openapi_schema = documented
        return documented

    app.openapi = openapi  # type: ignore[method-assign]


def document(schema: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """``schema`` (FastAPI's) with security, scopes, error responses and file downloads filled in."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = SECURITY_SCHEMES
    for route in route_table(app.routes):
        operation = schema["paths"].get(route.path, {}).get(route.method.lower())
        if route.in_schema and operation is not None:
            _document_operation(operation, route.path, route.method, route.scope, route.limit)
    for name in FASTAPI_VALIDATION:
        components["schemas"].pop(name, None)
    return schema


def _document_operation(
    operation: dict[str, Any], path: str, method: str, scope: Scope | None, limit: BodyLimit
) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if scope is None:  # health checks: no caller, no errors of the API
        if path == "/readyz":
            responses["503"] = {"description": "数据库不可用，或结构不是最新版本（请运行 xinyong init）"}
        return
    operation["security"] = [{}, {BEARER: []}] if scope is Scope.public_read else [{BEARER: []}]
    note = "公开，可不登录" if scope is Scope.public_read else f"需要权限 `{scope.value}`"
    operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()
    errors = dict(COMMON_ERRORS)
    errors["413"] = f"请求内容超过该接口的上限（{size_text(limit.max_bytes)}）"
    if method != "GET":
        errors.update(CHANGE_ERRORS)
    for status, description in errors.items():
        responses[status] = {
            "description": description,
            "content": {"application/json": {"schema": ERROR_REF}},
        }
    media = next((m for ext, m in DOWNLOADS.items() if path.endswith(ext)), None)
    if media is not None and "200" in responses:
        responses["200"]["content"] = {media: {"schema": {"type": "string", "format": "binary"}}}
