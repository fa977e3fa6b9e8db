"""红黑名单 in a real browser: city-reviewer proposes a company for the red list with its legal document and
notifies it (deciding at once is refused: the objection period runs), then decides the demo's black-list
entry whose objection period is over; admin publishes it; the public 黑名单 shows it and its page; the
subject's own 我的名单 page. Every page is inspected (axe-core, no full citizen ID for the public, 390 px)."""

from __future__ import annotations

from typing import Any

import httpx

from browserkit import inspect, login


def _new_tab(browser: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return tab


def _a_company_code(server: str) -> str:
    """A demo company's USCC, found the way anyone could (the last of a search: not the demo company
    account's own, which is the first registered)."""
    found = httpx.get(server + "/api/v1/public/subjects", params={"q": "有限公司", "limit": 100}).json()
    codes = [s["uscc"] for s in found["subjects"] if s["uscc"]]
    assert codes, "the demo has no company"
    return str(codes[-1])


def _propose_red(page: Any, server: str) -> None:
    page.goto(server + "/console/lists")
    inspect(page, "console-lists", "staff")
    page.get_by_label("名单事项").select_option("CX-001")
    page.get_by_label("主体代码或名称").fill(_a_company_code(server))
    page.get_by_label("文书种类").select_option("honour_decision")
    page.get_by_label("文号").fill("盐政发〔2026〕88号")
    page.get_by_label("文书日期").fill("2026-11-02")
    page.get_by_label("作出机关").fill("盐城市人民政府")
    page.get_by_label("实施事由").fill("连续三年无失信记录，获市级诚信企业表彰")
    page.get_by_role("button", name="提出列入").click()
    page.wait_for_url("**/console/lists/*?done=proposed")
    assert page.locator("#entry-state").inner_text() == "已提出"
    inspect(page, "console-list-entry-proposed", "staff")
    page.locator("#notify").click()
    page.wait_for_url("**?done=notified")
    assert "提出异议" in page.locator("#notice-text").inner_text()
    # the objection period has just begun: no decision yet, and the page says why
    page.locator("#decide").click()
    page.wait_for_load_state("load")
    assert "异议期限" in page.get_by_role("alert").inner_text()
    inspect(page, "console-list-entry-too-early", "staff")


def test_propose_notify_decide_publish_public(server: str, page: Any, browser: Any) -> None:
    login(page, server, "city-reviewer")
    _propose_red(page, server)

    # The demo's black-list entry notified in October: its objection period is over.
    page.goto(server + "/console/lists?state=notified")
    row = page.locator("#entries tbody tr", has_text="SX-001").first
    number = row.locator("a").first.inner_text()
    row.locator("a").first.click()
    page.wait_for_url("**/console/lists/*")
    entry_url = page.url
    page.locator("#decide").click()
    page.wait_for_url("**?done=decided")
    assert page.locator("#entry-state").inner_text() == "已认定"
    assert "行政复议" in page.locator("#decision-text").inner_text()
    inspect(page, "console-list-entry-decided", "staff")

    office = _new_tab(browser)
    login(office, server, "admin")
    office.goto(entry_url)
    office.locator("#publish").click()
    office.wait_for_url("**?done=published")
    assert office.locator("#entry-state").inner_text() == "已发布"
    inspect(office, "console-list-entry-published", "staff")
    office.context.close()

    public = _new_tab(browser)
    public.goto(server + "/lists?kind=black")
    public.get_by_role("link", name=f"名单详情 {number}").click()
    public.wait_for_url(f"**/lists/{number}")
    assert public.locator("#measures li").count() >= 1
    inspect(public, "portal-list-entry", "public")
    public.goto(server + "/lists?kind=black")
    inspect(public, "portal-lists-black", "public")
    public.get_by_role("link", name="红名单（诚信典型）").click()
    public.wait_for_url("**/lists?kind=red")
    assert public.locator("#public-entries tbody tr").count() >= 1
    inspect(public, "portal-lists-red", "public")
    public.context.close()


def test_the_subject_sees_its_own_lists_page(server: str, page: Any) -> None:
    login(page, server, "company")
    page.goto(server + "/space/lists")
    assert page.get_by_role("heading", name="我的名单").count() == 1
    inspect(page, "space-lists", "subject")
