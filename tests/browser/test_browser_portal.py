"""The public portal in a real browser: home, search (two characters; traditional script), a subject's
tabs, a record, the catalog and the notices, each page checked by ``inspect`` (axe-core, no full citizen
ID, no sideways overflow at 390 px) and photographed at both widths."""

from __future__ import annotations

from typing import Any

import httpx
import opencc

from browserkit import inspect, login


def _a_published_company(server: str) -> tuple[str, int, str]:
    """The name and id of a demo company with a published record, and the tab that holds it (found the
    way anyone could)."""
    found = httpx.get(server + "/api/v1/public/subjects", params={"q": "有限公司", "limit": 100}).json()
    for subject in found["subjects"]:
        file = httpx.get(f"{server}/api/v1/public/subjects/{subject['id']}").json()
        if file["total"]:
            tab = next(t["key"] for t in file["tabs"] if t["total"])
            return subject["name"], subject["id"], tab
    raise AssertionError("the demo has no company with a published record")


def test_public_journey(server: str, page: Any) -> None:
    name, subject_id, tab = _a_published_company(server)
    page.goto(server + "/")
    assert page.locator("#count-subjects").inner_text().isdigit()
    assert page.locator("#latest-penalties").count() + page.get_by_text("暂无新公示的信息").count() >= 1
    inspect(page, "portal-home", "public")

    # Two characters: many results, a true total and a pager.
    page.get_by_label("查询企业和组织的信用信息").fill(name[:2])
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/search?**")
    assert int(page.locator(".pager-total").first.inner_text()) >= 1
    assert page.locator("#results li").count() >= 1
    inspect(page, "portal-search", "public")

    # The traditional-script form of the company's name finds it.
    traditional = opencc.OpenCC("s2t").convert(name)
    assert traditional != name
    page.get_by_label("名称、统一社会信用代码或注册号").fill(traditional)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("load")
    page.locator("#results").get_by_role("link", name=name).click()
    page.wait_for_url(f"**/subjects/{subject_id}")
    assert page.locator("#subject-name").inner_text() == name
    inspect(page, "portal-subject-basic", "public")
    for key in ("licence", "penalty", "other"):
        page.locator(f'#file-tabs a[data-tab="{key}"]').click()
        page.wait_for_url(f"**tab={key}")
        assert page.locator(f'#file-tabs a[data-tab="{key}"]').get_attribute("aria-current") == "page"
        inspect(page, f"portal-subject-{key}", "public")

    # A published record: its deciding body and when its publication ends.
    page.locator(f'#file-tabs a[data-tab="{tab}"]').click()
    page.wait_for_url(f"**tab={tab}")
    page.locator("#file-records tbody tr a").first.click()
    page.wait_for_url("**/records/*")
    assert page.locator("#record-publish-end").inner_text()
    assert page.locator("#record-subject").inner_text() == name
    inspect(page, "portal-record", "public")

    page.get_by_role("link", name="信息目录").first.click()
    page.wait_for_url("**/catalog")
    assert page.locator(".catalog-item").count() > 10
    inspect(page, "portal-catalog", "public")

    page.get_by_role("link", name="政策公告").first.click()
    page.wait_for_url("**/notices")
    inspect(page, "portal-notices", "public")
    page.locator("#notices a").first.click()
    page.wait_for_url("**/notices/*")
    assert page.locator("#notice-title").inner_text()
    inspect(page, "portal-notice", "public")


def test_search_messages_and_a_code(server: str, page: Any) -> None:
    name, subject_id, _tab = _a_published_company(server)
    page.goto(server + "/search?q=" + "查无此名称的企业")
    assert page.locator("#no-results").is_visible()
    page.goto(server + "/search?q=" + name[-6])  # one character of a name is a query too
    assert page.locator("#search-problem").count() == 0
    assert int(page.locator(".pager-total").first.inner_text()) >= 1
    uscc = httpx.get(f"{server}/api/v1/public/subjects/{subject_id}").json()["subject"]["uscc"]
    page.goto(server + "/search?q=" + uscc)
    page.wait_for_url(f"**/subjects/{subject_id}")
    # Signed in, the portal is the same (the staff member sees the public file here).
    login(page, server, "county-clerk")
    page.goto(f"{server}/subjects/{subject_id}?tab=penalty")
    assert page.locator("#subject-name").inner_text() == name
