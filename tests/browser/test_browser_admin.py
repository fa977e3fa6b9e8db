"""The credit office and a reviewer in the console, in a real browser: the office issues a token (sees its
secret once), a department system submits with it a penalty of a company nobody registered (held as
待核验), the office revokes the token, uploads a catalog version (sees its errors, then its changes) and
confirms the company; a county reviewer looks a company up by name and reads its file with a purpose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import yaml

from xinyong.catalog.schema import default_catalog_path
from xinyong.kit import ids

from browserkit import inspect, login

#: A company no registry reported: the penalty below brings it in as 待核验 (county 320902).
NEW_ORG = "91320902" + "MA1XYB07" + ids.calc_org_check("MA1XYB07")
NEW_USCC = NEW_ORG + ids.calc_uscc_check(NEW_ORG)
NEW_NAME = "盐城市浏览器测试贸易有限公司"


def _penalty() -> dict[str, Any]:
    row = {
        "subject_name": NEW_NAME,
        "subject_id": NEW_USCC,
        "source_record_id": "BROWSER-ADMIN-1",
        "decision_no": "盐市监罚〔2026〕901号",
        "decision_date": "2026-03-02",
        "penalty_kind": "警告",
        "violation": "未按规定公示年度报告",
        "violation_facts": "经查，当事人未按规定期限公示年度报告",
        "legal_basis_text": "《企业信息公示暂行条例》第十八条",
        "penalty_content": "警告",
        "authority_name": "盐城市市场监督管理局",
        "authority_id": NEW_USCC,
    }
    return {"item": "CF-001", "records": [row]}


def _catalog_files(tmp: Path) -> tuple[Path, Path]:
    """A broken catalog file and a valid new version (DJ-002 removed, a field added to CF-001)."""
    text = default_catalog_path().read_text(encoding="utf-8")
    broken = tmp / "broken.yaml"
    broken.write_text(
        text.replace("version: 2024-local-3", "version: 2099-broken").replace("type: uscc", "type: usc", 1)
    )
    data = yaml.safe_load(text)
    data["version"] = "2099-browser"
    data["items"] = [i for i in data["items"] if i["code"] != "DJ-002"]
    cf = next(i for i in data["items"] if i["code"] == "CF-001")
    cf["fields"].append({"name": "remark", "label": "备注", "type": "text", "required": False})
    valid = tmp / "valid.yaml"
    valid.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return broken, valid


def _issue_and_use_token(page: Any, server: str) -> None:
    page.goto(server + "/console/tokens")
    inspect(page, "console-tokens", "staff")
    page.get_by_label("所属账户（用户名）").fill("city-scjg")
    page.get_by_label("令牌用途").fill("市场监管局报送系统（浏览器测试）")
    page.get_by_label("有效天数").fill("7")
    page.get_by_role("button", name="签发令牌").click()
    secret = page.locator("#token-secret").inner_text().strip()
    assert secret.startswith("xy_")
    inspect(page, "console-tokens-issued", "staff")
    page.reload()
    assert page.locator("#token-secret").count() == 0 and secret not in page.content()
    submitted = httpx.post(
        server + "/api/v1/records:batch", json=_penalty(), headers={"Authorization": f"Bearer {secret}"}
    )
    assert submitted.status_code == 201, submitted.text
    row = page.locator("#tokens tbody tr", has_text="浏览器测试").first
    row.get_by_role("button", name="吊销").click()
    assert "令牌已吊销" in page.locator(".notice.ok").inner_text()
    refused = httpx.get(server + "/api/v1/ingest/batches", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401


def _upload_catalog(page: Any, server: str, tmp: Path) -> None:
    broken, valid = _catalog_files(tmp)
    page.goto(server + "/console/catalog")
    inspect(page, "console-catalog", "staff")
    page.get_by_label("目录文件", exact=True).set_input_files(str(broken))
    page.get_by_role("button", name="上传并校验").click()
    assert "DJ-001" in page.locator("#catalog-errors").inner_text()
    inspect(page, "console-catalog-invalid", "staff")
    page.get_by_label("目录文件", exact=True).set_input_files(str(valid))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url(lambda url: "/console/catalog/" in url)
    assert page.locator("#diff-removed").inner_text() == "1"
    assert "DJ-002" in page.locator("#diff-removed-items").inner_text()
    assert "remark" in page.locator("#diff-changed-items").inner_text()
    assert "未生效" in page.locator("#version-state").inner_text()
    inspect(page, "console-catalog-version", "staff")


def test_the_credit_office_manages_tokens_catalog_and_the_unverified_queue(
    server: str, page: Any, tmp_path: Path
) -> None:
    login(page, server, "admin")
    page.get_by_role("link", name="系统管理").first.click()
    page.wait_for_url(server + "/console/admin")
    inspect(page, "console-admin", "staff")
    _issue_and_use_token(page, server)
    _upload_catalog(page, server, tmp_path)
    page.goto(server + "/console/admin")
    page.get_by_role("link", name="待核验主体").first.click()
    row = page.locator("#unverified tbody tr", has_text=NEW_NAME)
    assert row.count() == 1
    inspect(page, "console-unverified", "staff")
    row.get_by_role("button", name="确认核验").click()
    assert "已确认核验" in page.locator(".notice.ok").inner_text()
    assert page.locator("#unverified tbody tr", has_text=NEW_NAME).count() == 0
    for name in ("departments", "users"):
        page.goto(server + f"/console/{name}")
        inspect(page, f"console-{name}", "staff")


def test_a_reviewer_looks_a_company_up_by_name_and_reads_its_file(server: str, page: Any) -> None:
    login(page, server, "county-clerk")
    page.get_by_role("link", name="主体查询").first.click()
    page.wait_for_url(server + "/console/lookup")
    inspect(page, "console-lookup", "staff")
    # Any company of the demo: the first one a broad search shows, then looked up by its own name.
    page.get_by_label("名称或代码").fill("有限公司")
    page.get_by_role("button", name="查找").click()
    name = page.locator("#lookup-results tbody tr td").first.inner_text().strip()
    assert name
    page.get_by_label("名称或代码").fill(name)
    page.get_by_role("button", name="查找").click()
    results = page.locator("#lookup-results")
    assert name in results.inner_text()
    inspect(page, "console-lookup-results", "staff")
    results.get_by_role("link", name=f"查看 {name} 的信用档案").first.click()
    inspect(page, "console-purpose", "staff")
    page.get_by_label("查询用途", exact=True).select_option("日常监管")
    page.get_by_label("查询依据").fill("《江苏省社会信用条例》第三十条")
    page.get_by_role("button", name="查看信用档案").click()
    assert page.locator("h1").inner_text() == name
    assert "日常监管" in page.locator("#read-logged").inner_text()
    assert page.locator("#file-tabs a").count() >= 2
    inspect(page, "console-subject", "staff")
