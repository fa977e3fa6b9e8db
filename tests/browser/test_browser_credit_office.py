"""The credit office's journey of issue 11 in one browser session: it issues an API token from the console
(the secret is shown once and works for the department's system), then opens the dashboard from the
navigation and sees its four server-drawn charts. The pages themselves are inspected in
test_browser_admin.py and test_browser_audit.py; this is the path a person takes between them."""

from __future__ import annotations

from typing import Any

import httpx

from browserkit import login


def test_credit_office_issues_a_token_and_sees_the_dashboard(server: str, page: Any) -> None:
    login(page, server, "admin")
    page.get_by_role("link", name="系统管理").click()
    page.goto(server + "/console/tokens")
    page.get_by_label("所属账户（用户名）").fill("city-scjg")
    page.get_by_label("令牌用途").fill("报送系统对接（信用办旅程）")
    page.get_by_label("有效天数").fill("30")
    page.get_by_role("button", name="签发令牌").click()
    secret = page.locator("#token-secret").inner_text().strip()
    assert secret.startswith("xy_")
    me = httpx.get(server + "/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["username"] == "city-scjg"
    page.get_by_role("link", name="统计看板").click()
    page.wait_for_url(server + "/console/dashboard")
    assert page.locator("#chart-records").is_visible()
    assert page.locator("#chart-records rect").count() > 3  # the demo's months are drawn
    assert int(page.locator("#total-records").inner_text()) > 0
    # the secret was shown once: the token list never shows it again
    page.goto(server + "/console/tokens")
    assert secret not in page.content()
    assert page.locator("#tokens tbody tr", has_text="信用办旅程").count() == 1
