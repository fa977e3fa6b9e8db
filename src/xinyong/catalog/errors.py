"""A catalog file that cannot be used: :class:`CatalogInvalid`, whose errors name item, field and reason.

Pydantic's errors are worded by :func:`xinyong.kit.pydantic_zh.message_zh` (with the offending value
quoted, since it is the file's own text); the catalog adds hints for item codes and field names,
names an item by its code and a field by its name (``fields[premises].type``), and expands the rule
violations a model collected (``catalog_rule``) into one entry each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from xinyong.catalog.rules import SEVERITY_RULE_TAGS
from xinyong.kit.errors import InvalidInput
from xinyong.kit.pydantic_zh import format_loc, message_zh, quote_input

__all__ = ["CatalogInvalid", "catalog_invalid", "entry", "errors_from_validation"]


class CatalogInvalid(InvalidInput):
    """A catalog file that cannot be used. ``details['errors']`` lists item, field and reason."""

    code = "CATALOG_INVALID"
    message = "目录文件校验失败"

    @property
    def errors(self) -> list[dict[str, Any]]:
        errors: list[dict[str, Any]] = self.details.get("errors", [])
        return errors


_MAX_ERRORS_IN_MESSAGE: Final = 5

_PATTERN_HINTS: Final[Mapping[str, tuple[str, str]]] = {
    "code": ("编码格式不正确", "（应为两位大写字母-三位数字，如 CF-001）"),
    "name": ("字段名格式不正确", "（应为小写英文字母开头的 snake_case，如 decision_no）"),
}
"""Pattern errors on these keys get a worked example instead of the regular expression."""


def entry(message: str, *, item: str | None = None, field: str = "") -> dict[str, Any]:
    """One error of :attr:`CatalogInvalid.errors`."""
    return {"item": item, "field": field, "message": message}


def _describe(error: Mapping[str, Any]) -> str:
    parts: list[str] = []
    if error.get("item") is not None:
        parts.append(f"事项 {error['item']}")
    if error.get("field"):
        parts.append(f"字段 {error['field']}")
    where = " ".join(parts)
    return f"{where}：{error['message']}" if where else str(error["message"])


def catalog_invalid(
    errors: list[dict[str, Any]], source: str, prefix: str = "目录文件校验失败"
) -> CatalogInvalid:
    """The error for a file ``source`` (``<string>`` for text without a file), the first five errors
    spelt out in its message."""
    shown = "；".join(_describe(error) for error in errors[:_MAX_ERRORS_IN_MESSAGE])
    more = (
        f"；另有 {len(errors) - _MAX_ERRORS_IN_MESSAGE} 处问题"
        if len(errors) > _MAX_ERRORS_IN_MESSAGE
        else ""
    )
    where = "" if source == "<string>" else f"（{source}）"
    return CatalogInvalid(f"{prefix}{where}：{shown}{more}", details={"source": source, "errors": errors})


def _message(err: ErrorDetails, last: str | int | None) -> str:
    if err["type"] == "string_pattern_mismatch" and isinstance(last, str) and last in _PATTERN_HINTS:
        head, hint = _PATTERN_HINTS[last]
        return f"{head}：{quote_input(err['input'])}{hint}"
    return message_zh(err, show_input=True)


def _normalise_loc(loc: Iterable[str | int]) -> tuple[list[str | int], bool]:
    """Drop tagged-union tags and the ``[key]`` marker; report whether the error is about a dict key."""
    parts: list[str | int] = []
    about_key = False
    for part in loc:
        if part == "[key]":
            about_key = True
            continue
        if parts and parts[-1] == "severity_rule" and part in SEVERITY_RULE_TAGS:
            continue
        parts.append(part)
    return parts, about_key


def _item_label(raw: Any, index: int) -> str:
    if isinstance(raw, Mapping):
        code = raw.get("code")
        if isinstance(code, str) and code.strip() and len(code.strip()) <= 32:
            return code.strip()
    return f"第{index + 1}项"


def _located(parts: Sequence[str | int], message: str, raw_items: Sequence[Any] | None) -> dict[str, Any]:
    """An error at ``parts`` of the whole file: under ``items`` it is named by item and field."""
    if len(parts) >= 2 and parts[0] == "items" and isinstance(parts[1], int):
        index = parts[1]
        raw = raw_items[index] if raw_items is not None and 0 <= index < len(raw_items) else None
        field = format_loc(parts[2:], raw, label_key="name")
        return entry(message, item=_item_label(raw, index), field=field)
    return entry(message, field=format_loc(parts))


def errors_from_validation(exc: ValidationError, data: Any) -> list[dict[str, Any]]:
    """The errors of validating ``data`` (the loaded file) as :attr:`CatalogInvalid.errors`."""
    raw_items: Sequence[Any] | None = None
    if isinstance(data, Mapping) and isinstance(data.get("items"), list):
        raw_items = data["items"]
    entries: list[dict[str, Any]] = []
    for err in exc.errors(include_url=False):
        parts, about_key = _normalise_loc(err["loc"])
        if err["type"] == "catalog_rule":
            ctx: Mapping[str, Any] = err.get("ctx") or {}
            for sub_path, message in ctx.get("issues", []):
                entries.append(_located([*parts, *sub_path], str(message), raw_items))
            continue
        message = _message(err, parts[-1] if parts else None)
        if about_key:
            message = f"键名{message.removeprefix('取值')}"
        entries.append(_located(parts, message, raw_items))
    return entries
