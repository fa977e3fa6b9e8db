"""The web UI in a real browser (Debian's Chromium driven by Playwright), against a real server process.

Skipped with a reason when Chromium is not installed (scripts/test.sh installs it when it can);
in CI (``CI=true``) a missing Chromium is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from xinyong.security.demo_users import DEMO_PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("CI must run the browser tests: chromium is not installed")
        pytest.skip("浏览器测试已跳过：未安装 chromium（以 root 运行 scripts/test.sh 会自动安装）")
    data = tmp_path_factory.mktemp("browser")
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env["XINYONG_DATA_DIR"] = str(data)
    subprocess.run(
        [sys.executable, "-m", "xinyong", "demo", "--subjects", "30"],
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = (data / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "xinyong", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(Path(log.name).read_text())
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_login_shows_the_account_and_logout_works(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(locale="zh-CN")
        page.goto(server + "/")
        assert page.locator("#count-items").inner_text().isdigit()
        page.click("#login-link")
        page.fill("input[name=username]", "company")
        page.fill("input[name=password]", "wrong-password")
        page.click("button[type=submit]")
        assert "用户名或密码错误" in page.locator("#login-error").inner_text()
        page.fill("input[name=username]", "company")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(server + "/")
        assert page.locator("#whoami").inner_text() == "company"
        page.screenshot(path=str(tmp_path / "logged-in.png"), full_page=True)
        # The session cookie is HttpOnly: page scripts cannot read it.
        assert "xy_session" not in page.evaluate("document.cookie")
        me = page.request.get(server + "/api/v1/me")
        assert me.json()["roles_zh"] == ["信用主体"]
        page.click("#whoami")
        assert "谁查询了我的信用档案" in page.content()
        page.screenshot(path=str(tmp_path / "me.png"), full_page=True)
        page.click("text=退出")
        page.wait_for_url(server + "/")
        assert page.locator("#login-link").is_visible()
        browser.close()


def test_api_docs_render_offline(server: str, tmp_path: Path) -> None:
    """Swagger UI renders the operations from files xinyong serves itself; nothing comes from elsewhere."""
    from playwright.sync_api import Request, sync_playwright

    elsewhere: list[str] = []

    def note(request: Request) -> None:
        if not request.url.startswith(server):
            elsewhere.append(request.url)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(locale="zh-CN")
        page.on("request", note)
        page.goto(server + "/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=15_000)
        assert page.locator(".opblock-summary-path").count() > 10
        assert "/api/v1/ingest/batches" in page.content()
        page.screenshot(path=str(tmp_path / "docs.png"))
        browser.close()
    assert elsewhere == []
