"""Pydantic validation errors in Chinese: one wording for the API and for the files people upload.

:func:`message_zh` turns one ``ErrorDetails`` (an element of ``ValidationError.errors()``) into a
short Chinese message. It never returns pydantic's English text: an error whose own message is
Chinese (a ``PydanticCustomError`` or a ``ValueError`` raised by our validators) keeps it, anything
else unknown becomes 取值不符合要求.

The offending value is quoted into the message only when the caller asks (``show_input=True``):
the catalog does, since its values are the file's own text; the API does not, since a request may
carry personal data.

:func:`format_loc` writes an error location as ``items[0].fields[premises].type``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, NamedTuple

from pydantic_core import ErrorDetails

__all__ = ["GENERIC_MESSAGE", "expected_zh", "format_loc", "message_zh", "quote_input"]

GENERIC_MESSAGE: Final = "取值不符合要求"
"""The message for an error type without a Chinese wording of its own."""

_QUOTE_LIMIT: Final = 40
_HAN: Final = re.compile(r"[\u4e00-\u9fff]")


class _Wording(NamedTuple):
    """``head`` [：“input”] ``tail``; ``{name}`` in either is filled from the error's ``ctx``."""

    head: str
    tail: str = ""
    quotes_input: bool = False


_DATE: Final = _Wording("应为日期（YYYY-MM-DD）", quotes_input=True)
_DATETIME: Final = _Wording("应为日期时间（ISO 8601，如 2026-03-16T10:00:00+08:00）", quotes_input=True)
_CHOICE: Final = _Wording("取值不在允许范围内", "（可选：{expected}）", quotes_input=True)
_INTEGER: Final = _Wording("应为整数", quotes_input=True)
_NUMBER: Final = _Wording("应为数字", quotes_input=True)
_TEXT: Final = _Wording("应为文本", quotes_input=True)
_BOOLEAN: Final = _Wording("应为 true 或 false", quotes_input=True)
_LIST: Final = _Wording("应为列表")
_MAPPING: Final = _Wording("应为对象（键值映射）")

_WORDINGS: Final[Mapping[str, _Wording]] = {
    "missing": _Wording("缺少必填字段"),
    "extra_forbidden": _Wording("不认识的字段"),
    "enum": _CHOICE,
    "literal_error": _CHOICE,
    "string_pattern_mismatch": _Wording("格式不正确", "（应匹配 {pattern}）", quotes_input=True),
    "string_type": _TEXT,
    "string_unicode": _TEXT,
    "string_too_short": _Wording("长度不能少于 {min_length} 个字符"),
    "string_too_long": _Wording("长度不能超过 {max_length} 个字符"),
    "too_short": _Wording("不能少于 {min_length} 项"),
    "too_long": _Wording("不能超过 {max_length} 项"),
    "int_type": _INTEGER,
    "int_parsing": _INTEGER,
    "int_from_float": _Wording("应为整数，不能带小数", quotes_input=True),
    "int_parsing_size": _Wording("整数超出可处理的范围"),
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "finite_number": _Wording("应为有限的数字"),
    "decimal_max_digits": _Wording("数字总位数不能超过 {max_digits}"),
    "decimal_max_places": _Wording("小数位数不能超过 {decimal_places}"),
    "multiple_of": _Wording("应为 {multiple_of} 的倍数"),
    "greater_than": _Wording("应大于 {gt}"),
    "greater_than_equal": _Wording("不能小于 {ge}"),
    "less_than": _Wording("应小于 {lt}"),
    "less_than_equal": _Wording("不能大于 {le}"),
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    "date_from_datetime_inexact": _Wording("应为日期，不能带时间", quotes_input=True),
    "date_past": _Wording("应为今天以前的日期"),
    "date_future": _Wording("应为今天以后的日期"),
    "datetime_past": _Wording("应为现在以前的时间"),
    "datetime_future": _Wording("应为现在以后的时间"),
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "frozen_set_type": _LIST,
    "dict_type": _MAPPING,
    "model_type": _MAPPING,
    "model_attributes_type": _MAPPING,
    "dataclass_type": _MAPPING,
    "json_invalid": _Wording("JSON 格式错误"),
    "json_type": _Wording("应为 JSON"),
    "uuid_type": _Wording("应为 UUID"),
    "uuid_parsing": _Wording("应为 UUID"),
    "none_required": _Wording("应为空"),
    "frozen_field": _Wording("不能修改"),
    "frozen_instance": _Wording("不能修改"),
    "union_tag_invalid": _Wording("类型标识 {tag} 不正确（可选：{expected_tags}）"),
    "union_tag_not_found": _Wording("缺少类型标识 {discriminator}"),
}
"""Chinese wording per pydantic error type; date, datetime and url types are matched by prefix."""

