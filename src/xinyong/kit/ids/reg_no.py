"""工商注册号 (the 15-digit business registration number used before the USCC; check digit ISO 7064
MOD 11,10)."""

from __future__ import annotations

from typing import Final

from stdnum.iso7064 import mod_11_10

from xinyong.kit.ids.compaction import compact_plain
from xinyong.kit.ids.verdict import (
    ID_REGNO_BAD_CHAR,
    ID_REGNO_CHECK,
    ID_REGNO_LENGTH,
    IdVerdict,
    bad,
    empty,
    ok,
    region_label,
    show_char,
    width_hint,
)

__all__ = ["calc_reg_no_check", "check_reg_no"]

_REG_NO_CATEGORY: Final[dict[str, str]] = {
    **dict.fromkeys("0123", "内资企业"),
    **dict.fromkeys("45", "外资企业"),
    **dict.fromkeys("6789", "个体工商户"),
}


def calc_reg_no_check(first14: str) -> str:
    """The 15th (check) digit for the first 14 digits of a 工商注册号 (ISO 7064 MOD 11,10)."""
    if len(first14) != 14 or not (first14.isascii() and first14.isdigit()):
        raise ValueError(f"need 14 ASCII digits, got {first14!r}")
    return mod_11_10.calc_check_digit(first14)


def check_reg_no(raw: str | None) -> IdVerdict:
    """Check a 15-digit 工商注册号 (pre-2015 business registration number)."""
    raw = "" if raw is None else raw
    value = compact_plain(raw, " -")
    if not value:
        return empty("reg_no", raw)
    if len(value) != 15:
        return bad(
            "reg_no",
            raw,
            ID_REGNO_LENGTH,
            f"工商注册号应为15位数字，实际为{len(value)}位，请核对是否漏填或多填",
        )
    for pos, ch in enumerate(value):
        if ch not in "0123456789":
            return bad(
                "reg_no",
                raw,
                ID_REGNO_BAD_CHAR,
                f"工商注册号第{pos + 1}位字符“{show_char(ch)}”不允许："
                f"工商注册号只能由数字组成{width_hint(ch)}",
            )
    expected = calc_reg_no_check(value[:14])
    if value[14] != expected:
        return bad(
            "reg_no",
            raw,
            ID_REGNO_CHECK,
            f"工商注册号校验位（第15位）应为“{expected}”，实际为“{value[14]}”，请逐位核对前14位是否录入有误",
        )
    parts = {"authority_code": value[:6], "category": _REG_NO_CATEGORY[value[6]], "sequence": value[6:14]}
    name = region_label(value[:6])
    if name is not None:
        parts["region_name"] = name
    return ok("reg_no", raw, value, parts)
