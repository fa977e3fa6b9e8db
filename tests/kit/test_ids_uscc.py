"""统一社会信用代码: agreement with python-stdnum, parts, error codes and messages, warnings."""

from __future__ import annotations

import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from xinyong.kit import ids
from xinyong.kit.errors import InvalidInput

from idsworld import make_uscc, uscc_oracle


def test_known_real_uscc_is_valid_with_parts() -> None:
    verdict = ids.check_uscc("91110000600037341L")
    assert verdict.valid and verdict.kind == "uscc"
    assert verdict.value == "91110000600037341L"
    assert verdict.error_code is None and verdict.message is None
    assert verdict.parts == {
        "registration_authority": "9",
        "registration_authority_name": "工商（市场监管）",
        "entity_type": "91",
        "entity_type_name": "企业",
        "region_code": "110000",
        "region_name": "北京市",
        "organisation_code": "600037341",
        "check_char": "L",
    }
    assert verdict.warnings == ()


@pytest.mark.parametrize(
    ("first17", "entity_name", "region_name"),
    [
        ("91320900MA1MXXXX9", "企业", "江苏省盐城市"),
        ("92320902MA1N23456", "个体工商户", "江苏省盐城市亭湖区"),
        ("93320900MA1P00001", "农民专业合作社", "江苏省盐城市"),
        ("11110000000013127", "机关", "北京市"),
        ("12100000400000624", "事业单位", "国家级"),
        ("51440100MJK000000", "社会团体", "广东省广州市"),
        ("52310115MJ0000000", "民办非企业单位", "上海市浦东新区"),
        ("53100000500021676", "基金会", "国家级"),
    ],
)
def test_generated_uscc_valid_and_decoded(first17: str, entity_name: str, region_name: str) -> None:
    code = make_uscc(first17)
    assert stdnum_uscc.is_valid(code)
    verdict = ids.check_uscc(code)
    assert verdict.valid
    assert verdict.parts["entity_type"] == first17[:2]
    assert verdict.parts["entity_type_name"] == entity_name
    assert verdict.parts["region_name"] == region_name
    assert verdict.parts["organisation_code"] == code[8:17]
    assert ids.org_code_of_uscc(code) == code[8:17]


def test_uscc_compaction_matches_stdnum() -> None:
    verdict = ids.check_uscc(" 9111-0000 6000-3734 1l\u3000")
    assert verdict.valid
    assert verdict.value == "91110000600037341L"
    fullwidth = ids.check_uscc("９１１１００００６０００３７３４１L")
    assert fullwidth.valid and fullwidth.value == "91110000600037341L"


@pytest.mark.parametrize(
    ("raw", "code", "fragments"),
    [
        ("", ids.ID_EMPTY, ["未填写统一社会信用代码"]),
        (None, ids.ID_EMPTY, ["未填写统一社会信用代码"]),
        (" - -  ", ids.ID_EMPTY, ["请填写"]),
        ("91110000600037341", ids.ID_USCC_LENGTH, ["应为18位，实际为17位", "漏填或多填"]),
        ("91110000600037341LL", ids.ID_USCC_LENGTH, ["实际为19位"]),
        ("110108000000016", ids.ID_USCC_LENGTH, ["实际为15位", "工商注册号"]),
        ("600037341", ids.ID_USCC_LENGTH, ["实际为9位", "组织机构代码"]),
        ("9111000A600037341L", ids.ID_USCC_BAD_CHAR, ["第8位字符“A”不允许", "前8位", "必须是数字"]),
        ("N1110000600037341L", ids.ID_USCC_BAD_CHAR, ["第1位字符“N”不允许", "农业", "联系平台管理员"]),
        ("9111000060003734IL", ids.ID_USCC_BAD_CHAR, ["第17位字符“I”不允许", "不使用字母I、O、Z、S、V"]),
        ("91110000600037341O", ids.ID_USCC_BAD_CHAR, ["第18位字符“O”不允许", "0→O"]),
        ("91110000600037341Ｌ", ids.ID_USCC_BAD_CHAR, ["第18位字符“Ｌ”不允许", "全角"]),
        ("911100006000373公司L", ids.ID_USCC_BAD_CHAR, ["第16位字符“公”不允许", "大写英文字母"]),
        ("91110000600037341M", ids.ID_USCC_CHECK, ["校验位（第18位）应为“L”，实际为“M”", "核对前17位"]),
        ("91110000600037342L", ids.ID_USCC_CHECK, ["应为“", "实际为“L”"]),
    ],
)
def test_uscc_error_codes_and_messages(raw: str | None, code: str, fragments: list[str]) -> None:
    verdict = ids.check_uscc(raw)
    assert not verdict.valid
    assert verdict.value is None and verdict.parts == {}
    assert verdict.error_code == code
    assert verdict.message is not None
    for fragment in fragments:
        assert fragment in verdict.message
    assert verdict.raw == ("" if raw is None else raw)
    assert uscc_oracle(verdict.raw) is False


