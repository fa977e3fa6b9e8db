"""The vectorised twin of records.rules for batch intake: severity, window and timeliness of a chunk.

``assess_frame`` calls the scalar rules once per distinct combination of their inputs and joins the
answers back, so each rule still lives in exactly one place (records.rules).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from xinyong.catalog.schema import CatalogItem
from xinyong.kit.errors import InvalidInput
from xinyong.kit.workdays import WorkCalendar
from xinyong.models.records import Severity
from xinyong.records.rules import Window, publication_window, severity_of, timeliness

#: Columns ``assess_frame`` reads besides the item's own fields.
SEVERITY_OVERRIDE_COLUMN = "severity_override"
SEVERITY_REASON_COLUMN = "severity_reason"


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
    rule = item.severity_rule
    by_field = getattr(rule, "by_field", None)
    rule_from = item.publication_rule.from_field
    rule_until = item.publication_rule.until_field
    n = rows.height
    by_col = (
        rows[by_field]
        if by_field and by_field in rows.columns
        else pl.repeat(None, n, dtype=pl.String, eager=True)
    )
    override = (
        rows[SEVERITY_OVERRIDE_COLUMN]
        if SEVERITY_OVERRIDE_COLUMN in rows.columns
        else pl.repeat(None, n, dtype=pl.String, eager=True)
    )
    reason = (
        rows[SEVERITY_REASON_COLUMN].str.strip_chars().fill_null("").str.len_chars() > 0
        if SEVERITY_REASON_COLUMN in rows.columns
        else pl.repeat(False, n, dtype=pl.Boolean, eager=True)
    )
    keys = pl.DataFrame(
        {
            "_by": by_col.cast(pl.String),
            "_ov": override.cast(pl.String),
            "_has_reason": reason,
            "_from": rows[rule_from]
            if rule_from in rows.columns
            else pl.repeat(None, n, dtype=pl.Date, eager=True),
            "_until": rows[rule_until]
            if rule_until and rule_until in rows.columns
            else pl.repeat(None, n, dtype=pl.Date, eager=True),
            "_decided": rows["decision_date"],
        }
    )

    # severity: once per (rule input, override, reason given)
    sev_rows: list[dict[str, Any]] = []
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
        sev_rows.append(entry)
    sev_schema = {
        "_by": pl.String,
        "_ov": pl.String,
        "_has_reason": pl.Boolean,
        "severity": pl.String,
        "assess_error": pl.String,
        "assess_message": pl.String,
    }
    keyed = keys.join(
        pl.DataFrame(sev_rows, schema=sev_schema),
        on=["_by", "_ov", "_has_reason"],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )

    # window: once per (severity, from, until)
    win_rows: list[dict[str, Any]] = []
    for sev, start, until in keyed.select("severity", "_from", "_until").unique().iter_rows():
        values: dict[str, Any] = {rule_from: start}
        if rule_until:
            values[rule_until] = until
        try:
            window = publication_window(item, values, Severity(sev) if sev else None)
        except InvalidInput:
            window = Window(False, None, None, None)
        win_rows.append(
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
    win_schema = {
        "severity": pl.String,
        "_from": pl.Date,
        "_until": pl.Date,
        "published": pl.Boolean,
        "publish_from": pl.Date,
        "publish_min_end": pl.Date,
        "publish_max_end": pl.Date,
    }
    keyed = keyed.join(
        pl.DataFrame(win_rows, schema=win_schema),
        on=["severity", "_from", "_until"],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )

    # timeliness: once per decision date
    time_rows: list[dict[str, Any]] = []
    for (decided,) in keyed.select("_decided").unique().iter_rows():
        if decided is None:
            time_rows.append(
                {"_decided": None, "delay_workdays": None, "late": False, "timeliness_provisional": False}
            )
            continue
        timely = timeliness(item, decided, received_on, cal)
        time_rows.append(
            {
                "_decided": decided,
                "delay_workdays": timely.delay_workdays,
                "late": timely.late,
                "timeliness_provisional": timely.provisional,
            }
        )
    time_schema = {
        "_decided": pl.Date,
        "delay_workdays": pl.Int32,
        "late": pl.Boolean,
        "timeliness_provisional": pl.Boolean,
    }
    keyed = keyed.join(
        pl.DataFrame(time_rows, schema=time_schema),
        on="_decided",
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
    out_cols = [
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
    ]
    return rows.with_columns(keyed.select(out_cols))
