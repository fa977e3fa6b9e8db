"""The one place that checks identifiers: USCC, resident ID, organisation code, registration number.

Every checker returns an :class:`IdVerdict` (never raises for bad input) with a stable error code
and a Chinese message that says what is wrong and how to fix it. ``verdict.require()`` turns an
invalid verdict into :class:`~xinyong.kit.errors.InvalidInput` for service code.

Validity of 统一社会信用代码 (USCC, GB 32100-2015) and 居民身份证号码 (RIC, GB 11643) is *defined*
by python-stdnum (``stdnum.cn.uscc`` / ``stdnum.cn.ric``), after the same compaction stdnum applies.
This module only adds a diagnosis (which check failed first, in stdnum's order) and the parts.
Where stdnum itself crashes instead of answering, the input is reported invalid:

* ``stdnum.cn.uscc`` raises ``ValueError`` for a newline as 8th character -> ``ID_USCC_BAD_CHAR``;
* ``stdnum.cn.ric`` raises ``KeyError`` when the province is known but the county is not
  -> ``ID_RIC_REGION``.

One deliberate deviation: stdnum's digit regex (``^[0-9]+$``) lets a trailing newline through, so
``stdnum.cn.ric.is_valid`` accepts a number whose 17th character is ``"\\n"``. We reject it
(``ID_RIC_BAD_CHAR``): an identifier with an embedded line break must never be stored.

For bulk paths, :func:`uscc_error_expr` and :func:`ric_error_expr` are Polars expressions that give
the same error code as the scalar checkers for every row, without calling Python per row.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import polars as pl
from stdnum import numdb
from stdnum import util as stdnum_util
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.iso7064 import mod_11_10

from xinyong.kit.errors import InvalidInput

__all__ = [
    "ERROR_CODES",
    "ID_AMBIGUOUS",
    "ID_EMPTY",
    "ID_ORG_BAD_CHAR",
    "ID_ORG_CHECK",
    "ID_ORG_LENGTH",
    "ID_REGNO_BAD_CHAR",
    "ID_REGNO_CHECK",
    "ID_REGNO_LENGTH",
    "ID_RIC_BAD_CHAR",
    "ID_RIC_BIRTH_DATE",
    "ID_RIC_CHECK",
    "ID_RIC_LENGTH",
    "ID_RIC_REGION",
    "ID_UNKNOWN_KIND",
    "ID_USCC_AUTHORITY",
    "ID_USCC_BAD_CHAR",
    "ID_USCC_CHECK",
    "ID_USCC_ENTITY_TYPE",
    "ID_USCC_LENGTH",
    "ID_USCC_ORG_CHECK",
    "ID_USCC_REGION",
    "USCC_ALPHABET",
    "WARNING_CODES",
    "IdIssue",
    "IdKind",
    "IdVerdict",
    "birth_date_of",
    "calc_org_check",
    "calc_reg_no_check",
    "calc_ric_check",
    "calc_uscc_check",
    "check_org_code",
    "check_reg_no",
    "check_ric",
    "check_uscc",
    "classify",
    "is_minor",
    "mask_phone",
    "mask_ric",
    "org_code_of_uscc",
    "ric_compact_expr",
    "ric_error_expr",
    "uscc_compact_expr",
    "uscc_error_expr",
]

IdKind = Literal["uscc", "ric", "org_code", "reg_no", "unknown"]

# --- error codes (stable: clients may switch on them) ------------------------------------------------

ID_EMPTY: Final = "ID_EMPTY"
ID_UNKNOWN_KIND: Final = "ID_UNKNOWN_KIND"
ID_USCC_LENGTH: Final = "ID_USCC_LENGTH"
ID_USCC_BAD_CHAR: Final = "ID_USCC_BAD_CHAR"
ID_USCC_CHECK: Final = "ID_USCC_CHECK"
ID_RIC_LENGTH: Final = "ID_RIC_LENGTH"
ID_RIC_BAD_CHAR: Final = "ID_RIC_BAD_CHAR"
ID_RIC_CHECK: Final = "ID_RIC_CHECK"
ID_RIC_BIRTH_DATE: Final = "ID_RIC_BIRTH_DATE"
ID_RIC_REGION: Final = "ID_RIC_REGION"
ID_ORG_LENGTH: Final = "ID_ORG_LENGTH"
ID_ORG_BAD_CHAR: Final = "ID_ORG_BAD_CHAR"
ID_ORG_CHECK: Final = "ID_ORG_CHECK"
ID_REGNO_LENGTH: Final = "ID_REGNO_LENGTH"
ID_REGNO_BAD_CHAR: Final = "ID_REGNO_BAD_CHAR"
ID_REGNO_CHECK: Final = "ID_REGNO_CHECK"

ERROR_CODES: Final[frozenset[str]] = frozenset(
    {
        ID_EMPTY,
        ID_UNKNOWN_KIND,
        ID_USCC_LENGTH,
        ID_USCC_BAD_CHAR,
        ID_USCC_CHECK,
        ID_RIC_LENGTH,
        ID_RIC_BAD_CHAR,
        ID_RIC_CHECK,
        ID_RIC_BIRTH_DATE,
        ID_RIC_REGION,
        ID_ORG_LENGTH,
        ID_ORG_BAD_CHAR,
        ID_ORG_CHECK,
        ID_REGNO_LENGTH,
        ID_REGNO_BAD_CHAR,
        ID_REGNO_CHECK,
    }
)

# --- warning codes (a valid verdict may carry these; they never change validity) ---------------------

ID_USCC_REGION: Final = "ID_USCC_REGION"
ID_USCC_AUTHORITY: Final = "ID_USCC_AUTHORITY"
ID_USCC_ENTITY_TYPE: Final = "ID_USCC_ENTITY_TYPE"
ID_USCC_ORG_CHECK: Final = "ID_USCC_ORG_CHECK"
ID_AMBIGUOUS: Final = "ID_AMBIGUOUS"

WARNING_CODES: Final[frozenset[str]] = frozenset(
    {ID_USCC_REGION, ID_USCC_AUTHORITY, ID_USCC_ENTITY_TYPE, ID_USCC_ORG_CHECK, ID_AMBIGUOUS}
)

_LABELS: Final[dict[str, str]] = {
    "uscc": "统一社会信用代码",
    "ric": "居民身份证号码",
    "org_code": "组织机构代码",
    "reg_no": "工商注册号",
    "unknown": "证件号码或代码",
}

# --- verdict ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IdIssue:
    """A warning attached to a verdict: a stable code and a Chinese message."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class IdVerdict:
    """Outcome of checking one identifier.

    ``value`` is the compact form when valid, else ``None``. ``parts`` is filled for valid values
    only. ``warnings`` never affect ``valid``. (Not hashable: ``parts`` is a dict.)
    """

    kind: IdKind
    raw: str
    value: str | None
    valid: bool
    error_code: str | None = None
    message: str | None = None
    parts: dict[str, str] = field(default_factory=dict)
    warnings: tuple[IdIssue, ...] = ()

    def to_error(self) -> InvalidInput:
        """The :class:`InvalidInput` to raise for this (invalid) verdict."""
        return InvalidInput(
            self.message or f"{_LABELS[self.kind]}无效",
            code=self.error_code or "INVALID_INPUT",
            details={"kind": self.kind},
        )

    def require(self) -> str:
        """The compact value, or raise :class:`InvalidInput` with this verdict's code and message."""
        if not self.valid or self.value is None:
            raise self.to_error()
        return self.value


