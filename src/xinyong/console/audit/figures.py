"""The dashboard's charts, drawn from the figures ``GET /api/v1/oversight/dashboard`` gives (nothing is
counted here: this only lays the same figures out as SVG, ``ui.charts``)."""

from __future__ import annotations

from collections import defaultdict

from xinyong.console.audit.schemas import DashboardOut, DeptRate
from xinyong.ui.charts import Chart, Series, bar_chart, percent, stacked_columns

#: Departments drawn as their own series in the monthly chart; the rest are added up as one.
TOP_DEPARTMENTS = 6
OTHERS = "其他部门"


def _monthly(d: DashboardOut) -> Chart:
    per_dept: dict[str, dict[str, int]] = defaultdict(dict)
    for c in d.records_by_month:
        per_dept[c.dept_name][c.month] = c.records
    ranked = sorted(per_dept, key=lambda name: -sum(per_dept[name].values()))
    shown, rest = ranked[:TOP_DEPARTMENTS], ranked[TOP_DEPARTMENTS:]
    series = [Series(name, [per_dept[name].get(m, 0) for m in d.months]) for name in shown]
    if rest:
        series.append(Series(OTHERS, [sum(per_dept[n].get(m, 0) for n in rest) for m in d.months]))
    total = sum(c.records for c in d.records_by_month)
    return stacked_columns(
        "各月归集的信用记录（按提供部门）",
        f"{d.first_month} 至 {d.last_month}，按接收月份统计各部门报送并入库的信用记录，共 {total} 条。",
        d.months,
        series,
        short=[f"{int(m[5:])}月" for m in d.months],
        category_label="月份",
        chart_id="chart-records",
    )


def _rates(
    rates: list[DeptRate], *, chart_id: str, title: str, desc: str, label: str, top: float | None
) -> Chart:
    return bar_chart(
        title,
        desc,
        [r.dept_name for r in rates],
        [r.rate for r in rates],
        value_label=label,
        category_label="部门",
        fmt=percent,
        maximum=top,
        chart_id=chart_id,
    )


def charts(d: DashboardOut) -> list[Chart]:
    """The four charts of the dashboard, in the order the page shows them."""
    period = f"{d.first_month} 至 {d.last_month}"
    queries = [q.allowed + q.refused for q in d.queries]
    return [
        _monthly(d),
        _rates(
            d.on_time,
            chart_id="chart-on-time",
            title="按期报送率（各部门）",
            desc=f"{period}接收的、目录规定了归集时限的事项（含双公示的行政许可、行政处罚）的记录中，"
            "在时限内报送的比例。",
            label="按期率",
            top=1.0,
        ),
        _rates(
            d.rejected,
            chart_id="chart-rejected",
            title="报送行拒收率（各部门）",
            desc=f"{period}接收的报送批次中，未通过校验而被拒收的行所占比例。",
            label="拒收率",
            top=None,
        ),
        stacked_columns(
            "查询量（按查询用途）",
            f"{period}查询非公开信用信息的次数，按所述用途统计，分已查询与已拒绝，共 {sum(queries)} 次。",
            [q.purpose for q in d.queries],
            [
                Series("已查询", [q.allowed for q in d.queries]),
                Series("已拒绝", [q.refused for q in d.queries]),
            ],
            category_label="查询用途",
            chart_id="chart-queries",
        ),
    ]