def test_uscc_newline_inside_is_invalid_where_stdnum_crashes() -> None:
    raw = "9111000\n600037341L"
    with pytest.raises(ValueError):
        stdnum_uscc.is_valid(raw)
    verdict = ids.check_uscc(raw)
    assert verdict.error_code == ids.ID_USCC_BAD_CHAR
    assert verdict.message is not None and "第8位字符“\\n”" in verdict.message


def test_uscc_warnings_do_not_change_validity() -> None:
    unknown_region = make_uscc("91999999MA1MXXXX9")
    verdict = ids.check_uscc(unknown_region)
    assert verdict.valid and stdnum_uscc.is_valid(unknown_region)
    assert [w.code for w in verdict.warnings] == [ids.ID_USCC_REGION]
    assert "999999" in verdict.warnings[0].message
    assert "region_name" not in verdict.parts

    odd_authority = ids.check_uscc(make_uscc("01110000600037341"))
    assert odd_authority.valid
    assert ids.ID_USCC_AUTHORITY in [w.code for w in odd_authority.warnings]
    assert odd_authority.parts["registration_authority_name"] == "未知"

    odd_type = ids.check_uscc(make_uscc("94110000600037341"))
    assert odd_type.valid
    assert [w.code for w in odd_type.warnings] == [ids.ID_USCC_ENTITY_TYPE]
    assert "工商（市场监管）" in odd_type.warnings[0].message

    bad_org = ids.check_uscc(make_uscc("91110000600037342"))
    assert bad_org.valid
    assert [w.code for w in bad_org.warnings] == [ids.ID_USCC_ORG_CHECK]
    assert "60003734-2" in bad_org.warnings[0].message


def test_require_raises_invalid_input_with_code() -> None:
    assert ids.check_uscc("91110000600037341L").require() == "91110000600037341L"
    with pytest.raises(InvalidInput) as info:
        ids.check_uscc("91110000600037341M").require()
    assert info.value.code == ids.ID_USCC_CHECK
    assert info.value.status == 422
    assert "应为“L”" in info.value.message
    assert info.value.details == {"kind": "uscc"}
    with pytest.raises(InvalidInput):
        ids.org_code_of_uscc("bad")


def test_calc_uscc_check_matches_stdnum_and_rejects_bad_input() -> None:
    assert ids.calc_uscc_check("91110000600037341") == "L"
    rng = random.Random(7)
    for _ in range(200):
        first17 = "".join(rng.choice("0123456789") for _ in range(8)) + "".join(
            rng.choice(ids.USCC_ALPHABET) for _ in range(9)
        )
        assert ids.calc_uscc_check(first17) == stdnum_uscc.calc_check_digit(first17)
    for bad in ["9111000060003734", "A1110000600037341", "9111000060003734I", "91110000600037341L"]:
        with pytest.raises(ValueError):
            ids.calc_uscc_check(bad)


uscc_chars = st.sampled_from(list(ids.USCC_ALPHABET + "IOSZVlx -\n\u3000\u00a0０１Ｌ公"))
uscc_shaped = st.builds(
    lambda a, b: a + b,
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=ids.USCC_ALPHABET, min_size=10, max_size=10),
)


@st.composite
def uscc_near_miss(draw: st.DrawFn) -> str:
    body = draw(uscc_shaped)
    code = make_uscc(body[:17])
    pos = draw(st.integers(0, 17))
    ch = draw(uscc_chars)
    return code[:pos] + ch + code[pos + 1 :]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=ids.USCC_ALPHABET, min_size=18, max_size=18),
        uscc_shaped,
        uscc_shaped.map(lambda s: make_uscc(s[:17])),
        uscc_near_miss(),
        st.text(uscc_chars, max_size=22),
        st.text(max_size=20),
    )
)
@example("91110000600037341L")
@example("9111000\n600037341L")
def test_uscc_validity_equals_stdnum(raw: str) -> None:
    verdict = ids.check_uscc(raw)
    assert verdict.valid == uscc_oracle(raw)
    if verdict.valid:
        assert verdict.value == stdnum_uscc.compact(raw)
        assert verdict.parts["organisation_code"] == verdict.value[8:17]
    else:
        assert verdict.error_code in ids.ERROR_CODES and verdict.error_code.startswith(
            ("ID_USCC", "ID_EMPTY")
        )
        assert verdict.message and any("\u4e00" <= ch <= "\u9fff" for ch in verdict.message)
