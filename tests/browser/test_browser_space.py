"""The subject space and the agency's pages in a real browser: company grants an agency chosen by name →
the agency opens the file → company sees the look-up in its log, by the agency's name → revokes → the
agency is refused. Every page is inspected (axe-core, no full citizen ID for the agency, 390 px)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from browserkit import inspect, login

#: The demo agency's organisation (``security.demo_users``).
AGENCY_NAME = "示范信用评级有限公司"


def _new_tab(browser: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return tab


def test_grant_open_log_revoke_refuse(server: str, page: Any, browser: Any) -> None:
    login(page, server, "company")
    page.get_by_role("link", name="我的信用").first.click()
    page.wait_for_url(server + "/space")
    assert page.locator(".pager-total").inner_text().isdigit()
    inspect(page, "space-file", "subject")

    page.get_by_role("link", name="查询授权").click()
    page.wait_for_url(server + "/space/grants")
    inspect(page, "space-grants", "subject")
    page.get_by_label("信用服务机构", exact=True).select_option(label=AGENCY_NAME)
    page.get_by_label("授权用途", exact=True).select_option(label="政府采购")
    until = page.get_by_label("授权截止日期", exact=True)
    assert dt.date.fromisoformat(until.input_value())  # proposed by the page
    page.get_by_role("button", name="授权", exact=True).click()
    page.wait_for_url(server + "/space/grants?done=granted")
    newest = page.locator("#grants tbody tr").first
    assert newest.locator(".agency").inner_text() == AGENCY_NAME
    assert newest.locator(".status").inner_text() == "有效"
    inspect(page, "space-grants-granted", "subject")

    agency = _new_tab(browser)
    try:
        login(agency, server, "agency")
        agency.goto(server + "/agency")
        inspect(agency, "agency-grants", "agency")
        agency.locator("#held-grants tbody tr").first.get_by_role("link").click()
        agency.wait_for_url(lambda url: "/agency/subjects/" in url)
        assert agency.get_by_role("heading", level=1).inner_text().startswith("授权查询：")
        file_url = agency.url
        inspect(agency, "agency-file", "agency")

        page.get_by_role("link", name="查询记录").click()
        page.wait_for_url(server + "/space/log")
        readers = page.locator("#query-log td.reader").all_inner_texts()
        assert readers[0] == AGENCY_NAME  # by its organisation, never its login name
        assert "agency" not in readers
        inspect(page, "space-log", "subject")

        page.get_by_role("link", name="查询授权").click()
        page.locator("#grants tbody tr").first.get_by_role("button", name="撤回").click()
        page.wait_for_url(server + "/space/grants?done=revoked")
        assert page.locator("#grants tbody tr").first.locator(".status").inner_text() == "已撤回"
        inspect(page, "space-grants-revoked", "subject")

        refused = agency.goto(file_url)
        assert refused is not None and refused.status == 403
        assert "已撤回授权" in agency.locator("#refusal").inner_text()
        inspect(agency, "agency-refused", "agency")
    finally:
        agency.context.close()
