"""居民身份证号码: agreement with python-stdnum, parts, error codes and messages, birth date and age."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric

from xinyong.kit import ids
from xinyong.kit.errors import InvalidInput

from idsworld import BOUNDED, REGIONS, make_ric, ric_case, ric_oracle


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
        (ric_case("360426", "19910230"), ids.ID_RIC_BIRTH_DATE, ["出生日期“19910230”不是有效日期"]),
        (ric_case("360426", "00000101"), ids.ID_RIC_BIRTH_DATE, ["“00000101”"]),
        (ric_case("999999", "19910101"), ids.ID_RIC_REGION, ["地址码“999999”", "1991年"]),
        (ric_case("110103", "20150101"), ids.ID_RIC_REGION, ["地址码“110103”", "2015年"]),
        (ric_case("329999", "19910101"), ids.ID_RIC_REGION, ["地址码“329999”"]),
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
    province_only = ric_case("329999", "19910101")
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
