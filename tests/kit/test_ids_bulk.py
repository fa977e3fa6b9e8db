"""The vectorised (Polars) twins: the same error code as the scalar checkers for every row, and
stdnum's compaction, with stdnum's character table read through its public ``clean``."""

from __future__ import annotations

import random
import re

import polars as pl
from stdnum import numdb
from stdnum import util as stdnum_util
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from xinyong.kit import ids
from xinyong.kit.ids.compaction import MAP_SCAN_RANGES, unicode_to_ascii_map

from idsworld import BOUNDED, PY_WHITESPACE, REGIONS, make_ric, make_uscc, ric_oracle


def _mutations(code: str, rng: random.Random, alphabet: str) -> str:
    pos = rng.randrange(len(code))
    return code[:pos] + rng.choice(alphabet) + code[pos + 1 :]


def _uscc_row(rng: random.Random, noise: str) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(8)) + "".join(
        rng.choice(ids.USCC_ALPHABET) for _ in range(9)
    )
    code = make_uscc(body)
    kind = rng.randrange(8)
    if kind == 0:
        return code
    if kind == 1:
        return code.lower()
    if kind in (2, 3):
        return _mutations(code, rng, noise)
    if kind == 4:
        return code[: rng.randrange(18)] if rng.random() < 0.5 else code + rng.choice(noise)
    if kind == 5:
        return rng.choice(PY_WHITESPACE) + code[:9] + " - " + code[9:] + rng.choice(PY_WHITESPACE)
    if kind == 6:
        return "".join(rng.choice(noise) for _ in range(rng.randrange(22)))
    return code[:17] + rng.choice(ids.USCC_ALPHABET)


def _uscc_rows(n: int, seed: int) -> list[str | None]:
    rng = random.Random(seed)
    noise = ids.USCC_ALPHABET + "IOSZVl-  \n\u3000\u00a0０１Ｌ公ß"
    rows: list[str | None] = [None, "", "  ", "--", "9111000\n600037341L", " 9111-0000 6000-3734 1l\u3000"]
    rows.extend(_uscc_row(rng, noise) for _ in range(n))
    return rows


def _ric_row(rng: random.Random, noise: str) -> str:
    region = rng.choice(REGIONS + BOUNDED * 20 + ["999999", "329999", "710000"])
    year = rng.choice([rng.randrange(1900, 2031), 1982, 1983, 1991, 1992, 1996, 1997, 2010, 2011, 0, 2400])
    birth = f"{year:04d}{rng.randrange(0, 14):02d}{rng.randrange(0, 33):02d}"
    if rng.random() < 0.6:
        birth = f"{year:04d}0{rng.randrange(1, 10)}{rng.randrange(1, 29):02d}"
    code = make_ric(region, birth, f"{rng.randrange(1000):03d}")
    kind = rng.randrange(6)
    if kind in (0, 1):
        return code if kind == 0 else " " + code.lower() + "\u3000"
    if kind == 2:
        return _mutations(code, rng, noise)
    if kind == 3:
        return code[:17] + rng.choice("0123456789X")
    if kind == 4:
        return code[: rng.randrange(18)] if rng.random() < 0.5 else code + rng.choice(noise)
    return "".join(rng.choice(noise) for _ in range(rng.randrange(20)))


def _ric_rows(n: int, seed: int) -> list[str | None]:
    rng = random.Random(seed)
    noise = "0123456789X x-\n\u3000０Ｘ"
    rows: list[str | None] = [None, "", " ", "360426199101010071", "3604261991010100\n8"]
    rows.extend(_ric_row(rng, noise) for _ in range(n))
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


def _every_character() -> str:
    return "".join(chr(cp) for cp in range(0x110000))


def test_character_table_is_all_stdnum_changes_in_all_of_unicode() -> None:
    # stdnum's clean() maps characters one by one, so one call over every code point shows each
    # character it changes; the table (built from the ranges only) must hold exactly those.
    everything = _every_character()
    cleaned = stdnum_util.clean(everything)
    changed = {a: b for a, b in zip(everything, cleaned, strict=True) if a != b}
    assert changed == unicode_to_ascii_map("")
    assert all(any(lo <= ord(ch) < hi for lo, hi in MAP_SCAN_RANGES) for ch in changed)
    assert "０" in changed and "\u3000" in changed and "\u2014" in changed  # full width, blank, dash
    dropped = unicode_to_ascii_map(" -")
    assert {k for k, v in dropped.items() if v == ""} == {" ", "-"} | {
        k for k, v in changed.items() if v in " -"
    }


def test_compaction_of_every_mapped_character_agrees_with_stdnum() -> None:
    mapped = sorted(unicode_to_ascii_map(""))
    fullwidth = [chr(cp) for cp in range(0xFF01, 0xFF5F)]
    rows = [f"9{ch}1{ch}{ch}ab" for ch in mapped + fullwidth]
    rows += ["".join(mapped), "".join(fullwidth), " ".join(mapped[:40]) + "\u3000"]
    frame = pl.DataFrame({"v": rows}).select(
        ids.uscc_compact_expr("v").alias("uscc"), ids.ric_compact_expr("v").alias("ric")
    )
    assert frame["uscc"].to_list() == [stdnum_uscc.compact(r) for r in rows]
    assert frame["ric"].to_list() == [stdnum_ric.compact(r) for r in rows]


def test_error_expr_accepts_non_string_columns() -> None:
    frame = pl.DataFrame({"n": [360426199101010071, 1]})
    got = frame.select(ids.ric_error_expr("n"))["n_error"].to_list()
    assert got == [None, ids.ID_RIC_LENGTH]
