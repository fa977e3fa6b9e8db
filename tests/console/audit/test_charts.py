"""ui/charts.py: SVG drawn on the server, well-formed, accessible, escaped, with its figures as a table."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from xinyong.ui.charts import Series, bar_chart, percent, stacked_columns

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_a_bar_chart_is_an_accessible_image_with_its_table() -> None:
    chart = bar_chart(
        "按期率", "各部门的按期率", ["亭湖区市场监督管理局", "盐都区<税务>局", "无报送"], [0.75, 1.0, None],
        value_label="按期率", category_label="部门", fmt=percent, maximum=1.0, chart_id="c1",
    )  # fmt: skip
    root = _parse(chart.svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    assert root.findtext(f"{SVG}title") == "按期率"
    widths = sorted(float(r.get("width", "0")) for r in root.iter(f"{SVG}rect"))
    assert widths == [165.0, 220.0]  # 75 % and 100 % of the bar length; no bar without a figure
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "75.0%" in texts and "无数据" in texts and "盐都区<税务>局" in texts  # escaped, then read back
    assert "<税务>" not in str(chart.svg)
    assert chart.headers == ["部门", "按期率"]
    assert chart.rows == [["亭湖区市场监督管理局", "75.0%"], ["盐都区<税务>局", "100.0%"], ["无报送", "—"]]


def test_stacked_columns_add_up_the_series() -> None:
    chart = stacked_columns(
        "各月记录", "说明", ["2026-01", "2026-02"], [Series("甲", [3, 1]), Series("乙", [1, None])],
        short=["1月", "2月"], category_label="月份", chart_id="c2",
    )  # fmt: skip
    root = _parse(chart.svg)
    heights = [float(r.get("height", "0")) for r in root.iter(f"{SVG}rect")]
    assert heights == [150.0, 50.0, 50.0]  # the peak column (4) fills the 200 px plot
    assert {"1月", "2月", "0", "4"} <= {t.text for t in root.iter(f"{SVG}text")}
    assert [name for name, _colour in chart.legend] == ["甲", "乙"]
    assert chart.headers == ["月份", "甲", "乙", "合计"]
    assert chart.rows == [["2026-01", "3", "1", "4"], ["2026-02", "1", "—", "1"]]


def test_an_empty_chart_says_so() -> None:
    chart = bar_chart("空", "无", [], [], value_label="值")
    assert chart.empty and "暂无数据" in chart.svg
    _parse(chart.svg)


def test_grid_lines_fall_on_round_values() -> None:
    chart = stacked_columns("查询", "说明", ["甲"], [Series("次数", [1])], chart_id="c3")
    labels = [t.text for t in _parse(chart.svg).iter(f"{SVG}text")]
    assert labels[:2] == ["0", "1"]  # not 0, 0, 0, 1, 1 for a peak of one
    big = stacked_columns("记录", "说明", ["甲", "乙"], [Series("条数", [1234, 77])], chart_id="c4")
    ticks = [t.text for t in _parse(big.svg).iter(f"{SVG}text")][:5]
    assert ticks[:4] == ["0", "500", "1,000", "1,500"] and ticks[4] != "2,000"  # the tallest is 1,234
