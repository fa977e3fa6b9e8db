"""Identifier checks: agreement with python-stdnum, error codes and messages, vectorised twins."""

from __future__ import annotations

import datetime as dt
import random
import re

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from stdnum import numdb
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from xinyong.kit import ids
from xinyong.kit.errors import InvalidInput

# --- oracles -------------------------------------------------------------------------------------------


def uscc_oracle(raw: str) -> bool:
    """stdnum's answer; stdnum raises ValueError on a few inputs (newline as 8th char): invalid."""
    try:
        return bool(stdnum_uscc.is_valid(raw))
    except ValueError:
        return False


def ric_oracle(raw: str) -> bool:
    """stdnum's answer, with its crash and its one quirk documented in ids' module docstring."""
    if "\n" in stdnum_ric.compact(raw):
        return False  # deliberate deviation: stdnum's `^[0-9]+$` lets a newline through
    try:
        return bool(stdnum_ric.is_valid(raw))
    except KeyError:
        return False  # stdnum crashes when the province is known but the county is not


def make_uscc(first17: str) -> str:
    return first17 + ids.calc_uscc_check(first17)


def make_ric(region: str, birth: str, seq: str = "123") -> str:
    first17 = region + birth + seq
    return first17 + ids.calc_ric_check(first17)


def _region_codes() -> list[str]:
    db = numdb.get("cn/loc")
    return sorted(
        low + child_low
        for _len, low, _high, _props, children in db.prefixes
        for _clen, child_low, _chigh, _cprops, _cc in children
    )


REGIONS = _region_codes()
# year-bounded counties: 崇文区 [-2010], 盐城市 [1983-], 东郊区/东丽区 [-1991]/[1992-]
BOUNDED = ["110103", "320900", "120110", "330502", "810000"]
PY_WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


# --- USCC ---------------------------------------------------------------------------------------------


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


# --- RIC ----------------------------------------------------------------------------------------------


def test_known_rics_valid_with_parts() -> None:
    verdict = ids.check_ric("360426199101010071")
    assert verdict.valid and verdict.value == "360426199101010071"
    assert verdict.parts == {
        "region_code": "360426",
        "region_name": "江西省九江市德安县",
        "birth_date": "1991-01-01",
        "sex": "男",
    }
    female = ids.check_ric("11010519491231002x")
    assert female.valid and female.value == "11010519491231002X"
    assert female.parts["sex"] == "女"
    assert female.parts["region_name"] == "北京市朝阳区"
    assert ids.calc_ric_check("11010519491231002") == "X"


def test_ric_region_name_follows_birth_year() -> None:
    old = ids.check_ric(make_ric("120110", "19850101"))
    new = ids.check_ric(make_ric("120110", "19950101"))
    assert old.parts["region_name"] == "天津市东郊区"
    assert new.parts["region_name"] == "天津市东丽区"


def _ric_case(region: str, birth: str, seq: str = "123", check: str | None = None) -> str:
    first17 = region + birth + seq
    return first17 + (check if check is not None else ids.calc_ric_check(first17))


@pytest.mark.parametrize(
    ("raw", "code", "fragments"),
    [
        ("", ids.ID_EMPTY, ["未填写居民身份证号码"]),
        ("   ", ids.ID_EMPTY, ["未填写"]),
        ("36042619910101007", ids.ID_RIC_LENGTH, ["应为18位，实际为17位", "漏填或多填"]),
        ("360426910101007", ids.ID_RIC_LENGTH, ["实际为15位", "第一代身份证"]),
        ("360426 199101010071", ids.ID_RIC_LENGTH, ["实际为19位", "不能有空格或连字符"]),
        ("3604A6199101010071", ids.ID_RIC_BAD_CHAR, ["第5位字符“A”不允许", "前17位必须是数字"]),
        ("36042619910101007Y", ids.ID_RIC_BAD_CHAR, ["第18位字符“Y”不允许", "数字或大写字母X"]),
        ("360426199101010072", ids.ID_RIC_CHECK, ["校验位（第18位）应为“1”，实际为“2”"]),
        (_ric_case("360426", "19910230"), ids.ID_RIC_BIRTH_DATE, ["出生日期“19910230”不是有效日期"]),
        (_ric_case("360426", "00000101"), ids.ID_RIC_BIRTH_DATE, ["“00000101”"]),
        (_ric_case("999999", "19910101"), ids.ID_RIC_REGION, ["地址码“999999”", "1991年"]),
        (_ric_case("110103", "20150101"), ids.ID_RIC_REGION, ["地址码“110103”", "2015年"]),
        (_ric_case("329999", "19910101"), ids.ID_RIC_REGION, ["地址码“329999”"]),
    ],
)
def test_ric_error_codes_and_messages(raw: str, code: str, fragments: list[str]) -> None:
    verdict = ids.check_ric(raw)
    assert not verdict.valid and verdict.value is None
    assert verdict.error_code == code
    assert verdict.message is not None
    for fragment in fragments:
        assert fragment in verdict.message
    assert ric_oracle(raw) is False


