"""Vectorised (Polars) twins of the USCC and resident-ID checks and of stdnum's compaction.

:func:`uscc_error_expr` and :func:`ric_error_expr` give, for every row, the same error code as the
scalar checkers, without calling Python per row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Final

import polars as pl

from xinyong.kit import regions
from xinyong.kit.ids.compaction import unicode_to_ascii_map
from xinyong.kit.ids.uscc import USCC_ALPHABET, USCC_WEIGHTS
from xinyong.kit.ids.verdict import (
    ID_EMPTY,
    ID_RIC_BAD_CHAR,
    ID_RIC_BIRTH_DATE,
    ID_RIC_CHECK,
    ID_RIC_LENGTH,
    ID_RIC_REGION,
    ID_USCC_BAD_CHAR,
    ID_USCC_CHECK,
    ID_USCC_LENGTH,
)

__all__ = ["as_string_expr", "ric_compact_expr", "ric_error_expr", "uscc_compact_expr", "uscc_error_expr"]

# Exactly the characters Python's str.strip() removes (str.isspace()); Rust's notion differs.
_PY_WHITESPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def as_string_expr(col: str | pl.Expr) -> pl.Expr:
    """The column (by name) or the expression, cast to ``String``."""
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.cast(pl.String)


def _compact_expr(col: str | pl.Expr, deletechars: str) -> pl.Expr:
    mapping = unicode_to_ascii_map(deletechars)
    return as_string_expr(col).str.replace_many(mapping).str.to_uppercase().str.strip_chars(_PY_WHITESPACE)


def uscc_compact_expr(col: str | pl.Expr) -> pl.Expr:
    """Polars twin of stdnum's USCC compaction (strip spaces and hyphens, uppercase, trim)."""
    return _compact_expr(col, " -")


def ric_compact_expr(col: str | pl.Expr) -> pl.Expr:
    """Polars twin of stdnum's RIC compaction (uppercase, trim; inner spaces are kept, as in stdnum)."""
    return _compact_expr(col, "")


def _name_of(col: str | pl.Expr, suffix: str) -> Callable[[pl.Expr], pl.Expr]:
    if isinstance(col, str):
        return lambda e: e.alias(f"{col}{suffix}")
    return lambda e: e


_NULL_STR: Final = pl.lit(None, dtype=pl.String)


def _per_row(compact: pl.Expr, body: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """``body(compact)`` with ``compact`` evaluated once.

    ``body`` refers to its argument many times; eager ``select`` does no common-subexpression
    elimination, so the compaction would run ~20 times. Evaluating ``body`` on ``pl.element()``
    of a one-item list keeps the whole thing a plain (lazy-friendly) expression, ~3x faster.
    """
    return pl.concat_list([compact]).list.eval(body(pl.element())).list.first()


# --- USCC ---------------------------------------------------------------------------------------------


def uscc_error_expr(col: str | pl.Expr) -> pl.Expr:
    """Per row: the error code :func:`~xinyong.kit.ids.check_uscc` would give, or null when valid.

    Named ``"<col>_error"`` when ``col`` is a column name.
    """
    return _name_of(col, "_error")(_per_row(uscc_compact_expr(col), _uscc_error_body))


def _uscc_error_body(c: pl.Expr) -> pl.Expr:
    n = c.str.len_chars()
    shape_ok = c.str.contains(r"^[0-9]{8}[0-9A-HJ-NP-RTUWXY]{10}$")
    values = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
    total = pl.sum_horizontal(
        [
            c.str.slice(i, 1).replace_strict(values, default=None, return_dtype=pl.Int64) * w
            for i, w in enumerate(USCC_WEIGHTS)
        ]
    )
    expected = ((31 - total % 31) % 31).replace_strict(
        dict(enumerate(USCC_ALPHABET)), default=None, return_dtype=pl.String
    )
    check_bad = (c.str.slice(17, 1) != expected).fill_null(True)
    return (
        pl.when(c.is_null() | (n == 0))
        .then(pl.lit(ID_EMPTY))
        .when(n != 18)
        .then(pl.lit(ID_USCC_LENGTH))
        .when(~shape_ok)
        .then(pl.lit(ID_USCC_BAD_CHAR))
        .when(check_bad)
        .then(pl.lit(ID_USCC_CHECK))
        .otherwise(_NULL_STR)
    )


# --- RIC ----------------------------------------------------------------------------------------------

_RIC_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))
_YEAR_MIN: Final = 0
_YEAR_MAX: Final = 10_000


