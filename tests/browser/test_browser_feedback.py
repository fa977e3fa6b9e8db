"""Browser journey: the city finance bureau (city-cz, an implementing unit) opens its feedback tasks, opens
one, and reports the measure applied with a case reference; the credit office (admin) sees the rates.

The task is the one the demo's published black-list entry (SX-001, published through the lifecycle at
demo time) opened for the city finance bureau; the entry is found the way anyone could, on the public
黑名单.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from browserkit import inspect, login


def _demo_black_entry(server: str) -> str:
    """The number of a published SX-001 entry on the public black list."""
    listed = httpx.get(server + "/api/v1/public/lists/black", params={"limit": 100}).json()
    numbers = [e["number"] for e in listed["items"] if e["scope_code"] == "SX-001"]
    assert numbers, "the demo publishes an SX-001 entry"
    return str(numbers[-1])


@pytest.mark.browser
def test_implementing_unit_reports_a_measure_applied(server: str, page: Any, browser: Any) -> None:
    number = _demo_black_entry(server)
    login(page, server, "city-cz")
    page.goto(server + "/console/feedback")
    assert page.locator("#feedback-tasks").get_by_text(number).first.is_visible()
    inspect(page, "console-feedback", "staff")
    card = page.locator("article.task", has_text=number).filter(has_text="限制参加政府采购活动").first
    card.get_by_role("link").first.click()
    page.wait_for_url(lambda url: "/console/feedback/" in url)
    assert number in page.content() and "政府采购法" in page.content()
    inspect(page, "console-feedback-task", "staff")
    page.get_by_label("已实施").check()
    page.get_by_label("案件或项目编号").fill("YCCG-2026-0088")
    page.get_by_role("button", name="提交反馈").click()
    page.wait_for_url(lambda url: "done=reported" in url)
    assert page.get_by_text("反馈已提交").is_visible()
    assert page.locator("#task-status").get_attribute("data-status") == "applied"
    assert "YCCG-2026-0088" in page.content()
    inspect(page, "console-feedback-reported", "staff")
    # The credit office sees the city finance bureau's rate.
    office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = office.new_page()
    try:
        login(tab, server, "admin")
        tab.goto(server + "/console/feedback/rates")
        assert tab.locator("#feedback-rates").get_by_text("财政局").first.is_visible()
        inspect(tab, "console-feedback-rates", "staff")
    finally:
        office.close()
