"""组织机构代码 (organisation code, GB 11714): 8 body characters and a check character (0-9 or X)."""

from __future__ import annotations

from typing import Final

from xinyong.kit.ids.compaction import compact_plain
from xinyong.kit.ids.verdict import (
    ID_ORG_BAD_CHAR,
    ID_ORG_CHECK,
    ID_ORG_LENGTH,
    IdVerdict,
    bad,
    empty,
    ok,
    show_char,
    width_hint,
)

__all__ = ["ORG_BODY_CHARS", "calc_org_check", "check_org_code", "org_check_or_none"]

_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_BODY_CHARS: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def org_check_or_none(first8: str) -> str | None:
    """The check character for an 8-character body, or ``None`` when the body is malformed."""
    if len(first8) != 8 or any(ch not in ORG_BODY_CHARS for ch in first8):
        return None
    total = sum(ORG_BODY_CHARS.index(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def calc_org_check(first8: str) -> str:
    """The check character (0-9 or X) for an 8-character organisation code body."""
    check = org_check_or_none(first8)
    if check is None:
        raise ValueError(f"need 8 digits/uppercase letters, got {first8!r}")
    return check


def _bad_char_reason(pos: int, ch: str) -> str | None:
    """Why the character at 0-based ``pos`` is not allowed, or ``None`` when it is."""
    if pos < 8 and ch not in ORG_BODY_CHARS:
        if ch == "-":
            return "连字符只能写在校验码之前（如“12345678-9”）"
        return "前8位只能是数字或大写英文字母" + width_hint(ch)
    if pos == 8 and ch not in "0123456789X":
        return "第9位（校验码）只能是数字或大写字母X" + width_hint(ch)
    return None


def check_org_code(raw: str | None) -> IdVerdict:
    """Check a 9-character 组织机构代码, optionally written with a hyphen: ``"12345678-9"``."""
    raw = "" if raw is None else raw
    value = compact_plain(raw)
    if not value:
        return empty("org_code", raw)
    if value.count("-") == 1 and value[-2:-1] == "-":  # "12345678-9": hyphen before the check char
        value = value[:-2] + value[-1]
    if len(value) != 9:
        return bad(
            "org_code",
            raw,
            ID_ORG_LENGTH,
            f"组织机构代码应为9位（8位本体代码加1位校验码，可写作“12345678-9”），实际为{len(value)}位，请核对",
        )
    for pos, ch in enumerate(value):
        reason = _bad_char_reason(pos, ch)
        if reason is not None:
            return bad(
                "org_code",
                raw,
                ID_ORG_BAD_CHAR,
                f"组织机构代码第{pos + 1}位字符“{show_char(ch)}”不允许：{reason}",
            )
    expected = calc_org_check(value[:8])
    if value[8] != expected:
        return bad(
            "org_code",
            raw,
            ID_ORG_CHECK,
            f"组织机构代码校验码应为“{expected}”，实际为“{value[8]}”，请逐位核对前8位是否录入有误",
        )
    return ok(
        "org_code",
        raw,
        value,
        {"formatted": f"{value[:8]}-{value[8]}", "body": value[:8], "check_char": value[8]},
    )
