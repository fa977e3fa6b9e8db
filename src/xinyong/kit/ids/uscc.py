"""统一社会信用代码 (USCC, GB 32100-2015).

Valid exactly when ``stdnum.cn.uscc.is_valid`` says so, after stdnum's compaction; this module adds
the diagnosis (which check failed first, in stdnum's order) and the parts. Where stdnum crashes
instead of answering (``ValueError`` for a newline as 8th character) the verdict is
``ID_USCC_BAD_CHAR``.
"""

from __future__ import annotations

import re
from typing import Final

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum

from xinyong.kit.ids.compaction import compact_uscc
from xinyong.kit.ids.org_code import org_check_or_none
from xinyong.kit.ids.verdict import (
    ID_USCC_AUTHORITY,
    ID_USCC_BAD_CHAR,
    ID_USCC_CHECK,
    ID_USCC_ENTITY_TYPE,
    ID_USCC_LENGTH,
    ID_USCC_ORG_CHECK,
    ID_USCC_REGION,
    IdIssue,
    IdVerdict,
    bad,
    empty,
    ok,
    region_label,
    show_char,
    width_hint,
)

__all__ = ["USCC_ALPHABET", "USCC_WEIGHTS", "calc_uscc_check", "check_uscc", "org_code_of_uscc"]

USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weights of characters 1-17 in the check character's sum (GB 32100-2015).
USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
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


def _first8_bad_char(value: str) -> tuple[int, str, str]:
    """(1-based position, char, reason) of the first non-digit among the first 8 characters."""
    pos = next(i for i, ch in enumerate(value[:8]) if ch not in "0123456789")
    ch = value[pos]
    if pos == 0 and ch in _AUTHORITIES:
        reason = (
            f"第1位“{ch}”（{_AUTHORITIES[ch]}）虽是GB 32100规定的登记管理部门代码，"
            "但本平台的校验规则要求前8位为数字，暂无法受理此类代码，请联系平台管理员"
        )
    else:
        reason = "前8位（登记管理部门代码、机构类别代码和行政区划码）必须是数字" + width_hint(ch)
    return pos + 1, ch, reason


def _uscc_bad_char(value: str) -> tuple[int, str, str] | None:
    """First offending (1-based position, char, reason) in stdnum's check order, or None."""
    if not _USCC_FIRST8_RE.fullmatch(value[:8]):
        return _first8_bad_char(value)
    for pos in range(8, len(value)):
        ch = value[pos]
        if ch not in USCC_ALPHABET:
            if ch in _USCC_FORBIDDEN_LETTERS:
                reason = "统一社会信用代码不使用字母I、O、Z、S、V（常见误录：1→I，0→O，2→Z，5→S），请核对"
            else:
                reason = "第9-18位只能是数字或除I、O、Z、S、V以外的大写英文字母" + width_hint(ch)
            return pos + 1, ch, reason
    return None


def _kind_warning(value: str) -> IdIssue | None:
    """A warning when the registration authority or the entity type is not one GB 32100 lists."""
    authority, entity = value[0], value[:2]
    if authority not in _AUTHORITIES:
        return IdIssue(
            ID_USCC_AUTHORITY,
            f"第1位登记管理部门代码“{authority}”不在GB 32100-2015规定的代码中，请核对",
        )
    if entity not in _ENTITY_TYPES:
        return IdIssue(
            ID_USCC_ENTITY_TYPE,
            f"第2位机构类别代码“{value[1]}”不是“{_AUTHORITIES[authority]}”部门规定的类别，请核对",
        )
    return None


def _uscc_parts(value: str) -> tuple[dict[str, str], tuple[IdIssue, ...]]:
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
    kind_warning = _kind_warning(value)
    warnings: list[IdIssue] = [] if kind_warning is None else [kind_warning]
    name = region_label(region)
    if name is not None:
        parts["region_name"] = name
    else:
        warnings.append(
            IdIssue(
                ID_USCC_REGION,
                f"第3-8位登记管理机关行政区划码“{region}”不在已知的行政区划代码中，请核对",
            )
        )
    if org[8] != org_check_or_none(org[:8]):
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
    value = compact_uscc(raw)
    if not value:
        return empty("uscc", raw)
    if len(value) != 18:
        return bad("uscc", raw, ID_USCC_LENGTH, _uscc_length_message(len(value)))
    bad_char = _uscc_bad_char(value)
    if bad_char is not None:
        pos, ch, reason = bad_char
        return bad(
            "uscc", raw, ID_USCC_BAD_CHAR, f"统一社会信用代码第{pos}位字符“{show_char(ch)}”不允许：{reason}"
        )
    try:
        stdnum_uscc.validate(value)
    except InvalidChecksum:
        expected = stdnum_uscc.calc_check_digit(value[:17])
        return bad(
            "uscc",
            raw,
            ID_USCC_CHECK,
            f"统一社会信用代码校验位（第18位）应为“{expected}”，实际为“{value[17]}”，请逐位核对前17位是否录入有误",
        )
    parts, warnings = _uscc_parts(value)
    return ok("uscc", raw, value, parts, warnings)


def calc_uscc_check(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a USCC."""
    if len(first17) != 17 or _uscc_bad_char(first17) is not None:
        raise ValueError(f"need 8 digits + 9 chars of {USCC_ALPHABET!r}, got {first17!r}")
    return stdnum_uscc.calc_check_digit(first17)


def org_code_of_uscc(uscc: str) -> str:
    """The 9-character 组织机构代码 (characters 9-17) of a valid USCC; raises InvalidInput otherwise."""
    return check_uscc(uscc).require()[8:17]
