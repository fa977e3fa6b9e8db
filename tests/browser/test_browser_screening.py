"""Browser journey: the city finance bureau (city-cz, an implementing unit) screens a black-listed company
for 政府采购 on /console/screening and sees 禁止 with CJ-001 and its legal basis, the number and the
verification code; opens the stored check (核验一致) and its department's history.
The company is the one of the demo's published SX-001 entry, found on the public 黑名单."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from browserkit import inspect, login


def _black_listed_company(server: str) -> str:
    """The USCC of a company with a published SX-001 entry on the public black list."""
    listed = httpx.get(server + "/api/v1/public/lists/black", params={"limit": 100}).json()
    codes = [e["uscc"] for e in listed["items"] if e["scope_code"] == "SX-001" and e["uscc"]]
    assert codes, "the demo publishes an SX-001 entry"
    return str(codes[-1])


@pytest.mark.browser
def test_city_cz_screens_a_company_for_procurement(server: str, page: Any) -> None:
    uscc = _black_listed_company(server)
    login(page, server, "city-cz")
    page.goto(server + "/console/screening")
    inspect(page, "console-screening", "staff")
    page.get_by_label("主体标识").fill(uscc)
    page.get_by_label("应用场景").select_option(label="政府采购")
    page.get_by_role("button", name="核查").click()
    page.wait_for_selector("#decision")
    assert page.locator("#decision").get_attribute("data-decision") == "prohibit"
    assert page.locator("#decision").inner_text().strip() == "禁止"
    cj1 = page.locator("#measure-CJ-001")
    assert "政府采购法" in cj1.inner_text() and "HMD-" in cj1.inner_text()
    number = page.locator("#screening-number").inner_text().strip()
    code = page.locator("#screening-code").inner_text().strip()
    assert number.startswith("SC-") and len(code) == 23
    inspect(page, "console-screening-result", "staff")
    page.get_by_role("link", name="查看存证与核验").click()
    page.wait_for_selector("#verification")
    assert page.locator("#verification").get_attribute("data-status") == "valid"
    assert number in page.locator("h1").inner_text()
    inspect(page, "console-screening-detail", "staff")
    page.goto(server + "/console/screenings")
    assert number in page.locator("#screenings").inner_text()
    inspect(page, "console-screenings", "staff")
