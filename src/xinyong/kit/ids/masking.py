"""Masking citizen IDs and mobile numbers, alone or inside free text, and finding them in text."""

from __future__ import annotations

import re
from typing import Final

import polars as pl

from xinyong.kit.ids.bulk import as_string_expr
from xinyong.kit.ids.compaction import compact_plain, compact_ric

__all__ = [
    "PERSONAL_TEXT_PATTERN",
    "contains_personal",
    "contains_personal_expr",
    "fold_text",
    "fold_text_expr",
    "mask_digit_runs",
    "mask_personal_text",
    "mask_phone",
    "mask_ric",
]


def mask_ric(value: str) -> str:
    """``'320102199001011234'`` -> ``'3201**********1234'`` (first 4 and last 4 kept)."""
    text = compact_ric(value)
    n = len(text)
    if n <= 8:
        return "*" * n
    return text[:4] + "*" * (n - 8) + text[-4:]


def mask_phone(value: str) -> str:
    """``'13812345678'`` -> ``'138****5678'``: four characters before the last four are masked."""
    text = compact_plain(value, " -")
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
    return as_string_expr(col).str.replace_many({chr(k): v for k, v in _TEXT_FOLD.items()})


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