def _ok(
    kind: IdKind, raw: str, value: str, parts: dict[str, str], warnings: tuple[IdIssue, ...] = ()
) -> IdVerdict:
    return IdVerdict(kind=kind, raw=raw, value=value, valid=True, parts=parts, warnings=warnings)


def _bad(kind: IdKind, raw: str, code: str, message: str) -> IdVerdict:
    return IdVerdict(kind=kind, raw=raw, value=None, valid=False, error_code=code, message=message)


def _empty(kind: IdKind, raw: str) -> IdVerdict:
    return _bad(kind, raw, ID_EMPTY, f"未填写{_LABELS[kind]}，请填写后再提交")


def _show(ch: str) -> str:
    """A character as it may safely appear inside a message (control characters escaped)."""
    return ch if ch.isprintable() else repr(ch)[1:-1]


def _width_hint(ch: str) -> str:
    if "\uff01" <= ch <= "\uff5e":
        return "（疑似全角字符，请切换到半角输入法后重新录入）"
    if ch.isspace() or not ch.isprintable():
        return "（号码中含有空白或不可见字符，请删除）"
    return ""


# --- compaction (exactly stdnum's) ---------------------------------------------------------------------


def _compact_uscc(raw: str) -> str:
    return str(stdnum_uscc.compact(raw))


def _compact_ric(raw: str) -> str:
    return str(stdnum_ric.compact(raw))


def _compact_plain(raw: str, deletechars: str = "") -> str:
    return str(stdnum_util.clean(raw, deletechars)).upper().strip()


# --- region data (stdnum's numdb 'cn/loc', the data stdnum.cn.ric.get_birth_place uses) --------------

