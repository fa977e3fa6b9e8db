"""Validation of submitted rows against a catalog item's field schema, a whole chunk at a time.

Every check is a Polars expression over the chunk (identifier checks are kit.ids' vectorised
twins of python-stdnum, run once per distinct value); only the rows that fail are looked at one
by one, to write a Chinese reason naming the field. Nothing here touches the database except
:func:`validate_record_data` (single records, for corrections).

Row numbers: for files, the row of the spreadsheet (the header is row 1, the first data row is
row 2); for JSON Lines, the line number; for the JSON batch API, the position in the array (from 1).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Final

import polars as pl

from xinyong.catalog.schema import CatalogItem, FieldSpec, FieldType
from xinyong.catalog.service import item_spec
from xinyong.ingest.minors import MINOR_EXCLUDED, MINOR_REASON, minor_codes
from xinyong.kit import ids
from xinyong.models import CatalogItemRow
from xinyong.records.assess import SEVERITY_OVERRIDE_COLUMN, SEVERITY_REASON_COLUMN

ROW: Final = "__row"
OK: Final = "__ok"
KIND: Final = "__kind"  # "uscc" / "ric" / "old" (an old code to resolve) for subject_id
UNREADABLE: Final = "__unreadable"
#: CSV lines with more fields than the header (which value belongs to which field cannot be known).
TOO_MANY_FIELDS: Final = "__too_many_fields"

# Stable codes of row-level findings.
REQUIRED: Final = "INGEST_REQUIRED"
TOO_LONG: Final = "INGEST_TOO_LONG"
ENUM_INVALID: Final = "INGEST_ENUM_INVALID"
DATE_INVALID: Final = "INGEST_DATE_INVALID"
DATE_IN_FUTURE: Final = "INGEST_DATE_IN_FUTURE"
DATETIME_INVALID: Final = "INGEST_DATETIME_INVALID"
INTEGER_INVALID: Final = "INGEST_INTEGER_INVALID"
NUMBER_INVALID: Final = "INGEST_NUMBER_INVALID"
MONEY_NEGATIVE: Final = "INGEST_MONEY_NEGATIVE"
BOOLEAN_INVALID: Final = "INGEST_BOOLEAN_INVALID"
SEVERITY_INVALID: Final = "INGEST_SEVERITY_INVALID"
ROW_UNREADABLE: Final = "INGEST_ROW_UNREADABLE"
ROW_TOO_MANY_FIELDS: Final = "INGEST_ROW_TOO_MANY_FIELDS"

#: Columns that are not catalog fields but that a source may send with a row.
RESERVED_HEADERS: Final[dict[str, str]] = {
    SEVERITY_OVERRIDE_COLUMN: SEVERITY_OVERRIDE_COLUMN,
    "调整严重程度": SEVERITY_OVERRIDE_COLUMN,
    "严重程度": SEVERITY_OVERRIDE_COLUMN,
    SEVERITY_REASON_COLUMN: SEVERITY_REASON_COLUMN,
    "调整理由": SEVERITY_REASON_COLUMN,
    "严重程度调整理由": SEVERITY_REASON_COLUMN,
}
RESERVED_LABELS: Final[dict[str, str]] = {
    SEVERITY_OVERRIDE_COLUMN: "调整严重程度",
    SEVERITY_REASON_COLUMN: "严重程度调整理由",
}
_SEVERITY_WORDS: Final[dict[str, str]] = {
    "轻微": "minor",
    "一般": "general",
    "严重": "serious",
    "minor": "minor",
    "general": "general",
    "serious": "serious",
}
_BOOLEAN_WORDS: Final[dict[str, bool]] = {
    "是": True,
    "否": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
}
#: Date fields that may lie after the day of submission (ends of validity, due dates).
FUTURE_DATE_FIELDS: Final = frozenset({"valid_from", "valid_until", "due_date", "end_date"})
_MIN_YEAR: Final = 1900
#: The longest text a field without a catalog max_length may hold: a field cannot carry a file's worth.
TEXT_CEILING: Final = 4000


@dataclass(frozen=True)
class ItemContext:
    """What validation needs to know about one catalog item."""

    row: CatalogItemRow
    spec: CatalogItem

    @property
    def fields(self) -> list[FieldSpec]:
        return list(self.spec.fields)

    def label(self, name: str | None) -> str:
        if name is None:
            return ""
        found = self.spec.field(name)
        return found.label if found is not None else RESERVED_LABELS.get(name, name)

    def header_map(self) -> dict[str, str]:
        """Accepted column headers -> field name: the field name or its Chinese label."""
        out: dict[str, str] = dict(RESERVED_HEADERS)
        for spec in self.spec.fields:
            out[spec.label] = spec.name
            out[spec.name] = spec.name
        return out

    @property
    def ric_fields(self) -> list[str]:
        return [f.name for f in self.spec.fields if f.type is FieldType.RIC]


def context_for(row: CatalogItemRow) -> ItemContext:
    return ItemContext(row=row, spec=item_spec(row))


@dataclass
class Issue:
    row_no: int
    field: str | None
    code: str
    message: str
    level: str = "error"
    record_id: int | None = None


@dataclass
class Validated:
    """A chunk after validation: typed values (``__ok`` says whether the row passed) and its errors."""

    frame: pl.DataFrame
    issues: list[Issue] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _by_unique(series: pl.Series, fn: Any) -> pl.DataFrame:
    """Apply ``fn`` (a function of a one-column frame ``v``) to the distinct values only, and
    return its columns aligned with ``series``."""
    distinct = pl.DataFrame({"v": series.unique()})
    answers = fn(distinct)
    joined = pl.DataFrame({"v": series}).join(
        answers, on="v", how="left", nulls_equal=True, maintain_order="left"
    )
    return joined.drop("v")


def _parse_dates(v: pl.Expr) -> pl.Expr:
    head = v.str.slice(0, 10)
    return pl.coalesce(
        head.str.to_date("%Y-%m-%d", strict=False),
        v.str.to_date("%Y/%m/%d", strict=False),
        v.str.to_date("%Y%m%d", strict=False),
        v.str.to_date("%Y.%m.%d", strict=False),
        v.str.to_date("%Y年%m月%d日", strict=False),
    )


def _parse_datetimes(v: pl.Expr) -> pl.Expr:
    return pl.coalesce(
        v.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False),
        v.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False),
        v.str.to_datetime("%Y-%m-%d %H:%M", strict=False),
        v.str.to_datetime("%Y-%m-%d", strict=False),
    )


def _err(cond: pl.Expr | pl.Series, code: str) -> pl.Expr:
    return pl.when(cond).then(pl.lit(code)).otherwise(pl.lit(None, dtype=pl.String))


def _nulls(n: int) -> pl.Series:
    return pl.Series([None] * n, dtype=pl.String)


# --------------------------------------------------------------------------- the chunk validator


def _clean(raw: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """The named columns as stripped text, empty cells as nulls (absent columns all null)."""
    cleaned: dict[str, pl.Series] = {}
    for name in names:
        if name in raw.columns:
            s = raw[name].cast(pl.String).str.strip_chars()
            cleaned[name] = pl.select(pl.when(s == "").then(None).otherwise(s).alias(name)).to_series()
        else:
            cleaned[name] = pl.Series(name, [None] * raw.height, dtype=pl.String)
    return pl.DataFrame(cleaned)


def _date_limit(f: FieldSpec, spec: CatalogItem, today: dt.date, received_on: dt.date) -> dt.date | None:
    """The latest date a date field may hold: the day of receipt for the decision (and the date the
    publication counts from), none for ends of validity and due dates, else today."""
    if f.name in ("decision_date", spec.publication_rule.from_field):
        return received_on
    if f.name in FUTURE_DATE_FIELDS:
        return None
    return today


def _check_date(v: pl.Series, limit: dt.date | None) -> tuple[pl.Series, pl.Series]:
    def dates(d: pl.DataFrame) -> pl.DataFrame:
        parsed = _parse_dates(pl.col("v"))
        frame = d.with_columns(parsed.alias("value"))
        bad = pl.col("v").is_not_null() & (
            pl.col("value").is_null() | (pl.col("value").dt.year() < _MIN_YEAR)
        )
        future = (pl.col("value") > pl.lit(limit)) if limit is not None else pl.lit(False)
        return frame.with_columns(
            pl.when(bad)
            .then(pl.lit(DATE_INVALID))
            .when(future)
            .then(pl.lit(DATE_IN_FUTURE))
            .otherwise(pl.lit(None, dtype=pl.String))
            .alias("code"),
            pl.when(bad).then(None).otherwise(pl.col("value")).alias("value"),
        )

    answer = _by_unique(v, dates)
    return answer["value"], answer["code"]


def _check_number(f: FieldSpec, v: pl.Series) -> tuple[pl.Series, pl.Series]:
    number = v.str.replace_all(r"[,，\s¥￥元]", "").cast(pl.Float64, strict=False)
    bad = v.is_not_null() & (number.is_null() | ~number.is_finite().fill_null(False))
    negative = (number < 0).fill_null(False) if f.type is FieldType.MONEY else pl.lit(False)
    code = pl.select(
        pl.when(bad)
        .then(pl.lit(NUMBER_INVALID))
        .when(negative)
        .then(pl.lit(MONEY_NEGATIVE))
        .otherwise(pl.lit(None, dtype=pl.String))
    ).to_series()
    return pl.select(pl.when(bad).then(None).otherwise(number.round(2))).to_series(), code


def _is_identifier(f: FieldSpec) -> bool:
    """Identifier fields: USCC and citizen ID fields, and the subject's code even where the catalog types
    it as text (统一社会信用代码或公民身份号码): it is classified and checked like the dedicated types."""
    return f.type in (FieldType.USCC, FieldType.RIC) or f.name == "subject_id"


def _check_field(f: FieldSpec, v: pl.Series, limit: dt.date | None) -> tuple[pl.Series, pl.Series]:
    """Typed value and error code of one non-identifier field."""
    if f.type in (FieldType.STRING, FieldType.TEXT):
        most = f.max_length or TEXT_CEILING
        return v, pl.select(_err(v.str.len_chars() > most, TOO_LONG)).to_series()
    if f.type is FieldType.ENUM:
        canon = {_fold(option): option for option in f.enum or []}
        mapping = {x: canon.get(_fold(x)) for x in v.drop_nulls().unique().to_list()}
        value = v.replace_strict(mapping, default=None, return_dtype=pl.String)
        return value, pl.select(_err(v.is_not_null() & value.is_null(), ENUM_INVALID)).to_series()
    if f.type is FieldType.DATE:
        return _check_date(v, limit)
    if f.type is FieldType.DATETIME:
        parsed = pl.select(_parse_datetimes(pl.lit(v))).to_series()
        code = pl.select(_err(v.is_not_null() & parsed.is_null(), DATETIME_INVALID)).to_series()
        return parsed.dt.strftime("%Y-%m-%dT%H:%M:%S"), code
    if f.type is FieldType.INTEGER:
        value = v.str.replace_all(r"[,，\s]", "").cast(pl.Int64, strict=False)
        return value, pl.select(_err(v.is_not_null() & value.is_null(), INTEGER_INVALID)).to_series()
    if f.type in (FieldType.DECIMAL, FieldType.MONEY):
        return _check_number(f, v)
    # boolean
    mapping_b = {x: _BOOLEAN_WORDS.get(x.lower()) for x in v.drop_nulls().unique().to_list()}
    value = v.replace_strict(mapping_b, default=None, return_dtype=pl.Boolean)
    return value, pl.select(_err(v.is_not_null() & value.is_null(), BOOLEAN_INVALID)).to_series()


def _check_override(base: pl.DataFrame, typed: dict[str, pl.Series], errors: dict[str, pl.Series]) -> None:
    """The severity override (not a catalog field: how the source overrides the catalog's rule)."""
    ov = base[SEVERITY_OVERRIDE_COLUMN]
    ov_value = ov.replace_strict(
        {x: _SEVERITY_WORDS.get(x.strip().lower()) for x in ov.drop_nulls().unique().to_list()},
        default=None,
        return_dtype=pl.String,
    )
    typed[SEVERITY_OVERRIDE_COLUMN] = ov_value.alias(SEVERITY_OVERRIDE_COLUMN)
    typed[SEVERITY_REASON_COLUMN] = base[SEVERITY_REASON_COLUMN]
    errors[SEVERITY_OVERRIDE_COLUMN] = pl.select(
        _err(ov.is_not_null() & ov_value.is_null(), SEVERITY_INVALID)
    ).to_series()


def _line_errors(raw: pl.DataFrame, errors: dict[str, pl.Series]) -> None:
    if UNREADABLE in raw.columns:
        errors["__line"] = pl.select(_err(raw[UNREADABLE].fill_null(False), ROW_UNREADABLE)).to_series()
    if TOO_MANY_FIELDS in raw.columns:
        errors["__fields"] = pl.select(
            _err(raw[TOO_MANY_FIELDS].fill_null(False), ROW_TOO_MANY_FIELDS)
        ).to_series()


def validate_chunk(ctx: ItemContext, raw: pl.DataFrame, *, today: dt.date, received_on: dt.date) -> Validated:
    """Check every row of ``raw`` (String columns named by field, plus ``__row``).

    Returns typed columns: ``String`` for text, enums (canonical value) and identifiers (compact
    form), ``Date``, ``Datetime``, ``Int64``, ``Float64`` and ``Boolean``; ``__kind`` for the
    subject identifier; ``__ok``. Errors are collected as :class:`Issue` objects.
    """
    spec = ctx.spec
    rows = raw[ROW]
    base = _clean(raw, [f.name for f in spec.fields] + [SEVERITY_OVERRIDE_COLUMN, SEVERITY_REASON_COLUMN])
    typed: dict[str, pl.Series] = {}
    errors: dict[str, pl.Series] = {}
    kind = pl.Series(KIND, ["uscc"] * raw.height, dtype=pl.String)
    for f in spec.fields:
        v = base[f.name]
        if _is_identifier(f):
            value, code, row_kind = _identifiers(f, v)
            if f.name == "subject_id":
                kind = row_kind
        else:
            value, code = _check_field(f, v, _date_limit(f, spec, today, received_on))
        if f.required:
            code = pl.select(pl.when(v.is_null()).then(pl.lit(REQUIRED)).otherwise(code)).to_series()
        typed[f.name] = value.alias(f.name)
        errors[f.name] = code.alias(f.name)
    subject = (typed["subject_id"], kind, errors["subject_id"])
    errors["subject_id"] = minor_codes(spec, *subject, typed["decision_date"])
    _check_override(base, typed, errors)
    _line_errors(raw, errors)
    err_frame = pl.DataFrame(errors)
    ok = err_frame.select(pl.all_horizontal(pl.all().is_null()).alias(OK)).to_series()
    issues: list[Issue] = []
    if not ok.all():
        issues = _issues(ctx, base, err_frame, rows, ok, received_on)
    frame = pl.DataFrame([rows.cast(pl.Int64).alias(ROW), *typed.values(), kind.alias(KIND), ok])
    return Validated(frame=frame, issues=issues)


def _identifiers(f: FieldSpec, v: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Compact value, error code and kind (uscc / ric / old) of an identifier column."""

    def check(d: pl.DataFrame) -> pl.DataFrame:
        null = pl.lit(None, dtype=pl.String)
        need_uscc = f.type is not FieldType.RIC
        need_ric = f.type is not FieldType.USCC
        out = d.with_columns(
            ids.uscc_compact_expr("v").alias("u") if need_uscc else null.alias("u"),
            ids.ric_compact_expr("v").alias("r") if need_ric else null.alias("r"),
            ids.uscc_error_expr("v").alias("ue") if need_uscc else null.alias("ue"),
            ids.ric_error_expr("v").alias("re") if need_ric else null.alias("re"),
        )
        length = pl.col("u").str.len_chars()
        old = (pl.col("ue") == ids.ID_USCC_LENGTH) & length.is_in([9, 15])
        ric_shape = pl.col("r").str.contains(r"^[0-9]{17}[0-9X]$").fill_null(False)
        if f.type is FieldType.USCC:
            allow_old = f.name == "subject_id"
            return out.select(
                "v",
                pl.col("u").alias("value"),
                (
                    pl.when(old & pl.lit(allow_old)).then(None).otherwise(pl.col("ue"))
                    if allow_old
                    else pl.col("ue")
                ).alias("code"),
                pl.when(old).then(pl.lit("old")).otherwise(pl.lit("uscc")).alias("kind"),
            )
        if f.type is FieldType.RIC:
            return out.select(
                "v", pl.col("r").alias("value"), pl.col("re").alias("code"), pl.lit("ric").alias("kind")
            )
        # string: either a citizen ID or a USCC (or an old code)
        return out.select(
            "v",
            pl.when(pl.col("re").is_null()).then(pl.col("r")).otherwise(pl.col("u")).alias("value"),
            pl.when(pl.col("re").is_null() | pl.col("ue").is_null() | old)
            .then(None)
            .when(ric_shape)
            .then(pl.col("re"))
            .otherwise(pl.col("ue"))
            .alias("code"),
            pl.when(pl.col("re").is_null())
            .then(pl.lit("ric"))
            .when(old)
            .then(pl.lit("old"))
            .otherwise(pl.lit("uscc"))
            .alias("kind"),
        )

    answer = _by_unique(v, check)
    value = pl.select(pl.when(v.is_null()).then(None).otherwise(answer["value"])).to_series()
    code = pl.select(pl.when(v.is_null()).then(None).otherwise(answer["code"])).to_series()
    return value, code, answer["kind"].fill_null("uscc")


# --------------------------------------------------------------------------- messages


def _show(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


#: Reasons that need only the field's label and the value shown: code -> template.
_SIMPLE_REASONS: Final = {
    DATE_INVALID: "「{label}」{value}不是有效日期，请按 YYYY-MM-DD 填写（如 2025-09-26）",
    DATETIME_INVALID: "「{label}」{value}不是有效的日期时间，请按 YYYY-MM-DD HH:MM:SS 填写",
    INTEGER_INVALID: "「{label}」{value}不是整数",
    NUMBER_INVALID: "「{label}」{value}不是有效数字（金额只填数字，如 5000 或 5000.50）",
    MONEY_NEGATIVE: "「{label}」{value}为负数：金额不能小于 0",
    BOOLEAN_INVALID: "「{label}」{value}应填“是”或“否”",
    SEVERITY_INVALID: "「{label}」{value}应为 轻微、一般 或 严重",
    REQUIRED: "「{label}」为必填项，未填写",
    ROW_UNREADABLE: "该行不是合法的 JSON 对象，无法读取",
    MINOR_EXCLUDED: MINOR_REASON,
    ROW_TOO_MANY_FIELDS: "该行的值比表头的列多，无法确定各值对应哪个字段（常见原因：值中有未加引号的逗号）",
}


def _identifier_reason(spec: FieldSpec, code: str, raw: Any) -> str:
    text = None if raw is None else str(raw)
    if spec.type is FieldType.RIC or (code.startswith("ID_RIC") and spec.type is not FieldType.USCC):
        return ids.check_ric(text).message or "无效"
    return ids.check_uscc(text).message or "无效"


def reason_for(
    ctx: ItemContext, name: str, code: str, raw: Any, *, received_on: dt.date | None = None
) -> str:
    """The Chinese reason for one finding about one field: what is wrong and how to fix it."""
    label = ctx.label(name)
    spec = ctx.spec.field(name)
    if code in _SIMPLE_REASONS:
        return _SIMPLE_REASONS[code].format(label=label, value=_show(raw))
    if code == TOO_LONG and spec is not None:
        return f"「{label}」最多 {spec.max_length or TEXT_CEILING} 个字，实际 {len(str(raw))} 个字，请精简"
    if code == ENUM_INVALID and spec is not None:
        return f"「{label}」的取值{_show(raw)}不在目录规定的范围内，可选：{'、'.join(spec.enum or [])}"
    if code == DATE_IN_FUTURE:
        when = f"报送日期 {received_on.isoformat()}" if received_on else "今天"
        return f"「{label}」{_show(raw)}晚于{when}：日期不能在未来，请核对"
    if code.startswith("ID_") and spec is not None:
        return f"「{label}」{_identifier_reason(spec, code, raw)}"
    return f"「{label}」校验未通过（{code}）"


#: Error columns that concern the whole row, not one field.
_ROW_LEVEL: Final = ("__line", "__fields")


def _issues(
    ctx: ItemContext,
    base: pl.DataFrame,
    err_frame: pl.DataFrame,
    rows: pl.Series,
    ok: pl.Series,
    received_on: dt.date,
) -> list[Issue]:
    bad = pl.DataFrame([rows.alias(ROW), base.select(pl.all().name.prefix("raw:")).to_struct("raw"), ok])
    bad = pl.concat([bad, err_frame], how="horizontal").filter(~pl.col(OK))
    from_field = ctx.spec.publication_rule.from_field
    out: list[Issue] = []
    for record in bad.iter_rows(named=True):
        raw_values = record["raw"]
        # A row that could not be read as a whole gets that one reason, not one per field.
        row_level = [name for name in _ROW_LEVEL if record.get(name) is not None]
        for name in row_level or err_frame.columns:
            code = record[name]
            if code is None:
                continue
            fieldname = None if name in _ROW_LEVEL else name
            value = raw_values.get(f"raw:{name}") if fieldname else None
            when = received_on if name in ("decision_date", from_field) else None
            out.append(
                Issue(
                    row_no=int(record[ROW]),
                    field=fieldname,
                    code=code,
                    message=reason_for(ctx, name, code, value, received_on=when),
                )
            )
    return out


# --------------------------------------------------------------------------- single records


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def rows_frame(
    ctx: ItemContext, rows: list[Any], *, first_row: int = 1, row_numbers: bool = False
) -> tuple[pl.DataFrame, dict[str, int]]:
    """A String frame from JSON-like rows; unknown keys are not collected, only counted (per key, the
    rows in which it held a non-empty value).

    Rows are numbered by position from ``first_row``. Only a resubmission of rejected rows
    (``row_numbers=True``, numbers already checked to be distinct) names rows by their ``row_no``.
    """
    numbered_keys = ("row_no", "原行号") if row_numbers else ()
    header = ctx.header_map()
    columns: dict[str, list[str | None]] = {}
    ignored: dict[str, int] = {}
    unreadable: list[bool] = []
    numbers: list[int | None] = []
    for i, row in enumerate(rows):
        numbers.append(None if row_numbers else first_row + i)
        if not isinstance(row, dict):
            unreadable.append(True)
            for values in columns.values():
                values.append(None)
            continue
        unreadable.append(False)
        for key in numbered_keys:
            if isinstance(row.get(key), int) and not isinstance(row.get(key), bool):
                numbers[-1] = row[key]
        named: dict[str, str | None] = {}  # a later key for the same field wins (name or label)
        for key, value in row.items():
            name = header.get(str(key).strip())
            if name is None:
                if key != ROW and key not in numbered_keys:
                    filled = value is not None and bool((_as_text(value) or "").strip())
                    ignored[str(key)] = ignored.get(str(key), 0) + filled
                continue
            named[name] = _as_text(value)
        for name in named:
            if name not in columns:
                columns[name] = [None] * i
        for name, values in columns.items():
            values.append(named.get(name))
    data: dict[str, Any] = {
        name: pl.Series(name, values, dtype=pl.String) for name, values in columns.items()
    }
    data[ROW] = pl.Series(ROW, numbers, dtype=pl.Int64)
    data[UNREADABLE] = pl.Series(UNREADABLE, unreadable, dtype=pl.Boolean)
    return pl.DataFrame(data), ignored


def json_ready(frame: pl.DataFrame, names: list[str]) -> list[dict[str, Any]]:
    """Typed rows as JSON-ready dicts (dates as ISO text), null fields left out."""
    converted = frame.select(
        [
            pl.col(n).dt.strftime("%Y-%m-%d") if frame.schema[n] == pl.Date else pl.col(n)
            for n in names
            if n in frame.columns
        ]
    )
    return [{k: v for k, v in row.items() if v is not None} for row in converted.iter_rows(named=True)]
