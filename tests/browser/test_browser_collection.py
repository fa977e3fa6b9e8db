"""数据报送 in a real browser: a department's clerk downloads a template, uploads a file with a bad row
(sent by upload.js with a progress bar), fixes the row in the page, resubmits it and sees it accepted;
the credit office reads every department's quality."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from browserkit import inspect, login


def _file_from_template(template: Path, target: Path) -> tuple[Path, str]:
    """The downloaded template with its example row as a real record and a second record whose subject
    code has a wrong check digit; returns the file and the right code."""
    header, example = list(csv.reader(io.StringIO(template.read_text(encoding="utf-8-sig"))))
    good = dict(zip(header, example, strict=True))
    code = good["统一社会信用代码"]
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    good.update({"数据标识": "BROWSER-1", "行政处罚决定书文号": "浏览器〔2026〕1号"})
    bad = {
        **good,
        "数据标识": "BROWSER-2",
        "行政处罚决定书文号": "浏览器〔2026〕2号",
        "统一社会信用代码": wrong,
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[row[h] for h in header] for row in (good, bad)])
    target.write_text(out.getvalue(), encoding="utf-8")
    return target, code


def test_clerk_uploads_fixes_a_rejected_row_and_resubmits(server: str, page: Any, tmp_path: Path) -> None:
    login(page, server, "city-scjg")
    page.get_by_role("link", name="数据报送").first.click()
    page.wait_for_url(server + "/console/collection")
    assert page.locator("#items").get_by_text("CF-001").count() == 1
    inspect(page, "collection", "staff")

    with page.expect_download() as info:
        page.get_by_label("下载 CF-001 CSV 模板").click()
    template = tmp_path / "template.csv"
    info.value.save_as(template)
    upload, right_code = _file_from_template(template, tmp_path / "处罚.csv")

    page.get_by_label("目录信息事项", exact=True).select_option("CF-001")
    page.get_by_label("数据文件", exact=True).set_input_files(str(upload))
    assert page.locator("#upload-progress").count() == 1 and page.locator("#upload-feedback").is_hidden()
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/ingest/batches") and r.request.method == "POST"
    ) as sent:
        page.get_by_role("button", name="上传并校验").click()
    assert sent.value.status == 201  # sent by upload.js, with the session's CSRF token in the header
    assert sent.value.request.headers.get("x-csrf-token")
    page.wait_for_url(lambda url: "/console/batches/" in url)
    assert page.locator("#count-accepted").inner_text() == "1"
    assert page.locator("#count-rejected").inner_text() == "1"
    assert "校验位" in page.locator("#issues").inner_text()
    inspect(page, "batch-report", "staff")

    page.locator("#fix-link").click()
    page.wait_for_url(lambda url: url.endswith("/rejected"))
    row = page.locator("#fix-3")
    field = row.get_by_role("textbox", name="统一社会信用代码（必填）", exact=True)
    assert field.get_attribute("aria-invalid") == "true"
    assert "校验位" in row.locator(".reason").first.inner_text()
    inspect(page, "batch-rejected", "staff")
    field.fill(right_code)
    row.get_by_role("button", name="重新提交第 3 行").click()
    page.wait_for_selector("#resubmitted")
    assert page.locator("#count-accepted").inner_text() == "1"
    assert page.locator("#count-rejected").inner_text() == "0"
    inspect(page, "batch-resubmitted", "staff")

    page.get_by_role("link", name="报送批次", exact=True).click()
    page.wait_for_url(server + "/console/batches")
    assert page.locator("#batches tbody tr").count() >= 2
    inspect(page, "batches", "staff")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="报送质量").click()
    page.wait_for_url(lambda url: "/console/quality" in url)
    assert page.locator("#quality tbody tr").count() == 12
    inspect(page, "quality", "staff")


def test_the_credit_office_sees_every_department(server: str, page: Any) -> None:
    login(page, server, "admin")
    page.goto(server + "/console/collection")
    assert page.locator("#no-items").is_visible()
    inspect(page, "collection-office", "staff")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="报送质量").click()
    page.wait_for_url(lambda url: "/console/quality" in url)
    assert page.locator("#quality tbody tr").count() >= 1
    inspect(page, "quality-office", "staff")