_Entry = tuple[int | None, int | None, str]
_GENERIC_CITY_NAMES: Final = frozenset({"市辖区", "县"})
_NATIONAL_REGION: Final = "100000"


@functools.cache
def _loc_db() -> Any:
    return numdb.get("cn/loc")


def _loc_props(code6: str) -> dict[str, str]:
    return {k: v for _part, props in _loc_db().info(code6) for k, v in props.items()}


def _county_entries(county: str) -> list[_Entry]:
    """Parse ``"[1983-1994]东矿区,[1995-]古冶区"`` the way ``get_birth_place`` does."""
    entries: list[_Entry] = []
    for item in county.split(","):
        if not item.startswith("["):
            entries.append((None, None, item))
            continue
        startend, name = item[1:].split("]", 1)
        start, end = startend.split("-")
        entries.append((int(start) if start else None, int(end) if end else None, name))
    return entries


def _resolve(entries: list[_Entry], year: int | None) -> str | None:
    """Name valid in ``year`` (first match, like stdnum), or the current name when ``year`` is None."""
    if year is not None:
        for start, end, name in entries:
            if (start is None or year >= start) and (end is None or year <= end):
                return name
        return None
    if not entries:
        return None
    current = [name for _start, end, name in entries if end is None]
    if current:
        return current[-1]
    return max(entries, key=lambda e: e[1] or 0)[2]


def _region_name(code6: str, year: int | None = None) -> str | None:
    """``"江苏省盐城市亭湖区"`` for a 6-digit administrative division code, or None if unknown."""
    if code6 == _NATIONAL_REGION:
        return "国家级"
    if len(code6) != 6 or not code6.isascii() or not code6.isdigit():
        return None
    props = _loc_props(code6)
    province, county = props.get("province"), props.get("county")
    if province is None or county is None:
        return None
    name = _resolve(_county_entries(county), year)
    if name is None:
        return None
    if code6.endswith("0000"):
        return name
    if code6.endswith("00"):
        return province + name
    city_props = _loc_props(code6[:4] + "00")
    city = _resolve(_county_entries(city_props["county"]), year) if "county" in city_props else None
    if city and city not in _GENERIC_CITY_NAMES and "直辖" not in city:
        return province + city + name
    return province + name


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


_YEAR_MIN: Final = 0
_YEAR_MAX: Final = 10_000


@functools.cache
def _ric_region_intervals() -> tuple[dict[str, int], ...]:
    """For each 6-digit code: the (merged) birth-year intervals in which stdnum accepts it.

    Returned as ``(lo_0, hi_0, lo_1, hi_1, ...)`` mappings code -> year, for ``replace_strict``.
    """
    by_code: dict[str, list[tuple[int, int]]] = {}
    for length, low, high, _props, children in _loc_db().prefixes:
        if length != 2 or low != high:
            continue
        for clen, clow, chigh, _cprops, _cchildren in children:
            if clen != 4 or not (clow.isdigit() and chigh.isdigit()):
                continue
            for number in range(int(clow), int(chigh) + 1):
                code6 = low + f"{number:04d}"
                props = _loc_props(code6)
                if "province" not in props or "county" not in props:
                    continue
                by_code[code6] = _merge(
                    [
                        (_YEAR_MIN if s is None else s, _YEAR_MAX if e is None else e)
                        for s, e, _name in _county_entries(props["county"])
                    ]
                )
    width = max(len(v) for v in by_code.values())
    tables: list[dict[str, int]] = []
    for i in range(width):
        tables.append({code: iv[i][0] for code, iv in by_code.items() if len(iv) > i})
        tables.append({code: iv[i][1] for code, iv in by_code.items() if len(iv) > i})
    return tuple(tables)


# --- USCC (统一社会信用代码, GB 32100-2015) -------------------------------------------------------------

USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_FORBIDDEN_LETTERS: Final = "IOZSV"

_AUTHORITIES: Final[dict[str, str]] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

_ENTITY_TYPES: Final[dict[str, str]] = {
    "11": "机关",
    "12": "事业单位",
    "13": "中央编办直接管理机构编制的群众团体",
    "19": "其他",
    "21": "外国常驻新闻机构",
    "29": "其他",
    "31": "律师执业机构",
    "32": "公证处",
    "33": "基层法律服务所",
    "34": "司法鉴定机构",
    "35": "仲裁委员会",
    "39": "其他",
    "41": "外国在华文化中心",
    "49": "其他",
    "51": "社会团体",
    "52": "民办非企业单位",
    "53": "基金会",
    "59": "其他",
    "61": "外国旅游部门常驻代表机构",
    "62": "港澳台地区旅游部门常驻内地（大陆）代表机构",
    "69": "其他",
    "71": "宗教活动场所",
    "72": "宗教院校",
    "79": "其他",
    "81": "基层工会",
    "89": "其他",
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
    "A1": "军队事业单位",
    "A9": "其他",
    "N1": "组级集体经济组织",
    "N2": "村级集体经济组织",
    "N3": "乡镇级集体经济组织",
    "N9": "其他",
    "Y1": "其他",
}

