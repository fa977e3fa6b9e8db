"""What the identifier tests share: python-stdnum as the oracle, builders of valid numbers, and the
region codes as stdnum's own table lists them."""

from __future__ import annotations

from stdnum import numdb
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from xinyong.kit import ids


def uscc_oracle(raw: str) -> bool:
    """stdnum's answer; stdnum raises ValueError on a few inputs (newline as 8th char): invalid."""
    try:
        return bool(stdnum_uscc.is_valid(raw))
    except ValueError:
        return False


def ric_oracle(raw: str) -> bool:
    """stdnum's answer, with its crash and its one quirk documented in ids' package docstring."""
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


def ric_case(region: str, birth: str, seq: str = "123", check: str | None = None) -> str:
    """A RIC-shaped string with the right check character unless ``check`` is given."""
    first17 = region + birth + seq
    return first17 + (check if check is not None else ids.calc_ric_check(first17))


def _region_codes() -> list[str]:
    """Every 6-digit code stdnum's numdb lists (read independently of ``xinyong.kit.regions``)."""
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
