"""The vectorised twin of records.rules for batch intake: severity, window and timeliness of a chunk.

``assess_frame`` calls the scalar rules once per distinct combination of their inputs and joins the
answers back, so each rule still lives in exactly one place (records.rules).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import polars as pl

from xinyong.catalog.schema import CatalogItem
from xinyong.kit.errors import InvalidInput
from xinyong.kit.workdays import WorkCalendar
from xinyong.models.records import Severity
from xinyong.records.rules import Window, publication_window, severity_of, timeliness

#: Columns ``assess_frame`` reads besides the item's own fields.
SEVERITY_OVERRIDE_COLUMN = "severity_override"
SEVERITY_REASON_COLUMN = "severity_reason"


_SEVERITY_SCHEMA: Final = {
    "_by": pl.String,
    "_ov": pl.String,
    "_has_reason": pl.Boolean,
    "severity": pl.String,
    "assess_error": pl.String,
    "assess_message": pl.String,
}
_WINDOW_SCHEMA: Final = {
    "severity": pl.String,
    "_from": pl.Date,
    "_until": pl.Date,
    "published": pl.Boolean,
    "publish_from": pl.Date,
    "publish_min_end": pl.Date,
    "publish_max_end": pl.Date,
}
_TIMELINESS_SCHEMA: Final = {
    "_decided": pl.Date,
    "delay_workdays": pl.Int32,
    "late": pl.Boolean,
    "timeliness_provisional": pl.Boolean,
}
OUT_COLUMNS: Final = (
    "severity",
    "published",
    "publish_from",
    "publish_min_end",
    "publish_max_end",
    "delay_workdays",
    "late",
    "timeliness_provisional",
    "assess_error",
    "assess_message",
)


def _column(rows: pl.DataFrame, name: str | None, dtype: type[pl.DataType]) -> pl.Series:
    """A column of ``rows``, or nulls when the chunk does not have it."""
    if name and name in rows.columns:
        return rows[name]
    return pl.repeat(None, rows.height, dtype=dtype, eager=True)


def _inputs(item: CatalogItem, rows: pl.DataFrame) -> pl.DataFrame:
    """What the rules read from each row: the severity rule's field, the override and whether a reason
    was given, the dates the window counts from and until, and the decision date."""
    by_field = getattr(item.severity_rule, "by_field", None)
    reason = (
        rows[SEVERITY_REASON_COLUMN].str.strip_chars().fill_null("").str.len_chars() > 0
        if SEVERITY_REASON_COLUMN in rows.columns
        else pl.repeat(False, rows.height, dtype=pl.Boolean, eager=True)
    )
    return pl.DataFrame(
        {
            "_by": _column(rows, by_field, pl.String).cast(pl.String),
            "_ov": _column(rows, SEVERITY_OVERRIDE_COLUMN, pl.String).cast(pl.String),
            "_has_reason": reason,
            "_from": _column(rows, item.publication_rule.from_field, pl.Date),
            "_until": _column(rows, item.publication_rule.until_field, pl.Date),
            "_decided": rows["decision_date"],
        }
    )


def _severities(item: CatalogItem, keys: pl.DataFrame) -> pl.DataFrame:
    """:func:`severity_of` once per (rule input, override, reason given)."""
    by_field = getattr(item.severity_rule, "by_field", None)
    answers: list[dict[str, Any]] = []
    for by_value, ov, has_reason in keys.select("_by", "_ov", "_has_reason").unique().iter_rows():
        entry: dict[str, Any] = {"_by": by_value, "_ov": ov, "_has_reason": has_reason}
        try:
            found = severity_of(
                item,
                {by_field: by_value} if by_field else {},
                override=Severity(ov) if ov else None,
                reason="（已说明）" if has_reason else None,
            )
            entry.update(severity=found.value if found else None, assess_error=None, assess_message=None)
        except InvalidInput as exc:
            entry.update(severity=None, assess_error=exc.code, assess_message=exc.message)
        answers.append(entry)
    return pl.DataFrame(answers, schema=_SEVERITY_SCHEMA)


def _windows(item: CatalogItem, keyed: pl.DataFrame) -> pl.DataFrame:
    """:func:`publication_window` once per (severity, from, until)."""
    rule_from, rule_until = item.publication_rule.from_field, item.publication_rule.until_field
    answers: list[dict[str, Any]] = []
    for sev, start, until in keyed.select("severity", "_from", "_until").unique().iter_rows():
        values: dict[str, Any] = {rule_from: start}
        if rule_until:
            values[rule_until] = until
        try:
            window = publication_window(item, values, Severity(sev) if sev else None)
        except InvalidInput:
            window = Window(False, None, None, None)
        answers.append(
            {
                "severity": sev,
                "_from": start,
                "_until": until,
                "published": window.publish,
                "publish_from": window.start,
                "publish_min_end": window.min_end,
                "publish_max_end": window.max_end,
            }
        )
    return pl.DataFrame(answers, schema=_WINDOW_SCHEMA)


def _timeliness(
    item: CatalogItem, keyed: pl.DataFrame, received_on: dt.date, cal: WorkCalendar
) -> pl.DataFrame:
    """:func:`timeliness` once per decision date."""
    answers: list[dict[str, Any]] = []
    for (decided,) in keyed.select("_decided").unique().iter_rows():
        if decided is None:
            answers.append(
                {"_decided": None, "delay_workdays": None, "late": False, "timeliness_provisional": False}
            )
            continue
        timely = timeliness(item, decided, received_on, cal)
        answers.append(
            {
                "_decided": decided,
                "delay_workdays": timely.delay_workdays,
                "late": timely.late,
                "timeliness_provisional": timely.provisional,
            }
        )
    return pl.DataFrame(answers, schema=_TIMELINESS_SCHEMA)


def _join(left: pl.DataFrame, right: pl.DataFrame, on: list[str]) -> pl.DataFrame:
    return left.join(right, on=on, how="left", nulls_equal=True, maintain_order="left")


def assess_frame(
    item: CatalogItem, rows: pl.DataFrame, *, received_on: dt.date, cal: WorkCalendar
) -> pl.DataFrame:
    """Severity, publication window and timeliness for a chunk of validated rows.

    ``rows`` holds the item's fields already typed (dates as ``Date``), plus optional
    ``severity_override`` (``minor``/``general``/``serious``) and ``severity_reason`` columns. Returns
    ``rows`` with ``severity``, ``published``, ``publish_from``, ``publish_min_end``,
    ``publish_max_end``, ``delay_workdays``, ``late``, ``timeliness_provisional`` and
    ``assess_error`` / ``assess_message``
    (set, and nothing else, when the rule cannot be applied to the row). Each answer comes from
    :func:`severity_of`, :func:`publication_window` and :func:`timeliness`, called once per distinct
    combination of their inputs.
    """
    keys = _inputs(item, rows)
    keyed = _join(keys, _severities(item, keys), ["_by", "_ov", "_has_reason"])
    keyed = _join(keyed, _windows(item, keyed), ["severity", "_from", "_until"])
    keyed = _join(keyed, _timeliness(item, keyed, received_on, cal), ["_decided"])
    return rows.with_columns(keyed.select(OUT_COLUMNS))