def test_ric_abolished_region_valid_before_abolition() -> None:
    assert ids.check_ric(make_ric("110103", "20100101")).valid
    assert not ids.check_ric(make_ric("110103", "20110101")).valid


def test_ric_stdnum_crash_and_quirk_are_reported_invalid() -> None:
    province_only = _ric_case("329999", "19910101")
    with pytest.raises(KeyError):
        stdnum_ric.is_valid(province_only)
    assert ids.check_ric(province_only).error_code == ids.ID_RIC_REGION

    first17 = "3604261991010100\n"
    with_newline = first17 + stdnum_ric.calc_check_digit(first17 + "0")
    assert stdnum_ric.is_valid(with_newline)  # stdnum's quirk
    verdict = ids.check_ric(with_newline)
    assert verdict.error_code == ids.ID_RIC_BAD_CHAR
    assert verdict.message is not None and "第17位字符“\\n”" in verdict.message


ric_chars = st.sampled_from(list("0123456789X xＸ０-\n"))


@st.composite
def ric_candidates(draw: st.DrawFn) -> str:
    region = draw(
        st.one_of(st.sampled_from(REGIONS + BOUNDED), st.text("0123456789", min_size=6, max_size=6))
    )
    birth = draw(
        st.one_of(
            st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)).map(lambda d: d.strftime("%Y%m%d")),
            st.text("0123456789", min_size=8, max_size=8),
        )
    )
    seq = draw(st.text("0123456789", min_size=3, max_size=3))
    code = make_ric(region, birth, seq)
    mode = draw(st.sampled_from(["valid", "mutate", "check"]))
    if mode == "mutate":
        pos = draw(st.integers(0, 17))
        code = code[:pos] + draw(ric_chars) + code[pos + 1 :]
    elif mode == "check":
        code = code[:17] + draw(st.sampled_from(list("0123456789X")))
    return code


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ric_candidates(), st.text(ric_chars, max_size=20), st.text(max_size=20)))
@example("360426199101010071")
def test_ric_validity_equals_stdnum(raw: str) -> None:
    verdict = ids.check_ric(raw)
    assert verdict.valid == ric_oracle(raw)
    if verdict.valid:
        assert verdict.value == stdnum_ric.compact(raw)
        assert verdict.parts["birth_date"] == stdnum_ric.get_birth_date(raw).isoformat()
        assert verdict.parts["sex"] == ("男" if int(verdict.value[16]) % 2 else "女")
    else:
        assert verdict.error_code in ids.ERROR_CODES and verdict.message


def test_birth_date_of() -> None:
    assert ids.birth_date_of("11010519491231002X") == dt.date(1949, 12, 31)
    with pytest.raises(InvalidInput) as info:
        ids.birth_date_of("360426199101010072")
    assert info.value.code == ids.ID_RIC_CHECK


def test_is_minor_on_fixed_dates() -> None:
    birth = dt.date(2006, 5, 20)
    assert ids.is_minor(birth, dt.date(2024, 5, 19))
    assert not ids.is_minor(birth, dt.date(2024, 5, 20))
    assert not ids.is_minor(birth, dt.date(2030, 1, 1))
    assert ids.is_minor(birth, dt.date(2000, 1, 1))  # before birth: under 18
    leap = dt.date(2004, 2, 29)
    assert ids.is_minor(leap, dt.date(2022, 2, 28))
    assert not ids.is_minor(leap, dt.date(2022, 3, 1))
    ric = make_ric("110105", "20060520")
    assert ids.is_minor(ric, dt.date(2024, 5, 19))
    assert not ids.is_minor(ric, dt.date(2024, 5, 20))
    assert ids.is_minor(dt.datetime(2006, 5, 20, 23, 0), dt.date(2024, 5, 19))
    with pytest.raises(InvalidInput):
        ids.is_minor("360426199101010072", dt.date(2024, 1, 1))