_USCC_FIRST8_RE: Final = re.compile(r"[0-9]{8}")


def _uscc_length_message(n: int) -> str:
    msg = f"统一社会信用代码应为18位，实际为{n}位，请核对是否漏填或多填"
    if n == 15:
        msg += "（15位的可能是旧版工商注册号，请改填营业执照上的18位统一社会信用代码）"
    elif n == 9:
        msg += "（9位的可能是旧版组织机构代码，请改填18位统一社会信用代码）"
    return msg


def _uscc_bad_char(value: str) -> tuple[int, str, str] | None:
    """First offending (1-based position, char, reason) in stdnum's check order, or None."""
    if not _USCC_FIRST8_RE.fullmatch(value[:8]):
        pos = next(i for i, ch in enumerate(value[:8]) if ch not in "0123456789")
        ch = value[pos]
        if pos == 0 and ch in _AUTHORITIES:
            reason = (
                f"第1位“{ch}”（{_AUTHORITIES[ch]}）虽是GB 32100规定的登记管理部门代码，"
                "但本平台的校验规则要求前8位为数字，暂无法受理此类代码，请联系平台管理员"
            )
        else:
            reason = "前8位（登记管理部门代码、机构类别代码和行政区划码）必须是数字" + _width_hint(ch)
        return pos + 1, ch, reason
    for pos in range(8, len(value)):
        ch = value[pos]
        if ch not in USCC_ALPHABET:
            if ch in _USCC_FORBIDDEN_LETTERS:
                reason = "统一社会信用代码不使用字母I、O、Z、S、V（常见误录：1→I，0→O，2→Z，5→S），请核对"
            else:
                reason = "第9-18位只能是数字或除I、O、Z、S、V以外的大写英文字母" + _width_hint(ch)
            return pos + 1, ch, reason
    return None


def _uscc_parts(value: str) -> tuple[dict[str, str], tuple[IdIssue, ...]]:
    warnings: list[IdIssue] = []
    authority, entity = value[0], value[:2]
    region, org = value[2:8], value[8:17]
    parts = {
        "registration_authority": authority,
        "registration_authority_name": _AUTHORITIES.get(authority, "未知"),
        "entity_type": entity,
        "entity_type_name": _ENTITY_TYPES.get(entity, "未知"),
        "region_code": region,
        "organisation_code": org,
        "check_char": value[17],
    }
    if authority not in _AUTHORITIES:
        warnings.append(
            IdIssue(
                ID_USCC_AUTHORITY,
                f"第1位登记管理部门代码“{authority}”不在GB 32100-2015规定的代码中，请核对",
            )
        )
    elif entity not in _ENTITY_TYPES:
        warnings.append(
            IdIssue(
                ID_USCC_ENTITY_TYPE,
                f"第2位机构类别代码“{value[1]}”不是“{_AUTHORITIES[authority]}”部门规定的类别，请核对",
            )
        )
    name = _region_name(region)
    if name is not None:
        parts["region_name"] = name
    else:
        warnings.append(
            IdIssue(
                ID_USCC_REGION,
                f"第3-8位登记管理机关行政区划码“{region}”不在已知的行政区划代码中，请核对",
            )
        )
    if org[8] != _org_check_or_none(org[:8]):
        warnings.append(
            IdIssue(
                ID_USCC_ORG_CHECK,
                f"第9-17位组织机构代码“{org[:8]}-{org[8]}”的校验码与GB 11714不符，请核对",
            )
        )
    return parts, tuple(warnings)


def check_uscc(raw: str | None) -> IdVerdict:
    """Check a 统一社会信用代码. Valid exactly when ``stdnum.cn.uscc.is_valid`` says so."""
    raw = "" if raw is None else raw
    value = _compact_uscc(raw)
    if not value:
        return _empty("uscc", raw)
    if len(value) != 18:
        return _bad("uscc", raw, ID_USCC_LENGTH, _uscc_length_message(len(value)))
    bad = _uscc_bad_char(value)
    if bad is not None:
        pos, ch, reason = bad
        return _bad(
            "uscc", raw, ID_USCC_BAD_CHAR, f"统一社会信用代码第{pos}位字符“{_show(ch)}”不允许：{reason}"
        )
    try:
        stdnum_uscc.validate(value)
    except InvalidChecksum:
        expected = str(stdnum_uscc.calc_check_digit(value[:17]))
        return _bad(
            "uscc",
            raw,
            ID_USCC_CHECK,
            f"统一社会信用代码校验位（第18位）应为“{expected}”，实际为“{value[17]}”，请逐位核对前17位是否录入有误",
        )
    parts, warnings = _uscc_parts(value)
    return _ok("uscc", raw, value, parts, warnings)