@functools.cache
def _ric_region_intervals() -> tuple[dict[str, int], ...]:
    """For each 6-digit code: the birth years in which it is a valid address code
    (:func:`xinyong.kit.regions.years_in_use`, open ends as 0 and 10000).

    Returned as ``(lo_0, hi_0, lo_1, hi_1, ...)`` mappings code -> year, for ``replace_strict``.
    """
    by_code = {
        region.code: [
            (_YEAR_MIN if first is None else first, _YEAR_MAX if last is None else last)
            for first, last in regions.years_in_use(region.code)
        ]
        for region in regions.all_regions()
    }
    width = max(len(v) for v in by_code.values())
    tables: list[dict[str, int]] = []
    for i in range(width):
        tables.append({code: iv[i][0] for code, iv in by_code.items() if len(iv) > i})
        tables.append({code: iv[i][1] for code, iv in by_code.items() if len(iv) > i})
    return tuple(tables)


def ric_error_expr(col: str | pl.Expr) -> pl.Expr:
    """Per row: the error code :func:`~xinyong.kit.ids.check_ric` would give, or null when valid.

    Birth date and region (valid in the birth year, from :mod:`xinyong.kit.regions`) are checked
    with pure expressions. Named ``"<col>_error"`` when ``col`` is a column name.
    """
    return _name_of(col, "_error")(_per_row(ric_compact_expr(col), _ric_error_body))


def _ric_check_bad(c: pl.Expr) -> pl.Expr:
    first17 = c.str.slice(0, 17).cast(pl.Int64, strict=False)
    total = pl.sum_horizontal([((first17 // 10 ** (16 - i)) % 10) * w for i, w in enumerate(_RIC_WEIGHTS)])
    expected = ((12 - total % 11) % 11).replace_strict(
        {**{i: str(i) for i in range(10)}, 10: "X"}, default=None, return_dtype=pl.String
    )
    return (c.str.slice(17, 1) != expected).fill_null(True)


def _ric_date_ok(c: pl.Expr, year: pl.Expr) -> pl.Expr:
    month = c.str.slice(10, 2).cast(pl.Int32, strict=False)
    day = c.str.slice(12, 2).cast(pl.Int32, strict=False)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    return ((year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)).fill_null(False)


def _ric_region_ok(c: pl.Expr, year: pl.Expr) -> pl.Expr:
    prefix = c.str.slice(0, 6)
    tables = _ric_region_intervals()
    in_any = pl.lit(False)
    for lo_map, hi_map in zip(tables[0::2], tables[1::2], strict=True):
        lo = prefix.replace_strict(lo_map, default=None, return_dtype=pl.Int32)
        hi = prefix.replace_strict(hi_map, default=None, return_dtype=pl.Int32)
        in_any = in_any | ((year >= lo) & (year <= hi)).fill_null(False)
    return in_any


def _ric_error_body(c: pl.Expr) -> pl.Expr:
    n = c.str.len_chars()
    shape_ok = c.str.contains(r"^[0-9]{17}[0-9X]$")
    year = c.str.slice(6, 4).cast(pl.Int32, strict=False)
    return (
        pl.when(c.is_null() | (n == 0))
        .then(pl.lit(ID_EMPTY))
        .when(n != 18)
        .then(pl.lit(ID_RIC_LENGTH))
        .when(~shape_ok)
        .then(pl.lit(ID_RIC_BAD_CHAR))
        .when(_ric_check_bad(c))
        .then(pl.lit(ID_RIC_CHECK))
        .when(~_ric_date_ok(c, year))
        .then(pl.lit(ID_RIC_BIRTH_DATE))
        .when(~_ric_region_ok(c, year))
        .then(pl.lit(ID_RIC_REGION))
        .otherwise(_NULL_STR)
    )
