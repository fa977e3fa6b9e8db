"""The strict YAML loader shared by the catalog and the holiday schedules."""

from __future__ import annotations

import pytest
import yaml

from xinyong.kit.yamlio import DuplicateKeyError, StrictLoader, dump_yaml, load_yaml, problem_of


def test_plain_documents_load_like_safe_load() -> None:
    text = "title: 目录\nitems:\n  - {code: CF-001, months: 12, publish: true}\n  - null\n"
    assert load_yaml(text) == yaml.safe_load(text)


def test_it_is_a_safe_loader() -> None:
    assert issubclass(StrictLoader, yaml.SafeLoader | yaml.CSafeLoader)
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']\n")


def test_dates_and_timestamps_stay_text() -> None:
    data = load_yaml("good: 2027-01-01\nbad: 2027-13-01\nstamp: 2027-02-20 09:00:00\n")
    assert data == {"good": "2027-01-01", "bad": "2027-13-01", "stamp": "2027-02-20 09:00:00"}


def test_duplicate_keys_are_refused_with_their_position() -> None:
    with pytest.raises(DuplicateKeyError) as caught:
        load_yaml("title: a\nversion: 1\ntitle: b\n")
    problem, line, column = problem_of(caught.value)
    assert (problem, line, column) == ("重复的键：title", 3, 1)


def test_nested_duplicate_keys_are_refused() -> None:
    with pytest.raises(DuplicateKeyError) as caught:
        load_yaml("items:\n  - {code: CF-001, code: CF-002}\n")
    assert "重复的键：code" in str(caught.value)
    assert isinstance(caught.value, yaml.MarkedYAMLError)


def test_merge_keys_still_work() -> None:
    data = load_yaml("base: &b {publish: true, months: 12}\nitem:\n  <<: *b\n  months: 36\n")
    assert data["item"] == {"publish": True, "months": 36}


def test_unhashable_keys_are_left_to_the_base_constructor() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("? [a, b]\n: 1\n")


def test_syntax_errors_carry_a_position() -> None:
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        load_yaml("title: [unclosed\nversion: 1\n")
    problem, line, column = problem_of(caught.value)
    assert problem and line is not None and column is not None


def test_problem_of_an_unmarked_error() -> None:
    assert problem_of(yaml.YAMLError("坏了")) == ("坏了", None, None)


def test_dump_keeps_order_and_chinese_and_reads_back() -> None:
    data = {"version": "1", "title": "公共信用信息目录", "items": [{"code": "CF-001", "max": None}]}
    text = dump_yaml(data)
    assert text.index("version") < text.index("title") < text.index("items")
    assert "公共信用信息目录" in text
    assert load_yaml(text) == data


def test_a_key_repeated_next_to_a_merge_is_still_refused() -> None:
    with pytest.raises(DuplicateKeyError):
        load_yaml("base: &b {publish: true}\nitem:\n  <<: *b\n  months: 1\n  months: 2\n")
