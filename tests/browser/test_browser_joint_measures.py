"""The whole of joint rewards and punishments (联合奖惩) in a real browser, one entry from start to end:

the city market regulator (city-reviewer) proposes the demo company for the black list (SX-001) with the
penalty decision behind it and notifies it; the company reads the notice in 我的名单 and waives in writing
its representations and objection; the regulator decides (the decision states the measures, exit and
remedies); the credit office (admin) publishes; the public 黑名单 shows it; the city finance bureau
(city-cz) screens the company for 政府采购 and gets 禁止 with CJ-001 and its legal basis; the bureau then
reports back on the task publication gave it. Every page is inspected."""

from __future__ import annotations

from typing import Any

from browserkit import inspect, login


def _session(browser: Any, server: str, user: str | None) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    if user is not None:
        login(tab, server, user)
    return tab


def _company_code(browser: Any, server: str) -> str:
    """The demo company's USCC, as its own space shows it."""
    tab = _session(browser, server, "company")
    try:
        tab.goto(server + "/space")
        return str(tab.locator("#subject-uscc").inner_text().strip())
    finally:
        tab.context.close()


def _propose_and_notify(page: Any, server: str, uscc: str) -> tuple[str, str]:
    page.goto(server + "/console/lists")
    page.get_by_label("名单事项").select_option("SX-001")
    page.get_by_label("主体代码或名称").fill(uscc)
    page.get_by_label("文书种类").select_option("penalty_decision")
    page.get_by_label("文号").fill("盐市监罚〔2026〕209号")
    page.get_by_label("文书日期").fill("2026-10-09")
    page.get_by_label("作出机关").fill("盐城市市场监督管理局")
    page.get_by_label("实施事由").fill("生产销售不符合食品安全标准的食品，货值金额巨大，受到较重行政处罚")
    page.get_by_role("button", name="提出列入").click()
    page.wait_for_url("**/console/lists/*?done=proposed")
    entry_url = page.url.split("?")[0]
    page.locator("#notify").click()
    page.wait_for_url("**?done=notified")
    assert page.locator("#entry-state").inner_text() == "已告知"
    number = str(page.locator("#entry-number").inner_text().strip())
    inspect(page, "joint-entry-notified", "staff")
    return entry_url, number


def _company_waives(browser: Any, server: str, number: str) -> None:
    tab = _session(browser, server, "company")
    try:
        tab.goto(server + "/space/lists")
        card = tab.locator("section", has_text=number).first
        assert "提出异议" in card.inner_text()
        inspect(tab, "joint-space-notice", "subject")
        card.get_by_role("button", name="提交书面声明").click()
        tab.wait_for_url("**/space/lists?done=waived")
        assert "放弃陈述、申辩和异议" in tab.locator("section", has_text=number).first.inner_text()
        inspect(tab, "joint-space-waived", "subject")
    finally:
        tab.context.close()


def _publish(browser: Any, server: str, entry_url: str) -> None:
    tab = _session(browser, server, "admin")
    try:
        tab.goto(entry_url)
        tab.locator("#publish").click()
        tab.wait_for_url("**?done=published")
        assert tab.locator("#entry-state").inner_text() == "已发布"
    finally:
        tab.context.close()


def _public_list_shows(browser: Any, server: str, number: str) -> None:
    tab = _session(browser, server, None)
    try:
        tab.goto(server + "/lists?kind=black")
        tab.get_by_role("link", name=f"名单详情 {number}").click()
        tab.wait_for_url(f"**/lists/{number}")
        assert "限制参加政府采购活动" in tab.locator("#measures").inner_text()
        inspect(tab, "joint-public-entry", "public")
    finally:
        tab.context.close()


def _screen_and_report(browser: Any, server: str, uscc: str, number: str) -> None:
    tab = _session(browser, server, "city-cz")
    try:
        tab.goto(server + "/console/screening")
        tab.get_by_label("主体标识").fill(uscc)
        tab.get_by_label("应用场景").select_option(label="政府采购")
        tab.get_by_role("button", name="核查").click()
        tab.wait_for_selector("#decision")
        assert tab.locator("#decision").get_attribute("data-decision") == "prohibit"
        measure = tab.locator("#measure-CJ-001").inner_text()
        assert "政府采购法" in measure and number in measure
        inspect(tab, "joint-screening-prohibit", "staff")
        tab.goto(server + "/console/feedback")
        card = tab.locator("article.task", has_text=number).filter(has_text="限制参加政府采购活动").first
        card.get_by_role("link").first.click()
        tab.wait_for_url(lambda url: "/console/feedback/" in url)
        tab.get_by_label("已实施").check()
        tab.get_by_label("案件或项目编号").fill("YCCG-2026-0209")
        tab.get_by_role("button", name="提交反馈").click()
        tab.wait_for_url(lambda url: "done=reported" in url)
        assert tab.locator("#task-status").get_attribute("data-status") == "applied"
        inspect(tab, "joint-feedback-reported", "staff")
    finally:
        tab.context.close()


def test_propose_to_feedback_in_one_journey(server: str, page: Any, browser: Any) -> None:
    uscc = _company_code(browser, server)
    login(page, server, "city-reviewer")
    entry_url, number = _propose_and_notify(page, server, uscc)
    _company_waives(browser, server, number)
    page.goto(entry_url)
    page.locator("#decide").click()
    page.wait_for_url("**?done=decided")
    assert page.locator("#entry-state").inner_text() == "已认定"
    decision = page.locator("#decision-text").inner_text()
    assert "限制参加政府采购活动" in decision and "行政复议" in decision
    inspect(page, "joint-entry-decided", "staff")
    _publish(browser, server, entry_url)
    _public_list_shows(browser, server, number)
    _screen_and_report(browser, server, uscc, number)
