"""A catalog version stores its four lists: import → the rows the platform reads (``current_lists``) →
export → import again keeps every scope item and measure; on both databases."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy.orm import Session

from xinyong.catalog.lists_service import ScopeNotFound, current_lists, scope_row
from xinyong.catalog.schema import default_catalog_path, parse_catalog
from xinyong.catalog.service import export_catalog, import_catalog

DEFAULT = default_catalog_path().read_text(encoding="utf-8")


def test_export_then_import_keeps_the_scope_items_and_measures(session: Session) -> None:
    import_catalog(session, DEFAULT, actor="test")
    shipped = parse_catalog(DEFAULT)
    stored = current_lists(session)
    assert stored.version == shipped.version
    assert list(stored.scopes.values()) == sorted(shipped.scopes, key=lambda s: s.code)
    assert list(stored.measures.values()) == sorted(shipped.measures, key=lambda m: m.code)
    exported = export_catalog(session)
    data = yaml.safe_load(exported)
    data["version"] = "2099-roundtrip"
    import_catalog(session, yaml.safe_dump(data, allow_unicode=True, sort_keys=False), actor="test")
    again = current_lists(session)
    assert again.version == "2099-roundtrip"
    assert again.scopes == stored.scopes and again.measures == stored.measures
    assert set(again.scope_ids.values()).isdisjoint(stored.scope_ids.values())
    row, scope = scope_row(session, "SX-003")
    assert row.id == again.scope_ids["SX-003"] and scope.name == "拖欠农民工工资失信联合惩戒对象"
    with pytest.raises(ScopeNotFound) as missing:
        scope_row(session, "SX-999")
    assert missing.value.code == "LIST_SCOPE_NOT_FOUND"
