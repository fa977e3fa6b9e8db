"""Pydantic errors in Chinese: one wording, the input quoted only on request, never English."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

import pytest
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from xinyong.kit.pydantic_zh import GENERIC_MESSAGE, expected_zh, format_loc, message_zh, quote_input


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


def _chinese_only(value: str) -> str:
    if value == "bad":
        raise ValueError("取值不在允许范围内：bad")
    if value == "english":
        raise ValueError("this is not allowed")
    if value == "custom":
        raise PydanticCustomError("our_rule", "自定义规则：{what}", {"what": "不行"})
    return value


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=5)
    code: str = Field(default="CF-001", pattern=r"^[A-Z]{2}-[0-9]{3}$")
    count: int = Field(default=1, ge=0, le=10)
    ratio: float = Field(default=0.5, gt=0, lt=1)
    colour: Colour = Colour.RED
    kind: Literal["a", "b"] = "a"
    on: bool = False
    day: dt.date = dt.date(2025, 1, 1)
    stamp: dt.datetime = dt.datetime(2025, 1, 1)
    tags: list[str] = Field(default_factory=list, min_length=0, max_length=2)
    pairs: list[int] = Field(default_factory=lambda: [1, 2], min_length=2)
    meta: dict[str, str] = Field(default_factory=dict)
    rule: Annotated[str, AfterValidator(_chinese_only)] = "ok"


def _error(**data: Any) -> ErrorDetails:
    base: dict[str, Any] = {"name": "x"}
    base.update(data)
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(base)
    (error,) = caught.value.errors(include_url=False)
    return error


def _messages(**data: Any) -> tuple[str, str]:
    error = _error(**data)
    return message_zh(error), message_zh(error, show_input=True)


def test_missing_and_unknown_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate({"colour_name": "red"})
    messages = {str(e["loc"][0]): message_zh(e) for e in caught.value.errors()}
    assert messages == {"name": "缺少必填字段", "colour_name": "不认识的字段"}


def test_type_errors_quote_the_input_only_when_asked() -> None:
    assert _messages(count="three") == ("应为整数", "应为整数：“three”")
    assert _messages(count=1.5) == ("应为整数，不能带小数", "应为整数，不能带小数：“1.5”")
    assert _messages(ratio="half") == ("应为数字", "应为数字：“half”")
    assert _messages(on="maybe") == ("应为 true 或 false", "应为 true 或 false：“maybe”")
    assert _messages(name=5) == ("应为文本", "应为文本：“5”")


def test_choices_list_the_allowed_values() -> None:
    plain, shown = _messages(colour="green")
    assert plain == "取值不在允许范围内（可选：red、blue）"
    assert shown == "取值不在允许范围内：“green”（可选：red、blue）"
    assert message_zh(_error(kind="c")) == "取值不在允许范围内（可选：a、b）"


def test_patterns_and_lengths() -> None:
    assert _messages(code="cf-1")[1] == "格式不正确：“cf-1”（应匹配 ^[A-Z]{2}-[0-9]{3}$）"
    assert message_zh(_error(name="")) == "不能为空"
    assert message_zh(_error(name="abcdef")) == "长度不能超过 5 个字符"
    assert message_zh(_error(tags=["a", "b", "c"])) == "不能超过 2 项"
    assert message_zh(_error(pairs=[1])) == "不能少于 2 项"


def test_bounds() -> None:
    assert message_zh(_error(count=-1)) == "不能小于 0"
    assert message_zh(_error(count=11)) == "不能大于 10"
    assert message_zh(_error(ratio=0)) == "应大于 0.0"
    assert message_zh(_error(ratio=1)) == "应小于 1.0"


def test_dates_and_times() -> None:
    assert _messages(day="2025-13-01") == ("应为日期（YYYY-MM-DD）", "应为日期（YYYY-MM-DD）：“2025-13-01”")
    assert message_zh(_error(day="2025-01-01T10:00:00")) == "应为日期，不能带时间"
    assert message_zh(_error(stamp="soon")).startswith("应为日期时间")


def test_containers() -> None:
    assert message_zh(_error(tags="a")) == "应为列表"
    assert message_zh(_error(meta=[1])) == "应为对象（键值映射）"


def test_our_own_chinese_messages_are_kept_and_english_is_not() -> None:
    assert message_zh(_error(rule="bad")) == "取值不在允许范围内：bad"
    assert message_zh(_error(rule="custom")) == "自定义规则：不行"
    assert message_zh(_error(rule="english")) == GENERIC_MESSAGE


def test_an_unknown_type_gets_the_generic_message() -> None:
    error: ErrorDetails = {"type": "brand_new", "loc": ("x",), "msg": "Something odd", "input": 1}
    assert message_zh(error) == GENERIC_MESSAGE


def test_a_missing_context_value_drops_the_placeholder() -> None:
    error: ErrorDetails = {"type": "greater_than", "loc": ("x",), "msg": "Input should be > 0", "input": 0}
    assert message_zh(error) == "应大于"
    choice: ErrorDetails = {"type": "enum", "loc": ("x",), "msg": "Input should be", "input": "z"}
    assert message_zh(choice, show_input=True) == "取值不在允许范围内：“z”"


def test_no_message_is_english() -> None:
    bad_inputs: list[dict[str, Any]] = [
        {"name": None},
        {"count": [1]},
        {"ratio": "inf"},
        {"day": 3.5},
        {"stamp": [1]},
        {"tags": [1]},
        {"meta": {"a": 1}},
        {"colour": 3},
    ]
    for data in bad_inputs:
        with pytest.raises(ValidationError) as caught:
            Sample.model_validate({"name": "x", **data})
        for error in caught.value.errors():
            message = message_zh(error)
            assert not re.search(r"[A-Za-z]{5,}", message.replace("YYYY", "")), (error["type"], message)


def test_quote_input_cuts_long_values() -> None:
    assert quote_input("CF-1") == "“CF-1”"
    assert quote_input(12) == "“12”"
    assert quote_input("长" * 50) == "“" + "长" * 40 + "…”"


def test_expected_zh() -> None:
    assert expected_zh("'minor', 'general' or 'serious'") == "minor、general、serious"


def test_format_loc() -> None:
    assert format_loc(("query", "n")) == "query.n"
    assert format_loc(("items", 0, "fields", 6, "type")) == "items[0].fields[6].type"
    assert format_loc(()) == ""


def test_format_loc_names_elements_by_a_unique_label() -> None:
    data = {"fields": [{"name": "subject_name"}, {"name": "dup"}, {"name": "dup"}, {"label": "x"}, "odd"]}
    assert format_loc(("fields", 0, "type"), data, label_key="name") == "fields[subject_name].type"
    assert format_loc(("fields", 1, "type"), data, label_key="name") == "fields[1].type"
    assert format_loc(("fields", 3), data, label_key="name") == "fields[3]"
    assert format_loc(("fields", 4), data, label_key="name") == "fields[4]"
    assert format_loc(("fields", 9), data, label_key="name") == "fields[9]"
    assert format_loc(("fields", 0, "type"), data) == "fields[0].type"
