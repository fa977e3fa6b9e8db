"""目录版本 in the console: the diff (pure), checking a file (errors by item and field), storing a version
that is not current, its changes against the current one, making it current; pages and JSON twins, on
both databases."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog
from xinyong.catalog.diff import diff_catalogs
from xinyong.catalog.schema import default_catalog_path

from secworld import (
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    world,  # noqa: F401
)

ADMIN = "admin"
DEFAULT = default_catalog_path().read_text(encoding="utf-8")


def _item(code: str, **extra: Any) -> dict[str, Any]:
    fields = [
        {"name": "subject_name", "label": "名称", "type": "string"},
        {"name": "a", "label": "甲", "type": "date"},
    ]
    return {"code": code, "name": f"事项{code}", "openness": "public", "fields": fields, **extra}


def test_the_diff_names_items_and_fields_added_removed_and_changed() -> None:
    old = [_item("XX-001"), _item("XX-002"), _item("XX-003")]
    changed = _item("XX-002", openness="closed")
    changed["fields"] = [
        {"name": "subject_name", "label": "主体名称", "type": "string"},
        {"name": "b", "label": "乙", "type": "text"},
    ]
    new = [_item("XX-001"), changed, _item("XX-004")]
    diff = diff_catalogs(
        old, new, from_version="v1", to_version="v2",
        old_header={"title": "甲", "issued_by": "办", "effective_date": "2025-01-01"},
        new_header={"title": "甲", "issued_by": "办", "effective_date": "2026-01-01"},
    )  # fmt: skip
    assert [i.code for i in diff.added] == ["XX-004"] and [i.code for i in diff.removed] == ["XX-003"]
    assert diff.header == ["effective_date"] and diff.unchanged == 1
    (item,) = diff.changed
    assert (item.code, item.properties) == ("XX-002", ["开放方式"])
    assert (item.fields_added, item.fields_removed) == (["b"], ["a"])
    assert [(f.name, f.properties) for f in item.fields_changed] == [("subject_name", ["label"])]
    same = diff_catalogs(old, old, from_version="v1", to_version="v1", old_header={}, new_header={})
    assert same.empty and same.unchanged == 3


def _edited() -> str:
    """The shipped catalog as version 2099-test: one item removed (DJ-002), one field relabelled and one
    field added to CF-001, one new item (QT-901, a copy of DJ-002 under another code)."""
    data = yaml.safe_load(DEFAULT)
    data["version"] = "2099-test"
    items = data["items"]
    dj2 = next(i for i in items if i["code"] == "DJ-002")
    items.remove(dj2)
    cf = next(i for i in items if i["code"] == "CF-001")
    cf["fields"][0]["label"] = "被处罚主体名称"
    cf["fields"].append({"name": "remark", "label": "备注", "type": "text", "required": False})
    items.append({**dj2, "code": "DJ-901", "name": "个体工商户登记信息（试行）"})
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def _upload(text: str) -> dict[str, Any]:
    return {"file": ("catalog.yaml", text.encode(), "application/x-yaml")}


def test_checking_a_file_lists_its_errors_by_item_and_field_and_stores_nothing(
    world: World, client: RecordingClient
) -> None:
    broken = DEFAULT.replace("version: 2024-local-3", "version: 2099-bad").replace(
        "type: uscc", "type: usc", 1
    )
    checked = client.post("/api/v1/admin/catalog/check", files=_upload(broken), headers=bearer(world, ADMIN))
    assert checked.status_code == 200
    body = checked.json()
    assert body["valid"] is False and body["diff"] is None
    assert any(e["item"] == "DJ-001" and "fields[subject_id].type" in e["field"] for e in body["errors"])
    not_yaml = client.post(
        "/api/v1/admin/catalog/check", files=_upload("a: [1,"), headers=bearer(world, ADMIN)
    )
    assert not_yaml.json()["valid"] is False and "YAML" in not_yaml.json()["errors"][0]["message"]
    page = client.post("/console/catalog", files=_upload(broken), headers=bearer(world, ADMIN))
    assert page.status_code == 422 and 'id="catalog-errors"' in page.text and "DJ-001" in page.text
    refused = client.post(
        "/api/v1/admin/catalog/versions", files=_upload(broken), headers=bearer(world, ADMIN)
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "CATALOG_INVALID")
    listed = client.get("/api/v1/admin/catalog/versions", headers=bearer(world, ADMIN)).json()
    assert [v["version"] for v in listed] == ["2024-local-3"]
    empty = client.post("/console/catalog", files=_upload(""), headers=bearer(world, ADMIN))
    assert empty.status_code == 422 and "请选择目录文件" in empty.text


def test_a_valid_file_shows_its_changes_and_becomes_current_only_when_told(
    world: World, client: RecordingClient, session: Session
) -> None:
    checked = client.post(
        "/api/v1/admin/catalog/check", files=_upload(_edited()), headers=bearer(world, ADMIN)
    )
    diff = checked.json()["diff"]
    assert checked.json()["valid"] is True and diff["from_version"] == "2024-local-3"
    assert [i["code"] for i in diff["added"]] == ["DJ-901"] and [i["code"] for i in diff["removed"]] == [
        "DJ-002"
    ]
    (cf,) = diff["changed"]
    assert (cf["code"], cf["properties"], cf["fields_added"]) == ("CF-001", [], ["remark"])
    assert cf["fields_changed"] == [{"name": "subject_name", "properties": ["label"]}]
    # The page stores it (not current) and shows the same changes.
    staged = client.post(
        "/console/catalog", files=_upload(_edited()), headers=bearer(world, ADMIN), follow_redirects=False
    )
    assert staged.status_code == 303
    version_page = client.get(staged.headers["location"], headers=bearer(world, ADMIN))
    assert (
        version_page.status_code == 200
        and "DJ-901" in version_page.text
        and "被处罚主体名称" not in version_page.text
    )
    assert 'id="diff-removed-items"' in version_page.text and "remark" in version_page.text
    assert catalog.current_version(session).version == "2024-local-3"
    version_id = int(staged.headers["location"].rsplit("/", 1)[1])
    detail = client.get(f"/api/v1/admin/catalog/versions/{version_id}", headers=bearer(world, ADMIN)).json()
    assert detail["version"]["is_current"] is False and detail["diff"] == diff
    # The same file again is the same version; the same label with other content is refused.
    again = client.post(
        "/api/v1/admin/catalog/versions", files=_upload(_edited()), headers=bearer(world, ADMIN)
    )
    assert again.status_code == 201 and again.json()["version"]["id"] == version_id
    other = _edited().replace("备注", "附注")
    clash = client.post("/api/v1/admin/catalog/versions", files=_upload(other), headers=bearer(world, ADMIN))
    assert (clash.status_code, clash.json()["code"]) == (409, "CATALOG_VERSION_EXISTS")
    made = client.post(
        f"/console/catalog/{version_id}/current", headers=bearer(world, ADMIN), follow_redirects=False
    )
    assert made.headers["location"] == "/console/catalog?done=catalog-current"
    session.expire_all()
    assert catalog.current_version(session).version == "2099-test"
    assert catalog.item_row(session, "DJ-901").name == "个体工商户登记信息（试行）"
    versions = client.get("/api/v1/admin/catalog/versions", headers=bearer(world, ADMIN)).json()
    assert [(v["version"], v["is_current"]) for v in versions] == [
        ("2099-test", True),
        ("2024-local-3", False),
    ]
    # Back to the old one: also a stored version that can be made current.
    back = client.post(
        f"/api/v1/admin/catalog/versions/{versions[1]['id']}/current", headers=bearer(world, ADMIN)
    )
    assert back.json()["is_current"] is True
    assert client.get("/console/catalog/999999", headers=bearer(world, ADMIN)).status_code == 404