# --- 组织机构代码 and 工商注册号 ------------------------------------------------------------------------


def _org_check_reference(body: str) -> str:
    values = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
    total = sum(values[ch] * w for ch, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def test_org_code_check_char_examples() -> None:
    assert ids.calc_org_check("D2143569") == "X"  # the GB 11714 textbook example
    assert ids.calc_org_check("60003734") == "1"  # from USCC 91110000600037341L
    rng = random.Random(11)
    for _ in range(300):
        body = "".join(rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(8))
        assert ids.calc_org_check(body) == _org_check_reference(body)
    zero = next(b for b in (f"{n:08d}" for n in range(1000)) if _org_check_reference(b) == "0")
    assert ids.calc_org_check(zero) == "0"
    for bad in ["1234567", "1234567a", "123456789"]:
        with pytest.raises(ValueError):
            ids.calc_org_check(bad)


@pytest.mark.parametrize("raw", ["D2143569-X", "D2143569X", " d2143569-x ", "60003734-1", "600037341"])
def test_org_code_valid(raw: str) -> None:
    verdict = ids.check_org_code(raw)
    assert verdict.valid and verdict.kind == "org_code"
    assert verdict.value == raw.strip().upper().replace("-", "")
    assert verdict.parts["formatted"] == f"{verdict.value[:8]}-{verdict.value[8]}"


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("", ids.ID_EMPTY, "未填写组织机构代码"),
        ("D214356-X", ids.ID_ORG_LENGTH, "实际为8位"),
        ("D2143569--X", ids.ID_ORG_LENGTH, "12345678-9"),
        ("D2143-56X", ids.ID_ORG_BAD_CHAR, "连字符只能写在校验码之前"),
        ("D21435公9X", ids.ID_ORG_BAD_CHAR, "第7位字符“公”不允许"),
        ("D2143569-A", ids.ID_ORG_BAD_CHAR, "校验码）只能是数字或大写字母X"),
        ("D2143569-1", ids.ID_ORG_CHECK, "校验码应为“X”，实际为“1”"),
    ],
)
def test_org_code_errors(raw: str, code: str, fragment: str) -> None:
    verdict = ids.check_org_code(raw)
    assert not verdict.valid and verdict.error_code == code
    assert verdict.message is not None and fragment in verdict.message


def test_org_code_detects_every_single_digit_change() -> None:
    code = "60003734" + ids.calc_org_check("60003734")
    for pos in range(9):
        for digit in "0123456789X" if pos == 8 else "0123456789":
            if digit != code[pos]:
                mutated = code[:pos] + digit + code[pos + 1 :]
                assert ids.check_org_code(mutated).error_code == ids.ID_ORG_CHECK, mutated


def _mod_11_10_reference(first14: str) -> str:
    """The textbook ISO 7064 MOD 11,10 (hybrid) procedure, independent of stdnum."""
    p = 10
    for ch in first14:
        s = (p + int(ch)) % 10 or 10
        p = (s * 2) % 11
    return str((11 - p) % 10)


def test_reg_no_check_digit_examples() -> None:
    assert ids.calc_reg_no_check("11010800000001") == "6"
    rng = random.Random(5)
    for _ in range(300):
        first14 = "".join(rng.choice("0123456789") for _ in range(14))
        assert ids.calc_reg_no_check(first14) == _mod_11_10_reference(first14)
    with pytest.raises(ValueError):
        ids.calc_reg_no_check("1101080000000")


def test_reg_no_valid_and_parts() -> None:
    verdict = ids.check_reg_no("110108 000000016")
    assert verdict.valid and verdict.value == "110108000000016"
    assert verdict.parts == {
        "authority_code": "110108",
        "region_name": "北京市海淀区",
        "category": "内资企业",
        "sequence": "00000001",
    }
    foreign = "32059440" + "000012"
    assert ids.check_reg_no(foreign + ids.calc_reg_no_check(foreign)).parts["category"] == "外资企业"