def calc_uscc_check(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a USCC."""
    if len(first17) != 17 or _uscc_bad_char(first17) is not None:
        raise ValueError(f"need 8 digits + 9 chars of {USCC_ALPHABET!r}, got {first17!r}")
    return str(stdnum_uscc.calc_check_digit(first17))


def org_code_of_uscc(uscc: str) -> str:
    """The 9-character 组织机构代码 (characters 9-17) of a valid USCC; raises InvalidInput otherwise."""
    return check_uscc(uscc).require()[8:17]


# --- RIC (居民身份证号码, GB 11643) -----------------------------------------------------------------------

_RIC_RE: Final = re.compile(r"[0-9]{17}[0-9X]")


def check_ric(raw: str | None) -> IdVerdict:
    """Check a 居民身份证号码. Valid exactly when ``stdnum.cn.ric.is_valid`` says so (see module doc)."""
    raw = "" if raw is None else raw
    value = _compact_ric(raw)
    if not value:
        return _empty("ric", raw)
    if len(value) != 18:
        msg = f"居民身份证号码应为18位，实际为{len(value)}位"
        if any(ch.isspace() or ch == "-" for ch in value):
            msg += "，号码中间不能有空格或连字符，请删除后重新录入"
        elif len(value) == 15:
            msg += "（15位的是第一代身份证号码），请填写第二代居民身份证上的18位号码"
        else:
            msg += "，请核对是否漏填或多填"
        return _bad("ric", raw, ID_RIC_LENGTH, msg)
    if not _RIC_RE.fullmatch(value):
        pos = next((i for i, ch in enumerate(value[:17]) if ch not in "0123456789"), 17)
        ch = value[pos]
        if pos < 17:
            reason = "居民身份证号码前17位必须是数字" + _width_hint(ch)
        else:
            reason = "第18位（校验码）只能是数字或大写字母X" + _width_hint(ch)
        return _bad(
            "ric", raw, ID_RIC_BAD_CHAR, f"居民身份证号码第{pos + 1}位字符“{_show(ch)}”不允许：{reason}"
        )
    try:
        stdnum_ric.validate(value)
    except InvalidChecksum:
        expected = calc_ric_check(value[:17])
        return _bad(
            "ric",
            raw,
            ID_RIC_CHECK,
            f"居民身份证号码校验位（第18位）应为“{expected}”，实际为“{value[17]}”，请逐位核对号码",
        )
    except (InvalidComponent, KeyError):
        try:
            birth = stdnum_ric.get_birth_date(value)
        except ValidationError:
            return _bad(
                "ric",
                raw,
                ID_RIC_BIRTH_DATE,
                f"居民身份证号码第7-14位出生日期“{value[6:14]}”不是有效日期，请核对",
            )
        return _bad(
            "ric",
            raw,
            ID_RIC_REGION,
            f"居民身份证号码前6位地址码“{value[:6]}”在出生年份（{birth.year}年）不是有效的行政区划代码，请核对",
        )
    birth = stdnum_ric.get_birth_date(value)
    parts = {
        "region_code": value[:6],
        "birth_date": birth.isoformat(),
        "sex": "男" if int(value[16]) % 2 == 1 else "女",
    }
    name = _region_name(value[:6], birth.year)
    if name is not None:
        parts["region_name"] = name
    return _ok("ric", raw, value, parts)


def calc_ric_check(first17: str) -> str:
    """The 18th (check) character for the first 17 digits of a 居民身份证号码."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"need 17 ASCII digits, got {first17!r}")
    return str(stdnum_ric.calc_check_digit(first17 + "0"))


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


# --- 组织机构代码 (GB 11714) --------------------------------------------------------------------------

_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY_CHARS: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _org_check_or_none(first8: str) -> str | None:
    if len(first8) != 8 or any(ch not in _ORG_BODY_CHARS for ch in first8):
        return None
    total = sum(_ORG_BODY_CHARS.index(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def calc_org_check(first8: str) -> str:
    """The check character (0-9 or X) for an 8-character organisation code body."""
    check = _org_check_or_none(first8)
    if check is None:
        raise ValueError(f"need 8 digits/uppercase letters, got {first8!r}")
    return check


def check_org_code(raw: str | None) -> IdVerdict:
    """Check a 9-character 组织机构代码, optionally written with a hyphen: ``"12345678-9"``."""
    raw = "" if raw is None else raw
    value = _compact_plain(raw)
    if not value:
        return _empty("org_code", raw)
    if value.count("-") == 1 and value[-2:-1] == "-":  # "12345678-9": hyphen before the check char
        value = value[:-2] + value[-1]
    if len(value) != 9:
        return _bad(
            "org_code",
            raw,
            ID_ORG_LENGTH,
            f"组织机构代码应为9位（8位本体代码加1位校验码，可写作“12345678-9”），实际为{len(value)}位，请核对",
        )
    for pos, ch in enumerate(value):
        if pos < 8 and ch not in _ORG_BODY_CHARS:
            reason = "前8位只能是数字或大写英文字母" + _width_hint(ch)
            if ch == "-":
                reason = "连字符只能写在校验码之前（如“12345678-9”）"
        elif pos == 8 and ch not in "0123456789X":
            reason = "第9位（校验码）只能是数字或大写字母X" + _width_hint(ch)
        else:
            continue
        return _bad(
            "org_code", raw, ID_ORG_BAD_CHAR, f"组织机构代码第{pos + 1}位字符“{_show(ch)}”不允许：{reason}"
        )
    expected = calc_org_check(value[:8])
    if value[8] != expected:
        return _bad(
            "org_code",
            raw,
            ID_ORG_CHECK,
            f"组织机构代码校验码应为“{expected}”，实际为“{value[8]}”，请逐位核对前8位是否录入有误",
        )
    return _ok(
        "org_code",
        raw,
        value,
        {"formatted": f"{value[:8]}-{value[8]}", "body": value[:8], "check_char": value[8]},
    )


# --- 工商注册号 (15 digits, check digit ISO 7064 MOD 11,10) --------------------------------------------

_REG_NO_CATEGORY: Final[dict[str, str]] = {
    **dict.fromkeys("0123", "内资企业"),
    **dict.fromkeys("45", "外资企业"),
    **dict.fromkeys("6789", "个体工商户"),
}


def calc_reg_no_check(first14: str) -> str:
    """The 15th (check) digit for the first 14 digits of a 工商注册号 (ISO 7064 MOD 11,10)."""
    if len(first14) != 14 or not (first14.isascii() and first14.isdigit()):
        raise ValueError(f"need 14 ASCII digits, got {first14!r}")
    return str(mod_11_10.calc_check_digit(first14))


def check_reg_no(raw: str | None) -> IdVerdict:
    """Check a 15-digit 工商注册号 (pre-2015 business registration number)."""
    raw = "" if raw is None else raw
    value = _compact_plain(raw, " -")
    if not value:
        return _empty("reg_no", raw)
    if len(value) != 15:
        return _bad(
            "reg_no",
            raw,
            ID_REGNO_LENGTH,
            f"工商注册号应为15位数字，实际为{len(value)}位，请核对是否漏填或多填",
        )
    for pos, ch in enumerate(value):
        if ch not in "0123456789":
            return _bad(
                "reg_no",
                raw,
                ID_REGNO_BAD_CHAR,
                f"工商注册号第{pos + 1}位字符“{_show(ch)}”不允许：工商注册号只能由数字组成{_width_hint(ch)}",
            )
    expected = calc_reg_no_check(value[:14])
    if value[14] != expected:
        return _bad(
            "reg_no",
            raw,
            ID_REGNO_CHECK,
            f"工商注册号校验位（第15位）应为“{expected}”，实际为“{value[14]}”，请逐位核对前14位是否录入有误",
        )
    parts = {"authority_code": value[:6], "category": _REG_NO_CATEGORY[value[6]], "sequence": value[6:14]}
    name = _region_name(value[:6])
    if name is not None:
        parts["region_name"] = name
    return _ok("reg_no", raw, value, parts)


# --- classify -----------------------------------------------------------------------------------------

_RIC_SHAPE_RE: Final = re.compile(r"[0-9]{17}[0-9X]")


def classify(raw: str | None) -> IdVerdict:
    """Guess the kind from length and shape, and return that checker's verdict.

    18 characters: a valid 居民身份证号码 wins, then a valid USCC (an all-digit string may be both:
    the verdict then carries an ``ID_AMBIGUOUS`` warning); when neither is valid, a RIC-shaped string
    (17 digits + digit/X) gets the RIC diagnosis and anything else the USCC one. 15 -> 工商注册号,
    9 (or 10 with a hyphen) -> 组织机构代码. Anything else: ``ID_UNKNOWN_KIND``.
    """
    raw = "" if raw is None else raw
    shape = _compact_uscc(raw)
    if not shape:
        return _empty("unknown", raw)
    if len(shape) == 18:
        ric = check_ric(raw)
        uscc = check_uscc(raw)
        if ric.valid:
            if uscc.valid:
                note = IdIssue(
                    ID_AMBIGUOUS, "该号码同时符合居民身份证号码和统一社会信用代码的规则，已按身份证号码识别"
                )
                return IdVerdict(
                    kind="ric", raw=raw, value=ric.value, valid=True, parts=ric.parts, warnings=(note,)
                )
            return ric
        if uscc.valid:
            return uscc
        return ric if _RIC_SHAPE_RE.fullmatch(shape) else uscc
    if len(shape) == 15:
        return check_reg_no(raw)
    if len(shape) == 9:
        return check_org_code(raw)
    return _bad(
        "unknown",
        raw,
        ID_UNKNOWN_KIND,
        f"无法识别的号码（{len(shape)}位）：统一社会信用代码和居民身份证号码为18位，"
        "工商注册号为15位，组织机构代码为9位，请核对",
    )


# --- masking ------------------------------------------------------------------------------------------


def mask_ric(value: str) -> str:
    """``'320102199001011234'`` -> ``'3201**********1234'`` (first 4 and last 4 kept)."""
    text = _compact_ric(value)
    n = len(text)
    if n <= 8:
        return "*" * n
    return text[:4] + "*" * (n - 8) + text[-4:]


def mask_phone(value: str) -> str:
    """``'13812345678'`` -> ``'138****5678'``: four characters before the last four are masked."""
    text = _compact_plain(value, " -")
    n = len(text)
    if n <= 4:
        return "*" * n
    return text[: max(0, n - 8)] + "*" * min(4, n - 4) + text[-4:]


# What looks like a citizen ID or a mobile number in free text, checksum or not. Written without look-around
# so that Python's ``re`` and Polars (Rust ``regex``) read the same pattern; the text is first brought to
# ASCII with ``_TEXT_FOLD`` (full-width digits, X, +, - and the ideographic space, one character each, so
# positions do not move). An ID: 6 digits, a birth date 19xx/20xx-01..12-01..31, 3 digits, digit or X
# (letters may touch it: "ID320902..."); an 18-digit USCC whose positions 7-14 are no date is not one,
# nor is a 15-digit registration number. A mobile: 1[3-9]x xxxx xxxx, optional +86, spaces or hyphens.
_RIC_LIKE: Final = r"[0-9]{6}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
_MOBILE_LIKE: Final = r"(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}"
#: Polars / Rust twin of :func:`contains_personal` (on folded text).
PERSONAL_TEXT_PATTERN: Final = rf"(?:^|[^0-9])(?:{_RIC_LIKE}|{_MOBILE_LIKE})(?:[^0-9]|$)"
_RIC_IN_TEXT = re.compile(rf"(?<![0-9]){_RIC_LIKE}(?![0-9])")
_MOBILE_IN_TEXT = re.compile(rf"(?<![0-9]){_MOBILE_LIKE}(?![0-9])")
_PERSONAL_IN_TEXT = re.compile(PERSONAL_TEXT_PATTERN)
_TEXT_FOLD: Final = {
    **{0xFF10 + i: str(i) for i in range(10)},
    0xFF38: "X",
    0xFF58: "x",
    0xFF0B: "+",
    0xFF0D: "-",
    0x3000: " ",
}
_DIGIT_RUN = re.compile(r"\d{15,18}[Xx]?")


def fold_text(text: str) -> str:
    """Full-width digits, X, +, - and the ideographic space as ASCII; same length as ``text``."""
    return text.translate(_TEXT_FOLD)


def fold_text_expr(col: str | pl.Expr) -> pl.Expr:
    """Polars twin of :func:`fold_text`."""
    return _as_expr(col).str.replace_many({chr(k): v for k, v in _TEXT_FOLD.items()})


def contains_personal(text: str) -> bool:
    """Whether ``text`` holds something that looks like a citizen ID or a mobile number."""
    return _PERSONAL_IN_TEXT.search(fold_text(text)) is not None


def contains_personal_expr(col: str | pl.Expr) -> pl.Expr:
    """Polars twin of :func:`contains_personal` (null stays null)."""
    return fold_text_expr(col).str.contains(PERSONAL_TEXT_PATTERN)


def mask_personal_text(text: str) -> str:
    """Free text with everything that looks like a citizen ID or a mobile number masked (a penalty's
    description may quote them): ``'王某（320902198503129918）'`` -> ``'王某（3209**********9918）'``.
    Full-width digits and IDs glued to letters are masked too; the masked part is written in ASCII."""
    folded = fold_text(text)
    spans = [(m.start(), m.end(), mask_ric(m.group())) for m in _RIC_IN_TEXT.finditer(folded)]
    taken = [(a, b) for a, b, _ in spans]
    for m in _MOBILE_IN_TEXT.finditer(folded):
        if not any(a < m.end() and m.start() < b for a, b in taken):
            spans.append((m.start(), m.end(), mask_phone(m.group())))
    if not spans:
        return text
    out, pos = [], 0
    for start, end, masked in sorted(spans):
        out.append(text[pos:start])
        out.append(masked)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def mask_digit_runs(text: str) -> str:
    """Mask every run of 15 to 18 digits, valid or not: for echoing back input that may be an ID."""
    return _DIGIT_RUN.sub(lambda m: mask_ric(m.group()), text)


# --- vectorised twins (Polars) ------------------------------------------------------------------------

# Exactly the characters Python's str.strip() removes (str.isspace()); Rust's notion differs.
_PY_WHITESPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@functools.cache
def _char_map(deletechars: str) -> dict[str, str]:
    """stdnum's Unicode -> ASCII character map, followed by deleting ``deletechars``."""
    source: dict[str, str] = dict(getattr(stdnum_util, "_char_map", {}))
    mapping = {k: ("" if v in deletechars else v) for k, v in source.items()}
    mapping.update(dict.fromkeys(deletechars, ""))
    return {k: v for k, v in mapping.items() if k != v}


def _as_expr(col: str | pl.Expr) -> pl.Expr:
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.cast(pl.String)


def _compact_expr(col: str | pl.Expr, deletechars: str) -> pl.Expr:
    mapping = _char_map(deletechars)
    return _as_expr(col).str.replace_many(mapping).str.to_uppercase().str.strip_chars(_PY_WHITESPACE)


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


def uscc_error_expr(col: str | pl.Expr) -> pl.Expr:
    """Per row: the error code :func:`check_uscc` would give, or null when valid.

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
            for i, w in enumerate(_USCC_WEIGHTS)
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


_RIC_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))


def ric_error_expr(col: str | pl.Expr) -> pl.Expr:
    """Per row: the error code :func:`check_ric` would give, or null when valid.

    Birth date and region (valid in the birth year, from stdnum's data) are checked with pure
    expressions. Named ``"<col>_error"`` when ``col`` is a column name.
    """
    return _name_of(col, "_error")(_per_row(ric_compact_expr(col), _ric_error_body))


def _ric_error_body(c: pl.Expr) -> pl.Expr:
    n = c.str.len_chars()
    shape_ok = c.str.contains(r"^[0-9]{17}[0-9X]$")
    first17 = c.str.slice(0, 17).cast(pl.Int64, strict=False)
    total = pl.sum_horizontal([((first17 // 10 ** (16 - i)) % 10) * w for i, w in enumerate(_RIC_WEIGHTS)])
    expected = ((12 - total % 11) % 11).replace_strict(
        {**{i: str(i) for i in range(10)}, 10: "X"}, default=None, return_dtype=pl.String
    )
    check_bad = (c.str.slice(17, 1) != expected).fill_null(True)

    year = c.str.slice(6, 4).cast(pl.Int32, strict=False)
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
    date_ok = ((year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)).fill_null(False)

    prefix = c.str.slice(0, 6)
    tables = _ric_region_intervals()
    in_any = pl.lit(False)
    for lo_map, hi_map in zip(tables[0::2], tables[1::2], strict=True):
        lo = prefix.replace_strict(lo_map, default=None, return_dtype=pl.Int32)
        hi = prefix.replace_strict(hi_map, default=None, return_dtype=pl.Int32)
        in_any = in_any | ((year >= lo) & (year <= hi)).fill_null(False)

    return (
        pl.when(c.is_null() | (n == 0))
        .then(pl.lit(ID_EMPTY))
        .when(n != 18)
        .then(pl.lit(ID_RIC_LENGTH))
        .when(~shape_ok)
        .then(pl.lit(ID_RIC_BAD_CHAR))
        .when(check_bad)
        .then(pl.lit(ID_RIC_CHECK))
        .when(~date_ok)
        .then(pl.lit(ID_RIC_BIRTH_DATE))
        .when(~in_any)
        .then(pl.lit(ID_RIC_REGION))
        .otherwise(_NULL_STR)
    )
