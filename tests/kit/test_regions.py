from __future__ import annotations

import re
from itertools import pairwise

import pytest
import stdnum

from xinyong.kit.errors import DomainError, NotFound
from xinyong.kit.regions import (
    SOURCE_VERSION,
    Region,
    all_regions,
    children,
    city_of,
    find_full_name,
    full_name,
    get_region,
    in_use,
    is_current,
    name_at,
    name_history,
    province_of,
    region_name,
    years_in_use,
)


def test_source_version_is_recorded() -> None:
    assert stdnum.__version__ == SOURCE_VERSION


def test_province() -> None:
    assert get_region("320000") == Region("320000", "江苏省", "province", None, None, None)
    assert region_name("320000") == "江苏省"
    assert full_name("320000") == "江苏省"
    assert province_of("320000") == get_region("320000")
    assert city_of("320000") is None


def test_city() -> None:
    r = get_region("320900")
    assert r is not None
    assert (r.name, r.level, r.parent_code) == ("盐城市", "city", "320000")
    assert (r.valid_from, r.valid_to) == (1983, None)
    assert r.is_current
    assert city_of("320900") == r
    assert full_name("320900") == "江苏省盐城市"


def test_county_renamed_keeps_current_name() -> None:
    r = get_region("320902")
    assert r is not None
    assert (r.name, r.level, r.parent_code) == ("亭湖区", "county", "320900")
    # loc.dat: "[1983-2002]城区,[2003-]亭湖区": the code's span covers both names
    assert (r.valid_from, r.valid_to) == (1983, None)
    assert [(h.name, h.valid_from, h.valid_to) for h in name_history("320902")] == [
        ("城区", 1983, 2002),
        ("亭湖区", 2003, None),
    ]
    assert full_name("320902") == "江苏省盐城市亭湖区"
    assert city_of("320902") == get_region("320900")
    assert province_of("320902") == get_region("320000")
    assert is_current("320902")


def test_children() -> None:
    codes = {r.code: r.name for r in children("320900")}
    assert codes["320902"] == "亭湖区"
    assert codes["320981"] == "东台市"
    assert all(r.parent_code == "320900" for r in children("320900"))
    current = {r.code for r in children("320900", current_only=True)}
    assert {"320902", "320981"} <= current
    assert "320911" not in current  # [1983-1996]郊区
    assert "320900" in {r.code for r in children("320000")}
    assert children("999999") == []
    assert children("bogus") == []


def test_historical_codes() -> None:
    r = get_region("322326")  # "[-1983]盐城县", under "[-1983]盐城地区"
    assert r is not None
    assert r == Region("322326", "盐城县", "county", "322300", None, 1983)
    assert not is_current("322326")
    assert not r.is_current
    assert full_name("322326") == "江苏省盐城地区盐城县"
    assert not is_current("322300")


def test_unknown_and_malformed_codes() -> None:
    for code in ("999999", "320999", "32090", "3209021", "abcdef", ""):
        assert get_region(code) is None
        assert region_name(code) is None
        assert not is_current(code)
        assert province_of(code) is None
        assert city_of(code) is None
        assert name_history(code) == []
    with pytest.raises(NotFound) as exc:
        full_name("999999")
    assert isinstance(exc.value, DomainError)
    assert exc.value.details == {"code": "999999"}


def test_surrounding_blanks_are_ignored() -> None:
    assert region_name(" 320902 ") == "亭湖区"


def test_municipalities_and_directly_administered_counties() -> None:
    assert get_region("110100") == Region("110100", "市辖区", "city", "110000", None, None)
    dongcheng = get_region("110101")
    assert dongcheng is not None and dongcheng.parent_code == "110100"
    assert full_name("110101") == "北京市东城区"
    assert full_name("110100") == "北京市市辖区"
    assert full_name("429004") == "湖北省仙桃市"  # under 429000 省直辖县级行政单位
    xiantao = get_region("429004")
    assert xiantao is not None and xiantao.parent_code == "429000"


def test_hong_kong_uses_simplified_entry() -> None:
    r = get_region("810000")
    assert r is not None
    assert (r.name, r.valid_from) == ("香港特别行政区", 1997)


def test_all_regions_shape() -> None:
    regions = all_regions()
    assert len(regions) > 6000
    assert [r.code for r in regions] == sorted(r.code for r in regions)
    assert len({r.code for r in regions}) == len(regions)
    by_code = {r.code: r for r in regions}
    for r in regions:
        assert re.fullmatch(r"\d{6}", r.code)
        assert r.name
        if r.level == "province":
            assert r.code.endswith("0000") and r.parent_code is None
        elif r.level == "city":
            assert r.code.endswith("00") and r.parent_code == r.code[:2] + "0000"
        else:
            assert not r.code.endswith("00")
            assert r.parent_code in (r.code[:4] + "00", r.code[:2] + "0000")
        if r.parent_code is not None:
            assert r.parent_code in by_code
        if r.valid_from is not None and r.valid_to is not None:
            assert r.valid_from <= r.valid_to
    current = [r for r in regions if r.is_current]
    assert sum(r.level == "province" for r in current) == 34
    assert "福建省" in {r.name for r in current}


def test_name_at_a_year() -> None:
    # "[1983-2002]城区,[2003-]亭湖区"
    assert name_at("320902", 1982) is None
    assert name_at("320902", 1983) == "城区"
    assert name_at("320902", 2002) == "城区"
    assert name_at("320902", 2003) == "亭湖区"
    assert name_at("110101", 1900) == "东城区"  # a name without years covers every year
    assert name_at("999999", 2000) is None
    # overlapping years: the first listed name wins ("[1981-2018]加格達奇區,[2018-]漠河市")
    assert name_at("232701", 2018) == "加格達奇區"
    assert name_at("232701", 2019) == "漠河市"
    assert in_use("110103", 2010) and not in_use("110103", 2011)  # [-2010]崇文区
    assert not in_use("bogus", 2000)


def test_years_in_use_are_merged_spans() -> None:
    assert years_in_use("320902") == [(1983, None)]  # 城区 then 亭湖区: one span
    assert years_in_use("110103") == [(None, 2010)]
    assert years_in_use("110101") == [(None, None)]
    assert years_in_use("999999") == []
    for region in all_regions():
        spans = years_in_use(region.code)
        assert spans and spans[0][0] == region.valid_from and spans[-1][1] == region.valid_to
        for (_, last), (first, _) in pairwise(spans):
            assert last is not None and first is not None and first > last + 1


def test_full_name_at_a_year() -> None:
    assert full_name("320902", year=1990) == "江苏省盐城市城区"
    assert full_name("320902", year=2020) == "江苏省盐城市亭湖区"
    assert find_full_name("320902", year=1980) is None
    assert find_full_name("120110", year=1985) == "天津市东郊区"
    assert find_full_name("110101", year=2000) == "北京市东城区"
    assert find_full_name("460001", year=1995) == "海南省通什市"
    assert find_full_name("999999") is None
    with pytest.raises(NotFound) as exc:
        full_name("320902", year=1980)
    assert exc.value.details == {"code": "320902", "year": 1980}
    assert "1980年" in exc.value.message


def test_full_name_names_each_level_once() -> None:
    assert full_name("460001") == "海南省五指山市"  # listed under 460000, the province itself
    for region in all_regions():
        province = full_name(region.code[:2] + "0000")
        assert not full_name(region.code).startswith(province + province), region.code