def test_reg_no_detects_every_single_digit_change() -> None:
    code = "310115400084706"[:14]
    code += ids.calc_reg_no_check(code)
    assert ids.check_reg_no(code).valid
    for pos in range(15):
        for digit in "0123456789":
            if digit != code[pos]:
                mutated = code[:pos] + digit + code[pos + 1 :]
                assert ids.check_reg_no(mutated).error_code == ids.ID_REGNO_CHECK, mutated


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("", ids.ID_EMPTY, "未填写工商注册号"),
        ("11010800000001", ids.ID_REGNO_LENGTH, "应为15位数字，实际为14位"),
        ("11010800000001A", ids.ID_REGNO_BAD_CHAR, "第15位字符“A”不允许"),
        ("110108000000017", ids.ID_REGNO_CHECK, "校验位（第15位）应为“6”，实际为“7”"),
    ],
)
def test_reg_no_errors(raw: str, code: str, fragment: str) -> None:
    verdict = ids.check_reg_no(raw)
    assert not verdict.valid and verdict.error_code == code
    assert verdict.message is not None and fragment in verdict.message


# --- classify -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "valid", "code"),
    [
        ("360426199101010071", "ric", True, None),
        ("360426199101010072", "ric", False, ids.ID_RIC_CHECK),
        ("91110000600037341L", "uscc", True, None),
        ("91110000600037341M", "uscc", False, ids.ID_USCC_CHECK),
        ("110108000000016", "reg_no", True, None),
        ("110108000000017", "reg_no", False, ids.ID_REGNO_CHECK),
        ("D2143569-X", "org_code", True, None),
        ("D2143569X", "org_code", True, None),
        ("D2143569-1", "org_code", False, ids.ID_ORG_CHECK),
        ("12345", "unknown", False, ids.ID_UNKNOWN_KIND),
        ("  ", "unknown", False, ids.ID_EMPTY),
    ],
)
def test_classify(raw: str, kind: str, valid: bool, code: str | None) -> None:
    verdict = ids.classify(raw)
    assert (verdict.kind, verdict.valid, verdict.error_code) == (kind, valid, code)


def test_classify_unknown_message_lists_lengths() -> None:
    verdict = ids.classify("1234567890123")
    assert verdict.message is not None
    assert "13位" in verdict.message and "18位" in verdict.message and "15位" in verdict.message


def test_classify_all_digit_code_valid_as_both_prefers_ric_and_warns() -> None:
    both = next(
        code
        for seq in range(1000)
        for code in [make_ric("110101", "19800101", f"{seq:03d}")]
        if stdnum_uscc.is_valid(code)
    )
    verdict = ids.classify(both)
    assert verdict.kind == "ric" and verdict.valid
    assert [w.code for w in verdict.warnings] == [ids.ID_AMBIGUOUS]
    all_digit_uscc = next(
        code
        for n in range(1000)
        for code in [make_uscc(f"12100000{n:09d}")]
        if code[-1].isdigit() and not ric_oracle(code)
    )
    assert ids.classify(all_digit_uscc).kind == "uscc"


# --- masking ------------------------------------------------------------------------------------------


def test_mask_ric() -> None:
    assert ids.mask_ric("32010219900101123X") == "3201**********123X"
    assert ids.mask_ric(" 32010219900101123x ") == "3201**********123X"
    assert ids.mask_ric("320102900101123") == "3201*******1123"
    assert ids.mask_ric("1234") == "****"
    assert ids.mask_ric("") == ""


def test_mask_phone() -> None:
    assert ids.mask_phone("13812345678") == "138****5678"
    assert ids.mask_phone("138-1234-5678") == "138****5678"
    assert ids.mask_phone("+8613812345678") == "+86138****5678"
    assert ids.mask_phone("12345") == "*2345"
    assert ids.mask_phone("123") == "***"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("当事人王某（320902198503129918）", "当事人王某（3209**********9918）"),
        ("ID320902198503129918号", "ID3209**********9918号"),  # glued to letters
        ("身份证320902198503129917有误", "身份证3209**********9917有误"),  # mistyped check digit
        ("号码32090219850312991x", "号码3209**********991X"),
        ("３２０９０２１９８５０３１２９９１８", "3209**********9918"),  # full-width digits
        ("电话+86 138-1234-5678。", "电话+86138****5678。"),
        ("电话 138 1234 5678", "电话 138****5678"),
        ("电话１３８１２３４５６７８", "电话138****5678"),
        ("8613812345678", "86138****5678"),
    ],
)
def test_mask_personal_text_masks_what_looks_personal(text: str, masked: str) -> None:
    assert ids.contains_personal(text)
    assert ids.mask_personal_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "91320902MA1XYW12X3",  # USCC with letters
        "913209020219850312",  # all-digit USCC: positions 7-14 are no date
        "320902000012345",  # 15-digit registration number (public)
        "3209021985031299180",  # 19 digits: not an ID
        "320902188503129918",  # born 1885: not plausible
        "320902198513129918",  # month 13
        "罚款5000000元，2026年3月16日，2026-03-16",
        "12812345678",  # not a mobile prefix
        "0515-88888888",
    ],
)
def test_mask_personal_text_leaves_public_numbers(text: str) -> None:
    assert not ids.contains_personal(text)
    assert ids.mask_personal_text(text) == text


