"""Charts drawn as SVG on the server: no chart library, no script in the browser.

Each function takes the figures and gives a :class:`Chart`: the SVG markup (``role="img"`` with a
``<title>`` and ``<desc>`` that a screen reader announces) and the same figures as a table, shown under
the chart for whoever cannot see it (and for exact values). The drawing scales with its box (a
``viewBox``, no fixed width), so one chart serves a desktop and a 390 px phone.

* :func:`bar_chart` — horizontal bars, one per category (long Chinese names fit on the left).
* :func:`stacked_columns` — vertical columns (months, say), each a stack of series, with a legend.

Text is escaped here (``markupsafe``); templates print ``chart.svg`` as it is.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from markupsafe import Markup, escape

__all__ = ["PALETTE", "Chart", "Series", "bar_chart", "percent", "plain", "stacked_columns"]

#: Series colours, dark enough for the white text and the page's background (colour-blind safe order).
PALETTE: Final = ("#1f5fa8", "#c2571a", "#2e7d4f", "#7b3f98", "#a4161a", "#5b6770", "#8a6d00", "#00727a")
_INK: Final = "#1f2328"
_MUTED: Final = "#545d68"
_GRID: Final = "#d0d7de"
_FONT: Final = 14
_ids = itertools.count(1)

Format = Callable[[float], str]


def plain(value: float) -> str:
    """A count: ``1234`` as ``1,234``."""
    return f"{value:,.0f}"


def percent(value: float) -> str:
    """A rate between 0 and 1 as a percentage with one decimal: ``0.9712`` as ``97.1%``."""
    return f"{value * 100:.1f}%"


@dataclass(frozen=True)
class Series:
    """One named row of figures, one per category (``None`` for no figure)."""

    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Chart:
    """A drawn chart and its figures as a table (the first column holds the categories)."""

    chart_id: str
    title: str
    desc: str
    svg: Markup
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    #: (series name, colour) for a legend drawn in HTML beside the chart (it wraps and stays legible
    #: on a phone, where the drawing is scaled down).
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rows


def _next_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", fill: str = _INK, size: int = _FONT
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    )


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'font-family="Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    title: str,
    desc: str,
    categories: Sequence[str],
    values: Sequence[float | None],
    *,
    value_label: str,
    category_label: str = "",
    fmt: Format = plain,
    maximum: float | None = None,
    chart_id: str | None = None,
) -> Chart:
    """Horizontal bars, one per category, longest ``maximum`` (default: the largest value). A category
    without a figure shows "无数据" instead of a bar; the table lists every figure exactly."""
    chart_id = chart_id or _next_id("chart")
    label_w, bar_w, value_w, row_h, top = 170, 220, 70, 28, 8
    width = label_w + bar_w + value_w
    height = top * 2 + row_h * max(len(categories), 1)
    known = [v for v in values if v is not None]
    top_value = maximum if maximum is not None else max(known, default=0.0)
    body = [f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - top}" stroke="{_GRID}"/>']
    for i, (name, value) in enumerate(zip(categories, values, strict=True)):
        y = top + i * row_h
        body.append(f"<g><title>{escape(name)}：{escape('无数据' if value is None else fmt(value))}</title>")
        body.append(_text(label_w - 6, y + row_h * 0.65, _shorten(name, 11), anchor="end"))
        if value is None:
            body.append(_text(label_w + 6, y + row_h * 0.65, "无数据", fill=_MUTED))
        else:
            length = bar_w * (value / top_value) if top_value > 0 else 0.0
            body.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{max(length, 0.0):.1f}" height="{row_h - 8}" '
                f'fill="{PALETTE[0]}"/>'
            )
            body.append(_text(label_w + length + 6, y + row_h * 0.65, fmt(value)))
        body.append("</g>")
    if not categories:
        body.append(_text(width / 2, height / 2 + 4, "暂无数据", anchor="middle", fill=_MUTED))
    rows = [[name, "—" if v is None else fmt(v)] for name, v in zip(categories, values, strict=True)]
    return Chart(
        chart_id,
        title,
        desc,
        _svg(chart_id, title, desc, width, height, body),
        [category_label, value_label],
        rows,
    )


def _step(rough: float, *, whole: bool) -> float:
    """A round grid step near ``rough``: 1, 2 or 5 times a power of ten (at least 1 for counts)."""
    if rough <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if rough <= m * power)
    return max(1.0, float(round(step))) if whole else step


def stacked_columns(
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    total_label: str = "合计",
    category_label: str = "",
    fmt: Format = plain,
    short: Sequence[str] | None = None,
    chart_id: str | None = None,
) -> Chart:
    """One column per category (a month, say), stacked from the series' figures; grid lines at round
    values. Under each column its ``short`` label (default: the category, cut to three characters); the
    legend is given as ``Chart.legend`` for the page to lay out; the table has a row per category: its
    full name, each series' figure and the column's total."""
    chart_id = chart_id or _next_id("chart")
    left, col_w, plot_h, top = 48, 38, 200, 12
    short = short if short is not None else [_shorten(c, 3) for c in categories]
    width = max(left + col_w * max(len(categories), 1) + 8, 320)
    totals = [sum(s.values[i] or 0.0 for s in series) for i in range(len(categories))]
    step = _step(max(totals, default=0.0) / 4, whole=fmt is plain)
    peak = step * max(1, math.ceil(max(totals, default=0.0) / step))
    base = top + plot_h
    body = []
    for k in range(round(peak / step) + 1):  # grid lines at round values, up to the tallest column
        gy = base - plot_h * k * step / peak
        body.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - 4}" y2="{gy:.1f}" stroke="{_GRID}"/>')
        body.append(_text(left - 6, gy + 4, fmt(k * step), anchor="end", fill=_MUTED, size=12))
    for i, name in enumerate(categories):
        x, y = left + i * col_w + 6, float(base)
        body.append(f"<g><title>{escape(name)}：{escape(total_label)} {escape(fmt(totals[i]))}</title>")
        for j, s in enumerate(series):
            h = plot_h * (s.values[i] or 0.0) / peak
            if h > 0:
                y -= h
                color = PALETTE[j % len(PALETTE)]
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w - 12}" height="{h:.1f}" fill="{color}"/>'
                )
        body.append("</g>")
        body.append(_text(x + (col_w - 12) / 2, base + 18, short[i], anchor="middle", size=12))
    if not categories:
        body.append(_text(width / 2, top + plot_h / 2, "暂无数据", anchor="middle", fill=_MUTED))
    height = base + 26
    headers = [category_label, *(s.name for s in series), total_label]
    rows = [
        [name, *("—" if s.values[i] is None else fmt(s.values[i] or 0.0) for s in series), fmt(totals[i])]
        for i, name in enumerate(categories)
    ]
    legend = [(s.name, PALETTE[j % len(PALETTE)]) for j, s in enumerate(series)]
    return Chart(
        chart_id, title, desc, _svg(chart_id, title, desc, width, height, body), headers, rows, legend
    )
