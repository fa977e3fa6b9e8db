"""The four lists in a real browser: anyone reads them on /catalog/lists (a scope item's measures link to
the measure), the credit office sees the same lists with the version in force and where to edit them."""

from __future__ import annotations

from typing import Any

from browserkit import inspect, login


def test_anyone_reads_the_four_lists(server: str, page: Any) -> None:
    page.goto(server + "/catalog/lists")
    assert page.get_by_role("heading", name="四张清单").count() == 1
    black = page.locator("#black-scopes")
    assert "SX-001" in black.inner_text() and "拖欠农民工工资失信联合惩戒对象" in black.inner_text()
    assert "限制参加政府采购活动" in page.locator("#punishments").inner_text()
    assert "容缺受理" in page.locator("#incentives").inner_text()
    inspect(page, "public-catalog-lists", "public")
    black.locator("#scope-SX-001").get_by_role("link", name="CJ-001 限制参加政府采购活动").click()
    assert page.url.endswith("#measure-CJ-001")
    assert "《中华人民共和国政府采购法》" in page.locator("#measure-CJ-001").inner_text()


def test_the_credit_office_sees_the_lists_in_force_and_where_to_edit_them(server: str, page: Any) -> None:
    login(page, server, "admin")
    page.goto(server + "/console/list-catalog")
    assert page.locator("#lists-version").inner_text().startswith("2024-local-3")
    assert page.locator("#download-catalog").get_attribute("href") == "/console/list-catalog/catalog.yaml"
    assert "SX-001" in page.locator("#measure-CJ-001").inner_text()
    inspect(page, "console-list-catalog", "staff")
    with page.expect_download() as caught:
        page.locator("#download-catalog").click()
    assert caught.value.suggested_filename == "catalog-2024-local-3.yaml"
    page.get_by_role("link", name="目录版本").first.click()
    page.wait_for_url(server + "/console/catalog")