def test_contains_personal_expr_agrees_with_scalar() -> None:
    texts = [
        "当事人王某（320902198503129918）",
        "ID320902198503129918",
        "３２０９０２１９８５０３１２９９１８",
        "+86 138-1234-5678",
        "91320902MA1XYW12X3",
        "913209020219850312",
        "320902000012345",
        "enc:x",
        "",
    ]
    got = pl.DataFrame({"t": texts}).select(ids.contains_personal_expr("t"))["t"].to_list()
    assert got == [ids.contains_personal(t) for t in texts]
    assert got == [True, True, True, True, False, False, False, False, False]


# --- vectorised twins ---------------------------------------------------------------------------------


def _mutations(code: str, rng: random.Random, alphabet: str) -> str:
    pos = rng.randrange(len(code))
    return code[:pos] + rng.choice(alphabet) + code[pos + 1 :]


def _uscc_rows(n: int, seed: int) -> list[str | None]:
    rng = random.Random(seed)
    noise = ids.USCC_ALPHABET + "IOSZVl-  \n\u3000\u00a0０１Ｌ公ß"
    rows: list[str | None] = [None, "", "  ", "--", "9111000\n600037341L", " 9111-0000 6000-3734 1l\u3000"]
    for _ in range(n):
        body = "".join(rng.choice("0123456789") for _ in range(8)) + "".join(
            rng.choice(ids.USCC_ALPHABET) for _ in range(9)
        )
        code = make_uscc(body)
        kind = rng.randrange(8)
        if kind == 0:
            rows.append(code)
        elif kind == 1:
            rows.append(code.lower())
        elif kind in (2, 3):
            rows.append(_mutations(code, rng, noise))
        elif kind == 4:
            rows.append(code[: rng.randrange(18)] if rng.random() < 0.5 else code + rng.choice(noise))
        elif kind == 5:
            rows.append(rng.choice(PY_WHITESPACE) + code[:9] + " - " + code[9:] + rng.choice(PY_WHITESPACE))
        elif kind == 6:
            rows.append("".join(rng.choice(noise) for _ in range(rng.randrange(22))))
        else:
            rows.append(code[:17] + rng.choice(ids.USCC_ALPHABET))
    return rows


def _ric_rows(n: int, seed: int) -> list[str | None]:
    rng = random.Random(seed)
    noise = "0123456789X x-\n\u3000０Ｘ"
    rows: list[str | None] = [None, "", " ", "360426199101010071", "3604261991010100\n8"]
    for _ in range(n):
        region = rng.choice(REGIONS + BOUNDED * 20 + ["999999", "329999", "710000"])
        year = rng.choice(
            [rng.randrange(1900, 2031), 1982, 1983, 1991, 1992, 1996, 1997, 2010, 2011, 0, 2400]
        )
        birth = f"{year:04d}{rng.randrange(0, 14):02d}{rng.randrange(0, 33):02d}"
        if rng.random() < 0.6:
            birth = f"{year:04d}0{rng.randrange(1, 10)}{rng.randrange(1, 29):02d}"
        code = make_ric(region, birth, f"{rng.randrange(1000):03d}")
        kind = rng.randrange(6)
        if kind in (0, 1):
            rows.append(code if kind == 0 else " " + code.lower() + "\u3000")
        elif kind == 2:
            rows.append(_mutations(code, rng, noise))
        elif kind == 3:
            rows.append(code[:17] + rng.choice("0123456789X"))
        elif kind == 4:
            rows.append(code[: rng.randrange(18)] if rng.random() < 0.5 else code + rng.choice(noise))
        else:
            rows.append("".join(rng.choice(noise) for _ in range(rng.randrange(20))))
    return rows


def test_uscc_error_expr_agrees_with_scalar() -> None:
    rows = _uscc_rows(4000, seed=1)
    got = pl.DataFrame({"code": rows}, schema={"code": pl.String}).select(ids.uscc_error_expr("code"))
    assert got.columns == ["code_error"]
    expected = [ids.check_uscc(r).error_code for r in rows]
    assert got["code_error"].to_list() == expected
    counts = {code: expected.count(code) for code in set(expected)}
    for code in [None, ids.ID_EMPTY, ids.ID_USCC_LENGTH, ids.ID_USCC_BAD_CHAR, ids.ID_USCC_CHECK]:
        assert counts.get(code, 0) >= 5, counts  # the mix exercises every outcome


