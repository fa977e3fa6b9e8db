"""Fields outside the catalog (目录外字段): a column or JSON key that is not a field of the item.

Its values are never collected and never stored anywhere (records, rejected rows, error downloads,
audit, the kept copy of the file); what the batch keeps is, per field, the column or key as written,
the number of rows in which it held a non-empty value, and, when it looks like a misspelling of one of
the item's fields, that field (``FIELD_NOT_IN_CATALOG``). These entries are stored in
``ingest_batches.ignored_columns`` as JSON objects (``{"column", "rows", "field"}``); a plain string
there is a column recorded before row counts were kept.

A misspelling: difflib's ratio between the column and a field's name or Chinese label, both
normalised (NFKC, case folded, without blanks, ``_ - · .`` and brackets), at least
:data:`HINT_CUTOFF`. 0.75 is one wrong character in a four-character label (有效期止 → 有效期至) or a
doubled letter in a name (valid_untill → valid_until); a three-character label with one wrong
character (0.67) or an unrelated column (联系电话, 微信: under 0.3 against every label of the default
catalog) gets no hint. Only fields the submission does not already carry are candidates (a column
next to 有效期自 and missing 有效期至 points at 有效期至); on a tie the catalog's order decides.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from xinyong.catalog.model import CatalogItem
from xinyong.kit import ids

FIELD_NOT_IN_CATALOG: Final = "FIELD_NOT_IN_CATALOG"
HINT_CUTOFF: Final = 0.75
#: Level shown for these lines in the per-row report downloads.
LEVEL_ZH: Final = "未归集（不在目录中）"
_NOISE: Final = re.compile(r"[\s_\-·.．,，:：()（）\[\]【】〔〕]")
_UNNAMED: Final = "__UNNAMED__"


@dataclass(frozen=True)
class UnknownField:
    """One column or key of a submission that is not a field of its catalog item."""

    column: str
    #: Rows in which it held a non-empty value; None when not counted (batches from before counting).
    rows: int | None
    #: The item's field it may be a misspelling of.
    field: str | None = None


def _normalise(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).casefold())


def closest_field(spec: CatalogItem, column: str, present: Iterable[str] = ()) -> str | None:
    """The field of ``spec`` (not among ``present``) whose name or label ``column`` looks like a
    misspelling of, or None (see the module docstring)."""
    given = _normalise(column)
    if not given:
        return None
    taken = set(present)
    best: tuple[float, str] | None = None
    for field in spec.fields:
        if field.name in taken:
            continue
        score = max(
            difflib.SequenceMatcher(None, given, _normalise(candidate)).ratio()
            for candidate in (field.name, field.label)
        )
        if score >= HINT_CUTOFF and (best is None or score > best[0]):
            best = (score, field.name)
    return best[1] if best else None


def column_label(raw: str, position: int) -> str:
    """A header as it is reported: as written (blanks around it dropped), an empty one by its position,
    and anything in it that looks like a citizen ID or a mobile number masked (a header is stored)."""
    text = str(raw).strip()
    if not text or text.startswith(_UNNAMED):
        return f"（第 {position} 列，无表头）"
    return ids.mask_personal_text(text)


def is_blank(value: Any) -> bool:
    """Whether a submitted value is empty (None or blank text), as ``validation.rows_frame`` counts."""
    return value is None or (isinstance(value, str) and not value.strip())


def count_filled(frame: pl.DataFrame, groups: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Per reported column, the rows in which any of its frame columns holds a non-blank value."""
    if not groups:
        return {}
    exprs = [
        pl.any_horizontal([pl.col(c).cast(pl.String).str.strip_chars().fill_null("").ne("") for c in cols])
        .sum()
        .alias(label)
        for label, cols in groups.items()
    ]
    row = frame.select(exprs).row(0, named=True)
    return {label: int(row[label] or 0) for label in groups}


def add_counts(total: dict[str, int], more: Mapping[str, int]) -> None:
    for column, rows in more.items():
        total[column] = total.get(column, 0) + rows


def found(spec: CatalogItem, counts: Mapping[str, int], present: Iterable[str]) -> list[UnknownField]:
    """Unknown fields from their row counts, each with the field it may be a misspelling of."""
    have = set(present)
    return [
        UnknownField(ids.mask_personal_text(column), rows, closest_field(spec, column, have))
        for column, rows in counts.items()
    ]


def to_json(fields: Sequence[UnknownField]) -> list[dict[str, Any]]:
    return [{"column": f.column, "rows": f.rows, "field": f.field} for f in fields]


def from_json(entries: Sequence[object]) -> list[UnknownField]:
    """Stored entries back (a plain string: a column stored before rows were counted)."""
    out: list[UnknownField] = []
    for entry in entries:
        if isinstance(entry, dict):
            rows, field = entry.get("rows"), entry.get("field")
            out.append(
                UnknownField(
                    str(entry.get("column", "")),
                    rows if isinstance(rows, int) else None,
                    field if isinstance(field, str) else None,
                )
            )
        else:
            out.append(UnknownField(str(entry), None))
    return out


def merge(old: Sequence[UnknownField], new: Sequence[UnknownField]) -> list[UnknownField]:
    """Entries of two parts of one batch: row counts added (unknown stays unknown), first hint kept."""
    merged = {f.column: f for f in old}
    for f in new:
        before = merged.get(f.column)
        if before is None:
            merged[f.column] = f
        else:
            rows = None if before.rows is None or f.rows is None else before.rows + f.rows
            merged[f.column] = UnknownField(f.column, rows, before.field or f.field)
    return list(merged.values())


def message(spec: CatalogItem, unknown: UnknownField, *, word: str = "列") -> str:
    """The report's line for one unknown field, in Chinese: 列“有效期止”不在目录中，是否为「有效期至」
    （valid_until）？2 行有值，未归集，也未保存；……"""
    target = spec.field(unknown.field) if unknown.field else None
    head = f"{word}“{unknown.column}”不在目录中"
    head += f"，是否为「{target.label}」（{target.name}）？" if target is not None else "："
    if unknown.rows is None:
        tail = "其值未归集，也未保存"
    elif unknown.rows == 0:
        tail = "各行均为空"
    else:
        tail = f"{unknown.rows} 行有值，未归集，也未保存"
    if target is not None and unknown.rows != 0:
        tail += f"；如确为「{target.label}」，请改正{'表头' if word == '列' else '字段名'}后重新提交这些行"
    return head + tail
