"""What every browser journey uses: one demo server and one Chromium for the whole run (fixtures
``server``, ``browser``, ``page``; a plugin of tests/conftest.py, so any test can name them without
importing them), logging in, and checking a page as a person would meet it.

The server runs ``xinyong demo`` once; each journey logs in as its own demo account, so journeys do not
disturb each other. Skipped with a reason when Chromium is not installed (scripts/test.sh installs it
when it can); in CI (``CI=true``) a missing Chromium is a failure, not a skip.

``inspect(page, name, audience)`` runs on every page a journey visits: axe-core (through
axe-playwright-python) must find no serious or critical violation; a page shown to the public or to an
agency must not contain a full citizen ID; at 390 px wide nothing may overflow sideways; and a screenshot
at desktop and phone width goes to docs/screenshots/<name>-desktop.png and <name>-phone.png.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from xinyong.kit.ids.ric import calc_ric_check
from xinyong.security.demo_users import DEMO_PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: axe-core impact levels that fail a page.
BLOCKING = {"serious", "critical"}
#: Who a page is shown to: the public and agencies never see a full citizen ID.
Audience = Literal["public", "agency", "subject", "staff"]

_RIC = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx])(?![0-9A-Za-z])")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def login(page: Any, server: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto(server + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)


def full_citizen_ids(text: str) -> list[str]:
    """Every 18-character run in ``text`` that is a citizen ID with a valid check digit."""
    return [m for m in _RIC.findall(text) if calc_ric_check(m[:17]) == m[17].upper()]


def axe_violations(page: Any) -> list[str]:
    """The serious and critical axe-core violations on the page, as 'rule: target' lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    out = []
    for violation in results.response["violations"]:
        if violation.get("impact") in BLOCKING:
            targets = [str(node.get("target")) for node in violation.get("nodes", [])][:3]
            out.append(f"{violation['id']} ({violation['impact']}): {', '.join(targets)}")
    return out


def inspect(page: Any, name: str, audience: Audience) -> None:
    """Check the page the journey is on (accessibility, no full citizen ID for the public and agencies,
    no sideways overflow at 390 px) and save its screenshots at both widths."""
    page.wait_for_load_state("load")
    problems = axe_violations(page)
    assert problems == [], f"{name}: accessibility violations: {problems}"
    if audience in ("public", "agency"):
        leaked = full_citizen_ids(page.content())
        assert leaked == [], f"{name}: full citizen ID shown to {audience}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name}: the page is {overflow}px wider than a 390px phone screen"
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("CI must run the browser tests: chromium is not installed")
        pytest.skip("浏览器测试已跳过：未安装 chromium（以 root 运行 scripts/test.sh 会自动安装）")
    data = tmp_path_factory.mktemp("browser")
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env["XINYONG_DATA_DIR"] = str(data)
    # Every journey logs in from 127.0.0.1 within a few minutes: more than a person's 10 a minute. The
    # limit itself is tested in tests/security/test_lockout.py.
    env["XINYONG_LOGIN_RATE_LIMIT"] = "1000"
    env["XINYONG_PUBLIC_RATE_LIMIT"] = "100000"
    subprocess.run(
        [sys.executable, "-m", "xinyong", "demo", "--subjects", "30"],
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = (data / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "xinyong", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
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


@pytest.fixture(scope="session")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) at desktop size, in Chinese."""
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