def test_ric_error_expr_agrees_with_scalar() -> None:
    rows = _ric_rows(4000, seed=2)
    got = pl.DataFrame({"id": rows}, schema={"id": pl.String}).select(ids.ric_error_expr(pl.col("id")))
    expected = [ids.check_ric(r).error_code for r in rows]
    assert got.to_series().to_list() == expected
    assert [r is not None and ric_oracle(r) for r in rows] == [c is None for c in expected]
    counts = {code: expected.count(code) for code in set(expected)}
    for code in [
        None,
        ids.ID_EMPTY,
        ids.ID_RIC_LENGTH,
        ids.ID_RIC_BAD_CHAR,
        ids.ID_RIC_CHECK,
        ids.ID_RIC_BIRTH_DATE,
        ids.ID_RIC_REGION,
    ]:
        assert counts.get(code, 0) >= 5, counts


def test_ric_error_expr_region_years_match_stdnum_for_every_region() -> None:
    db = numdb.get("cn/loc")
    rows: list[str] = []
    for region in REGIONS:
        county = "".join(props.get("county", "") for _part, props in db.info(region))
        bounds = {int(b) for b in re.findall(r"[0-9]{4}", county)}
        years = {1949, 2026} | {b + d for b in bounds for d in (-1, 0, 1)}
        rows.extend(make_ric(region, f"{year}0601") for year in sorted(years))
    got = pl.DataFrame({"id": rows}).select(ids.ric_error_expr("id")).to_series().to_list()
    assert [e is None for e in got] == [ric_oracle(r) for r in rows]
    assert set(got) == {None, ids.ID_RIC_REGION}


def test_compact_exprs_agree_with_stdnum() -> None:
    rows = [r for r in _uscc_rows(500, seed=3) + _ric_rows(500, seed=4) if r is not None]
    rows += [ch + "9111 0000-6000 37341l" + ch for ch in PY_WHITESPACE]
    rows += ["\u2012\u2013\u2014１２３ＡＢｃ\u00b7x\u200b"]
    frame = pl.DataFrame({"v": rows}).select(
        ids.uscc_compact_expr("v").alias("uscc"), ids.ric_compact_expr("v").alias("ric")
    )
    assert frame["uscc"].to_list() == [stdnum_uscc.compact(r) for r in rows]
    assert frame["ric"].to_list() == [stdnum_ric.compact(r) for r in rows]


def test_error_expr_accepts_non_string_columns() -> None:
    frame = pl.DataFrame({"n": [360426199101010071, 1]})
    got = frame.select(ids.ric_error_expr("n"))["n_error"].to_list()
    assert got == [None, ids.ID_RIC_LENGTH]


def test_sealing_rule_round_trips_and_agrees_with_its_vectorised_twin() -> None:
    from xinyong.kit.crypto import PersonalDataCipher, seal_frame, seal_values, unseal_values

    cipher = PersonalDataCipher(bytes(range(32)), index_secret="test")
    data = {
        "facts": "当事人（ID３２０９０２１９８５０３１２９９１８）",
        "note": "enc:未按规定",
        "phone": "0515-88888888",
        "plain": "未按规定公示年度报告",
        "uscc": "913209020219850312",
        "amount": 5,
    }
    sealed = seal_values(data, cipher, always={"phone"})
    assert [k for k, v in sealed.items() if isinstance(v, str) and v.startswith("enc:")] == [
        "facts",
        "note",
        "phone",
    ]
    assert sealed["plain"] == data["plain"] and sealed["uscc"] == data["uscc"]
    assert unseal_values(sealed, cipher) == data
    frame = pl.DataFrame({k: [v] for k, v in data.items() if k != "amount"})
    bulk = seal_frame(frame, list(frame.columns), cipher, always={"phone"}).row(0, named=True)
    assert {k for k, v in bulk.items() if v.startswith("enc:")} == {"facts", "note", "phone"}
    assert unseal_values(bulk, cipher) == {k: v for k, v in data.items() if k != "amount"}
    from xinyong.kit.errors import DomainError

    with pytest.raises(DomainError) as caught:
        seal_values(data, None)
    assert caught.value.code == "RECORD_CIPHER_REQUIRED"
