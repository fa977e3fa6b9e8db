"""Browser journey: the city finance bureau (city-cz) uploads a CSV of subjects on /console/screening/batches
for 政府采购, lands on the batch's page, sees the progress end (the page follows the batch by itself), the
counts per decision and the downloads, and finds the batch in its department's list."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from browserkit import inspect, login


def _companies(page: Any, server: str) -> list[str]:
    found = page.request.get(server + "/api/v1/public/subjects?q=%E5%85%AC%E5%8F%B8&limit=5").text()
    return re.findall(r'"uscc":"([0-9A-Z]{18})"', found)


def test_a_file_of_subjects_is_screened(server: str, page: Any, tmp_path: Path) -> None:
    login(page, server, "city-cz")
    companies = _companies(page, server)
    assert companies, "the demo has companies"
    upload = tmp_path / "名单.csv"
    upload.write_text("主体标识\n" + "\n".join([*companies, "91320900MA00000XXX", "不存在的公司"]) + "\n")
    page.goto(server + "/console/screening/batches")
    assert page.get_by_role("heading", name="批量核查（自动比对）").count() == 1
    inspect(page, "console-screening-batches", "staff")
    page.set_input_files("#batch-file", str(upload))
    page.select_option("#f-scenario", "government_procurement")
    page.get_by_role("button", name="开始批量核查").click()
    page.wait_for_url(re.compile(r".*/console/screening/batches/\d+$"))
    page.wait_for_selector("#batch-summary", timeout=30_000)
    assert "已完成" in page.locator("#batch-status").inner_text()
    summary = page.locator("#batch-summary").inner_text()
    assert "未找到主体\t2" in summary
    assert page.get_by_role("link", name="CSV").get_attribute("href", timeout=2000).endswith("/result.csv")
    inspect(page, "console-screening-batch", "staff")
    with page.expect_download() as caught:
        page.get_by_role("link", name="XLSX").click()
    assert caught.value.suggested_filename.endswith(".xlsx")
    number = page.get_by_role("heading", level=1).inner_text().split()[-1]
    page.get_by_role("link", name="全部批量核查").click()
    assert number in page.locator("#batches").inner_text()