_PREFIX_WORDINGS: Final[Sequence[tuple[str, _Wording]]] = (
    ("datetime", _DATETIME),
    ("date", _DATE),
    ("url", _Wording("应为网址")),
)


def quote_input(value: Any) -> str:
    """The offending value in Chinese quotes, cut at 40 characters: ``“CF-1”``."""
    text = value if isinstance(value, str) else repr(value)
    return f"“{text[:_QUOTE_LIMIT]}…”" if len(text) > _QUOTE_LIMIT else f"“{text}”"


def expected_zh(expected: object) -> str:
    """Pydantic's ``'a', 'b' or 'c'`` as ``a、b、c``."""
    return str(expected).replace("'", "").replace(" or ", "、").replace(", ", "、")


def _wording(kind: str) -> _Wording | None:
    found = _WORDINGS.get(kind)
    if found is not None:
        return found
    return next((wording for prefix, wording in _PREFIX_WORDINGS if kind.startswith(prefix)), None)


def _fill(template: str, ctx: Mapping[str, Any], fallback: str) -> str:
    """``template`` with ``{name}`` taken from ``ctx``; ``fallback`` if the context lacks a name."""
    values = {key: expected_zh(value) if key == "expected" else str(value) for key, value in ctx.items()}
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError):
        return fallback


def _own_message(error: ErrorDetails) -> str:
    """The error's own message when it is Chinese (our validators wrote it), else the generic one."""
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    cause = ctx.get("error")
    text = str(cause) if cause is not None else error["msg"]
    return text if _HAN.search(text) else GENERIC_MESSAGE


def message_zh(error: ErrorDetails, *, show_input: bool = False) -> str:
    """One pydantic error in Chinese (see the module docstring); ``show_input`` quotes the value."""
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in ("too_short", "string_too_short") and ctx.get("min_length") == 1:
        return "不能为空"
    wording = _wording(kind)
    if wording is None:
        return _own_message(error)
    head = _fill(wording.head, ctx, wording.head.split("{")[0].strip())
    tail = _fill(wording.tail, ctx, "")
    if show_input and wording.quotes_input and "input" in error:
        return f"{head}：{quote_input(error['input'])}{tail}"
    return f"{head}{tail}"


def _element_label(node: Any, index: int, label_key: str | None) -> str:
    """A list element by its ``label_key`` value when that is short and unique in the list, else by index."""
    if label_key is None or not isinstance(node, list) or not 0 <= index < len(node):
        return str(index)
    element = node[index]
    label = element.get(label_key) if isinstance(element, Mapping) else None
    if isinstance(label, str) and label.strip() and len(label) <= 64:
        same = sum(1 for other in node if isinstance(other, Mapping) and other.get(label_key) == label)
        if same == 1:
            return label.strip()
    return str(index)


def format_loc(loc: Sequence[str | int], data: Any = None, *, label_key: str | None = None) -> str:
    """``("items", 0, "fields", 6, "type")`` as ``items[0].fields[6].type``.

    With the validated input as ``data`` and a ``label_key`` (e.g. ``"name"``), a list element whose
    ``label_key`` value is unique in its list is named by it: ``fields[premises].type``.
    """
    path = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            path += f"[{_element_label(node, part, label_key)}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        else:
            path += f".{part}" if path else str(part)
            node = node.get(part) if isinstance(node, Mapping) else None
    return path
