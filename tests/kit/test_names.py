from __future__ import annotations

import threading

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.kit.names import (
    names_match,
    normalize_name,
    normalize_name_expr,
    normalize_names,
    normalize_series,
)

YANCHENG = "盐城市建设有限公司(集团)"

# Traditional and simplified Chinese, full-width forms, bracket kinds, blanks, combining marks,
# characters OpenCC t2s maps in two steps (薴 → 苧 → 苎) and the bulk separator U+E000.
_ALPHABET = (
    "鹽城市建設有限公司集團廣東貿易發展電子實業臺灣國際銀行萬與後發髮乾隆著薴苧苎"
    "盐城市建设有限公司集团广东贸易发展电子实业台湾国际银行万与后"
    "ＡＢＣａｂｃ０１２（）［］【】〔〕〖〗｛｝《》「」－—・·"
    "abcXYZ019()[]{}-.&' \t\n\u3000\u00a0\u200b\ufeff\u0301\u0308\u00a8\u0130i\u0307\ue000①㈱"
)
names_text = st.text(alphabet=_ALPHABET, max_size=30)
any_text = st.text(max_size=30)


def test_examples_from_the_spec() -> None:
    assert normalize_name("鹽城市建設有限公司（集團）") == YANCHENG
    assert normalize_name("盐城市建设有限公司(集团)") == YANCHENG
    assert normalize_name(" 盐城市 建设有限公司 ( 集团 ) ") == YANCHENG
    assert names_match("鹽城市建設有限公司（集團）", " 盐城市 建设有限公司 ( 集团 ) ")


@pytest.mark.parametrize(
    "raw",
    [
        "盐城市建设有限公司［集团］",
        "盐城市建设有限公司【集团】",
        "盐城市建设有限公司〔集团〕",
        "盐城市建设有限公司〖集团〗",
        "盐城市建设有限公司[集团]",
        "盐城市建设有限公司{集团}",
        "盐城市建设有限公司｛集团｝",
        "盐城市建设有限公司﹙集团﹚",
        "\u3000盐城市\u00a0建设\u200b有限公司\t(集团)\n",
    ],
)
def test_bracket_kinds_and_blanks_fold(raw: str) -> None:
    assert normalize_name(raw) == YANCHENG


def test_book_title_marks_and_quotes_are_kept() -> None:
    assert normalize_name("《信用中国》「测试」") == "《信用中国》「测试」"


def test_full_and_half_width_letters_digits_and_case() -> None:
    assert normalize_name("ＡＢＣ科技ａｂｃ１２３") == "ABC科技ABC123"
    assert normalize_name("abc科技ABC123") == "ABC科技ABC123"
    assert names_match("Ｈｕａｗｅｉ Technologies", "HUAWEITECHNOLOGIES")
    assert normalize_name("Ａ＆Ｂ－Ｃ．") == "A&B-C."


def test_dashes_and_middle_dots_fold() -> None:
    assert normalize_name("阿卜杜拉・买买提") == normalize_name("阿卜杜拉·买买提") == "阿卜杜拉·买买提"
    assert normalize_name("甲—乙–丙－丁") == "甲-乙-丙-丁"


def test_traditional_to_simplified() -> None:
    assert normalize_name("臺灣銀行") == "台湾银行"
    assert normalize_name("廣東發展銀行") == "广东发展银行"


def test_t2s_is_applied_to_a_fixed_point() -> None:
    assert normalize_name("薴") == normalize_name("苧") == normalize_name("苎") == "苎"


def test_only_ascii_letters_are_uppercased() -> None:
    assert normalize_name("straße") == "STRAßE"


def test_blank() -> None:
    assert normalize_name("") == ""
    assert normalize_name(" \u3000\t\n\u00a0\u200b") == ""
    assert not names_match("", "")
    assert not names_match(" ", "\u3000")


def test_names_match_negative() -> None:
    assert not names_match("盐城市建设有限公司", "盐城市建设集团有限公司")


@settings(max_examples=400, deadline=None)
@given(names_text)
def test_idempotent_on_name_like_text(value: str) -> None:
    once = normalize_name(value)
    assert normalize_name(once) == once


@settings(max_examples=400, deadline=None)
@given(any_text)
def test_idempotent_on_any_text(value: str) -> None:
    once = normalize_name(value)
    assert normalize_name(once) == once
    assert once == once.strip()
    assert not any(ch.isspace() for ch in once)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(names_text, any_text), max_size=40))
def test_bulk_equals_scalar(values: list[str]) -> None:
    assert normalize_names(values) == [normalize_name(v) for v in values]


def test_bulk_on_many_traditional_names() -> None:
    import random

    rng = random.Random(20240601)
    values = ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 25))) for _ in range(3000)]
    values += ["鹽城市建設有限公司（集團）", "盐城市建设有限公司(集团)", "x\ue000y"] * 3
    assert normalize_names(values) == [normalize_name(v) for v in values]
    assert normalize_names(iter(values)) == normalize_names(values)


def test_series_and_expr() -> None:
    s = pl.Series("name", ["鹽城市建設有限公司（集團）", None, "ａｂｃ", "鹽城市建設有限公司（集團）"])
    out = normalize_series(s)
    assert out.name == "name"
    assert out.dtype == pl.String
    assert out.to_list() == [YANCHENG, None, "ABC", YANCHENG]

    assert normalize_series(pl.Series("e", [], dtype=pl.String)).to_list() == []
    assert normalize_series(pl.Series("n", [None, None], dtype=pl.String)).to_list() == [None, None]

    df = pl.DataFrame({"name": ["臺灣 銀行", "台湾银行", None]})
    keyed = df.with_columns(key=normalize_name_expr("name"))
    assert keyed.get_column("key").to_list() == ["台湾银行", "台湾银行", None]
    selected = df.select(normalize_name_expr(pl.col("name"))).to_series()
    assert selected.to_list() == ["台湾银行", "台湾银行", None]


def test_thread_safety() -> None:
    values = [f"鹽城市建設有限公司（集團）第{i}分公司" for i in range(200)]
    expected = [normalize_name(v) for v in values]
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append([normalize_name(v) for v in values])
            results.append(normalize_names(values))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(r == expected for r in results)
