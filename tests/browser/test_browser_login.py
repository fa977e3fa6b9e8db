"""Logging in and out, and the API docs, in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

from typing import Any

from browserkit import inspect, login


def test_login_shows_the_account_and_logout_works(server: str, page: Any) -> None:
    page.goto(server + "/")
    assert page.locator("#count-items").inner_text().isdigit()
    page.click("#login-link")
    inspect(page, "login", "public")
    page.get_by_label("用户名").fill("company")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码错误" in page.locator("#login-error").inner_text()
    login(page, server, "company")
    assert page.locator("#whoami").inner_text() == "company"
    # The session cookie is HttpOnly: page scripts cannot read it.
    assert "xy_session" not in page.evaluate("document.cookie")
    me = page.request.get(server + "/api/v1/me")
    assert me.json()["roles_zh"] == ["信用主体"]
    page.click("#whoami")
    assert "我的账户" in page.content()
    inspect(page, "me", "subject")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(server + "/")
    assert page.locator("#login-link").is_visible()


def test_api_docs_render_offline(server: str, page: Any) -> None:
    """Swagger UI renders the operations from files xinyong serves itself; nothing comes from elsewhere."""
    elsewhere: list[str] = []

    def note(request: Any) -> None:
        if not request.url.startswith(server):
            elsewhere.append(request.url)

    page.on("request", note)
    page.goto(server + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    assert page.locator(".opblock-summary-path").count() > 10
    assert "/api/v1/ingest/batches" in page.content()
    assert page.locator(".authorize").count() >= 1  # bearer authentication declared
    assert elsewhere == []
