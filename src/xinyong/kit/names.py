"""The one normalisation used wherever names (of companies, organisations, people) are compared.

``normalize_name`` produces a *matching key*, not a display form. Steps, in order:

1. Drop every character that is invisible or only spacing: all Unicode whitespace (ASCII
   blanks, NBSP U+00A0, ideographic space U+3000, U+2000–U+200A, line/paragraph separators …),
   control characters (Cc), format characters (Cf: zero-width space/joiners, BOM, bidi marks,
   soft hyphen …) and variation selectors (U+FE00–FE0F, U+E0100–E01EF). Whitespace *inside* a
   name is removed too, so ``'盐城市 建设'`` and ``'盐城市建设'`` match.
2. Unicode NFKC: full-width ASCII letters, digits and punctuation become half-width
   (``Ａ１（`` → ``A1(``), CJK compatibility ideographs become the unified ones, ``①`` → ``1``,
   ``㈱`` → ``(株)``, half-width katakana → full-width, and so on.
3. Fold brackets and look-alike punctuation:

   * every round/square/curly bracket kind folds to ASCII ``(`` ``)``: ``（）[]［］{}｛｝【】〔〕``
     ``〖〗〘〙〚〛⦅⦆｟｠﹙﹚﹝﹞⁽⁾₍₎``. Book-title and angle marks ``《》〈〉`` and quotation marks
     ``「」『』“”`` are *not* brackets here and are kept as they are;
   * dashes ``‐‑‒–—―−－﹘﹣`` fold to ASCII ``-``;
   * middle dots ``・･‧∙⋅•`` fold to ``·`` (U+00B7), as used in transliterated names.
4. ASCII letters are upper-cased (other scripts are left alone).
5. Traditional → simplified Chinese with OpenCC ``t2s`` (``鹽城市建設`` → ``盐城市建设``).

The steps are repeated until nothing changes, so the result is a fixed point:
``normalize_name(normalize_name(x)) == normalize_name(x)`` for every string (OpenCC ``t2s`` alone
is not idempotent: ``薴`` → ``苧`` → ``苎``).

The OpenCC converter (and the character tables) are created lazily once per process; every call
into OpenCC holds a lock (OpenCC objects are not documented as thread safe).

The bulk helpers (:func:`normalize_names`, :func:`normalize_series`, :func:`normalize_name_expr`)
give exactly the scalar result but deduplicate first and run each step over many names joined by
the private-use character U+E000 (untouched by every step, never composes, in no OpenCC
dictionary), so OpenCC, the folding and most of NFKC run once per chunk rather than once per
name. The rare value that itself contains U+E000 goes through the scalar path.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from typing import Protocol

import opencc
import polars as pl

__all__ = [
    "names_match",
    "normalize_name",
    "normalize_name_expr",
    "normalize_names",
    "normalize_series",
]

_OPEN = "[{【〔〖〘〚⦅｟"
_CLOSE = "]}】〕〗〙〛⦆｠"
_DASHES = "‐‑‒–—―−－﹘﹣"
_DOTS = "・･‧∙⋅•"
_SEP = "\ue000"  # joins names in bulk mode (see the module docstring)
_CHUNK = 20_000  # distinct names per bulk chunk: bounds memory and how long the lock is held
_MAX_ROUNDS = 8  # every loop below reaches its fixed point in 1–3 rounds in practice

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

_lock = threading.Lock()


class _Converter(Protocol):
    """What is used of ``opencc.OpenCC``: its ``convert`` carries no annotations (OpenCC 1.1), so
    mypy would read its result as ``Any``; this states the ``str -> str`` it is."""

    def convert(self, text: str) -> str: ...


class _State:
    """Lazily built, process-wide: the fold table, regexes finding the characters it changes,
    and the OpenCC converter."""

    def __init__(self) -> None:
        self.table = _build_table()
        # The BMP part compiles to a bitmap (fast); supplementary-plane entries are rare and
        # only looked for when the text has any supplementary character at all.
        self.bmp = re.compile(_char_class(cp for cp in self.table if cp <= 0xFFFF))
        self.bmp_runs = re.compile(self.bmp.pattern + "+")
        self.astral_runs = re.compile(_char_class(cp for cp in self.table if cp > 0xFFFF) + "+")
        self.converter: _Converter = opencc.OpenCC("t2s")

    def fold(self, text: str) -> str:
        """Steps 1, 3 and 4 (a character-by-character mapping); ``text`` itself if unchanged."""
        if self.bmp.search(text):
            text = self.bmp_runs.sub(self._fold_run, text)
        if _ASTRAL.search(text):
            text = self.astral_runs.sub(self._fold_run, text)
        return text

    def _fold_run(self, match: re.Match[str]) -> str:
        return match.group().translate(self.table)

    def t2s(self, text: str) -> str:
        if text.isascii():
            return text
        with _lock:
            return self.converter.convert(text)


_state: _State | None = None


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Cc/Cf and whitespace live in planes 0, 1 and 14 only (planes 2 and 3 hold ideographs).
    for cp in (*range(0x20000), *range(0xE0000, 0xF0000)):
        ch = chr(cp)
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            table[cp] = None
    for cp in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)):
        table[cp] = None
    table.update({ord(c): "(" for c in _OPEN})
    table.update({ord(c): ")" for c in _CLOSE})
    table.update({ord(c): "-" for c in _DASHES})
    table.update({ord(c): "·" for c in _DOTS})
    table.update({cp: chr(cp - 32) for cp in range(ord("a"), ord("z") + 1)})
    return table


def _char_class(codepoints: Iterable[int]) -> str:
    """A regex character class matching exactly ``codepoints`` (compressed into ranges)."""
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges
    )
    return f"[{body}]"


def _get_state() -> _State:
    global _state
    state = _state
    if state is None:
        with _lock:
            if _state is None:
                _state = _State()
            state = _state
    return state


def _local(value: str, state: _State) -> str:
    """Steps 1–4 to a fixed point: the result is NFKC and has nothing left to fold."""
    current = value
    for _ in range(_MAX_ROUNDS):
        current = state.fold(current)
        normalized = unicodedata.normalize("NFKC", current)
        if normalized == current:
            break
        current = normalized
    return current


def normalize_name(name: str) -> str:
    """The matching key of ``name`` (see the module docstring); ``''`` for blank input."""
    state = _get_state()
    current = _local(name, state)
    for _ in range(_MAX_ROUNDS):
        step = _local(state.t2s(current), state)
        if step == current:
            break
        current = step
    return current


def names_match(a: str, b: str) -> bool:
    """True when both names have the same non-empty key. Blank names never match anything."""
    key = normalize_name(a)
    return bool(key) and key == normalize_name(b)


def _local_many(values: list[str], state: _State) -> list[str]:
    """``[_local(v) for v in values]`` for values free of ``_SEP``: the folding runs over the
    joined text, NFKC per value (cheap for values already normal); later rounds only revisit the
    values NFKC changed, exactly as :func:`_local` would."""
    nfkc = unicodedata.normalize
    out = list(values)
    todo: list[int] | range = range(len(out))
    for _ in range(_MAX_ROUNDS):
        if not todo:
            break
        current = [out[i] for i in todo]
        joined = _SEP.join(current)
        folded = state.fold(joined)
        parts = current if folded is joined else folded.split(_SEP)
        if unicodedata.is_normalized("NFKC", folded):  # NFKC works value by value (see _SEP)
            for i, part in zip(todo, parts, strict=True):
                out[i] = part
            break
        again: list[int] = []
        for i, part in zip(todo, parts, strict=True):
            normalized = nfkc("NFKC", part)
            out[i] = normalized
            if normalized != part:
                again.append(i)
        todo = again
    return out


def _t2s_many(values: list[str], state: _State) -> list[str]:
    """``[state.t2s(v) for v in values]`` with one OpenCC call."""
    parts = state.t2s(_SEP.join(values)).split(_SEP)
    if len(parts) != len(values):  # pragma: no cover - defensive: OpenCC keeps U+E000
        parts = [state.t2s(v) for v in values]
    return parts


def _normalize_chunk(values: list[str], state: _State) -> list[str]:
    keys = _local_many(values, state)
    pending = list(range(len(keys)))
    for _ in range(_MAX_ROUNDS):
        pending = [i for i in pending if not keys[i].isascii()]
        if not pending:
            break
        steps = _local_many(_t2s_many([keys[i] for i in pending], state), state)
        changed: list[int] = []
        for i, step in zip(pending, steps, strict=True):
            if step != keys[i]:
                keys[i] = step
                changed.append(i)
        pending = changed
    return keys


def normalize_names(values: Iterable[str]) -> list[str]:
    """``[normalize_name(v) for v in values]``, computed once per distinct value and in bulk."""
    items = values if isinstance(values, list) else list(values)
    state = _get_state()
    distinct = list(dict.fromkeys(items))
    lookup: dict[str, str] = {}
    plain = [v for v in distinct if _SEP not in v]
    for v in distinct:
        if _SEP in v:
            lookup[v] = normalize_name(v)
    for start in range(0, len(plain), _CHUNK):
        chunk = plain[start : start + _CHUNK]
        lookup.update(zip(chunk, _normalize_chunk(chunk, state), strict=True))
    return [lookup[v] for v in items]


def normalize_series(s: pl.Series) -> pl.Series:
    """Normalise a string column: each distinct value once, mapped back. Nulls stay null; the
    result is a ``String`` series with the same name and length."""
    if s.dtype != pl.String:
        s = s.cast(pl.String)
    distinct = s.unique().drop_nulls()
    if distinct.len() == 0:
        return s
    new = pl.Series(normalize_names(distinct.to_list()), dtype=pl.String)
    return s.replace_strict(distinct, new, default=None, return_dtype=pl.String).alias(s.name)


def normalize_name_expr(col: str | pl.Expr) -> pl.Expr:
    """A polars expression applying :func:`normalize_series`, e.g.
    ``df.with_columns(name_key=normalize_name_expr("name"))``."""
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.map_batches(normalize_series, return_dtype=pl.String, is_elementwise=True)
