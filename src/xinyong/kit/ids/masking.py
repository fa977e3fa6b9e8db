"""Masking citizen IDs and mobile numbers, alone or inside free text, and finding them in text.

The one detector (:func:`personal_spans`) serves every reader of free text: ``mask_personal_text`` (what
files, reports and headers show), ``contains_personal`` and its Polars twin (which values the intake
seals, ``kit.crypto``). It reads the text *folded*: each character that NFKC (or stdnum's look-alike
table) turns into one digit, ``X``, ``+`` or separator becomes that ASCII character, so positions do not
move and the text around a number is given back exactly as written.

A number may be written in groups: digits, then separator runs of one to three characters among spaces,
hyphens and dashes, dots, slashes and brackets (``(139)1234-5678``, ``320902-19850312-9918``), in any
width. A number starts and ends on a group boundary (no digit glued on either side; letters may touch).

* Citizen ID (居民身份证号码, 18 characters): the shape ``6 digits + 19xx/20xx-01..12-01..31 + 3 digits +
  digit or X``. Written in one piece it is masked on its shape alone, as before (a mistyped check digit
  is still somebody's number, and 18 digits with a birth date in place are rarely anything else; an
  all-digit USCC that is valid as a USCC and not as an ID is left). Written in several groups it must be
  valid in full (``check_ric``: a region code in use, a real birth date, the right check digit), so
  that digits that happen to line up across separators (dates, amounts, lists) are not taken for one.
  15-digit first-generation numbers are not looked for (they are registration numbers as often).
* Mobile number: ``1[3-9]`` + 9 digits, optionally after ``86`` or ``+86``; in groups, each group holds
  at least 3 digits (``13 45 67 89 10 11`` is a list of numbers, not a phone).

The masks are the platform's: ``3209**********9918`` and ``138****5678``, in ASCII, replacing the
number and its inner separators (and a bracket opened just before it and closed inside it).

``PERSONAL_TEXT_PATTERN`` is the candidate pattern, on the text as written (its character classes hold
every character that folds to a digit or a separator) and without look-around, so that Python's ``re``
and Polars' Rust ``regex`` read it alike: every span the detector finds matches it, and the detector
confirms the few candidates. ``contains_personal_expr`` runs the pattern vectorised (no folding pass)
and the detector on the rows it matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Final, NamedTuple

import polars as pl

from xinyong.kit.ids.bulk import as_string_expr
from xinyong.kit.ids.compaction import MAP_SCAN_RANGES, compact_plain, compact_ric, unicode_to_ascii_map
from xinyong.kit.ids.ric import check_ric
from xinyong.kit.ids.uscc import check_uscc

__all__ = [
    "PERSONAL_TEXT_PATTERN",
    "PersonalSpan",
    "contains_personal",
    "contains_personal_expr",
    "fold_text",
    "fold_text_expr",
    "mask_digit_runs",
    "mask_personal_text",
    "mask_phone",
    "mask_ric",
    "personal_spans",
]

# --- folding: one character for one character ------------------------------------------------------

#: What each folded target stands for: digits, X, plus, and the separators (brackets as ``(`` / ``)``).
_CANONICAL: Final = {
    **{d: d for d in "0123456789Xx+-./() "},
    "[": "(",
    "]": ")",
    "\\": "/",
}
_EXTRA_BRACKETS: Final = {"【": "(", "】": ")", "〔": "(", "〕": ")", "〖": "(", "〗": ")"}
#: Segmented digits (U+1FBF0..), outside the ranges stdnum's table is read from.
_EXTRA_RANGES: Final = ((0x1FBF0, 0x1FBFA),)


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    look_alikes = unicode_to_ascii_map("")
    for start, stop in (*MAP_SCAN_RANGES, *_EXTRA_RANGES):
        for cp in range(start, stop):
            ch = chr(cp)
            nfkc = unicodedata.normalize("NFKC", ch)
            target = _CANONICAL.get(nfkc) or _CANONICAL.get(look_alikes.get(ch, ""))
            if target is not None and target != ch:
                table[cp] = target
    table.update({ord(k): v for k, v in _EXTRA_BRACKETS.items()})
    return table


_TEXT_FOLD: Final = _fold_table()
_FOLD_PAIRS: Final = {chr(k): v for k, v in _TEXT_FOLD.items()}


def fold_text(text: str) -> str:
    """Every width and look-alike of a digit, X, ``+`` or a separator as its ASCII form (brackets as
    ``(`` / ``)``, slashes as ``/``); same length as ``text``."""
    return text.translate(_TEXT_FOLD)


def fold_text_expr(col: str | pl.Expr) -> pl.Expr:
    """Polars twin of :func:`fold_text`."""
    return as_string_expr(col).str.replace_many(_FOLD_PAIRS)


# --- the candidate pattern (Python and Rust alike) --------------------------------------------------

_SEP: Final = r"[-. /()]"  # on folded text
_SOURCES: Final = {
    target: "".join(sorted({target, *(chr(k) for k, v in _TEXT_FOLD.items() if v == target)}))
    for target in set(_CANONICAL.values())
}


def _cls(targets: str, *, negate: bool = False) -> str:
    """A character class of every character that folds to one of ``targets`` (so that the pattern reads
    the text as written, without folding it first); ASCII punctuation escaped for both engines."""
    chars = sorted({c for t in targets for c in _SOURCES[t]})
    body = "".join("\\" + c if c.isascii() and not c.isalnum() else c for c in chars)
    return f"[{'^' if negate else ''}{body}]"


_S: Final = _cls("-. /()") + "{0,3}"


def _spaced(*units: str) -> str:
    """``units`` (one character each) with up to three separators between them."""
    return _S.join(units)


_D: Final = _cls("0123456789")
_NOT_D: Final = f"(?:{_cls('0123456789', negate=True)}|$)"
_RIC_CANDIDATE: Final = (
    _spaced(
        *[_D] * 6,
        f"(?:{_cls('1')}{_S}{_cls('9')}|{_cls('2')}{_S}{_cls('0')})",
        _D,
        _D,
        f"(?:{_cls('0')}{_S}{_cls('123456789')}|{_cls('1')}{_S}{_cls('012')})",
        f"(?:{_cls('0')}{_S}{_cls('123456789')}|{_cls('12')}{_S}{_D}|{_cls('3')}{_S}{_cls('01')})",
        *[_D] * 3,
    )
    + _S
    + f"(?:{_D}{_NOT_D}|{_cls('Xx')})"
)
_MOBILE_CANDIDATE: Final = (
    f"(?:{_cls('8')}{_S}{_cls('6')}{_S})?" + _spaced(_cls("1"), _cls("3456789"), *[_D] * 9) + _NOT_D
)
#: The candidate pattern, on the text as written (see the module docstring), for Polars and for ``re``.
PERSONAL_TEXT_PATTERN: Final = (
    f"(?:^|{_cls('0123456789', negate=True)})(?:{_RIC_CANDIDATE}|{_MOBILE_CANDIDATE})"
)
_CANDIDATE = re.compile(PERSONAL_TEXT_PATTERN)

# --- the detector -------------------------------------------------------------------------------------

_RIC_SHAPE: Final = re.compile(
    r"[0-9]{6}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]"
)
_MOBILE: Final = re.compile(r"1[3-9][0-9]{9}")
_GROUP_PATTERN: Final = "[0-9]+[Xx]?|[Xx]"  # digits, and an ID's X glued to them or set apart
_RUN: Final = re.compile(rf"\+?[0-9]+[Xx]?(?:{_SEP}{{1,3}}(?:{_GROUP_PATTERN}))*")
_GROUP: Final = re.compile(_GROUP_PATTERN)
_MIN_PHONE_GROUP: Final = 3


class PersonalSpan(NamedTuple):
    """A citizen ID or mobile number found in a text: ``text[start:end]`` is replaced by ``masked``."""

    start: int
    end: int
    kind: str  # "ric" | "phone"
    masked: str


class _Group(NamedTuple):
    start: int
    end: int
    chars: str  # upper case; only the last character may be X


def _is_ric(chars: str, groups: int) -> bool:
    if not _RIC_SHAPE.fullmatch(chars):
        return False
    if groups > 1:
        return check_ric(chars).valid
    return check_ric(chars).valid or not check_uscc(chars).valid


def _is_phone(digits: str, sizes: list[int]) -> bool:
    """Whether groups of ``sizes`` digits spell ``digits``, a mobile number (after ``86``, or not)."""
    if len(digits) == 13:
        if not digits.startswith("86"):
            return False
        digits, sizes = digits[2:], [s for s in [sizes[0] - 2, *sizes[1:]] if s]
    return _MOBILE.fullmatch(digits) is not None and (len(sizes) == 1 or min(sizes) >= _MIN_PHONE_GROUP)


class _Run:
    """A run of digit groups joined by separators, as the detector walks it. A group's trailing X is the
    check character of an ID ending there, or a letter glued to a number that ends before it."""

    def __init__(self, run: re.Match[str]) -> None:
        self.groups = [
            _Group(run.start() + g.start(), run.start() + g.end(), g.group().upper())
            for g in _GROUP.finditer(run.group())
        ]
        self.digits = "".join(g.chars for g in self.groups)
        self.offsets = [0]  # where each group starts in ``digits`` (and where the last one ends)
        #: offset in ``digits`` where a number may end -> (index of the group after it, X left out)
        self.ends: dict[int, tuple[int, bool]] = {}
        for k, group in enumerate(self.groups, start=1):
            self.offsets.append(self.offsets[-1] + len(group.chars))
            self.ends[self.offsets[-1]] = (k, False)
            if len(group.chars) > 1 and group.chars.endswith("X"):
                self.ends[self.offsets[-1] - 1] = (k, True)
        self.plus = run.group().startswith("+")

    def number_at(self, i: int) -> tuple[int, int, str, str] | None:
        """The number whose first group is ``i``: (index of the group after its last one, where it ends in
        the text, kind, ASCII number); an ID first."""
        before = self.offsets[i]
        for length in (18, 11, 13):
            found = self.ends.get(before + length)
            if found is None:
                continue
            stop, x_left_out = found
            end = self.groups[stop - 1].end - x_left_out
            chars = self.digits[before : before + length]
            if length == 18:
                if _is_ric(chars, stop - i):
                    return stop, end, "ric", chars
            elif _is_phone(chars, [len(g.chars) for g in self.groups[i:stop]]):
                return stop, end, "phone", chars
        return None


def _widen(folded: str, start: int, end: int) -> tuple[int, int]:
    """Take in a bracket opened just before the number and closed inside it (and the converse)."""
    inner = folded[start:end]
    depth = low = 0
    for ch in inner:
        depth += 1 if ch == "(" else -1 if ch == ")" else 0
        low = min(low, depth)
    if low < 0 and start > 0 and folded[start - 1] == "(":
        start -= 1
    if depth - low > 0 and end < len(folded) and folded[end] == ")":
        end += 1
    return start, end


def _spans_in_run(folded: str, run: _Run) -> Iterator[PersonalSpan]:
    i = 0
    while i < len(run.groups):
        hit = run.number_at(i)
        if hit is None:
            i += 1
            continue
        stop, end, kind, chars = hit
        start = run.groups[i].start
        if kind == "phone" and i == 0 and run.plus and len(chars) == 13:
            start, chars = start - 1, "+" + chars
        start, end = _widen(folded, start, end)
        yield PersonalSpan(start, end, kind, mask_ric(chars) if kind == "ric" else mask_phone(chars))
        i = stop


def personal_spans(text: str) -> list[PersonalSpan]:
    """Every citizen ID and mobile number in ``text`` (see the module docstring), left to right."""
    if _CANDIDATE.search(text) is None:
        return []
    folded = fold_text(text)
    return [span for run in _RUN.finditer(folded) for span in _spans_in_run(folded, _Run(run))]


def contains_personal(text: str) -> bool:
    """Whether ``text`` quotes a citizen ID or a mobile number."""
    return bool(personal_spans(text))


def _contains_personal_series(values: pl.Series) -> pl.Series:
    candidates = values.to_frame("t").select(pl.col("t").str.contains(PERSONAL_TEXT_PATTERN))
    out = candidates.to_series().alias(values.name)
    rows = out.fill_null(False).arg_true()
    if rows.len():
        out.scatter(rows, [contains_personal(v) for v in values.gather(rows).to_list()])
    return out


def contains_personal_expr(col: str | pl.Expr) -> pl.Expr:
    """Polars twin of :func:`contains_personal` (null stays null): the candidate pattern vectorised, the
    detector on the rows it matches."""
    return as_string_expr(col).map_batches(
        _contains_personal_series, return_dtype=pl.Boolean, is_elementwise=True
    )


# --- masks ---------------------------------------------------------------------------------------------

_SEPARATORS: Final = "-. /()"


def mask_ric(value: str) -> str:
    """``'320102199001011234'`` -> ``'3201**********1234'`` (first 4 and last 4 kept; separators and
    widths do not count)."""
    text = compact_plain(fold_text(compact_ric(value)), _SEPARATORS)
    n = len(text)
    if n <= 8:
        return "*" * n
    return text[:4] + "*" * (n - 8) + text[-4:]


def mask_phone(value: str) -> str:
    """``'13812345678'`` -> ``'138****5678'``: four characters before the last four are masked
    (separators and widths do not count)."""
    text = compact_plain(fold_text(value), _SEPARATORS)
    n = len(text)
    if n <= 4:
        return "*" * n
    return text[: max(0, n - 8)] + "*" * min(4, n - 4) + text[-4:]


def mask_personal_text(text: str) -> str:
    """Free text with every citizen ID and mobile number it quotes masked, the rest as written:
    ``'王某（3209 0219 8503 1299 18）'`` -> ``'王某（3209**********9918）'``."""
    spans = personal_spans(text)
    if not spans:
        return text
    out, pos = [], 0
    for span in spans:
        out.append(text[pos : span.start])
        out.append(span.masked)
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


_DIGIT_RUN = re.compile(r"\d{15,18}[Xx]?")


def mask_digit_runs(text: str) -> str:
    """Mask every run of 15 to 18 digits, valid or not: for echoing back input that may be an ID."""
    return _DIGIT_RUN.sub(lambda m: mask_ric(m.group()), text)
