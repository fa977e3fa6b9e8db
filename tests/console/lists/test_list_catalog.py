"""The four lists published: the JSON twins (filters, Chinese labels beside stable values, bad filters
refused with 422), the public page, the credit office's page and its catalog download; on both databases."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy.orm import Session

from xinyong.catalog import lists_service
from xinyong.catalog.io import dump_catalog
from xinyong.catalog.schema import default_catalog_path, parse_catalog

from secworld import (
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    world,  # noqa: F401
)


def _get(client: RecordingClient, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_scope_list_in_json_is_public_and_filtered_by_list(world: World, client: RecordingClient) -> None:
    body = _get(client, "/api/v1/catalog/scopes")
    assert body["version"] == "2024-local-3"
    codes = [s["code"] for s in body["scopes"]]
    assert "SX-001" in codes and "CX-001" in codes
    sx1 = next(s for s in body["scopes"] if s["code"] == "SX-001")
    assert sx1["list_kind"] == {"value": "black", "label": "严重失信主体名单"}
    assert sx1["document_kinds"] == [{"value": "penalty_decision", "label": "行政处罚决定书"}]
    assert sx1["period_months"] == 36 and sx1["initiating_department_kinds"] == ["市场监管"]
    assert sx1["measures"][0] == {"code": "CJ-001", "name": "限制参加政府采购活动"}
    red = _get(client, "/api/v1/catalog/scopes?list_kind=red")["scopes"]
    assert red and all(s["list_kind"]["value"] == "red" for s in red) and len(red) < len(codes)
    bad = client.get("/api/v1/catalog/scopes?list_kind=grey")
    assert bad.status_code == 422 and "code" in bad.json()


def test_the_measure_lists_in_json_filter_by_kind_scenario_and_list(
    world: World, client: RecordingClient
) -> None:
    everything = _get(client, "/api/v1/catalog/measures")["measures"]
    cj1 = next(m for m in everything if m["code"] == "CJ-001")
    assert cj1["effect"] == {"value": "prohibit", "label": "禁止"}
    assert cj1["min_severity"] == {"value": "serious", "label": "严重"}
    assert {"value": "government_procurement", "label": "政府采购"} in cj1["scenarios"]
    assert "《中华人民共和国政府采购法》" in cj1["legal_basis"]
    assert {"code": "YZ-001", "name": "市场监督管理严重违法失信名单信息"} in cj1["triggers"]["items"]
    assert "SX-001" in [s["code"] for s in cj1["scopes"]]
    procurement = _get(client, "/api/v1/catalog/measures?scenario=government_procurement")["measures"]
    assert [m["code"] for m in procurement] == ["CJ-001"]
    incentives = _get(client, "/api/v1/catalog/measures?kind=incentive")["measures"]
    assert incentives and all(
        m["kind"]["value"] == "incentive" and m["min_severity"] is None for m in incentives
    )
    by_red = _get(client, "/api/v1/catalog/measures?list_kind=red")["measures"]
    assert {m["code"] for m in by_red} == {m["code"] for m in incentives}
    assert client.get("/api/v1/catalog/measures?scenario=lottery").status_code == 422


def test_the_public_page_shows_the_four_lists(world: World, client: RecordingClient) -> None:
    page = client.get("/catalog/lists")
    assert page.status_code == 200
    for anchor in ('id="black-scopes"', 'id="red-scopes"', 'id="punishments"', 'id="incentives"'):
        assert anchor in page.text
    assert (
        "拖欠农民工工资失信联合惩戒对象" in page.text and "《中华人民共和国公务员法》第二十六条" in page.text
    )
    assert 'href="#measure-CJ-001"' in page.text and 'href="#scope-SX-001"' in page.text
    assert "下载现行目录文件" not in page.text


def test_the_credit_office_page_names_the_version_and_where_lists_are_edited(
    world: World, client: RecordingClient, session: Session
) -> None:
    page = client.get("/console/list-catalog", headers=bearer(world, "admin"))
    assert page.status_code == 200
    assert 'id="lists-version"' in page.text and "2024-local-3" in page.text
    assert 'href="/console/catalog"' in page.text and 'href="/console/list-catalog/catalog.yaml"' in page.text
    download = client.get("/console/list-catalog/catalog.yaml", headers=bearer(world, "admin"))
    assert download.status_code == 200
    assert 'filename="catalog-2024-local-3.yaml"' in download.headers["content-disposition"]
    parsed = parse_catalog(download.text)
    published = lists_service.published_lists(session)
    assert sorted(s.code for s in parsed.scopes) == sorted(
        s.code for s in [*published.red_scopes, *published.black_scopes]
    )


def test_only_the_credit_office_manages_the_lists(world: World, client: RecordingClient) -> None:
    for user in ("company", "clerk_a", "operator_a", "checker", "agency", "auditor"):
        for url in ("/console/list-catalog", "/console/list-catalog/catalog.yaml"):
            assert client.get(url, headers=bearer(world, user)).status_code == 403, (user, url)
    anonymous = client.get("/console/list-catalog", follow_redirects=False)
    assert anonymous.status_code in (303, 401, 403)


def test_the_catalog_file_round_trips_with_its_lists() -> None:
    """export (dump) → import (parse) keeps every scope item and measure."""
    text = yaml.safe_dump(
        yaml.safe_load(default_catalog_path().read_text(encoding="utf-8")),
        allow_unicode=True,
        sort_keys=False,
    )
    first = parse_catalog(text)
    again = parse_catalog(dump_catalog(first))
    assert len(first.scopes) >= 11 and len(first.measures) >= 21
    assert again.scopes == first.scopes and again.measures == first.measures
