"""Guessing which kind of identifier a string is, and checking it as that kind."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Final

from xinyong.kit.ids.compaction import compact_uscc
from xinyong.kit.ids.org_code import check_org_code
from xinyong.kit.ids.reg_no import check_reg_no
from xinyong.kit.ids.ric import check_ric
from xinyong.kit.ids.uscc import check_uscc
from xinyong.kit.ids.verdict import ID_AMBIGUOUS, ID_UNKNOWN_KIND, IdIssue, IdVerdict, bad, empty

ID_WIDTH_FOLDED: Final = "ID_WIDTH_FOLDED"

__all__ = ["classify"]

_RIC_SHAPE_RE: Final = re.compile(r"[0-9]{17}[0-9X]")


def _classify_18(raw: str, shape: str) -> IdVerdict:
    """An 18-character string: a valid RIC wins, then a valid USCC; else the likelier diagnosis."""
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


def classify(raw: str | None) -> IdVerdict:
    """Guess the kind from length and shape, and return that checker's verdict.

    18 characters: a valid 居民身份证号码 wins, then a valid USCC (an all-digit string may be both:
    the verdict then carries an ``ID_AMBIGUOUS`` warning); when neither is valid, a RIC-shaped string
    (17 digits + digit/X) gets the RIC diagnosis and anything else the USCC one. 15 -> 工商注册号,
    9 (or 10 with a hyphen) -> 组织机构代码. Anything else: ``ID_UNKNOWN_KIND``.

    A code typed with full-width characters (or other compatibility forms) is read as its NFKC form,
    with the warning ``ID_WIDTH_FOLDED``: a person looking a code up means the half-width code, and the
    error, if any, names the position of the real mistake. (Intake is stricter: a source's file must
    hold the code itself; see kit.ids.bulk.)
    """
    raw = "" if raw is None else raw
    folded = unicodedata.normalize("NFKC", raw)
    if folded != raw:
        verdict = classify(folded)
        note = IdIssue(ID_WIDTH_FOLDED, "输入中含全角字符，已按半角字符识别")
        return dataclasses.replace(verdict, raw=raw, warnings=(*verdict.warnings, note))
    shape = compact_uscc(raw)
    if not shape:
        return empty("unknown", raw)
    if len(shape) == 18:
        return _classify_18(raw, shape)
    if len(shape) == 15:
        return check_reg_no(raw)
    if len(shape) == 9:
        return check_org_code(raw)
    return bad(
        "unknown",
        raw,
        ID_UNKNOWN_KIND,
        f"无法识别的号码（{len(shape)}位）：统一社会信用代码和居民身份证号码为18位，"
        "工商注册号为15位，组织机构代码为9位，请核对",
    )
