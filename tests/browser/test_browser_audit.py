"""The auditor's and the credit office's console in a real browser (issue 11 item 4): the query log
filtered and downloaded as CSV, the audit trail verified, and the dashboard's server-drawn charts."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from browserkit import inspect, login

#: What a department states when it reads a file; the phone number must leave the CSV masked.
BASIS = "《江苏省社会信用条例》第三十条（来电 13812345678 反映）"


def _reads_by_the_credit_office(page: Any, server: str) -> None:
    """The credit office reads two files with a purpose and tries one without (refused, logged too)."""
    login(page, server, "admin")
    for subject_id, purpose in ((1, "日常监管"), (2, "行政审批"), (3, None)):
        params = {"legal_basis": BASIS, **({"purpose": purpose} if purpose else {})}
        url = f"/api/v1/subjects/{subject_id}/file?{urlencode(params)}"
        # from the platform's own page, as its lookup page would (a read from elsewhere is refused)
        status = page.evaluate("url => fetch(url).then(r => r.status)", url)
        assert status == (200 if purpose else 422), (url, status)
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(server + "/")


def test_auditor_filters_the_query_log_and_exports_it(server: str, page: Any, tmp_path: Path) -> None:
    _reads_by_the_credit_office(page, server)
    login(page, server, "auditor")
    page.get_by_role("link", name="查询日志").click()
    page.wait_for_url(server + "/console/query-log")
    assert page.locator("#query-log-table tbody tr").count() >= 3
    inspect(page, "console-query-log", "staff")
    page.get_by_label("查询账户").fill("admin")
    page.get_by_label("结果").select_option(label="已查询")
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_url("**/console/query-log?*")
    assert page.locator(".pager-total").first.inner_text() == "2"
    assert set(page.locator("#query-log-table tbody tr td:nth-child(6)").all_inner_texts()) == {
        "日常监管",
        "行政审批",
    }
    inspect(page, "console-query-log-filtered", "staff")
    with page.expect_download() as caught:
        page.get_by_role("link", name="导出 CSV").click()
    download = caught.value
    assert download.suggested_filename == "query-log.csv"
    saved = tmp_path / "query-log.csv"
    download.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "时间", "查询账户"] and len(rows) == 3
    assert {r[2] for r in rows[1:]} == {"admin"} and {r[8] for r in rows[1:]} == {"已查询"}
    assert all("138****5678" in r[6] and "13812345678" not in r[6] for r in rows[1:])
    # the audit trail beside it, verified
    page.get_by_role("link", name="审计记录").click()
    page.wait_for_url(server + "/console/audit-trail")
    page.get_by_role("button", name="查询并校验完整性").click()
    page.wait_for_selector("#verify-result")
    assert "审计日志完整" in page.locator("#verify-result").inner_text()
    assert page.locator("#trail-table .badge.ok").count() >= 1
    inspect(page, "console-audit-trail", "staff")


def test_credit_office_sees_the_dashboard_with_its_charts(server: str, page: Any) -> None:
    login(page, server, "admin")
    page.get_by_role("link", name="统计看板").click()
    page.wait_for_url(server + "/console/dashboard")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 4
    for chart_id in ("chart-records", "chart-on-time", "chart-rejected", "chart-queries"):
        svg = page.locator(f"#{chart_id}")
        assert svg.is_visible() and svg.bounding_box()["width"] > 200
        assert svg.locator("title").first.text_content()
    assert page.locator("#chart-records rect").count() > 3  # the demo's months are drawn
    assert int(page.locator("#total-records").inner_text()) > 0
    page.locator("details summary").first.click()
    assert page.locator("#chart-records-table tbody tr").count() >= 1
    inspect(page, "console-dashboard", "staff")
    page.get_by_label("统计月数").select_option("6")
    page.get_by_role("button", name="更新").click()
    page.wait_for_url("**/console/dashboard?months=6")
    assert page.locator("#chart-records-table tbody tr").count() == 6
