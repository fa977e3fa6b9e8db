"""Region names in identifier verdicts come from the one region reader, ``xinyong.kit.regions``, and
agree with it (and with stdnum's own table) for every code the table lists."""

from __future__ import annotations

import json

import polars as pl
from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.kit import ids, regions

from idsworld import REGIONS, make_ric, make_uscc, ric_oracle

HAINAN_USCC = "91460001MA5T1234X0"


def _years_to_try(code: str) -> list[int]:
    """1949, 2026 and every year next to a change in the names of the code or of its ancestors."""
    years = {1949, 2026}
    for link in {code, code[:4] + "00", code[:2] + "0000"}:
        for entry in regions.name_history(link):
            for bound in (entry.valid_from, entry.valid_to):
                if bound is not None:
                    years |= {bound - 1, bound, bound + 1}
    return sorted(years)


def test_the_region_table_is_the_one_stdnum_lists() -> None:
    assert [r.code for r in regions.all_regions()] == REGIONS


def test_uscc_and_reg_no_region_names_are_the_regions_view_for_every_code() -> None:
    for region in regions.all_regions():
        expected = regions.full_name(region.code)
        province = regions.full_name(region.code[:2] + "0000")
        assert not expected.startswith(province + province), region.code
        uscc = ids.check_uscc(make_uscc("91" + region.code + "MA1MXXXX9"))
        assert uscc.valid and uscc.parts["region_name"] == expected, region.code
        assert ids.ID_USCC_REGION not in [w.code for w in uscc.warnings]
        reg_no = region.code + "00000001"
        assert ids.check_reg_no(reg_no + ids.calc_reg_no_check(reg_no)).parts["region_name"] == expected


def _code_years() -> list[tuple[str, int]]:
    return [(region.code, year) for region in regions.all_regions() for year in _years_to_try(region.code)]


def test_ric_address_code_years_are_the_regions_view_for_every_code() -> None:
    # The bulk twin gives check_ric's error code (test_ids_bulk), and check_ric is stdnum's verdict.
    pairs = _code_years()
    rows = [make_ric(code, f"{year:04d}0601") for code, year in pairs]
    got = pl.DataFrame({"id": rows}).select(ids.ric_error_expr("id")).to_series().to_list()
    assert [error is None for error in got] == [regions.in_use(code, year) for code, year in pairs]
    assert set(got) == {None, ids.ID_RIC_REGION}


def test_ric_region_name_is_the_regions_view_for_every_code_and_name() -> None:
    checked: set[tuple[str, str | None]] = set()
    for code, year in _code_years():
        expected = regions.find_full_name(code, year=year)
        if expected is None or (code, expected) in checked:
            continue
        checked.add((code, expected))
        raw = make_ric(code, f"{year:04d}0601")
        verdict = ids.check_ric(raw)
        assert verdict.valid and ric_oracle(raw), (code, year)
        assert verdict.parts["region_name"] == expected, (code, year)
    assert len(checked) > len(REGIONS)


def test_hainan_county_level_cities_name_the_province_once() -> None:
    verdict = ids.classify(HAINAN_USCC)
    assert verdict.kind == "uscc" and verdict.valid
    assert verdict.parts["region_name"] == "海南省五指山市"
    old = ids.check_ric(make_ric("460001", "19950601"))
    assert old.parts["region_name"] == "海南省通什市"


def test_check_id_names_the_region_once() -> None:
    result = CliRunner().invoke(app, ["check-id", HAINAN_USCC])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["valid"] is True
    assert body["parts"]["region_name"] == "海南省五指山市"
