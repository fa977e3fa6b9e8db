"""居民身份证号码 (resident identity card number, GB 11643).

Valid exactly when ``stdnum.cn.ric.is_valid`` says so, after stdnum's compaction, with one crash and
one deviation (see the package docstring): stdnum's ``KeyError`` for a known province with an
unknown county is ``ID_RIC_REGION``, and a newline as 17th character, which stdnum lets through,
is ``ID_RIC_BAD_CHAR``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from stdnum.cn import ric as stdnum_ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError

from xinyong.kit.ids.compaction import compact_ric
from xinyong.kit.ids.verdict import (
    ID_RIC_BAD_CHAR,
    ID_RIC_BIRTH_DATE,
    ID_RIC_CHECK,
    ID_RIC_LENGTH,
    ID_RIC_REGION,
    IdVerdict,
    bad,
    empty,
    ok,
    region_label,
    show_char,
    width_hint,
)

__all__ = ["birth_date_of", "calc_ric_check", "check_ric", "is_minor"]

_RIC_RE: Final = re.compile(r"[0-9]{17}[0-9X]")


def _length_message(value: str) -> str:
    msg = f"居民身份证号码应为18位，实际为{len(value)}位"
    if any(ch.isspace() or ch == "-" for ch in value):
        return msg + "，号码中间不能有空格或连字符，请删除后重新录入"
    if len(value) == 15:
        return msg + "（15位的是第一代身份证号码），请填写第二代居民身份证上的18位号码"
    return msg + "，请核对是否漏填或多填"


def _bad_char_message(value: str) -> str:
    pos = next((i for i, ch in enumerate(value[:17]) if ch not in "0123456789"), 17)
    ch = value[pos]
    if pos < 17:
        reason = "居民身份证号码前17位必须是数字" + width_hint(ch)
    else:
        reason = "第18位（校验码）只能是数字或大写字母X" + width_hint(ch)
    return f"居民身份证号码第{pos + 1}位字符“{show_char(ch)}”不允许：{reason}"


def _stdnum_verdict(raw: str, value: str) -> IdVerdict | None:
    """The invalid verdict for what stdnum rejects in a well-formed number, or ``None`` when valid."""
    try:
        stdnum_ric.validate(value)
    except InvalidChecksum:
        expected = calc_ric_check(value[:17])
        return bad(
            "ric",
            raw,
            ID_RIC_CHECK,
            f"居民身份证号码校验位（第18位）应为“{expected}”，实际为“{value[17]}”，请逐位核对号码",
        )
    except (InvalidComponent, KeyError):
        try:
            birth = stdnum_ric.get_birth_date(value)
        except ValidationError:
            return bad(
                "ric",
                raw,
                ID_RIC_BIRTH_DATE,
                f"居民身份证号码第7-14位出生日期“{value[6:14]}”不是有效日期，请核对",
            )
        return bad(
            "ric",
            raw,
            ID_RIC_REGION,
            f"居民身份证号码前6位地址码“{value[:6]}”在出生年份（{birth.year}年）不是有效的行政区划代码，请核对",
        )
    return None


def check_ric(raw: str | None) -> IdVerdict:
    """Check a 居民身份证号码. Valid exactly when ``stdnum.cn.ric.is_valid`` says so (see module doc)."""
    raw = "" if raw is None else raw
    value = compact_ric(raw)
    if not value:
        return empty("ric", raw)
    if len(value) != 18:
        return bad("ric", raw, ID_RIC_LENGTH, _length_message(value))
    if not _RIC_RE.fullmatch(value):
        return bad("ric", raw, ID_RIC_BAD_CHAR, _bad_char_message(value))
    rejected = _stdnum_verdict(raw, value)
    if rejected is not None:
        return rejected
    birth = stdnum_ric.get_birth_date(value)
    parts = {
        "region_code": value[:6],
        "birth_date": birth.isoformat(),
        "sex": "男" if int(value[16]) % 2 == 1 else "女",
    }
    name = region_label(value[:6], birth.year)
    if name is not None:
        parts["region_name"] = name
    return ok("ric", raw, value, parts)


def calc_ric_check(first17: str) -> str:
    """The 18th (check) character for the first 17 digits of a 居民身份证号码."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"need 17 ASCII digits, got {first17!r}")
    return stdnum_ric.calc_check_digit(first17 + "0")


def birth_date_of(ric: str) -> dt.date:
    """Birth date of a valid 居民身份证号码; raises InvalidInput otherwise."""
    verdict = check_ric(ric)
    verdict.require()
    return dt.date.fromisoformat(verdict.parts["birth_date"])


def is_minor(ric_or_birth_date: str | dt.date, on: dt.date) -> bool:
    """Whether the person is under 18 on ``on``.

    Age is reached on the birthday; someone born on 29 February turns 18 on 1 March in a common
    year. A date before birth counts as under 18. Raises InvalidInput for an invalid ID number.
    """
    if isinstance(ric_or_birth_date, dt.datetime):
        birth = ric_or_birth_date.date()
    elif isinstance(ric_or_birth_date, dt.date):
        birth = ric_or_birth_date
    else:
        birth = birth_date_of(ric_or_birth_date)
    if isinstance(on, dt.datetime):
        on = on.date()
    try:
        adult_from = birth.replace(year=birth.year + 18)
    except ValueError:  # 29 February -> 1 March
        adult_from = dt.date(birth.year + 18, 3, 1)
    return on < adult_from
